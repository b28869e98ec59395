// PodDisruptionBudget arithmetic as Kubernetes' disruption controller does it: how many pods are
// expected and must stay healthy (minAvailable / maxUnavailable, integers or percentages rounded
// up), how many are healthy now (Ready, not being deleted, not just evicted), which recent
// evictions are still in flight, and the resulting status with its DisruptionAllowed condition.
import type { KubeObject } from '../../api/types.js';
import { nowTime } from '../util.js';

/** An eviction recorded in status.disruptedPods counts as in flight this long (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const n = Number(v.slice(0, -1));
  if (!/^-?\d+$/.test(v.slice(0, -1)) || !Number.isFinite(n)) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${v.slice(0, -1)}": invalid syntax`);
  return roundUp ? Math.ceil((n * total) / 100) : Math.floor((n * total) / 100);
}

export interface Expected {
  expectedCount: number;
  desiredHealthy: number;
  /** Names of selected pods no controller owns (when the budget needs a scale). */
  unmanagedPods: string[];
}

/**
 * getExpectedPodCount: scaleOf returns the expected scale for the budget's pods (the sum of their
 * controllers' replicas) and the unmanaged ones; it throws when a controller has no scale.
 */
export async function expectedPodCount(pdb: KubeObject, pods: KubeObject[], scaleOf: (pods: KubeObject[]) => Promise<{ scale: number; unmanaged: string[] }>): Promise<Expected> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { scale, unmanaged } = await scaleOf(pods);
    const maxUnavailable = scaledValue(spec.maxUnavailable, scale, true);
    return { expectedCount: scale, desiredHealthy: Math.max(0, scale - maxUnavailable), unmanagedPods: unmanaged };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { scale, unmanaged } = await scaleOf(pods);
    return { expectedCount: scale, desiredHealthy: scaledValue(spec.minAvailable, scale, true), unmanagedPods: unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: evictions recorded within DELETION_TIMEOUT of pods not yet being
 * deleted; expired ones are reported so the caller can record NotDeleted events.
 */
export function disruptedPodMap(pods: KubeObject[], pdb: KubeObject, now: number): { disrupted: Record<string, string>; recheckAt?: number; expired: string[] } {
  const recorded: Record<string, string> = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name!];
    if (at === undefined) continue;
    const expected = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expected < now) expired.push(pod.metadata.name!);
    else {
      if (recheckAt === undefined || expected < recheckAt) recheckAt = expected;
      disrupted[pod.metadata.name!] = at;
    }
  }
  return { disrupted, recheckAt, expired };
}

const isReady = (pod: KubeObject) => (pod.status?.conditions as any[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** countHealthyPods: Ready pods neither being deleted nor in disruptedPods. */
export function countHealthyPods(pods: KubeObject[], disrupted: Record<string, string>): number {
  let n = 0;
  for (const p of pods) if (!p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isReady(p)) n++;
  return n;
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** meta.SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setCondition(conds: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, now = Date.now()): Condition[] {
  const out = [...(conds ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  if (i < 0) {
    out.push({ ...c, lastTransitionTime: nowTime(now) });
    return out;
  }
  const prev = out[i];
  out[i] = { ...prev, ...c, lastTransitionTime: prev.status !== c.status || !prev.lastTransitionTime ? nowTime(now) : prev.lastTransitionTime };
  return out;
}

/** UpdateDisruptionAllowedCondition. */
export function disruptionAllowedCondition(status: { disruptionsAllowed: number; observedGeneration?: number }): Omit<Condition, 'lastTransitionTime'> {
  return status.disruptionsAllowed > 0
    ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: status.observedGeneration }
    : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration };
}

export interface BudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}

/** updatePdbStatus: the new status, or undefined when the stored one is already up to date. */
export function nextStatus(pdb: KubeObject, currentHealthy: number, desiredHealthy: number, expectedPods: number, disrupted: Record<string, string>, now = Date.now()): BudgetStatus | undefined {
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status ?? {};
  const generation = pdb.metadata.generation;
  const cond = (st.conditions as Condition[] | undefined)?.find((c) => c.type === 'DisruptionAllowed');
  const condUpToDate = !!cond && cond.observedGeneration === st.observedGeneration && cond.status === (st.disruptionsAllowed > 0 ? 'True' : 'False');
  const sameDisrupted = JSON.stringify(Object.entries(st.disruptedPods ?? {}).sort()) === JSON.stringify(Object.entries(disrupted).sort());
  if (st.currentHealthy === currentHealthy && st.desiredHealthy === desiredHealthy && st.expectedPods === expectedPods && st.disruptionsAllowed === disruptionsAllowed && sameDisrupted && st.observedGeneration === generation && condUpToDate) return undefined;
  const out: BudgetStatus = { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, observedGeneration: generation };
  if (Object.keys(disrupted).length) out.disruptedPods = disrupted;
  out.conditions = setCondition(st.conditions, disruptionAllowedCondition(out), now);
  return out;
}

/** failSafe: no disruptions while the budget cannot be computed. */
export function failSafeStatus(pdb: KubeObject, err: string, now = Date.now()): BudgetStatus {
  const st = pdb.status ?? {};
  const out: BudgetStatus = { ...st, disruptionsAllowed: 0 } as BudgetStatus;
  out.conditions = setCondition(st.conditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: err, observedGeneration: st.observedGeneration }, now);
  return out;
}
