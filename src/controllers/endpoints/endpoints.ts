// The Endpoints controller: for every Service with a selector, an Endpoints object of the same
// name listing the selected pods (ready ones in addresses, the others in notReadyAddresses, or
// all as ready with publishNotReadyAddresses) with each Service port resolved per pod. Services
// without a selector keep whatever Endpoints their users write; Endpoints whose Service is gone
// are deleted. Writes happen only when subsets, labels or the capacity annotation change.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component } from '../manager.js';
import { keyOf, splitKey } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { repackSubsets, subsetsEqual, truncateSubsets, type EndpointAddress, type EndpointPort, type EndpointSubset } from './subsets.js';
import {
  addPodLabelIndex,
  findPort,
  isPodReady,
  labelsEqual,
  podEndpointsChanged,
  podIPv4,
  rfc3339Nano,
  selectedPods,
  serviceSelector,
  servicesSelecting,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type ServicePort,
} from './pods.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** The subsets a Service's Endpoints should hold for these pods (packed and sorted). */
export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const ports = (svc.spec?.ports ?? []) as ServicePort[];
  const headless = svc.spec?.clusterIP === 'None';
  const subsets: EndpointSubset[] = [];
  for (const p of pods) {
    if (!shouldPodBeInEndpoints(p, publishNotReady)) continue;
    const ip = podIPv4(p);
    if (!ip) continue;
    const addr: EndpointAddress = { ip };
    if (shouldSetHostname(p, svc)) addr.hostname = p.spec.hostname;
    addr.nodeName = p.spec?.nodeName ?? '';
    addr.targetRef = { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name!, uid: p.metadata.uid };
    const ready = publishNotReady || isPodReady(p);
    const add = (epp: EndpointPort | undefined) => {
      const s: EndpointSubset = ready ? { addresses: [addr] } : { notReadyAddresses: [addr] };
      if (epp) s.ports = [epp];
      subsets.push(s);
    };
    if (!ports.length) {
      // a headless Service may have no ports
      if (headless) add(undefined);
      continue;
    }
    for (const sp of ports) {
      const n = findPort(p, sp);
      if (n === undefined) continue;
      add({ ...(sp.name ? { name: sp.name } : {}), port: n, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
  }
  return repackSubsets(subsets);
}

/** The endpoints trigger-time tracker: when did the change this sync publishes happen? */
function triggerTimeTracker() {
  const states = new Map<string, { pods: Map<string, number>; service: number }>();
  const readyTime = (p: KubeObject) => {
    const c = (p.status?.conditions as any[] | undefined)?.find((x) => x.type === 'Ready');
    return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  };
  return {
    /** 0 when nothing changed since the last sync. */
    compute(key: string, svc: KubeObject, pods: KubeObject[]): number {
      const prev = states.get(key);
      let min = 0;
      const podTimes = new Map<string, number>();
      for (const p of pods) {
        const t = readyTime(p);
        if (!t) continue;
        podTimes.set(p.metadata.name!, t);
        if (t > (prev?.pods.get(p.metadata.name!) ?? 0)) min = min ? Math.min(min, t) : t;
      }
      const st = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : 0;
      if (st > (prev?.service ?? 0)) min = min ? Math.min(min, st) : st;
      states.set(key, { pods: podTimes, service: st });
      return prev ? min : st;
    },
    delete: (key: string) => void states.delete(key),
  };
}

export const endpointsController: Component = {
  name: 'endpoints',
  start(ctx) {
    const client = ctx.client('system:serviceaccount:kube-system:endpoint-controller');
    const recorder = ctx.recorder('endpoint-controller');
    const log = ctx.log('endpoints');
    const services = ctx.informers.informer('/api/v1/services');
    const pods = ctx.informers.informer('/api/v1/pods');
    const endpoints = ctx.informers.informer('/api/v1/endpoints');
    addPodLabelIndex(pods);
    const triggers = triggerTimeTracker();

    async function sync(key: string): Promise<boolean | void> {
      if (!services.hasSynced() || !pods.hasSynced() || !endpoints.hasSynced()) return false;
      const [ns, name] = splitKey(key);
      const svc = services.get(ns, name);
      if (!svc) {
        triggers.delete(key);
        if (!endpoints.get(ns, name)) return;
        try {
          await client.delete(`/api/v1/namespaces/${ns}/endpoints/${name}`);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
        return;
      }
      if (svc.spec?.type === 'ExternalName') return;
      const sel = serviceSelector(svc);
      if (!sel) return;
      const selected = selectedPods(pods, ns!, sel);
      const trigger = triggers.compute(key, svc, selected);
      const subsets = desiredSubsets(svc, selected);
      const { subsets: final, truncated } = truncateSubsets(subsets);

      const cur = endpoints.get(ns, name);
      const svcLabels = (svc.metadata.labels ?? {}) as Record<string, string>;
      const curLabels = { ...(cur?.metadata.labels ?? {}) } as Record<string, string>;
      delete curLabels[HEADLESS_LABEL];
      const headless = !svc.spec?.clusterIP || svc.spec.clusterIP === 'None';
      const headlessOk = !!cur && (HEADLESS_LABEL in (cur.metadata.labels ?? {})) === headless;
      if (cur && subsetsEqual(cur.subsets, final) && labelsEqual(curLabels, svcLabels) && headlessOk && (OVER_CAPACITY_ANNOTATION in (cur.metadata.annotations ?? {})) === truncated) return;

      const labels: Record<string, string> = { ...svcLabels };
      if (headless) labels[HEADLESS_LABEL] = '';
      const annotations: Record<string, string> = { ...(cur?.metadata.annotations ?? {}) };
      if (trigger) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(trigger);
      else delete annotations[TRIGGER_TIME_ANNOTATION];
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[OVER_CAPACITY_ANNOTATION];
      const body: KubeObject = cur
        ? { ...cur, metadata: { ...cur.metadata, labels, annotations } }
        : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels, annotations } };
      if (final.length) body.subsets = final;
      else delete body.subsets;
      try {
        if (cur) await client.update(`/api/v1/namespaces/${ns}/endpoints/${name}`, body);
        else await client.create(`/api/v1/namespaces/${ns}/endpoints`, body);
      } catch (e) {
        // the namespace is going away: nothing more to do
        if (!cur && e instanceof ApiError && e.code === 403 && /because it is being terminated/.test(e.message)) return;
        if (e instanceof ApiError && e.code === 409) return false;
        const msg = cur ? `Failed to update endpoint ${ns}/${name}: ${(e as Error).message}` : `Failed to create endpoint for service ${ns}/${name}: ${(e as Error).message}`;
        void recorder.event(body, 'Warning', cur ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', msg).catch(() => {});
        throw e;
      }
    }

    const queue = workQueue(sync, {
      workers: 4,
      notDoneDelayMs: 100,
      onError(key, e) {
        log('endpoints sync failed', { service: key, error: (e as Error).message });
        return undefined;
      },
    });
    const enqueue = (o: KubeObject) => void queue.add(keyOf(o));
    const enqueueFor = (p: KubeObject) => {
      for (const s of servicesSelecting(services, p.metadata.namespace!, p.metadata.labels)) enqueue(s);
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
    // a managed Endpoints deleted by hand is made again
    endpoints.addEventHandler({ delete: enqueue });
    // Endpoints left behind by deleted Services (leader-election records excepted)
    void endpoints.synced().then(() => {
      for (const ep of endpoints.list()) if (!(LEADER_ANNOTATION in (ep.metadata.annotations ?? {}))) enqueue(ep);
    });
    return {
      stop() {
        queue.stop();
      },
    };
  },
};
