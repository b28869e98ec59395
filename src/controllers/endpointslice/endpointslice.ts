// The EndpointSlice controller: for every Service with a selector, discovery.k8s.io/v1
// EndpointSlices (at most 100 endpoints each) holding its pods' addresses, conditions
// (ready/serving/terminating), node, zone and target, grouped by the ports they resolve to.
// The reconcile follows Kubernetes': existing slices keep the endpoints still wanted (updated in
// place), lose the others and are deleted when empty; new endpoints fill slices already being
// written, then the fullest slice with room, then new slices; a Service with no endpoints gets
// one empty placeholder slice. Only slices whose content changes are written, and a Service is
// not synced again until the cache has seen its last writes (client-go's slice tracker).
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component } from '../manager.js';
import { keyOf, splitKey } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import {
  addPodLabelIndex,
  findPort,
  isPodReady,
  labelsEqual,
  podEndpointsChanged,
  podIPv4,
  selectedPods,
  serviceSelector,
  servicesSelecting,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type ServicePort,
} from '../endpoints/pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const MAX_ENDPOINTS_PER_SLICE = 100;
const SLICE_INDEX = 'endpointslice:service';
const BASE = '/apis/discovery.k8s.io/v1';

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
  zone?: string;
}

/** endpointslice's podToEndpoint. */
export function podToEndpoint(pod: KubeObject, node: KubeObject | undefined, svc: KubeObject, ip: string): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep = { addresses: [ip], conditions: { ready, serving, terminating } } as SliceEndpoint;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.['topology.kubernetes.io/zone'];
  if (zone) ep.zone = zone;
  return ep;
}

/** The ports a pod offers for the Service (named target ports resolved per pod). */
export function endpointPorts(svc: KubeObject, pod: KubeObject): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of (svc.spec?.ports ?? []) as ServicePort[]) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    out.push({ name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

const portsKey = (ports: SlicePort[] | undefined) =>
  JSON.stringify(
    (ports ?? [])
      .map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? ''])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
const endpointKey = (e: SliceEndpoint) => e.targetRef?.uid ?? e.addresses.join(',');
const endpointJSON = (e: SliceEndpoint) => JSON.stringify([e.addresses, e.conditions.ready, e.conditions.serving, e.conditions.terminating, e.hostname ?? '', e.targetRef?.name ?? '', e.nodeName ?? '', e.zone ?? '']);

/** The labels a Service's slices carry: the Service's own plus the reserved ones. */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((svc.metadata.labels ?? {}) as Record<string, string>)) if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

interface Working {
  slice: KubeObject;
  endpoints: SliceEndpoint[];
  changed: boolean;
}

/**
 * What to create, update and delete so that the Service's slices hold exactly `desired`
 * (endpoints grouped by port set), given the slices that exist now.
 */
export function planSlices(svc: KubeObject, existing: KubeObject[], desired: Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }>, max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const owner = { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
  const byPorts = new Map<string, KubeObject[]>();
  for (const s of existing) {
    if (s.addressType !== 'IPv4') {
      plan.delete.push(s);
      continue;
    }
    const k = portsKey(s.ports);
    let l = byPorts.get(k);
    if (!l) byPorts.set(k, (l = []));
    l.push(s);
  }
  const newSlice = (ports: SlicePort[]): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, labels: { ...labels }, ownerReferences: [owner] },
    addressType: 'IPv4',
    endpoints: [],
    ports,
  });
  const finish = (w: Working) => ({ ...w.slice, metadata: { ...w.slice.metadata, labels: { ...labels } }, endpoints: w.endpoints });

  const keys = new Set([...byPorts.keys(), ...desired.keys()]);
  for (const pk of keys) {
    const slices = byPorts.get(pk) ?? [];
    const want = new Map(desired.get(pk)?.endpoints ?? []);
    const ports = desired.get(pk)?.ports ?? [];
    const working: Working[] = [];
    const untouched: Working[] = [];
    // 1. existing slices keep what is still wanted, updated in place, and drop the rest
    for (const s of slices) {
      let changed = !labelsEqual(s.metadata.labels, labels);
      const kept: SliceEndpoint[] = [];
      for (const e of (s.endpoints ?? []) as SliceEndpoint[]) {
        const k = endpointKey(e);
        const d = want.get(k);
        if (!d) {
          changed = true;
          continue;
        }
        if (endpointJSON(d) !== endpointJSON(e)) changed = true;
        kept.push(d);
        want.delete(k);
      }
      if (!kept.length) plan.delete.push(s);
      else (changed ? working : untouched).push({ slice: s, endpoints: kept, changed });
    }
    // 2. new endpoints fill the slices being written anyway, fullest first
    const rest = [...want.values()];
    working.sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const w of working) while (rest.length && w.endpoints.length < max) w.endpoints.push(rest.shift()!);
    // 3. then the fullest unchanged slice that can take all the rest
    if (rest.length && rest.length < max) {
      let best: Working | undefined;
      for (const u of untouched) if (u.endpoints.length + rest.length <= max && (!best || u.endpoints.length > best.endpoints.length)) best = u;
      if (best) {
        best.endpoints.push(...rest.splice(0));
        working.push(best);
      }
    }
    // 4. then new slices
    while (rest.length) plan.create.push({ ...newSlice(ports), endpoints: rest.splice(0, max) });
    for (const w of working) plan.update.push(finish(w));
  }
  // a Service without endpoints keeps one empty placeholder slice
  if (existing.length === plan.delete.length && !plan.create.length) {
    const placeholder = plan.delete.find((s) => !(s.endpoints as unknown[] | undefined)?.length && !(s.ports as unknown[] | undefined)?.length && s.addressType === 'IPv4');
    if (placeholder) {
      plan.delete = plan.delete.filter((s) => s !== placeholder);
      if (!labelsEqual(placeholder.metadata.labels, labels)) plan.update.push({ ...placeholder, metadata: { ...placeholder.metadata, labels: { ...labels } } });
    } else plan.create.push(newSlice([]));
  }
  return plan;
}

export const endpointSliceController: Component = {
  name: 'endpointslice',
  start(ctx) {
    const client = ctx.client('system:serviceaccount:kube-system:endpointslice-controller');
    const recorder = ctx.recorder('endpoint-slice-controller');
    const log = ctx.log('endpointslice');
    const services = ctx.informers.informer('/api/v1/services');
    const pods = ctx.informers.informer('/api/v1/pods');
    const nodes = ctx.informers.informer('/api/v1/nodes');
    const slices = ctx.informers.informer(`${BASE}/endpointslices`);
    addPodLabelIndex(pods);
    slices.addIndexer(SLICE_INDEX, (s) => {
      const l = s.metadata.labels;
      return l?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && l[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
    });
    // the slice tracker: generations written per Service that the cache has yet to show (-1: deleted)
    const pending = new Map<string, { at: number; slices: Map<string, number> }>();
    const cacheCaughtUp = (key: string, ns: string) => {
      const p = pending.get(key);
      if (!p) return true;
      if (Date.now() - p.at > 30_000) {
        pending.delete(key);
        return true;
      }
      for (const [name, gen] of p.slices) {
        const cur = slices.get(ns, name);
        if (gen < 0 ? cur : !cur || (cur.metadata.generation ?? 0) < gen) return false;
      }
      pending.delete(key);
      return true;
    };

    async function sync(key: string): Promise<boolean | void> {
      if (!services.hasSynced() || !pods.hasSynced() || !slices.hasSynced() || !nodes.hasSynced()) return false;
      const [ns, name] = splitKey(key);
      if (!cacheCaughtUp(key, ns!)) return false;
      const svc = services.get(ns, name);
      // the garbage collector deletes the slices of a deleted Service (they are owned by it)
      if (!svc || svc.metadata.deletionTimestamp) return;
      if (svc.spec?.type === 'ExternalName') return;
      const sel = serviceSelector(svc);
      if (!sel) return;
      const desired = new Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }>();
      let missingNode = false;
      for (const p of selectedPods(pods, ns!, sel)) {
        if (!shouldPodBeInEndpoints(p, true)) continue;
        const ip = podIPv4(p);
        if (!ip) continue;
        const node = p.spec?.nodeName ? nodes.get(undefined, p.spec.nodeName) : undefined;
        if (p.spec?.nodeName && !node && !svc.spec?.publishNotReadyAddresses) {
          // retried later, as Kubernetes does: the pod garbage collector may remove it meanwhile
          missingNode = true;
          continue;
        }
        const ports = endpointPorts(svc, p);
        const pk = portsKey(ports);
        let d = desired.get(pk);
        if (!d) desired.set(pk, (d = { ports, endpoints: new Map() }));
        const ep = podToEndpoint(p, node, svc, ip);
        d.endpoints.set(endpointKey(ep), ep);
      }
      const existing = slices.byIndex(SLICE_INDEX, key).filter((s) => !s.metadata.deletionTimestamp);
      const plan = planSlices(svc, existing, desired);
      const written = new Map<string, number>();
      try {
        for (const s of plan.delete) {
          try {
            await client.delete(`${BASE}/namespaces/${ns}/endpointslices/${s.metadata.name}`);
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
          written.set(s.metadata.name!, -1);
        }
        for (const s of plan.update) {
          const r = await client.update<KubeObject>(`${BASE}/namespaces/${ns}/endpointslices/${s.metadata.name}`, s);
          written.set(r.metadata.name!, r.metadata.generation ?? 0);
        }
        for (const s of plan.create) {
          const r = await client.create<KubeObject>(`${BASE}/namespaces/${ns}/endpointslices`, s);
          written.set(r.metadata.name!, r.metadata.generation ?? 0);
        }
      } catch (e) {
        if (e instanceof ApiError && e.code === 403 && /because it is being terminated/.test(e.message)) return;
        if (e instanceof ApiError && e.code === 409) return false;
        void recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${ns}/${name}: ${(e as Error).message}`).catch(() => {});
        throw e;
      } finally {
        if (written.size) pending.set(key, { at: Date.now(), slices: written });
      }
      if (missingNode) return false;
    }

    const queue = workQueue(sync, {
      workers: 4,
      notDoneDelayMs: 200,
      onError(key, e) {
        log('endpointslice sync failed', { service: key, error: (e as Error).message });
        return undefined;
      },
    });
    const enqueue = (o: KubeObject) => void queue.add(keyOf(o));
    const enqueueFor = (p: KubeObject) => {
      for (const s of servicesSelecting(services, p.metadata.namespace!, p.metadata.labels)) enqueue(s);
    };
    const enqueueSliceService = (s: KubeObject) => {
      const l = s.metadata.labels;
      if (l?.[MANAGED_BY_LABEL] !== CONTROLLER_NAME || !l[SERVICE_NAME_LABEL]) return;
      void queue.add(`${s.metadata.namespace}/${l[SERVICE_NAME_LABEL]}`);
    };
    services.addEventHandler({ add: enqueue, update: (_a, b) => enqueue(b), delete: enqueue });
    pods.addEventHandler({
      add: enqueueFor,
      update(a, b) {
        const labelsChanged = !labelsEqual(a.metadata.labels, b.metadata.labels);
        if (!labelsChanged && !podEndpointsChanged(a, b)) return;
        enqueueFor(b);
        if (labelsChanged) enqueueFor(a);
      },
      delete: enqueueFor,
    });
    slices.addEventHandler({
      add: enqueueSliceService,
      update(a, b) {
        // only changes made by someone else need a look (ours are already what we want)
        if (a.metadata.generation !== b.metadata.generation || !labelsEqual(a.metadata.labels, b.metadata.labels)) enqueueSliceService(b);
      },
      delete: enqueueSliceService,
    });
    return {
      stop() {
        queue.stop();
      },
    };
  },
};
