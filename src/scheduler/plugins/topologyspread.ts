// PodTopologySpread: DoNotSchedule constraints as a filter (skew of matching pods across the
// domains of eligible nodes), ScheduleAnyway constraints, or the system default constraints
// (hostname maxSkew 3, zone maxSkew 5) for pods that set none, as a score.
import { matchesLabels } from '../../api/selectors.js';
import type { NodeInfo, SchedulerCache } from '../cache.js';
import type { PodInfo, SpreadConstraint } from '../podinfo.js';
import { podMatchesNode } from './nodeaffinity.js';
import { untoleratedTaint } from './taints.js';
import { Code, status, type Status } from './status.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
const spreadRejected = status(POD_TOPOLOGY_SPREAD, Code.Unschedulable, ERR_SPREAD);
const labelMissing = status(POD_TOPOLOGY_SPREAD, Code.UnschedulableAndUnresolvable, ERR_SPREAD_LABEL);
const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

const pair = (k: string, v: string) => `${k}\u0000${v}`;

function countMatching(ni: NodeInfo, sel: SpreadConstraint['selector'], ns: string, without?: Set<string>): number {
  let n = 0;
  for (const p of ni.pods.values()) {
    if (p.terminating || p.namespace !== ns || without?.has(p.key)) continue;
    if (matchesLabels(sel, p.labels)) n++;
  }
  return n;
}

function eligible(c: SpreadConstraint, pod: PodInfo, ni: NodeInfo): boolean {
  if (c.honorAffinity && !podMatchesNode(pod, ni.labels, ni.name)) return false;
  if (c.honorTaints && untoleratedTaint(pod.tolerations, ni.taints)) return false;
  return true;
}

export interface SpreadState {
  pod: PodInfo;
  constraints: SpreadConstraint[];
  counts: Map<string, number>;
  /** Per constraint: the smallest count over its domains, and how many domains there are. */
  min: number[];
  domains: number[];
}

export function preFilterSpread(pod: PodInfo, nodes: NodeInfo[], without?: Set<string>): SpreadState | null {
  const constraints = pod.spread?.filter((c) => c.hard);
  if (!constraints?.length) return null;
  const counts = new Map<string, number>();
  for (const ni of nodes) {
    let all = true;
    for (const c of constraints) if (ni.labels[c.topologyKey] === undefined) all = false;
    if (!all) continue;
    for (const c of constraints) {
      if (!eligible(c, pod, ni)) continue;
      const k = pair(c.topologyKey, ni.labels[c.topologyKey]);
      counts.set(k, (counts.get(k) ?? 0) + countMatching(ni, c.selector, pod.namespace, without));
    }
  }
  const min: number[] = [];
  const domains: number[] = [];
  for (const c of constraints) {
    const prefix = `${c.topologyKey}\u0000`;
    let m = Infinity;
    let d = 0;
    for (const [k, v] of counts)
      if (k.startsWith(prefix)) {
        d++;
        if (v < m) m = v;
      }
    min.push(d < c.minDomains || m === Infinity ? 0 : m);
    domains.push(d);
  }
  return { pod, constraints, counts, min, domains };
}

export function filterSpread(st: SpreadState, ni: NodeInfo): Status | null {
  const cs = st.constraints;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const v = ni.labels[c.topologyKey];
    if (v === undefined) return labelMissing;
    const self = matchesLabels(c.selector, st.pod.labels) ? 1 : 0;
    const n = st.counts.get(pair(c.topologyKey, v)) ?? 0;
    if (n + self - st.min[i] > c.maxSkew) return spreadRejected;
  }
  return null;
}

interface ScoreConstraint {
  maxSkew: number;
  topologyKey: string;
  /** Counts pods matching the selector, or (system defaults) pods of the same controller. */
  count(ni: NodeInfo): number;
  weight: number;
  values: Map<string, number>;
}

export interface SpreadScoreState {
  constraints: ScoreConstraint[];
  ignored: Set<NodeInfo>;
}

/** PreScore over the feasible nodes; counts for non-hostname keys come from every node. */
export function preScoreSpread(pod: PodInfo, feasible: NodeInfo[], cache: SchedulerCache): SpreadScoreState | null {
  if (!pod.spread) return pod.ownerUid ? preScoreDefaults(pod, feasible, cache) : null;
  const soft = pod.spread.filter((c) => !c.hard);
  if (!soft.length) return null;
  const constraints: ScoreConstraint[] = soft.map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, count: (ni: NodeInfo) => countMatching(ni, c.selector, pod.namespace), weight: 0, values: new Map() }));
  const ignored = new Set<NodeInfo>();
  const sizes = constraints.map(() => new Set<string>());
  for (const ni of feasible) {
    if (constraints.some((c) => ni.labels[c.topologyKey] === undefined)) {
      ignored.add(ni);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME) return;
      const v = ni.labels[c.topologyKey];
      sizes[i].add(v);
      c.values.set(v, 0);
    });
  }
  constraints.forEach((c, i) => {
    const size = c.topologyKey === HOSTNAME ? feasible.length - ignored.size : sizes[i].size;
    c.weight = Math.log(size + 2);
  });
  if (constraints.some((c) => c.topologyKey !== HOSTNAME && c.values.size))
    for (const ni of cache.list) {
      if (constraints.some((c) => ni.labels[c.topologyKey] === undefined)) continue;
      if (!soft.every((c) => eligible(c, pod, ni))) continue;
      for (const c of constraints) {
        if (c.topologyKey === HOSTNAME) continue;
        const v = ni.labels[c.topologyKey];
        if (c.values.has(v)) c.values.set(v, c.values.get(v)! + c.count(ni));
      }
    }
  return { constraints, ignored };
}

/**
 * The system default constraints (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway); their
 * selector is the pod's controller's, so they count that controller's pods, which the cache
 * keeps per node and per zone.
 */
function preScoreDefaults(pod: PodInfo, feasible: NodeInfo[], cache: SchedulerCache): SpreadScoreState {
  const owner = pod.ownerUid;
  const count = (ni: NodeInfo) => ni.owners.get(owner) ?? 0;
  const host: ScoreConstraint = { maxSkew: 3, topologyKey: HOSTNAME, count, weight: Math.log(feasible.length + 2), values: new Map() };
  const zone: ScoreConstraint = { maxSkew: 5, topologyKey: ZONE, count, weight: 0, values: new Map() };
  for (const ni of feasible) {
    const v = ni.labels[ZONE];
    if (v !== undefined && !zone.values.has(v)) zone.values.set(v, 0);
  }
  zone.weight = Math.log(zone.values.size + 2);
  if (zone.values.size) {
    if (!pod.nodeSelector && !pod.requiredNodeTerms) {
      const byZone = cache.ownerZones.get(owner);
      if (byZone) for (const v of zone.values.keys()) zone.values.set(v, byZone.get(v) ?? 0);
    } else
      for (const ni of cache.list) {
        const v = ni.labels[ZONE];
        if (v === undefined || !zone.values.has(v) || !podMatchesNode(pod, ni.labels, ni.name)) continue;
        zone.values.set(v, zone.values.get(v)! + count(ni));
      }
  }
  return { constraints: [host, zone], ignored: new Set() };
}

export function scoreSpread(st: SpreadScoreState, ni: NodeInfo): number {
  if (st.ignored.has(ni)) return 0;
  let s = 0;
  for (const c of st.constraints) {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) continue;
    const cnt = c.topologyKey === HOSTNAME ? c.count(ni) : c.values.get(v) ?? 0;
    s += cnt * c.weight + (c.maxSkew - 1);
  }
  return Math.round(s);
}

/** Fewer matching pods score higher; ignored nodes score 0. */
export function normalizeSpread(st: SpreadScoreState, nodes: NodeInfo[], scores: number[]) {
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < scores.length; i++) {
    if (st.ignored.has(nodes[i])) continue;
    if (scores[i] < min) min = scores[i];
    if (scores[i] > max) max = scores[i];
  }
  for (let i = 0; i < scores.length; i++) {
    if (st.ignored.has(nodes[i])) scores[i] = 0;
    else if (max === 0) scores[i] = 100;
    else scores[i] = Math.trunc((100 * (max + min - scores[i])) / max);
  }
}
