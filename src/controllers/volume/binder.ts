// The PersistentVolume binder (Kubernetes' persistentvolume-binder controller): binds pending
// claims to the smallest matching volume, completes bindings made by users (volumeName or
// claimRef pre-binding) or by the scheduler, hands claims of a class with a provisioner to that
// provisioner, marks volumes whose claim is gone Released and runs their reclaim policy.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { Component, ControllerContext } from '../manager.js';
import type { Recorder } from '../../client/events.js';
import { ApiError } from '../../api/errors.js';
import { compareQuantity } from '../../api/quantity.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { nowTime } from '../util.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  findBestMatchForClaim,
  isVolumeBoundToClaim,
  volumeClaimMismatch,
  volumeClass,
  volumeModeMismatch,
} from './match.js';

const PVS = '/api/v1/persistentvolumes';
const PVCS = '/api/v1/persistentvolumeclaims';
const CLASSES = '/apis/storage.k8s.io/v1/storageclasses';
/** Unbound claims and unsettled volumes are looked at again this often (Kubernetes: 15 s). */
const RESYNC_MS = 15_000;

const isDefaultStorageClass = (c: KubeObject) =>
  c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || c.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

const pvcPath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`;

export interface BinderDeps {
  client: Client;
  recorder: Recorder;
  volumes: Informer;
  claims: Informer;
  classes: Informer;
  log: (msg: string, o?: object) => void;
}

/** The sync logic on its own, so tests can drive it. */
export function volumeBinder(d: BinderDeps) {
  const { client, recorder, volumes, claims, classes } = d;

  const classOf = (name: string) => (name ? classes.get(undefined, name) : undefined);
  const isDelayBinding = (pvc: KubeObject) => classOf(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer';

  async function updateVolumePhase(pv: KubeObject, phase: string, message?: string): Promise<KubeObject> {
    if (pv.status?.phase === phase && (pv.status?.message ?? '') === (message ?? '')) return pv;
    const status: Record<string, unknown> = { ...pv.status, phase };
    if (message) status.message = message;
    else delete status.message;
    if (pv.status?.phase !== phase) status.lastPhaseTransitionTime = nowTime();
    return client.update(`${PVS}/${pv.metadata.name}/status`, { ...pv, status });
  }

  async function updateClaimStatus(pvc: KubeObject, phase: string, pv?: KubeObject): Promise<KubeObject> {
    const status: Record<string, any> = { ...pvc.status, phase };
    let dirty = pvc.status?.phase !== phase;
    if (!pv) {
      if (status.accessModes !== undefined || status.capacity !== undefined) dirty = true;
      delete status.accessModes;
      delete status.capacity;
    } else {
      if (JSON.stringify(status.accessModes ?? null) !== JSON.stringify(pv.spec?.accessModes ?? null)) {
        status.accessModes = pv.spec?.accessModes;
        dirty = true;
      }
      const cap = status.capacity?.storage;
      if (cap === undefined || compareQuantity(cap, pv.spec?.capacity?.storage) !== 0) {
        status.capacity = pv.spec?.capacity;
        dirty = true;
      }
    }
    if (!dirty) return pvc;
    return client.update(`${pvcPath(pvc.metadata.namespace!, pvc.metadata.name!)}/status`, { ...pvc, status });
  }

  /** Binds both ways: volume claimRef, volume phase, claim volumeName and annotations, claim phase. */
  async function bind(pv: KubeObject, pvc: KubeObject): Promise<void> {
    // the volume points at the claim
    const ref = pv.spec?.claimRef;
    if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace || ref.uid !== pvc.metadata.uid) {
      const claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
      const annotations = { ...pv.metadata.annotations };
      // a claimRef without uid was set by a user: the controller only completes it
      if (!ref) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pv = await client.update(`${PVS}/${pv.metadata.name}`, { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef } });
    }
    pv = await updateVolumePhase(pv, 'Bound');
    // the claim points at the volume
    const ann = pvc.metadata.annotations ?? {};
    if (pvc.spec?.volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const annotations = { ...ann };
      if (pvc.spec?.volumeName !== pv.metadata.name) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      annotations[ANN_BIND_COMPLETED] = 'yes';
      pvc = await client.update(pvcPath(pvc.metadata.namespace!, pvc.metadata.name!), { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: pv.metadata.name } });
    }
    await updateClaimStatus(pvc, 'Bound', pv);
  }

  /** GetDefaultClass: the newest class marked default. */
  function defaultClass(): KubeObject | undefined {
    let best: KubeObject | undefined;
    for (const c of classes.list()) {
      if (!isDefaultStorageClass(c)) continue;
      const t = c.metadata.creationTimestamp ?? '';
      const bt = best?.metadata.creationTimestamp ?? '';
      if (!best || t > bt || (t === bt && c.metadata.name! < best.metadata.name!)) best = c;
    }
    return best;
  }

  async function assignDefaultStorageClass(pvc: KubeObject): Promise<boolean> {
    if (pvc.spec?.storageClassName !== undefined && pvc.spec?.storageClassName !== null) return false;
    if (pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return false;
    const cls = defaultClass();
    if (!cls) return false;
    await client.update(pvcPath(pvc.metadata.namespace!, pvc.metadata.name!), { ...pvc, spec: { ...pvc.spec, storageClassName: cls.metadata.name } });
    return true;
  }

  /** Hands the claim to its class's provisioner (provisionClaimOperation for external ones). */
  async function provisionClaim(pvc: KubeObject): Promise<KubeObject> {
    const className = claimClass(pvc);
    const cls = classOf(className);
    if (!cls) {
      await recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return pvc;
    }
    const provisioner = String(cls.provisioner ?? '');
    // in-tree plugins would live under kubernetes.io/; this cluster has none of them
    if (provisioner.startsWith('kubernetes.io/')) {
      await recorder.event(pvc, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return pvc;
    }
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const annotations = { ...ann, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
      pvc = await client.update(pvcPath(pvc.metadata.namespace!, pvc.metadata.name!), { ...pvc, metadata: { ...pvc.metadata, annotations } });
    }
    await recorder.event(
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    return pvc;
  }

  async function syncUnboundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string = pvc.spec?.volumeName ?? '';
    if (!volumeName) {
      const delay = isDelayBinding(pvc);
      const cls = claimClass(pvc);
      const pv = findBestMatchForClaim(pvc, volumes.byIndex('pv-binder:class', cls), delay);
      if (pv) return bind(pv, pvc);
      // a claim that names no class gets the default one (retroactive default StorageClass)
      if (await assignDefaultStorageClass(pvc)) return;
      if (delay && !pvc.metadata.annotations?.[ANN_SELECTED_NODE]) {
        await recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (cls !== '') {
        pvc = await provisionClaim(pvc);
      } else {
        await recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await updateClaimStatus(pvc, 'Pending');
      return;
    }
    // the user asked for one volume
    const pv = volumes.get(undefined, volumeName);
    if (!pv) {
      await updateClaimStatus(pvc, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef) {
      const why = volumeClaimMismatch(pv, pvc);
      if (why) {
        await recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        await updateClaimStatus(pvc, 'Pending');
        return;
      }
      return bind(pv, pvc);
    }
    if (isVolumeBoundToClaim(pv, pvc)) return bind(pv, pvc);
    if (pvc.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== 'yes') {
      await recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
      await updateClaimStatus(pvc, 'Pending');
    }
    // else: the controller bound this claim to a volume that now belongs to another; the
    // volume's sync unbinds it and the claim is looked at again
  }

  async function syncBoundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string = pvc.spec?.volumeName ?? '';
    const pv = volumes.get(undefined, volumeName);
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        await updateClaimStatus(pvc, 'Lost');
        await recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) return bind(pv, pvc);
    if (pvc.status?.phase !== 'Lost') {
      await updateClaimStatus(pvc, 'Lost');
      await recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  async function syncClaim(key: string): Promise<void> {
    const pvc = claims.getByKey(key);
    if (!pvc || pvc.metadata.deletionTimestamp && !pvc.spec?.volumeName) return;
    if (pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) return syncUnboundClaim(pvc);
    return syncBoundClaim(pvc);
  }

  async function reclaimVolume(pv: KubeObject): Promise<void> {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Recycle') {
      if (pv.status?.phase !== 'Failed') {
        await updateVolumePhase(pv, 'Failed', 'No recycler plugin found for the volume!');
        await recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
      }
      return;
    }
    if (policy !== 'Delete') return;
    // a provisioner outside the controller (local-path, CSI) deletes the volumes it made
    const by = pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
    if (by && !by.startsWith('kubernetes.io/')) return;
    if (pv.status?.phase === 'Failed') return;
    const msg = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
    await updateVolumePhase(pv, 'Failed', msg);
    await recorder.event(pv, 'Warning', 'VolumeFailedDelete', msg);
  }

  async function syncVolume(name: string): Promise<void> {
    let pv = volumes.get(undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await updateVolumePhase(pv, 'Available');
      return;
    }
    if (!ref.uid) {
      // pre-bound by a user: the claim's sync binds it
      if (pv.status?.phase !== 'Available') await updateVolumePhase(pv, 'Available');
      return;
    }
    const ns = ref.namespace ?? '';
    let pvc: KubeObject | undefined | null = claims.get(ns, ref.name);
    // a claim missing from the cache may just be new: ask the API before releasing the volume
    if (!pvc) pvc = await client.getOrNull<KubeObject>(pvcPath(ns, ref.name));
    if (pvc && pvc.metadata.uid !== ref.uid) pvc = null;
    if (!pvc) {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await updateVolumePhase(pv, 'Released');
      await reclaimVolume(pv);
      return;
    }
    if (!pvc.spec?.volumeName) {
      if (volumeModeMismatch(pvc, pv)) {
        await recorder.event(pv, 'Warning', 'VolumeMismatch', 'Cannot bind PersistentVolume to requested PersistentVolumeClaim due to incompatible volumeMode.');
      }
      queue.add(`c:${keyOf(pvc)}`);
      return;
    }
    if (pvc.spec.volumeName === pv.metadata.name) {
      if (pv.status?.phase !== 'Bound') await updateVolumePhase(pv, 'Bound');
      return;
    }
    // the claim is bound to another volume
    if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes') {
      const by = pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
      if (by && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
        // a provisioned volume nobody will ever claim again
        pv = await updateVolumePhase(pv, 'Released');
        await reclaimVolume(pv);
        return;
      }
      const annotations = { ...pv.metadata.annotations };
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      const spec = { ...pv.spec };
      delete spec.claimRef;
      const unbound = await client.update<KubeObject>(`${PVS}/${pv.metadata.name}`, { ...pv, metadata: { ...pv.metadata, annotations }, spec });
      await updateVolumePhase(unbound, 'Available');
    }
    // else pre-bound by a user to a claim bound elsewhere: wait for the claim to be unbound
  }

  const queue = workQueue(
    async (key) => {
      if (key.startsWith('v:')) await syncVolume(key.slice(2));
      else await syncClaim(key.slice(2));
    },
    {
      onError(key, e) {
        if (!(e instanceof ApiError && (e.code === 409 || e.code === 404))) d.log('sync failed', { key, error: (e as Error).message });
        return undefined;
      },
    },
  );

  const enqueueUnboundClaims = (cls: string) => {
    for (const c of claims.byIndex('pv-binder:unbound-class', cls)) queue.add(`c:${keyOf(c)}`);
  };

  volumes.addIndexer('pv-binder:class', (pv) => [volumeClass(pv)]);
  volumes.addIndexer('pv-binder:claim', (pv) => (pv.spec?.claimRef ? [`${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name}`] : []));
  claims.addIndexer('pv-binder:unbound-class', (pvc) => (pvc.status?.phase === 'Bound' ? [] : [claimClass(pvc)]));

  const onVolume = (pv: KubeObject) => {
    queue.add(`v:${pv.metadata.name}`);
    const ref = pv.spec?.claimRef;
    if (ref) queue.add(`c:${ref.namespace ?? ''}/${ref.name}`);
    else enqueueUnboundClaims(volumeClass(pv));
  };
  volumes.addEventHandler({
    add: onVolume,
    update: (_o, n) => onVolume(n),
    delete(pv) {
      const ref = pv.spec?.claimRef;
      if (ref) queue.add(`c:${ref.namespace ?? ''}/${ref.name}`);
    },
  });
  claims.addEventHandler({
    add: (pvc) => void queue.add(`c:${keyOf(pvc)}`),
    update: (_o, pvc) => void queue.add(`c:${keyOf(pvc)}`),
    delete(pvc) {
      if (pvc.spec?.volumeName) queue.add(`v:${pvc.spec.volumeName}`);
      for (const pv of volumes.byIndex('pv-binder:claim', keyOf(pvc))) queue.add(`v:${pv.metadata.name}`);
    },
  });
  // a class (or a new default class, for claims naming none) can make pending claims bindable
  const onClass = (c: KubeObject) => {
    enqueueUnboundClaims(c.metadata.name!);
    if (isDefaultStorageClass(c)) enqueueUnboundClaims('');
  };
  classes.addEventHandler({ add: onClass, update: (_o, c) => onClass(c) });

  function resync() {
    for (const pvc of claims.list()) if (pvc.status?.phase !== 'Bound') queue.add(`c:${keyOf(pvc)}`);
    for (const pv of volumes.list()) if (pv.status?.phase !== 'Bound' && pv.status?.phase !== 'Available') queue.add(`v:${pv.metadata.name}`);
  }

  return { queue, resync, syncClaim, syncVolume };
}

export const persistentVolumeBinder: Component = {
  name: 'persistentvolume-binder',
  async start(ctx: ControllerContext) {
    const volumes = ctx.informers.informer(PVS);
    const claims = ctx.informers.informer(PVCS);
    const classes = ctx.informers.informer(CLASSES);
    const b = volumeBinder({
      client: ctx.client('system:serviceaccount:kube-system:persistent-volume-binder'),
      recorder: ctx.recorder('persistentvolume-controller'),
      volumes,
      claims,
      classes,
      log: ctx.log('persistentvolume-binder'),
    });
    await Promise.all([volumes.synced(), claims.synced(), classes.synced()]);
    const timer = setInterval(b.resync, RESYNC_MS);
    timer.unref();
    return {
      stop() {
        clearInterval(timer);
        b.queue.stop();
      },
    };
  },
};
