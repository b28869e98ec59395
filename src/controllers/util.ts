// Small helpers every workload controller needs: owner references, pod readiness and
// availability, template hashes in Kubernetes' format, and keys.
import type { KubeObject, OwnerReference } from '../api/types.js';

/** The ownerReference with controller=true, if any. */
export function controllerRef(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

/** A controller ownerReference pointing at owner. */
export function ownerRefTo(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function podCondition(pod: KubeObject, type: string): { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string } | undefined {
  return (pod.status?.conditions as any[] | undefined)?.find((c) => c.type === type);
}

export const isPodReady = (pod: KubeObject) => podCondition(pod, 'Ready')?.status === 'True';

/** Not terminated and not being deleted: what ReplicaSets count. */
export const isPodActive = (pod: KubeObject) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata.deletionTimestamp;

export const isPodTerminal = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

/** Seconds as Kubernetes timestamps print them (no fractional part). */
export const nowTime = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

function fnv32a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The alphabet of Kubernetes' rand.SafeEncodeString: no vowels, no look-alikes
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.filter((k) => (v as any)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A pod template's hash as pod-template-hash labels and ControllerRevision names use it: an FNV-32a
 * hash of the template (and the collision count, when set), written with the safe alphabet.
 */
export function templateHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(canonical(template));
  if (collisionCount) h = fnv32a(String(collisionCount), h);
  return safeEncode(String(h));
}

/** Sorts by creationTimestamp, then name (oldest first). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** A random 5-character suffix in the safe alphabet, as generateName uses. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[Math.floor(Math.random() * SAFE.length)];
  return s;
}
