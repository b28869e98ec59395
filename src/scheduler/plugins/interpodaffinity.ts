// InterPodAffinity: required affinity and anti-affinity of the incoming pod, the required
// anti-affinity of pods already placed (symmetry), and the preferred terms (plus existing pods'
// required affinity at hardPodAffinityWeight 1) as a score. Counts are kept per topology pair
// (topologyKey, node's value for it), as kube-scheduler's pre-filter state.
import { matchesLabels } from '../../api/selectors.js';
import type { NodeInfo } from '../cache.js';
import type { AffinityTerm, PodInfo } from '../podinfo.js';
import { Code, status, type Status } from './status.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const affinityRejected = status(INTER_POD_AFFINITY, Code.UnschedulableAndUnresolvable, ERR_AFFINITY);
const antiRejected = status(INTER_POD_AFFINITY, Code.Unschedulable, ERR_ANTI_AFFINITY);
const existingRejected = status(INTER_POD_AFFINITY, Code.Unschedulable, ERR_EXISTING_ANTI_AFFINITY);

export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

const pair = (k: string, v: string) => `${k}\u0000${v}`;

/** AffinityTerm.Matches: the pod's namespace is one of the term's (or its namespaces' labels match), and its labels match. */
export function termMatches(t: AffinityTerm, p: PodInfo, nsLabels: NamespaceLabels | null): boolean {
  if (!t.namespaces.has(p.namespace)) {
    if (t.nsSelector === null || !nsLabels) return false;
    if (!matchesLabels(t.nsSelector, nsLabels(p.namespace) ?? {})) return false;
  }
  return matchesLabels(t.selector, p.labels);
}

function matchesAll(terms: AffinityTerm[], p: PodInfo, nsLabels: NamespaceLabels | null): boolean {
  if (!terms.length) return false;
  for (const t of terms) if (!termMatches(t, p, nsLabels)) return false;
  return true;
}

export interface AffinityState {
  pod: PodInfo;
  existingAnti: Map<string, number>;
  affinity: Map<string, number>;
  anti: Map<string, number>;
}

function inc(m: Map<string, number>, key: string, by: number) {
  m.set(key, (m.get(key) ?? 0) + by);
}

/** Every pod placed on a node, with its node (skipping pods listed in `without`). */
export type PodsWalker = (visit: (p: PodInfo, ni: NodeInfo) => void) => void;

/**
 * PreFilter. null when there is nothing to check (no required terms on the pod and no placed
 * pod with required anti-affinity).
 */
export function preFilterAffinity(pod: PodInfo, nodesWithRequiredAnti: Iterable<NodeInfo>, walkAll: PodsWalker, nsLabels: NamespaceLabels, without?: Set<string>): AffinityState | null {
  const st: AffinityState = { pod, existingAnti: new Map(), affinity: new Map(), anti: new Map() };
  let anyExisting = false;
  for (const ni of nodesWithRequiredAnti) {
    for (const e of ni.withRequiredAntiAffinity) {
      if (without?.has(e.key)) continue;
      for (const t of e.antiAffinity!) {
        const v = ni.labels[t.topologyKey];
        if (v === undefined || !termMatches(t, pod, nsLabels)) continue;
        inc(st.existingAnti, pair(t.topologyKey, v), 1);
        anyExisting = true;
      }
    }
  }
  if (!pod.affinity && !pod.antiAffinity) return anyExisting ? st : null;
  walkAll((e, ni) => {
    if (without?.has(e.key)) return;
    if (pod.affinity && matchesAll(pod.affinity, e, nsLabels))
      for (const t of pod.affinity) {
        const v = ni.labels[t.topologyKey];
        if (v !== undefined) inc(st.affinity, pair(t.topologyKey, v), 1);
      }
    if (pod.antiAffinity)
      for (const t of pod.antiAffinity) {
        const v = ni.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, e, nsLabels)) inc(st.anti, pair(t.topologyKey, v), 1);
      }
  });
  return st;
}

export function filterAffinity(st: AffinityState, ni: NodeInfo): Status | null {
  const pod = st.pod;
  if (pod.affinity) {
    let podsExist = true;
    for (const t of pod.affinity) {
      const v = ni.labels[t.topologyKey];
      if (v === undefined) return affinityRejected;
      if (!((st.affinity.get(pair(t.topologyKey, v)) ?? 0) > 0)) podsExist = false;
    }
    // the first pod of a group with affinity to itself may go anywhere the topology exists
    if (!podsExist && !(st.affinity.size === 0 && matchesAll(pod.affinity, pod, null))) return affinityRejected;
  }
  if (pod.antiAffinity && st.anti.size)
    for (const t of pod.antiAffinity) {
      const v = ni.labels[t.topologyKey];
      if (v !== undefined && (st.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return antiRejected;
    }
  if (st.existingAnti.size)
    for (const k in ni.labels) if ((st.existingAnti.get(pair(k, ni.labels[k])) ?? 0) > 0) return existingRejected;
  return null;
}

/** Scoring state: topologyKey → value → summed weight. null when no term can matter. */
export type AffinityScores = Map<string, Map<string, number>>;

export function preScoreAffinity(pod: PodInfo, nodesWithAffinity: Iterable<NodeInfo>, walkAll: PodsWalker, nsLabels: NamespaceLabels): AffinityScores | null {
  const hasOwn = !!(pod.preferredAffinity || pod.preferredAntiAffinity);
  const scores: AffinityScores = new Map();
  const add = (t: AffinityTerm, ni: NodeInfo, w: number) => {
    const v = ni.labels[t.topologyKey];
    if (v === undefined || !w) return;
    let m = scores.get(t.topologyKey);
    if (!m) scores.set(t.topologyKey, (m = new Map()));
    m.set(v, (m.get(v) ?? 0) + w);
  };
  const visit = (e: PodInfo, ni: NodeInfo) => {
    if (!Object.keys(ni.labels).length) return;
    if (pod.preferredAffinity) for (const t of pod.preferredAffinity) if (termMatches(t, e, nsLabels)) add(t, ni, t.weight);
    if (pod.preferredAntiAffinity) for (const t of pod.preferredAntiAffinity) if (termMatches(t, e, nsLabels)) add(t, ni, -t.weight);
    if (e.affinity) for (const t of e.affinity) if (termMatches(t, pod, nsLabels)) add(t, ni, 1);
    if (e.preferredAffinity) for (const t of e.preferredAffinity) if (termMatches(t, pod, nsLabels)) add(t, ni, t.weight);
    if (e.preferredAntiAffinity) for (const t of e.preferredAntiAffinity) if (termMatches(t, pod, nsLabels)) add(t, ni, -t.weight);
  };
  if (hasOwn) walkAll(visit);
  else {
    let any = false;
    for (const ni of nodesWithAffinity)
      for (const e of ni.withAffinity) {
        any = true;
        visit(e, ni);
      }
    if (!any) return null;
  }
  return scores.size ? scores : null;
}

export function scoreAffinity(scores: AffinityScores, ni: NodeInfo): number {
  let s = 0;
  for (const [k, m] of scores) {
    const v = ni.labels[k];
    if (v !== undefined) s += m.get(v) ?? 0;
  }
  return s;
}

/** Min-max normalisation to 0..100. */
export function normalizeAffinity(scores: number[]) {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s > max) max = s;
    if (s < min) min = s;
  }
  const d = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = d > 0 ? Math.trunc((100 * (scores[i] - min)) / d) : 0;
}
