// The local-path provisioner: the default `local-path` StorageClass and a dynamic provisioner
// for it that behaves like Rancher's local-path-provisioner (the one k3s ships) driven by
// sig-storage-lib-external-provisioner. It uses the same provisioner name, rancher.io/local-path,
// so manifests and charts written for k3s find the class they expect. A claim of the class
// whose first consumer has been scheduled (annotation volume.kubernetes.io/selected-node) gets
// a hostPath volume `pvc-<claim uid>` under /var/lib/sampan/storage pinned to that node; the
// node agent creates the directory when a pod mounts it. Released volumes with reclaim policy
// Delete are deleted.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { Recorder } from '../../client/events.js';
import type { Component, ControllerContext } from '../manager.js';
import { ApiError } from '../../api/errors.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass } from './match.js';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
export const LOCAL_PATH_ROOT = '/var/lib/sampan/storage';
const ANN_SELECTED_NODE_LOCAL = 'local.path.provisioner/selected-node';

const PVS = '/api/v1/persistentvolumes';
const PVCS = '/api/v1/persistentvolumeclaims';
const CLASSES = '/apis/storage.k8s.io/v1/storageclasses';

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

/** Creates the default class unless a class of that name exists (a user's edits are kept). */
export async function ensureDefaultStorageClass(client: Client): Promise<void> {
  if (await client.getOrNull(`${CLASSES}/${LOCAL_PATH_CLASS}`)) return;
  try {
    await client.create(CLASSES, defaultStorageClass());
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}

/** The PersistentVolume the provisioner creates for a claim on a node. */
export function localPathVolume(pvc: KubeObject, cls: KubeObject, node: string, hostnameLabel = node): KubeObject {
  const name = `pvc-${pvc.metadata.uid}`;
  const spec: Record<string, unknown> = {
    accessModes: pvc.spec?.accessModes ?? [],
    capacity: { storage: pvc.spec?.resources?.requests?.storage },
    claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion },
    hostPath: { path: `${LOCAL_PATH_ROOT}/${name}`, type: 'DirectoryOrCreate' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostnameLabel] }] }] } },
    persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
    storageClassName: claimClass(pvc),
    volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
  };
  if (Array.isArray(cls.mountOptions) && cls.mountOptions.length) spec.mountOptions = cls.mountOptions;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER, [ANN_SELECTED_NODE_LOCAL]: node } },
    spec,
  } as KubeObject;
}

export interface ProvisionerDeps {
  client: Client;
  recorder: Recorder;
  volumes: Informer;
  claims: Informer;
  classes: Informer;
  nodes?: Informer;
  log: (msg: string, o?: object) => void;
}

export function localPathProvisioner(d: ProvisionerDeps) {
  const { client, recorder, volumes, claims, classes } = d;
  // volumes created but maybe not yet in the cache (forgotten once the cache has them)
  const provisioned = new Set<string>();

  async function provision(key: string): Promise<void> {
    const pvc = claims.getByKey(key);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec?.volumeName) return;
    if (pvc.status?.phase && pvc.status.phase !== 'Pending') return;
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER && ann[ANN_BETA_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const className = claimClass(pvc);
    const cls = classes.get(undefined, className);
    if (!cls || cls.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const node = ann[ANN_SELECTED_NODE];
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !node) return;
    const name = `pvc-${pvc.metadata.uid}`;
    if (volumes.get(undefined, name) || provisioned.has(name)) return;
    const fail = (why: string) => recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${why}`);
    if (pvc.spec?.selector) return void (await fail('claim Selector is not supported'));
    if (!node) return void (await fail('configuration error, no node was specified'));
    await recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    const label = d.nodes?.get(undefined, node)?.metadata.labels?.['kubernetes.io/hostname'] ?? node;
    try {
      await client.create(PVS, localPathVolume(pvc, cls, node, label));
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) {
        await fail((e as Error).message);
        throw e;
      }
    }
    provisioned.add(name);
    await recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
  }

  async function reclaim(name: string): Promise<void> {
    const pv = volumes.get(undefined, name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    if (pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== LOCAL_PATH_PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    try {
      await client.delete(`${PVS}/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: pv.metadata.uid } });
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  const queue = workQueue(
    async (key) => {
      if (key.startsWith('v:')) await reclaim(key.slice(2));
      else await provision(key.slice(2));
    },
    {
      workers: 4,
      onError(key, e) {
        d.log('sync failed', { key, error: (e as Error).message });
        return undefined;
      },
    },
  );

  const onClaim = (pvc: KubeObject) => {
    if (!pvc.spec?.volumeName) queue.add(`c:${keyOf(pvc)}`);
  };
  claims.addEventHandler({ add: onClaim, update: (_o, n) => onClaim(n) });
  const onVolume = (pv: KubeObject) => {
    provisioned.delete(pv.metadata.name!);
    if (pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === LOCAL_PATH_PROVISIONER && pv.status?.phase === 'Released') queue.add(`v:${pv.metadata.name}`);
  };
  volumes.addEventHandler({ add: onVolume, update: (_o, n) => onVolume(n) });
  return { queue, provision, reclaim };
}

export const localPathProvisionerComponent: Component = {
  name: 'local-path-provisioner',
  async start(ctx: ControllerContext) {
    const client = ctx.client('system:serviceaccount:kube-system:local-path-provisioner-service-account');
    const log = ctx.log('local-path-provisioner');
    try {
      await ensureDefaultStorageClass(client);
    } catch (e) {
      log('could not create the default StorageClass', { error: (e as Error).message });
    }
    const volumes = ctx.informers.informer(PVS);
    const claims = ctx.informers.informer(PVCS);
    const classes = ctx.informers.informer(CLASSES);
    const nodes = ctx.informers.informer('/api/v1/nodes');
    const p = localPathProvisioner({
      client,
      recorder: ctx.recorder(`${LOCAL_PATH_PROVISIONER}_${hostname()}_${randomUUID()}`),
      volumes,
      claims,
      classes,
      nodes,
      log,
    });
    return { stop: () => p.queue.stop() };
  },
};
