// What Kubernetes' quota evaluators (pkg/quota/v1/evaluator/core and the generic object-count
// evaluator) charge for each object, and the sums a ResourceQuota's status.used reports: pods
// (object count and compute requests/limits, by scope), services (count, node ports, load
// balancers), claims (count and storage, per storage class) and count/<resource>.<group> for any
// resource. Sums keep the format of their first non-zero term, as resource.Quantity.Add does.
import type { KubeObject } from '../../api/types.js';
import { formatQuantity, parseQuantity, type QuantityFormat } from '../../api/quantity.js';

/** An exact quantity: nano-units and the suffix family it prints in. */
export interface Amount {
  nanos: bigint;
  format: QuantityFormat;
}
export type Usage = Map<string, Amount>;

const ONE = 1_000_000_000n;
const count = (n: number | bigint): Amount => ({ nanos: BigInt(n) * ONE, format: 'DecimalSI' });
const zero = (): Amount => ({ nanos: 0n, format: 'DecimalSI' });

function amountOf(v: unknown): Amount | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const q = parseQuantity(v);
  return q ? { nanos: q.nanos, format: q.format } : undefined;
}

function addTo(u: Usage, key: string, a: Amount): void {
  const cur = u.get(key);
  if (!cur || cur.nanos === 0n) u.set(key, { nanos: (cur?.nanos ?? 0n) + a.nanos, format: cur && cur.nanos !== 0n ? cur.format : a.format });
  else u.set(key, { nanos: cur.nanos + a.nanos, format: cur.format });
}

export const formatAmount = (a: Amount) => formatQuantity({ nanos: a.nanos, value: 0, format: a.format });

// ------------------------------------------------------------------ which evaluator counts what

export type Evaluated = 'pods' | 'services' | 'persistentvolumeclaims' | { group: string; resource: string };

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const podCompute = /^(cpu|memory|ephemeral-storage|hugepages-.+|(requests|limits)\..+)$/;

/** The objects whose usage a quota key measures (undefined for keys no evaluator knows). */
export function evaluatedBy(key: string): Evaluated | undefined {
  switch (key) {
    case 'pods':
    case 'count/pods':
      return 'pods';
    case 'services':
    case 'services.loadbalancers':
    case 'services.nodeports':
    case 'count/services':
      return 'services';
    case 'persistentvolumeclaims':
    case 'requests.storage':
    case 'count/persistentvolumeclaims':
      return 'persistentvolumeclaims';
    case 'configmaps':
    case 'secrets':
    case 'replicationcontrollers':
    case 'resourcequotas':
      return { group: '', resource: key };
  }
  if (key.includes(STORAGE_CLASS_SUFFIX)) {
    const r = key.slice(key.indexOf(STORAGE_CLASS_SUFFIX) + STORAGE_CLASS_SUFFIX.length);
    return r === 'persistentvolumeclaims' || r === 'requests.storage' ? 'persistentvolumeclaims' : undefined;
  }
  if (key.startsWith('count/')) {
    const gr = key.slice(6);
    const dot = gr.indexOf('.');
    return dot < 0 ? { group: '', resource: gr } : { group: gr.slice(dot + 1), resource: gr.slice(0, dot) };
  }
  if (podCompute.test(key)) return 'pods';
  return undefined;
}

// ------------------------------------------------------------------ pods

type ResourceList = Map<string, Amount>;

function listOf(m: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!m || typeof m !== 'object') return out;
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    const a = amountOf(v);
    if (a) out.set(k, a);
  }
  return out;
}
function addList(into: ResourceList, l: ResourceList): void {
  for (const [k, a] of l) addTo(into, k, a);
}
function maxList(into: ResourceList, l: ResourceList): void {
  for (const [k, a] of l) {
    const cur = into.get(k);
    if (!cur || a.nanos > cur.nanos) into.set(k, a);
  }
}

/**
 * A pod's effective requests or limits (resourcehelper.PodRequests/PodLimits): the containers'
 * sum, sidecar init containers added to it, the largest ordinary init container (plus the
 * sidecars started before it) when that is larger, and the pod overhead.
 */
export function podResources(pod: KubeObject, which: 'requests' | 'limits'): ResourceList {
  const total: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addList(total, listOf(c?.resources?.[which]));
  const sidecars: ResourceList = new Map();
  const init: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = listOf(c?.resources?.[which]);
    let eff: ResourceList;
    if (c?.restartPolicy === 'Always') {
      addList(total, own);
      addList(sidecars, own);
      eff = new Map(sidecars);
    } else {
      eff = new Map(own);
      addList(eff, sidecars);
    }
    maxList(init, eff);
  }
  maxList(total, init);
  if (pod.spec?.overhead) addList(total, listOf(pod.spec.overhead));
  return total;
}

/** Charged for compute while not terminal and not past its deletion grace period (QuotaV1Pod). */
export function podCountsForCompute(pod: KubeObject, now = Date.now()): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const ts = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (ts && typeof grace === 'number' && now > Date.parse(ts) + grace * 1000) return false;
  return true;
}

const QOS_RESOURCES = ['cpu', 'memory'];
export function isBestEffort(pod: KubeObject): boolean {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const which of ['requests', 'limits'] as const) {
      const l = listOf(c?.resources?.[which]);
      for (const r of QOS_RESOURCES) if ((l.get(r)?.nanos ?? 0n) !== 0n) return false;
    }
  }
  return true;
}

function crossNamespaceAffinity(pod: KubeObject): boolean {
  const a = pod.spec?.affinity;
  if (!a) return false;
  const terms: any[] = [];
  for (const k of ['podAffinity', 'podAntiAffinity']) {
    terms.push(...(a[k]?.requiredDuringSchedulingIgnoredDuringExecution ?? []));
    for (const w of a[k]?.preferredDuringSchedulingIgnoredDuringExecution ?? []) terms.push(w?.podAffinityTerm);
  }
  return terms.some((t) => t && ((t.namespaces?.length ?? 0) > 0 || t.namespaceSelector));
}

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** The quota's scopes: spec.scopes (each an Exists) and spec.scopeSelector's expressions. */
export function quotaScopes(rq: KubeObject): ScopeRequirement[] {
  const out: ScopeRequirement[] = (rq.spec?.scopes ?? []).map((s: string) => ({ scopeName: s, operator: 'Exists' }));
  for (const e of rq.spec?.scopeSelector?.matchExpressions ?? []) out.push({ scopeName: e.scopeName, operator: e.operator, values: e.values ?? [] });
  return out;
}

function podMatchesScope(pod: KubeObject, s: ScopeRequirement): boolean {
  switch (s.scopeName) {
    case 'Terminating':
      return typeof pod.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return !(typeof pod.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc: string = pod.spec?.priorityClassName ?? '';
      switch (s.operator) {
        case 'In':
          return (s.values ?? []).includes(pc);
        case 'NotIn':
          return !(s.values ?? []).includes(pc);
        case 'Exists':
          return pc !== '';
        case 'DoesNotExist':
          return pc === '';
      }
      return false;
    }
    case 'CrossNamespacePodAffinity':
      return s.operator === 'DoesNotExist' ? !crossNamespaceAffinity(pod) : crossNamespaceAffinity(pod);
  }
  return false;
}

export const podMatchesScopes = (pod: KubeObject, scopes: ScopeRequirement[]) => scopes.every((s) => podMatchesScope(pod, s));

/** What one pod is charged (PodUsageFunc). */
export function podUsage(pod: KubeObject, now = Date.now()): Usage {
  const u: Usage = new Map([['count/pods', count(1)]]);
  if (!podCountsForCompute(pod, now)) return u;
  u.set('pods', count(1));
  const req = podResources(pod, 'requests');
  const lim = podResources(pod, 'limits');
  for (const [k, a] of req) {
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') {
      u.set(k, a);
      u.set(`requests.${k}`, a);
    } else if (k.startsWith('hugepages-')) {
      u.set(k, a);
      u.set(`requests.${k}`, a);
    } else if (k !== 'pods' && k !== 'storage') {
      u.set(`requests.${k}`, a);
    }
  }
  for (const [k, a] of lim) if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') u.set(`limits.${k}`, a);
  return u;
}

// ------------------------------------------------------------------ services and claims

export function serviceUsage(svc: KubeObject): Usage {
  const ports: any[] = svc.spec?.ports ?? [];
  const u: Usage = new Map([
    ['count/services', count(1)],
    ['services', count(1)],
    ['services.loadbalancers', zero()],
    ['services.nodeports', zero()],
  ]);
  if (svc.spec?.type === 'NodePort') u.set('services.nodeports', count(ports.length));
  else if (svc.spec?.type === 'LoadBalancer') {
    const n = svc.spec?.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p?.nodePort).length : ports.length;
    u.set('services.nodeports', count(n));
    u.set('services.loadbalancers', count(1));
  }
  return u;
}

function pvcClass(pvc: KubeObject): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

export function pvcUsage(pvc: KubeObject): Usage {
  const u: Usage = new Map([
    ['persistentvolumeclaims', count(1)],
    ['count/persistentvolumeclaims', count(1)],
  ]);
  const cls = pvcClass(pvc);
  if (cls) u.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, count(1));
  let storage = amountOf(pvc.spec?.resources?.requests?.storage);
  const allocated = amountOf(pvc.status?.allocatedResources?.storage);
  if (allocated && (!storage || allocated.nanos > storage.nanos)) storage = allocated;
  if (storage) {
    u.set('requests.storage', storage);
    if (cls) u.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
  }
  return u;
}

// ------------------------------------------------------------------ a quota's usage

export interface NamespaceObjects {
  /** Objects of an evaluated kind in the quota's namespace. */
  list(what: Evaluated): KubeObject[];
}

const objectCountKey = (e: { group: string; resource: string }) => (e.group ? `count/${e.resource}.${e.group}` : `count/${e.resource}`);

/**
 * status.used for a quota: every hard key some evaluator measures, zero when nothing is charged
 * (keys no evaluator knows keep their previous value).
 */
export function quotaUsage(rq: KubeObject, objects: NamespaceObjects, now = Date.now()): Usage {
  const hard = Object.keys(rq.spec?.hard ?? {});
  const scopes = quotaScopes(rq);
  const used: Usage = new Map();
  const prev: Record<string, unknown> = rq.status?.used ?? {};
  const kinds = new Map<string, Evaluated>();
  for (const k of hard) {
    const e = evaluatedBy(k);
    if (!e) {
      const p = amountOf(prev[k]);
      if (p) used.set(k, p);
      continue;
    }
    used.set(k, zero());
    kinds.set(typeof e === 'string' ? e : `${e.group}/${e.resource}`, e);
  }
  const wanted = new Set(hard);
  const charge = (u: Usage) => {
    for (const [k, a] of u) if (wanted.has(k)) addTo(used, k, a);
  };
  for (const e of kinds.values()) {
    const items = objects.list(e);
    if (e === 'pods') {
      for (const p of items) if (podMatchesScopes(p, scopes)) charge(podUsage(p, now));
    } else if (e === 'services') {
      for (const s of items) charge(serviceUsage(s));
    } else if (e === 'persistentvolumeclaims') {
      for (const c of items) charge(pvcUsage(c));
    } else {
      const n = count(items.length);
      for (const k of [objectCountKey(e), ...(e.group === '' ? [e.resource] : [])]) if (wanted.has(k)) addTo(used, k, n);
    }
  }
  return used;
}

/** A ResourceList as the API stores it. */
export function usageToList(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = formatAmount(u.get(k)!);
  return out;
}
