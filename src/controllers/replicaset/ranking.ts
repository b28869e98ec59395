// Which pods a ReplicaSet deletes first when it scales down: Kubernetes' ActivePodsWithRanks
// order (pkg/controller/controller_utils.go) with LogarithmicScaleDown and PodDeletionCost on,
// as they are by default in 1.32:
//  1. unassigned < assigned
//  2. Pending < Unknown < Running
//  3. not ready < ready
//  4. lower pod-deletion-cost < higher
//  5. more pods of the same owner family on the node (doubled up) < fewer
//  6. ready for less time < longer (compared on a log2 scale of the time since)
//  7. more container restarts < fewer
//  8. newer < older (log2 scale of the age)
// Ties on a log2 scale fall back to the pod UID.
import type { KubeObject } from '../../api/types.js';
import { isPodActive, isPodReady, podCondition } from '../util.js';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function readyTime(pod: KubeObject): number {
  const c = podCondition(pod, 'Ready');
  return c?.status === 'True' && c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}

function maxRestarts(pod: KubeObject): [number, number] {
  let regular = 0;
  let sidecar = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always').map((c: any) => c.name));
  for (const s of pod.status?.initContainerStatuses ?? []) if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount ?? 0);
  return [regular, sidecar];
}

/** int(log2(now - t)) in nanoseconds, -1 when t is not in the past. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** a before b (true: a is deleted first) for times where 0 means unset. */
const afterOrZero = (a: number, b: number) => (a === 0 || b === 0 ? a === 0 : a > b);

function compareTimes(a: KubeObject, b: KubeObject, ta: number, tb: number, now: number): number {
  if (now === 0 || ta === 0 || tb === 0) return afterOrZero(ta, tb) ? -1 : afterOrZero(tb, ta) ? 1 : 0;
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff === 0) return (a.metadata.uid ?? '') < (b.metadata.uid ?? '') ? -1 : (a.metadata.uid ?? '') > (b.metadata.uid ?? '') ? 1 : 0;
  return diff < 0 ? -1 : 1;
}

/** Negative when a should be deleted before b. */
export function compareForDeletion(a: KubeObject, b: KubeObject, rankA: number, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  if (ra && rb) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) {
      const c = compareTimes(a, b, ta, tb, now);
      if (c) return c;
    }
  }
  const [xa, sa] = maxRestarts(a);
  const [xb, sb] = maxRestarts(b);
  if (xa !== xb) return xb - xa;
  if (sa !== sb) return sb - sa;
  const cta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : 0;
  const ctb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : 0;
  if (cta !== ctb) return compareTimes(a, b, cta, ctb, now);
  return 0;
}

/**
 * The `count` pods to delete out of `pods`, ranked against `related` (the active pods of every
 * ReplicaSet with the same controller): pods sharing a node with more of them go first.
 */
export function podsToDelete(pods: KubeObject[], related: KubeObject[], count: number, now = Date.now()): KubeObject[] {
  if (count >= pods.length) return pods.slice();
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => compareForDeletion(x.p, y.p, x.rank, y.rank, now));
  return ranked.slice(0, count).map((x) => x.p);
}
