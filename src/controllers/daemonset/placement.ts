// Where a DaemonSet's pods belong (Kubernetes' daemon controller and daemon/util): node selector,
// required node affinity and taints against the node, the tolerations every daemon pod gets, and
// the required node affinity on metadata.name that hands the pod to the default scheduler.
import type { KubeObject } from '../../api/types.js';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** AddOrUpdateDaemonPodTolerations, in Kubernetes' order. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

const sameToleration = (a: Toleration, b: Toleration) => (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');

/** AddOrUpdateTolerationInPodSpec for each daemon toleration: a matching one is replaced, otherwise appended. */
export function addDaemonTolerations(spec: any): void {
  let tols: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of daemonTolerations(!!spec.hostNetwork)) {
    let found = false;
    tols = tols.map((x) => {
      if (!sameToleration(t, x)) return x;
      found = true;
      return t;
    });
    if (!found) tols.push(t);
  }
  spec.tolerations = tols;
}

/** ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** FindMatchingUntoleratedTaint among the taints the filter keeps. */
export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints) {
    if (!filter(taint)) continue;
    if (!tolerations.some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || vals.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(vals[0])) return false;
      const a = BigInt(value);
      const b = BigInt(vals[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A node selector term: every label expression and every field (metadata.name) expression holds; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) if (!requirementMatches(e, Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name') return false;
    if (!requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

/** GetRequiredNodeAffinity(pod).Match(node): nodeSelector and required node affinity. */
export function fitsNodeAffinity(spec: any, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((spec.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const req = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) return true;
  const terms: NodeSelectorTerm[] = req.nodeSelectorTerms ?? [];
  return terms.some((t) => termMatches(t, node));
}

/**
 * NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. A daemon pod (with the daemon
 * tolerations) must fit the node's name, affinity and NoSchedule/NoExecute taints to be placed
 * there; one already there keeps running unless a NoExecute taint is not tolerated.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): [boolean, boolean] {
  const tplSpec = ds.spec?.template?.spec ?? {};
  if (tplSpec.nodeName && tplSpec.nodeName !== node.metadata.name) return [false, false];
  if (!fitsNodeAffinity(tplSpec, node)) return [false, false];
  const tolerations: Toleration[] = [...(tplSpec.tolerations ?? [])];
  for (const t of daemonTolerations(!!tplSpec.hostNetwork)) if (!tolerations.some((x) => sameToleration(t, x))) tolerations.push(t);
  const taints: Taint[] = node.spec?.taints ?? [];
  if (untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    return [false, !untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute')];
  }
  return [true, true];
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes exactly metadata.name In [node]. */
export function withNodeNameAffinity(affinity: any, nodeName: string): any {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const a = affinity ? structuredClone(affinity) : {};
  a.nodeAffinity = { ...(a.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: required };
  return a;
}

/** GetTargetNodeName: the node a daemon pod is bound to, or aimed at by its matchFields affinity. */
export function targetNodeName(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: NodeSelectorTerm[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  return undefined;
}

/** The parts of a node a daemon pod's placement depends on (shouldIgnoreNodeUpdate's comparison, without heartbeats). */
export function nodePlacementKey(node: KubeObject): string {
  const conds = ((node.status?.conditions ?? []) as any[]).map((c) => `${c.type}=${c.status}`).join(',');
  return JSON.stringify([node.metadata.labels ?? {}, node.spec?.taints ?? [], node.spec?.unschedulable ?? false, conds]);
}
