// What the Endpoints and EndpointSlice controllers share: which pods a Service selects (through
// a label index instead of a namespace scan), which Services select a pod, whether a pod belongs
// in endpoints at all, and how a Service port resolves to a pod's port.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';

export const LABEL_INDEX = 'endpoints:label';
export const labelIndexKey = (ns: string, k: string, v: string) => `${ns}\u0000${k}\u0000${v}`;

/** Indexes pods by each `namespace, key=value` label pair (shared by both controllers). */
export function addPodLabelIndex(pods: Informer) {
  pods.addIndexer(LABEL_INDEX, (p) => {
    const l = p.metadata.labels;
    if (!l) return [];
    const ns = p.metadata.namespace ?? '';
    const out: string[] = [];
    for (const k in l) out.push(labelIndexKey(ns, k, l[k]));
    return out;
  });
}

/** The Service's selector, or undefined when it has none (empty selectors select nothing). */
export function serviceSelector(svc: KubeObject): Record<string, string> | undefined {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  return sel && Object.keys(sel).length ? sel : undefined;
}

export function selects(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  if (!labels) return false;
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}

/** The pods a selector matches, read from the smallest index bucket of its pairs. */
export function selectedPods(pods: Informer, ns: string, sel: Record<string, string>): KubeObject[] {
  let best: KubeObject[] | undefined;
  for (const k in sel) {
    const b = pods.byIndex(LABEL_INDEX, labelIndexKey(ns, k, sel[k]));
    if (!best || b.length < best.length) best = b;
    if (!best.length) return [];
  }
  return (best ?? []).filter((p) => selects(sel, p.metadata.labels));
}

/** Services in the pod's namespace whose selector matches labels. */
export function servicesSelecting(services: Informer, ns: string, labels: Record<string, string> | undefined): KubeObject[] {
  if (!labels) return [];
  const out: KubeObject[] = [];
  for (const s of services.list(ns)) {
    const sel = serviceSelector(s);
    if (sel && selects(sel, labels)) out.push(s);
  }
  return out;
}

export const isTerminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** endpointsliceutil.ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(p: KubeObject, includeTerminating: boolean): boolean {
  if (isTerminal(p)) return false;
  if (!p.status?.podIP && !p.status?.podIPs?.length) return false;
  if (!includeTerminating && p.metadata.deletionTimestamp) return false;
  return true;
}

export const isPodReady = (p: KubeObject) => (p.status?.conditions as any[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The pod's hostname is published when it sets spec.hostname and its subdomain is the Service. */
export const shouldSetHostname = (p: KubeObject, svc: KubeObject) => !!p.spec?.hostname && p.spec?.subdomain === svc.metadata.name && p.metadata.namespace === svc.metadata.namespace;

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

/** podutil.FindPort: a numeric targetPort as is, a named one from the pod's (sidecar) containers. */
export function findPort(p: KubeObject, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  const proto = sp.protocol ?? 'TCP';
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of (p.spec?.containers ?? []) as any[]) for (const port of c.ports ?? []) if (port.name === tp && (port.protocol ?? 'TCP') === proto) return port.containerPort;
  for (const c of (p.spec?.initContainers ?? []) as any[]) {
    if (c.restartPolicy !== 'Always') continue;
    for (const port of c.ports ?? []) if (port.name === tp && (port.protocol ?? 'TCP') === proto) return port.containerPort;
  }
  return undefined;
}

/** The pod's IPv4 address (the only family services get endpoints for here). */
export function podIPv4(p: KubeObject): string | undefined {
  const ips: string[] = p.status?.podIPs?.length ? p.status.podIPs.map((x: { ip: string }) => x.ip) : p.status?.podIP ? [p.status.podIP] : [];
  return ips.find((ip) => !ip.includes(':'));
}

/** True when a pod change can change the endpoints of the Services selecting it. */
export function podEndpointsChanged(a: KubeObject, b: KubeObject): boolean {
  if (a.metadata.resourceVersion === b.metadata.resourceVersion) return false;
  if (!!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp) return true;
  if (a.status?.phase !== b.status?.phase) return true;
  if (a.status?.podIP !== b.status?.podIP || JSON.stringify(a.status?.podIPs) !== JSON.stringify(b.status?.podIPs)) return true;
  if (isPodReady(a) !== isPodReady(b)) return true;
  const ra = (a.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  const rb = (b.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  if (ra !== rb) return true;
  if (a.spec?.nodeName !== b.spec?.nodeName || a.spec?.hostname !== b.spec?.hostname || a.spec?.subdomain !== b.spec?.subdomain) return true;
  return false;
}

export const labelsEqual = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a![k] !== b?.[k]) return false;
  return true;
};

/** RFC 3339 with the fraction Go's RFC3339Nano prints (none for whole seconds). */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, f: string) => (f === '000' ? 'Z' : `.${f.replace(/0+$/, '')}Z`));
}
