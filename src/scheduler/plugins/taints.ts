// TaintToleration (NoSchedule/NoExecute taints must be tolerated; PreferNoSchedule taints that
// are not tolerated lower the score) and NodeUnschedulable (spec.unschedulable unless the pod
// tolerates node.kubernetes.io/unschedulable:NoSchedule).
import type { NodeInfo } from '../cache.js';
import type { PodInfo, Taint, Toleration } from '../podinfo.js';
import { Code, status, type Status } from './status.js';

export const TAINT_TOLERATION = 'TaintToleration';
export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
const unschedulable = status(NODE_UNSCHEDULABLE, Code.UnschedulableAndUnresolvable, ERR_UNSCHEDULABLE);

/** v1 Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (t.operator === 'Equal' || t.operator === '') return t.value === taint.value;
  return false;
}

export const toleratesAny = (ts: Toleration[], taint: Taint) => {
  for (const t of ts) if (tolerates(t, taint)) return true;
  return false;
};

const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' };

export function filterNodeUnschedulable(p: PodInfo, ni: NodeInfo): Status | null {
  if (!ni.unschedulable) return null;
  return toleratesAny(p.tolerations, unschedulableTaint) ? null : unschedulable;
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate. */
export function untoleratedTaint(tolerations: Toleration[], taints: Taint[]): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}

export function filterTaintToleration(p: PodInfo, ni: NodeInfo): Status | null {
  if (!ni.taints.length) return null;
  const t = untoleratedTaint(p.tolerations, ni.taints);
  if (!t) return null;
  return status(TAINT_TOLERATION, Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint {${t.key}: ${t.value}}`);
}

/** Number of PreferNoSchedule taints not tolerated by the pod's PreferNoSchedule (or effect-less) tolerations. */
export function countIntolerablePreferNoSchedule(p: PodInfo, ni: NodeInfo): number {
  let n = 0;
  for (const taint of ni.taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    let ok = false;
    for (const t of p.tolerations) if ((t.effect === '' || t.effect === 'PreferNoSchedule') && tolerates(t, taint)) ok = true;
    if (!ok) n++;
  }
  return n;
}
