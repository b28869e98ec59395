// Storage object in-use protection (Kubernetes' pvc-protection and pv-protection controllers):
// claims carry the kubernetes.io/pvc-protection finalizer and volumes kubernetes.io/pv-protection;
// the finalizer is added to objects that lack it and removed once a deleted claim is used by no
// scheduled pod, or a deleted volume is no longer Bound.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { Component, ControllerContext } from '../manager.js';
import { ApiError } from '../../api/errors.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const isTerminal = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The claims a pod uses: persistentVolumeClaim volumes, and generic ephemeral ones while it runs. */
export function podClaimNames(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(String(v.persistentVolumeClaim.claimName));
    else if (v?.ephemeral && !isTerminal(pod)) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

/** A pod holds a claim once it is scheduled (the kubelet never starts one whose claim is being deleted). */
const podUsesClaims = (pod: KubeObject) => !!pod.spec?.nodeName;

async function setFinalizer(client: Client, path: string, o: KubeObject, f: string, present: boolean): Promise<void> {
  const cur = o.metadata.finalizers ?? [];
  const finalizers = present ? [...cur, f] : cur.filter((x) => x !== f);
  try {
    await client.update(path, { ...o, metadata: { ...o.metadata, finalizers } });
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}

export function pvcProtection(d: { client: Client; claims: Informer; pods: Informer; log: (m: string, o?: object) => void }) {
  const { client, claims, pods } = d;
  pods.addIndexer('pvc-protection:claims', (pod) => (podUsesClaims(pod) ? podClaimNames(pod).map((c) => `${pod.metadata.namespace}/${c}`) : []));

  async function inUse(pvc: KubeObject): Promise<boolean> {
    const key = keyOf(pvc);
    if (pods.byIndex('pvc-protection:claims', key).length) return true;
    // the cache may lag behind a pod just scheduled: ask the API server before letting go
    const live = await client.list<KubeObject>(`/api/v1/namespaces/${pvc.metadata.namespace}/pods`);
    return live.items.some((p) => podUsesClaims(p) && podClaimNames(p).includes(pvc.metadata.name!));
  }

  async function sync(key: string): Promise<void> {
    const pvc = claims.getByKey(key);
    if (!pvc) return;
    const path = `/api/v1/namespaces/${pvc.metadata.namespace}/persistentvolumeclaims/${pvc.metadata.name}`;
    if (pvc.metadata.deletionTimestamp) {
      if (hasFinalizer(pvc, PVC_PROTECTION) && !(await inUse(pvc))) await setFinalizer(client, path, pvc, PVC_PROTECTION, false);
      return;
    }
    if (!hasFinalizer(pvc, PVC_PROTECTION)) await setFinalizer(client, path, pvc, PVC_PROTECTION, true);
  }

  const queue = workQueue(sync, {
    workers: 2,
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) d.log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const onClaim = (pvc: KubeObject) => {
    if (pvc.metadata.deletionTimestamp ? hasFinalizer(pvc, PVC_PROTECTION) : !hasFinalizer(pvc, PVC_PROTECTION)) queue.add(keyOf(pvc));
  };
  claims.addEventHandler({ add: onClaim, update: (_o, n) => onClaim(n) });
  // a pod that stops using claims may release a claim being deleted
  const onPodGone = (pod: KubeObject) => {
    for (const c of podClaimNames(pod)) {
      const pvc = claims.get(pod.metadata.namespace, c);
      if (pvc?.metadata.deletionTimestamp) queue.add(keyOf(pvc));
    }
  };
  pods.addEventHandler({
    update(o, n) {
      if ((podUsesClaims(o) && !podUsesClaims(n)) || (isTerminal(n) && !isTerminal(o))) onPodGone(o);
    },
    delete: onPodGone,
  });
  return { queue, sync };
}

export function pvProtection(d: { client: Client; volumes: Informer; log: (m: string, o?: object) => void }) {
  const { client, volumes } = d;
  async function sync(name: string): Promise<void> {
    const pv = volumes.get(undefined, name);
    if (!pv) return;
    const path = `/api/v1/persistentvolumes/${name}`;
    if (pv.metadata.deletionTimestamp) {
      if (hasFinalizer(pv, PV_PROTECTION) && pv.status?.phase !== 'Bound') await setFinalizer(client, path, pv, PV_PROTECTION, false);
      return;
    }
    if (!hasFinalizer(pv, PV_PROTECTION)) await setFinalizer(client, path, pv, PV_PROTECTION, true);
  }
  const queue = workQueue(sync, {
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) d.log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const onVolume = (pv: KubeObject) => {
    if (pv.metadata.deletionTimestamp ? hasFinalizer(pv, PV_PROTECTION) : !hasFinalizer(pv, PV_PROTECTION)) queue.add(pv.metadata.name!);
  };
  volumes.addEventHandler({ add: onVolume, update: (_o, n) => onVolume(n) });
  return { queue, sync };
}

export const pvcProtectionComponent: Component = {
  name: 'pvc-protection',
  start(ctx: ControllerContext) {
    const c = pvcProtection({
      client: ctx.client('system:serviceaccount:kube-system:pvc-protection-controller'),
      claims: ctx.informers.informer('/api/v1/persistentvolumeclaims'),
      pods: ctx.informers.informer('/api/v1/pods'),
      log: ctx.log('pvc-protection'),
    });
    return { stop: () => c.queue.stop() };
  },
};

export const pvProtectionComponent: Component = {
  name: 'pv-protection',
  start(ctx: ControllerContext) {
    const c = pvProtection({
      client: ctx.client('system:serviceaccount:kube-system:pv-protection-controller'),
      volumes: ctx.informers.informer('/api/v1/persistentvolumes'),
      log: ctx.log('pv-protection'),
    });
    return { stop: () => c.queue.stop() };
  },
};
