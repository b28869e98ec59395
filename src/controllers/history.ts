// ControllerRevision history shared by the StatefulSet and DaemonSet controllers (Kubernetes'
// pkg/controller/history): a revision holds a strategic-merge patch that restores the owner's pod
// template, is named `<owner>-<hash>`, labelled `controller-revision-hash`, and numbered by an
// increasing `revision`. Rolling back to an old template re-numbers its revision instead of
// creating a new one.
import type { KubeObject } from '../api/types.js';
import type { Client } from '../client/local.js';
import type { Informer } from '../client/informer.js';
import { ApiError } from '../api/errors.js';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.js';
import { controllerRef, safeEncode } from './util.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const HISTORY_OWNER_INDEX = 'history:owner';

/** JSON as Go's encoding/json writes a map: keys sorted at every level, HTML characters escaped. */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/**
 * The patch a revision stores (getPatch in both controllers): `{"spec":{"template":{..., "$patch":"replace"}}}`.
 * Go marshals an unset template creationTimestamp as null; kept so kubectl's byte comparison holds.
 */
export function revisionPatch(owner: KubeObject): Record<string, unknown> {
  const template = structuredClone(owner.spec?.template ?? {});
  template.metadata = { creationTimestamp: null, ...(template.metadata ?? {}) };
  template.$patch = 'replace';
  return { spec: { template } };
}

/** FNV-1 (not 1a) 32-bit, as Go's hash/fnv New32 computes it, over UTF-8 bytes. */
export function fnv1(data: string, h = 0x811c9dc5): number {
  const bytes = Buffer.from(data, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ bytes[i]) >>> 0;
  }
  return h >>> 0;
}

/** HashControllerRevision: FNV-1 of the raw data, then of the collision count when given. */
export function hashRevisionData(raw: string, collisionCount?: number): string {
  let h = fnv1(raw);
  if (collisionCount !== undefined) h = fnv1(String(collisionCount), h);
  return safeEncode(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** NewControllerRevision: labels from the template plus the hash, a controller ref to the owner. */
export function newControllerRevision(owner: KubeObject, templateLabels: Record<string, string> | undefined, data: Record<string, unknown>, revision: number, collisionCount?: number): KubeObject {
  const hash = hashRevisionData(goJson(data), collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(owner.metadata.name!, hash),
      namespace: owner.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [{ apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    data,
    revision,
  };
}

const rev = (r: KubeObject) => Number(r.revision ?? 0);

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(list: KubeObject[]): KubeObject[] {
  return list.sort((a, b) => {
    if (rev(a) !== rev(b)) return rev(a) - rev(b);
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}

/** The revision number after the highest one (1 for an empty history). */
export function nextRevision(sorted: KubeObject[]): number {
  return sorted.length ? rev(sorted[sorted.length - 1]) + 1 : 1;
}

export function maxRevision(list: KubeObject[]): number {
  let m = 0;
  for (const r of list) if (rev(r) > m) m = rev(r);
  return m;
}

/** EqualRevision: same data (and the same hash label when both labels are numbers). */
export function equalRevision(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha && hb && /^-?\d+$/.test(ha) && /^-?\d+$/.test(hb) && Number(ha) !== Number(hb)) return false;
  return goJson(a.data) === goJson(b.data);
}

export function findEqualRevisions(list: KubeObject[], needle: KubeObject): KubeObject[] {
  return list.filter((r) => equalRevision(r, needle));
}

const indexed = new WeakSet<object>();
/** Indexes revisions by their controller's uid (`orphan/<ns>` for ones without a controller). */
export function indexRevisions(inf: Informer): void {
  if (indexed.has(inf)) return;
  indexed.add(inf);
  inf.addIndexer(HISTORY_OWNER_INDEX, (r) => {
    const ref = controllerRef(r);
    return [ref ? ref.uid : `orphan/${r.metadata.namespace ?? ''}`];
  });
}

/** ListControllerRevisions: revisions matching the owner's selector, owned by it or by nobody. */
export function listRevisions(inf: Informer, owner: KubeObject): KubeObject[] {
  const sel = labelSelectorFromObject(owner.spec?.selector);
  const out: KubeObject[] = [];
  for (const r of inf.byIndex(HISTORY_OWNER_INDEX, owner.metadata.uid!)) if (matchesLabels(sel, r.metadata.labels)) out.push(r);
  for (const r of inf.byIndex(HISTORY_OWNER_INDEX, `orphan/${owner.metadata.namespace ?? ''}`)) if (matchesLabels(sel, r.metadata.labels)) out.push(r);
  return out;
}

/** Orphan revisions matching the owner's selector get a controller ref to it (ClaimControllerRevisions' adoption). */
export async function adoptOrphanRevisions(client: Client, inf: Informer, owner: KubeObject): Promise<void> {
  const sel = labelSelectorFromObject(owner.spec?.selector);
  for (const r of inf.byIndex(HISTORY_OWNER_INDEX, `orphan/${owner.metadata.namespace ?? ''}`)) {
    if (!matchesLabels(sel, r.metadata.labels) || r.metadata.deletionTimestamp) continue;
    const refs = [...(r.metadata.ownerReferences ?? []), { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    try {
      await client.patch(revisionPath(r.metadata.namespace!, r.metadata.name!), { metadata: { ownerReferences: refs, uid: r.metadata.uid } }, 'merge');
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
    }
  }
}

export const revisionPath = (ns: string, name?: string) => `/apis/apps/v1/namespaces/${ns}/controllerrevisions${name ? `/${name}` : ''}`;

/**
 * CreateControllerRevision: creates the revision under `<owner>-<hash(data, collisionCount)>`; a
 * name taken by a revision with the same data is that revision, one taken by different data bumps
 * the collision count and tries again. The count is updated in place.
 */
export async function createRevision(client: Client, owner: KubeObject, revision: KubeObject, collision: { count: number }): Promise<KubeObject> {
  const raw = goJson(revision.data);
  for (;;) {
    const name = revisionName(owner.metadata.name!, hashRevisionData(raw, collision.count));
    const body = { ...revision, metadata: { ...revision.metadata, name } };
    try {
      return await client.create<KubeObject>(revisionPath(owner.metadata.namespace!), body);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      const exists = await client.get<KubeObject>(revisionPath(owner.metadata.namespace!, name));
      if (goJson(exists.data) === raw) return exists;
      collision.count++;
    }
  }
}

/** UpdateControllerRevision: gives an existing revision a new number (a rollback to it). */
export async function renumberRevision(client: Client, revision: KubeObject, n: number): Promise<KubeObject> {
  let cur = revision;
  for (let attempt = 0; ; attempt++) {
    if (rev(cur) === n) return cur;
    try {
      return await client.update<KubeObject>(revisionPath(cur.metadata.namespace!, cur.metadata.name!), { ...cur, revision: n });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
      cur = await client.get<KubeObject>(revisionPath(cur.metadata.namespace!, cur.metadata.name!));
    }
  }
}

export async function deleteRevision(client: Client, r: KubeObject): Promise<void> {
  try {
    await client.delete(revisionPath(r.metadata.namespace!, r.metadata.name!));
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}

/** ApplyRevision: the owner with the revision's template restored. */
export function applyRevision<T extends KubeObject>(owner: T, revision: KubeObject): T {
  const tpl = structuredClone((revision.data as any)?.spec?.template ?? owner.spec?.template ?? {});
  delete tpl.$patch;
  if (tpl.metadata && tpl.metadata.creationTimestamp === null) delete tpl.metadata.creationTimestamp;
  return { ...owner, spec: { ...owner.spec, template: tpl } };
}
