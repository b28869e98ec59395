// What the scheduler needs to know about a pod, computed once per pod object: its resource
// requests (Kubernetes' PodRequests: containers summed, init containers' maximum, sidecars,
// overhead), host ports, tolerations, parsed node and pod (anti-)affinity terms and topology
// spread constraints. Filters and scores read these plain fields, never the raw pod.
import type { KubeObject } from '../api/types.js';
import { labelSelectorFromObject, type LabelSelector } from '../api/selectors.js';
import { parseQuantity } from '../api/quantity.js';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Toleration {
  key: string;
  operator: string;
  value: string;
  effect: string;
}

export interface Taint {
  key: string;
  value: string;
  effect: string;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A node selector requirement (node affinity): key, operator and values, or a field (metadata.name). */
export interface NodeSelectorRequirement {
  key: string;
  op: string;
  values: string[];
}

export interface NodeSelectorTerm {
  expr: NodeSelectorRequirement[];
  fields: NodeSelectorRequirement[];
}

export interface PreferredNodeTerm {
  weight: number;
  term: NodeSelectorTerm;
}

/** A pod (anti-)affinity term with its namespaces resolved as Kubernetes' AffinityTerm. */
export interface AffinityTerm {
  selector: LabelSelector | null;
  namespaces: Set<string>;
  /** null: no namespace selector (matches no namespace); [] matches every namespace. */
  nsSelector: LabelSelector | null;
  topologyKey: string;
  weight: number;
}

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  hard: boolean;
  selector: LabelSelector | null;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

export interface PodInfo {
  key: string;
  namespace: string;
  name: string;
  uid: string;
  pod: KubeObject;
  labels: Record<string, string>;
  nodeName: string;
  priority: number;
  /** Requests: milli-CPU, bytes of memory and ephemeral storage, extended resources. */
  cpu: number;
  mem: number;
  eph: number;
  scalar: [string, number][] | null;
  /** Requests with Kubernetes' defaults for containers that set none (scoring only). */
  nzCpu: number;
  nzMem: number;
  ports: HostPort[] | null;
  tolerations: Toleration[];
  nodeSelector: [string, string][] | null;
  requiredNodeTerms: NodeSelectorTerm[] | null;
  preferredNodeTerms: PreferredNodeTerm[] | null;
  affinity: AffinityTerm[] | null;
  antiAffinity: AffinityTerm[] | null;
  preferredAffinity: AffinityTerm[] | null;
  preferredAntiAffinity: AffinityTerm[] | null;
  spread: SpreadConstraint[] | null;
  claims: string[] | null;
  /** UID of the controlling owner (default topology spreading counts the same controller's pods). */
  ownerUid: string;
  terminating: boolean;
  gated: boolean;
}

// owner UIDs are interned: one string instance per owner makes the per-node count lookups cheap
const owners = new Map<string, string>();
function internOwner(uid: string): string {
  let u = owners.get(uid);
  if (u === undefined) {
    if (owners.size > 100_000) owners.clear();
    owners.set(uid, (u = uid));
  }
  return u;
}

const quantityMemo = new Map<string, number>();
const milliMemo = new Map<string, number>();

/** A quantity's value (bytes, units) rounded up to an integer, as Kubernetes' Value(). */
export function qValue(v: unknown): number {
  if (typeof v === 'number') return Math.ceil(v);
  if (typeof v !== 'string') return 0;
  let n = quantityMemo.get(v);
  if (n === undefined) {
    const q = parseQuantity(v);
    n = q ? Number((q.nanos + 999_999_999n) / 1_000_000_000n) : 0;
    if (q && q.nanos < 0n) n = Number(q.nanos / 1_000_000_000n);
    if (quantityMemo.size < 10_000) quantityMemo.set(v, n);
  }
  return n;
}

/** A quantity in milli-units rounded up, as Kubernetes' MilliValue(). */
export function qMilli(v: unknown): number {
  if (typeof v === 'number') return Math.ceil(v * 1000);
  if (typeof v !== 'string') return 0;
  let n = milliMemo.get(v);
  if (n === undefined) {
    const q = parseQuantity(v);
    n = q ? Number((q.nanos + 999_999n) / 1_000_000n) : 0;
    if (milliMemo.size < 10_000) milliMemo.set(v, n);
  }
  return n;
}

export interface ResourceVec {
  cpu: number;
  mem: number;
  eph: number;
  scalar: Map<string, number> | null;
}

const isScalar = (name: string) => name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage' && name !== 'pods';

function addList(to: ResourceVec, list: Record<string, unknown> | undefined, nonZero: boolean) {
  const l = list ?? {};
  if (l.cpu !== undefined) to.cpu += qMilli(l.cpu);
  else if (nonZero) to.cpu += DEFAULT_MILLI_CPU_REQUEST;
  if (l.memory !== undefined) to.mem += qValue(l.memory);
  else if (nonZero) to.mem += DEFAULT_MEMORY_REQUEST;
  if (l['ephemeral-storage'] !== undefined) to.eph += qValue(l['ephemeral-storage']);
  for (const k in l) {
    if (!isScalar(k)) continue;
    (to.scalar ??= new Map()).set(k, (to.scalar.get(k) ?? 0) + qValue(l[k]));
  }
}

function maxInto(to: ResourceVec, o: ResourceVec) {
  if (o.cpu > to.cpu) to.cpu = o.cpu;
  if (o.mem > to.mem) to.mem = o.mem;
  if (o.eph > to.eph) to.eph = o.eph;
  if (o.scalar) for (const [k, v] of o.scalar) if (v > (to.scalar?.get(k) ?? 0)) (to.scalar ??= new Map()).set(k, v);
}

const empty = (): ResourceVec => ({ cpu: 0, mem: 0, eph: 0, scalar: null });
const clone = (v: ResourceVec): ResourceVec => ({ cpu: v.cpu, mem: v.mem, eph: v.eph, scalar: v.scalar ? new Map(v.scalar) : null });

/**
 * Kubernetes' resourcehelper.PodRequests: app containers summed, restartable (sidecar) init
 * containers added to them, the largest ordinary init container (plus the sidecars started
 * before it) if bigger, then the pod overhead. nonZero fills in 100m CPU / 200Mi memory for
 * containers that request none, as the scoring plugins do.
 */
export function podRequests(spec: any, nonZero: boolean): ResourceVec {
  const reqs = empty();
  for (const c of spec?.containers ?? []) addList(reqs, c?.resources?.requests, nonZero);
  const inits: any[] = spec?.initContainers ?? [];
  if (inits.length) {
    const sidecars = empty();
    const initMax = empty();
    for (const c of inits) {
      const r = empty();
      addList(r, c?.resources?.requests, nonZero);
      if (c?.restartPolicy === 'Always') {
        addVec(reqs, r);
        addVec(sidecars, r);
        maxInto(initMax, clone(sidecars));
      } else {
        const t = clone(sidecars);
        addVec(t, r);
        maxInto(initMax, t);
      }
    }
    maxInto(reqs, initMax);
  }
  if (spec?.overhead) addList(reqs, spec.overhead, false);
  return reqs;
}

function addVec(to: ResourceVec, o: ResourceVec) {
  to.cpu += o.cpu;
  to.mem += o.mem;
  to.eph += o.eph;
  if (o.scalar) for (const [k, v] of o.scalar) (to.scalar ??= new Map()).set(k, (to.scalar.get(k) ?? 0) + v);
}

function parseNodeSelectorTerm(t: any): NodeSelectorTerm {
  const req = (r: any): NodeSelectorRequirement => ({ key: String(r?.key ?? ''), op: String(r?.operator ?? ''), values: (r?.values ?? []).map(String) });
  return { expr: (t?.matchExpressions ?? []).map(req), fields: (t?.matchFields ?? []).map(req) };
}

function selectorOrNull(s: unknown): LabelSelector | null {
  try {
    return labelSelectorFromObject(s as any);
  } catch {
    return null;
  }
}

function affinityTerms(pod: KubeObject, terms: any[] | undefined, weighted: boolean): AffinityTerm[] | null {
  if (!terms?.length) return null;
  const out: AffinityTerm[] = [];
  for (const x of terms) {
    const t = weighted ? x?.podAffinityTerm : x;
    if (!t) continue;
    const namespaces = new Set<string>((t.namespaces ?? []).map(String));
    const nsSelector = t.namespaceSelector === undefined || t.namespaceSelector === null ? null : selectorOrNull(t.namespaceSelector);
    if (namespaces.size === 0 && nsSelector === null) namespaces.add(pod.metadata.namespace ?? '');
    out.push({ selector: selectorOrNull(t.labelSelector ?? null), namespaces, nsSelector, topologyKey: String(t.topologyKey ?? ''), weight: weighted ? Number(x.weight ?? 0) : 1 });
  }
  return out.length ? out : null;
}

function spreadConstraints(pod: KubeObject): SpreadConstraint[] | null {
  const cs: any[] = pod.spec?.topologySpreadConstraints ?? [];
  if (!cs.length) return null;
  return cs.map((c) => {
    let selector = selectorOrNull(c.labelSelector ?? null);
    // matchLabelKeys: the pod's own values for those keys narrow the selector
    if (selector && c.matchLabelKeys?.length) {
      selector = [...selector];
      for (const k of c.matchLabelKeys) {
        const v = pod.metadata.labels?.[k];
        if (v !== undefined) selector.push({ key: k, op: 'in', values: [v] });
      }
    }
    return {
      maxSkew: Number(c.maxSkew ?? 1),
      topologyKey: String(c.topologyKey ?? ''),
      hard: c.whenUnsatisfiable !== 'ScheduleAnyway',
      selector,
      minDomains: Number(c.minDomains ?? 1),
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

/** The pod's priority: spec.priority, else its PriorityClass' value (0 when neither is known). */
export type PriorityLookup = (className: string) => number | undefined;

export function newPodInfo(pod: KubeObject, priorityOf?: PriorityLookup): PodInfo {
  const spec = pod.spec ?? {};
  const r = podRequests(spec, false);
  const nz = podRequests(spec, true);
  let ports: HostPort[] | null = null;
  for (const c of spec.containers ?? []) {
    for (const p of c?.ports ?? []) {
      const port = Number(p?.hostPort ?? (spec.hostNetwork ? p?.containerPort : 0) ?? 0);
      if (!port) continue;
      (ports ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port });
    }
  }
  const aff = spec.affinity ?? {};
  const nodeSel = spec.nodeSelector && Object.keys(spec.nodeSelector).length ? (Object.entries(spec.nodeSelector) as [string, string][]) : null;
  const reqTerms = aff.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const prefTerms: any[] = aff.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  let priority = typeof spec.priority === 'number' ? spec.priority : undefined;
  if (priority === undefined && spec.priorityClassName && priorityOf) priority = priorityOf(spec.priorityClassName);
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  return {
    key: `${pod.metadata.namespace}/${pod.metadata.name}`,
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
    pod,
    labels: pod.metadata.labels ?? {},
    nodeName: spec.nodeName ?? '',
    priority: priority ?? 0,
    cpu: r.cpu,
    mem: r.mem,
    eph: r.eph,
    scalar: r.scalar ? [...r.scalar] : null,
    nzCpu: nz.cpu,
    nzMem: nz.mem,
    ports,
    tolerations: (spec.tolerations ?? []).map((t: any) => ({ key: t?.key ?? '', operator: t?.operator ?? 'Equal', value: t?.value ?? '', effect: t?.effect ?? '' })),
    nodeSelector: nodeSel,
    requiredNodeTerms: Array.isArray(reqTerms) ? reqTerms.map(parseNodeSelectorTerm) : null,
    preferredNodeTerms: prefTerms.length ? prefTerms.map((p) => ({ weight: Number(p?.weight ?? 0), term: parseNodeSelectorTerm(p?.preference) })) : null,
    affinity: affinityTerms(pod, aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, false),
    antiAffinity: affinityTerms(pod, aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, false),
    preferredAffinity: affinityTerms(pod, aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, true),
    preferredAntiAffinity: affinityTerms(pod, aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, true),
    spread: spreadConstraints(pod),
    claims: claimNames(spec),
    ownerUid: owner?.uid ? internOwner(owner.uid) : '',
    terminating: !!pod.metadata.deletionTimestamp,
    gated: (spec.schedulingGates ?? []).length > 0,
  };
}

function claimNames(spec: any): string[] | null {
  let out: string[] | null = null;
  for (const v of spec.volumes ?? []) if (v?.persistentVolumeClaim?.claimName) (out ??= []).push(String(v.persistentVolumeClaim.claimName));
  return out;
}

export const hasPodAffinityTerms = (p: PodInfo) => !!(p.affinity || p.antiAffinity || p.preferredAffinity || p.preferredAntiAffinity);
