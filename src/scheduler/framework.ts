// One scheduling cycle for one pod, as kube-scheduler's default profile runs it: PreFilter
// (pod-wide state), Filter over the nodes starting at a round-robin index until enough
// feasible nodes are found (percentageOfNodesToScore), Score with the default weights, and a
// random pick among the best. A pod no node fits yields the FitError message Kubernetes prints.
import type { NodeInfo, SchedulerCache } from './cache.js';
import type { PodInfo } from './podinfo.js';
import { Code, status, type Status } from './plugins/status.js';
import { filterNodeUnschedulable, filterTaintToleration, countIntolerablePreferNoSchedule } from './plugins/taints.js';
import { filterNodeAffinity, nodeNamesFromAffinity, scoreNodeAffinity, NODE_AFFINITY } from './plugins/nodeaffinity.js';
import { filterPorts, filterResources, scoreBalancedAllocation, scoreLeastAllocated, type Extra } from './plugins/resources.js';
import { filterAffinity, normalizeAffinity, preFilterAffinity, preScoreAffinity, scoreAffinity, type AffinityState, type NamespaceLabels, type PodsWalker } from './plugins/interpodaffinity.js';
import { filterSpread, normalizeSpread, preFilterSpread, preScoreSpread, scoreSpread, type SpreadState } from './plugins/topologyspread.js';
import { filterVolumes, preFilterVolumes, type VolumeListers, type VolumeState } from './plugins/volumebinding.js';

export const MIN_FEASIBLE_NODES = 100;
export const MIN_FEASIBLE_PERCENTAGE = 5;
// default profile weights
const W_TAINT = 3;
const W_NODE_AFFINITY = 2;
const W_SPREAD = 2;
const W_INTERPOD = 2;

export interface Env {
  cache: SchedulerCache;
  nsLabels: NamespaceLabels;
  volumes: VolumeListers;
  /** Pods nominated to a node (by preemption), other than the one being scheduled. */
  nominated(node: string): PodInfo[] | undefined;
  random(): number;
}

export interface CycleState {
  pod: PodInfo;
  affinity: AffinityState | null;
  spread: SpreadState | null;
  volumes: VolumeState | null;
  nodeNames: Set<string> | null;
}

export interface Diagnosis {
  /** Per node name, the first filter that rejected it. */
  statuses: Map<string, Status>;
  /** A PreFilter rejection (applies to every node). */
  preFilter?: Status;
  /** The status of nodes never evaluated (absent from statuses). */
  absent?: Status;
  /** Plugins that rejected some node (decides which cluster events requeue the pod). */
  plugins: Set<string>;
}

export type ScheduleResult = { node: string; state: CycleState; evaluated: number; feasible: number } | { fit: Diagnosis; numAllNodes: number; state?: CycleState };

export function walkAllPods(cache: SchedulerCache): PodsWalker {
  return (visit) => {
    for (const ni of cache.list) for (const p of ni.pods.values()) visit(p, ni);
  };
}

/** PreFilter of every plugin; a Status when the pod fits nowhere regardless of node. */
export function preFilter(env: Env, pod: PodInfo, without?: Set<string>): CycleState | Status {
  const vol = preFilterVolumes(pod, env.volumes);
  if (vol && 'code' in vol) return vol;
  return {
    pod,
    affinity: preFilterAffinity(pod, env.cache.nodesWithRequiredAntiAffinity, walkAllPods(env.cache), env.nsLabels, without),
    spread: preFilterSpread(pod, env.cache.list, without),
    volumes: vol,
    nodeNames: nodeNamesFromAffinity(pod),
  };
}

function nominatedExtra(env: Env, pod: PodInfo, ni: NodeInfo): Extra | undefined {
  const list = env.nominated(ni.name);
  if (!list) return undefined;
  let extra: Extra | undefined;
  for (const n of list) {
    if (n.key === pod.key || n.priority < pod.priority) continue;
    extra ??= { cpu: 0, mem: 0, eph: 0, pods: 0, scalar: null };
    extra.cpu += n.cpu;
    extra.mem += n.mem;
    extra.eph += n.eph;
    extra.pods++;
    if (n.scalar) for (const [k, v] of n.scalar) (extra.scalar ??= new Map()).set(k, (extra.scalar.get(k) ?? 0) + v);
  }
  return extra;
}

/** The filters in the default profile's order; the first rejection wins. */
export function runFilters(env: Env, st: CycleState, ni: NodeInfo, withNominated = true): Status | null {
  const p = st.pod;
  let s: Status | null;
  if ((s = filterNodeUnschedulable(p, ni))) return s;
  if ((s = filterTaintToleration(p, ni))) return s;
  if ((s = filterNodeAffinity(p, ni))) return s;
  if ((s = filterPorts(p, ni))) return s;
  if ((s = filterResources(p, ni, withNominated ? nominatedExtra(env, p, ni) : undefined))) return s;
  if (st.volumes && (s = filterVolumes(st.volumes, ni, env.volumes))) return s;
  if (st.spread && (s = filterSpread(st.spread, ni))) return s;
  if (st.affinity && (s = filterAffinity(st.affinity, ni))) return s;
  return null;
}

/** kube-scheduler's adaptive percentageOfNodesToScore. */
export function numFeasibleNodesToFind(numAll: number, percentage = 0): number {
  if (numAll < MIN_FEASIBLE_NODES) return numAll;
  let pct = percentage;
  if (!pct) {
    pct = 50 - Math.trunc(numAll / 125);
    if (pct < MIN_FEASIBLE_PERCENTAGE) pct = MIN_FEASIBLE_PERCENTAGE;
  }
  const n = Math.trunc((numAll * pct) / 100);
  return n < MIN_FEASIBLE_NODES ? MIN_FEASIBLE_NODES : n;
}

export class Algorithm {
  nextStart = 0;
  percentageOfNodesToScore = 0;
  constructor(readonly env: Env) {}

  schedule(pod: PodInfo): ScheduleResult {
    const env = this.env;
    const all = env.cache.list;
    const numAll = all.length;
    const diag: Diagnosis = { statuses: new Map(), plugins: new Set() };
    if (numAll === 0) return { fit: diag, numAllNodes: 0 };
    const st = preFilter(env, pod);
    if ('code' in st) {
      diag.preFilter = st;
      diag.plugins.add(st.plugin);
      return { fit: diag, numAllNodes: numAll };
    }
    // a pod nominated by an earlier preemption tries that node first
    const nominatedName = pod.pod.status?.nominatedNodeName;
    if (nominatedName) {
      const ni = env.cache.nodes.get(nominatedName);
      if (ni?.node && !runFilters(env, st, ni)) return { node: ni.name, state: st, evaluated: 1, feasible: 1 };
    }
    let candidates: NodeInfo[] = all;
    if (st.nodeNames) {
      candidates = [];
      for (const n of st.nodeNames) {
        const ni = env.cache.nodes.get(n);
        if (ni?.node) candidates.push(ni);
      }
      diag.absent = status(NODE_AFFINITY, Code.UnschedulableAndUnresolvable, `node(s) didn't satisfy plugin(s) [${NODE_AFFINITY}]`);
      if (candidates.length < numAll) diag.plugins.add(NODE_AFFINITY);
    }
    const n = candidates.length;
    const want = st.nodeNames ? n : numFeasibleNodesToFind(n, this.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = st.nodeNames ? 0 : this.nextStart % Math.max(1, n);
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const ni = candidates[(start + i) % n];
      processed++;
      const s = runFilters(env, st, ni);
      if (s) {
        diag.statuses.set(ni.name, s);
        diag.plugins.add(s.plugin);
      } else feasible.push(ni);
    }
    if (!st.nodeNames && n) this.nextStart = (start + processed) % n;
    if (!feasible.length) return { fit: diag, numAllNodes: numAll, state: st };
    if (feasible.length === 1) return { node: feasible[0].name, state: st, evaluated: processed, feasible: 1 };
    return { node: this.pick(st, feasible), state: st, evaluated: processed, feasible: feasible.length };
  }

  /** Scores the feasible nodes and picks one of the best at random. */
  pick(st: CycleState, nodes: NodeInfo[]): string {
    const env = this.env;
    const pod = st.pod;
    const len = nodes.length;
    const total = new Array<number>(len);
    for (let i = 0; i < len; i++) total[i] = scoreLeastAllocated(pod, nodes[i]) + scoreBalancedAllocation(pod, nodes[i]);
    // TaintToleration: fewer intolerable PreferNoSchedule taints is better (reverse-normalised)
    let maxTaints = 0;
    let taintCounts: number[] | null = null;
    for (let i = 0; i < len; i++) {
      if (!nodes[i].taints.length) continue;
      const c = countIntolerablePreferNoSchedule(pod, nodes[i]);
      if (c) {
        (taintCounts ??= new Array(len).fill(0))[i] = c;
        if (c > maxTaints) maxTaints = c;
      }
    }
    for (let i = 0; i < len; i++) total[i] += W_TAINT * (maxTaints ? 100 - Math.trunc((100 * (taintCounts?.[i] ?? 0)) / maxTaints) : 100);
    if (pod.preferredNodeTerms) {
      const s = nodes.map((ni) => scoreNodeAffinity(pod, ni));
      const max = Math.max(...s);
      if (max > 0) for (let i = 0; i < len; i++) total[i] += W_NODE_AFFINITY * Math.trunc((100 * s[i]) / max);
    }
    const spread = preScoreSpread(pod, nodes, env.cache);
    if (spread) {
      const s = nodes.map((ni) => scoreSpread(spread, ni));
      normalizeSpread(spread, nodes, s);
      for (let i = 0; i < len; i++) total[i] += W_SPREAD * s[i];
    }
    const aff = preScoreAffinity(pod, env.cache.nodesWithAffinity, walkAllPods(env.cache), env.nsLabels);
    if (aff) {
      const s = nodes.map((ni) => scoreAffinity(aff, ni));
      normalizeAffinity(s);
      for (let i = 0; i < len; i++) total[i] += W_INTERPOD * s[i];
    }
    // the best score; ties broken uniformly at random (reservoir sampling)
    let best = 0;
    let ties = 1;
    for (let i = 1; i < len; i++) {
      if (total[i] > total[best]) {
        best = i;
        ties = 1;
      } else if (total[i] === total[best]) {
        ties++;
        if (env.random() * ties < 1) best = i;
      }
    }
    return nodes[best].name;
  }
}

/**
 * FitError.Error(): "0/N nodes are available: <count> <reason>, ...." with the reasons counted
 * over nodes and sorted as strings, then the PostFilter (preemption) message.
 */
export function fitErrorMessage(numAll: number, d: Diagnosis, postFilterMsg = ''): string {
  let msg = `0/${numAll} nodes are available:`;
  if (d.preFilter) msg += ` ${d.preFilter.reasons.join(', ')}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of d.statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const missing = numAll - d.statuses.size;
    if (missing > 0 && d.absent) for (const r of d.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + missing);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`);
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += postFilterMsg.endsWith('.') ? ` ${postFilterMsg}` : ` ${postFilterMsg}.`;
  return msg;
}
