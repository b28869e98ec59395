// DefaultPreemption (PostFilter): for a pod no node fits, find nodes where evicting pods of
// lower priority makes it fit, keeping as many of them as possible (PDB-protected ones first),
// pick the node with the fewest PDB violations, then the lowest highest-victim priority, the
// smallest priority sum, the fewest victims and the most recently started victims.
import type { KubeObject } from '../api/types.js';
import { matchesLabels, labelSelectorFromObject } from '../api/selectors.js';
import { cloneNodeInfo, removePodFromNode, addPodToNode, type NodeInfo } from './cache.js';
import { fitErrorMessage, preFilter, runFilters, type CycleState, type Diagnosis, type Env } from './framework.js';
import type { PodInfo } from './podinfo.js';
import { Code, status, type Status } from './plugins/status.js';

export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = status('DefaultPreemption', Code.UnschedulableAndUnresolvable, 'No preemption victims found for incoming pod');

export interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

export interface PreemptionResult {
  /** The chosen node and its victims, when preemption helps. */
  candidate?: Candidate;
  /** The PostFilter message for the FailedScheduling event ('' on success). */
  message: string;
}

const startTime = (p: PodInfo) => Date.parse(p.pod.status?.startTime ?? p.pod.metadata.creationTimestamp ?? '') || 0;

/** util.MoreImportantPod: higher priority, then started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a) < startTime(b);
}

function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.pod.metadata.deletionTimestamp) return false;
  return (p.pod.status?.conditions ?? []).some((c: any) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

/** PodEligibleToPreemptOthers: '' when eligible, else why not. */
export function ineligibleReason(env: Env, pod: PodInfo, nominatedStatus: Status | undefined): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nom = pod.pod.status?.nominatedNodeName;
  if (nom) {
    if (nominatedStatus?.code === Code.UnschedulableAndUnresolvable) return '';
    const ni = env.cache.nodes.get(nom);
    if (ni) for (const p of ni.pods.values()) if (p.priority < pod.priority && terminatingByPreemption(p)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return '';
}

interface Pdb {
  namespace: string;
  selector: ReturnType<typeof labelSelectorFromObject>;
  allowed: number;
  disrupted: Set<string>;
}

function pdbsOf(pdbs: KubeObject[]): Pdb[] {
  const out: Pdb[] = [];
  for (const o of pdbs) {
    let selector = null;
    try {
      selector = labelSelectorFromObject(o.spec?.selector);
    } catch {
      continue;
    }
    if (!selector || !selector.length) continue;
    out.push({ namespace: o.metadata.namespace ?? '', selector, allowed: o.status?.disruptionsAllowed ?? 0, disrupted: new Set(Object.keys(o.status?.disruptedPods ?? {})) });
  }
  return out;
}

/** Splits victims into those whose eviction would violate a PDB and the others (order kept). */
function splitByPdb(victims: PodInfo[], pdbs: Pdb[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => p.allowed);
  const violating: PodInfo[] = [];
  const ok: PodInfo[] = [];
  for (const v of victims) {
    let violates = false;
    if (v.labels && Object.keys(v.labels).length)
      pdbs.forEach((p, i) => {
        if (p.namespace !== v.namespace || !matchesLabels(p.selector, v.labels)) return;
        if (p.disrupted.has(v.name)) return;
        allowed[i]--;
        if (allowed[i] < 0) violates = true;
      });
    (violates ? violating : ok).push(v);
  }
  return [violating, ok];
}

function selectVictimsOnNode(env: Env, pod: PodInfo, ni0: NodeInfo, pdbs: Pdb[]): { victims: PodInfo[]; violations: number } | Status {
  const ni = cloneNodeInfo(ni0);
  const potential: PodInfo[] = [];
  for (const p of ni0.pods.values()) if (p.priority < pod.priority) potential.push(p);
  if (!potential.length) return NO_VICTIMS;
  for (const p of potential) removePodFromNode(ni, p);
  const without = new Set(potential.map((p) => p.key));
  const stateFor = (excluded: Set<string>): CycleState | Status => preFilter(env, pod, excluded);
  const needsState = !!(pod.affinity || pod.antiAffinity || pod.spread || pod.claims);
  let st = stateFor(without);
  if ('code' in st) return st;
  const s = runFilters(env, st, ni);
  if (s) return s;
  potential.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
  const [violating, ok] = splitByPdb(potential, pdbs);
  const victims: PodInfo[] = [];
  let violations = 0;
  const reprieve = (p: PodInfo): boolean => {
    addPodToNode(ni, p);
    without.delete(p.key);
    if (needsState) {
      const ns = stateFor(without);
      if (!('code' in ns)) st = ns;
    }
    const fits = !runFilters(env, st as CycleState, ni);
    if (!fits) {
      removePodFromNode(ni, p);
      without.add(p.key);
      if (needsState) {
        const ns = stateFor(without);
        if (!('code' in ns)) st = ns;
      }
      victims.push(p);
    }
    return fits;
  };
  for (const p of violating) if (!reprieve(p)) violations++;
  for (const p of ok) reprieve(p);
  return { victims, violations };
}

/** pickOneNodeForPreemption's criteria, in order. */
function better(a: Candidate, b: Candidate): boolean {
  if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations < b.pdbViolations;
  const highest = (c: Candidate) => c.victims.reduce((m, v) => Math.max(m, v.priority), -Infinity);
  if (highest(a) !== highest(b)) return highest(a) < highest(b);
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2147483648, 0);
  if (sum(a) !== sum(b)) return sum(a) < sum(b);
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  // the node whose highest-priority victims started latest
  const earliestOfHighest = (c: Candidate) => {
    const h = highest(c);
    return c.victims.filter((v) => v.priority === h).reduce((m, v) => Math.min(m, startTime(v)), Infinity);
  };
  return earliestOfHighest(a) > earliestOfHighest(b);
}

/** The PostFilter step. */
export function preempt(env: Env, pod: PodInfo, diag: Diagnosis, numAll: number, pdbObjects: KubeObject[]): PreemptionResult {
  const nom = pod.pod.status?.nominatedNodeName;
  const why = ineligibleReason(env, pod, nom ? diag.statuses.get(nom) ?? diag.preFilter : undefined);
  if (why) return { message: `preemption: ${why}` };
  const notHelpful = (statuses: Map<string, Status>) =>
    `preemption: ${fitErrorMessage(numAll, { statuses, plugins: new Set(), absent: status('DefaultPreemption', Code.UnschedulableAndUnresolvable, NOT_HELPFUL) })}`;
  if (numAll === 0) return { message: '' };
  // nodes that failed only with Unschedulable (not unresolvable) may fit after evictions
  const potential: NodeInfo[] = [];
  if (!diag.preFilter || diag.preFilter.code === Code.Unschedulable)
    for (const ni of env.cache.list) {
      const s = diag.preFilter ?? diag.statuses.get(ni.name);
      if (s ? s.code === Code.Unschedulable : false) potential.push(ni);
    }
  if (!potential.length) return { message: notHelpful(new Map()) };
  const pdbs = pdbsOf(pdbObjects);
  const numCandidates = Math.min(potential.length, Math.max(Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE));
  const offset = Math.floor(env.random() * potential.length);
  const candidates: Candidate[] = [];
  const statuses = new Map<string, Status>();
  for (let i = 0; i < potential.length && candidates.length < numCandidates; i++) {
    const ni = potential[(offset + i) % potential.length];
    const r = selectVictimsOnNode(env, pod, ni, pdbs);
    if ('code' in r) statuses.set(ni.name, r);
    else if (!r.victims.length) statuses.set(ni.name, status('DefaultPreemption', Code.UnschedulableAndUnresolvable, `expected at least one victim pod on node "${ni.name}"`));
    else candidates.push({ node: ni.name, victims: r.victims, pdbViolations: r.violations });
  }
  if (!candidates.length) return { message: notHelpful(statuses) };
  let best = candidates[0];
  for (const c of candidates.slice(1)) if (better(c, best)) best = c;
  return { candidate: best, message: '' };
}
