import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { findBestMatchForClaim, volumeClaimMismatch } from '../../src/controllers/volume/match.js';
import { localPathVolume } from '../../src/controllers/volume/localpath.js';

const pv = (name: string, size: string, o: { modes?: string[]; cls?: string; labels?: Record<string, string>; claimRef?: object; mode?: string } = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: o.labels },
    spec: { capacity: { storage: size }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls, claimRef: o.claimRef, volumeMode: o.mode ?? 'Filesystem', hostPath: { path: '/x' } },
    status: { phase: o.claimRef ? 'Bound' : 'Available' },
  }) as KubeObject;
const pvc = (size: string, o: { modes?: string[]; cls?: string; selector?: object; mode?: string; name?: string; uid?: string } = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: o.name ?? 'c', namespace: 'default', uid: o.uid ?? 'u1' },
    spec: { resources: { requests: { storage: size } }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls, selector: o.selector, volumeMode: o.mode ?? 'Filesystem' },
  }) as KubeObject;

test('the smallest volume that fits wins', () => {
  const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('mid', '2Gi'), pv('tiny', '500Mi')];
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols)?.metadata.name, 'small');
  assert.equal(findBestMatchForClaim(pvc('1500Mi'), vols)?.metadata.name, 'mid');
  assert.equal(findBestMatchForClaim(pvc('20Gi'), vols), undefined);
});

test('access modes must be covered; volumes with fewer modes are tried first', () => {
  const vols = [pv('rwx-small', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }), pv('rwo-big', '5Gi')];
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols)?.metadata.name, 'rwo-big');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { modes: ['ReadWriteMany'] }), vols)?.metadata.name, 'rwx-small');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { modes: ['ReadOnlyMany'] }), vols), undefined);
});

test('storage classes match exactly, "" only matches ""', () => {
  const vols = [pv('fast', '1Gi', { cls: 'fast' }), pv('none', '2Gi')];
  assert.equal(findBestMatchForClaim(pvc('1Gi', { cls: 'fast' }), vols)?.metadata.name, 'fast');
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols)?.metadata.name, 'none');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { cls: '' }), vols)?.metadata.name, 'none');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { cls: 'slow' }), vols), undefined);
});

test('selectors (matchLabels, matchExpressions) and volume modes filter volumes', () => {
  const vols = [pv('a', '1Gi', { labels: { tier: 'db', zone: 'a' } }), pv('b', '1Gi', { labels: { tier: 'web' } }), pv('blk', '1Gi', { mode: 'Block', labels: { tier: 'db' } })];
  assert.equal(findBestMatchForClaim(pvc('1Gi', { selector: { matchLabels: { tier: 'web' } } }), vols)?.metadata.name, 'b');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }), vols)?.metadata.name, 'a');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { selector: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, mode: 'Block' }), vols)?.metadata.name, 'blk');
  assert.equal(findBestMatchForClaim(pvc('1Gi', { selector: { matchLabels: { tier: 'cache' } } }), vols), undefined);
});

test('bound volumes are skipped; a volume pre-bound by claimRef wins even when larger; delayed binding only takes pre-bound ones', () => {
  const vols = [
    pv('other', '1Gi', { claimRef: { namespace: 'default', name: 'x', uid: 'u9' } }),
    pv('released', '1Gi', { claimRef: { namespace: 'default', name: 'c', uid: 'old-uid' } }),
    pv('mine', '10Gi', { claimRef: { namespace: 'default', name: 'c' } }),
    pv('free', '1Gi'),
  ];
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols)?.metadata.name, 'mine');
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols.filter((v) => v.metadata.name !== 'mine'))?.metadata.name, 'free');
  assert.equal(findBestMatchForClaim(pvc('1Gi'), [vols[0], vols[1]]), undefined);
  assert.equal(findBestMatchForClaim(pvc('1Gi'), [vols[3]], true), undefined);
  assert.equal(findBestMatchForClaim(pvc('1Gi'), [vols[2], vols[3]], true)?.metadata.name, 'mine');
});

test('volumeName pre-binding reports why a volume does not fit', () => {
  assert.equal(volumeClaimMismatch(pv('a', '1Gi'), pvc('2Gi')), 'requested PV is too small');
  assert.equal(volumeClaimMismatch(pv('a', '1Gi', { cls: 'x' }), pvc('1Gi')), 'storageClassName does not match');
  assert.equal(volumeClaimMismatch(pv('a', '1Gi', { mode: 'Block' }), pvc('1Gi')), 'incompatible volumeMode');
  assert.equal(volumeClaimMismatch(pv('a', '1Gi'), pvc('1Gi', { modes: ['ReadWriteMany'] })), 'incompatible accessMode');
  assert.equal(volumeClaimMismatch(pv('a', '1Gi'), pvc('1Gi')), undefined);
});

test('local-path volumes: pvc-<uid>, hostPath under the storage root, node affinity, claimRef, class policy', () => {
  const v = localPathVolume(pvc('3Gi', { cls: 'local-path', uid: 'abc' }), { reclaimPolicy: 'Retain' } as unknown as KubeObject, 'node-1');
  assert.equal(v.metadata.name, 'pvc-abc');
  assert.equal(v.metadata.annotations!['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
  assert.deepEqual(v.spec.hostPath, { path: '/var/lib/sampan/storage/pvc-abc', type: 'DirectoryOrCreate' });
  assert.deepEqual(v.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] });
  assert.deepEqual(v.spec.capacity, { storage: '3Gi' });
  assert.equal(v.spec.claimRef.uid, 'abc');
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(v.spec.storageClassName, 'local-path');
});

test('in a server: binding, pre-binding, Released not rebound, protection finalizers, provisioning on a selected node', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-volume-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`condition not reached: ${what}`);
  };
  const PVS = '/api/v1/persistentvolumes';
  const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
  const getPV = (n: string) => c.getOrNull<KubeObject>(`${PVS}/${n}`);
  const getPVC = (n: string) => c.getOrNull<KubeObject>(`${PVCS}/${n}`);
  const events = async (name: string) => (await c.list<KubeObject>('/api/v1/namespaces/default/events')).items.filter((e: any) => e.involvedObject.name === name).map((e: any) => `${e.reason}: ${e.message}`);
  try {
    // the default class
    const sc = await until<KubeObject>(async () => (await c.getOrNull<KubeObject>('/apis/storage.k8s.io/v1/storageclasses/local-path')) ?? undefined, 'default class');
    assert.equal((sc as any)!.provisioner, 'rancher.io/local-path');
    assert.equal((sc as any).volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc!.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');

    for (const [n, size] of [['pv-5', '5Gi'], ['pv-1', '1Gi'], ['pv-2', '2Gi']]) await c.create(PVS, { ...pv(n, size, { cls: 'manual' }), status: undefined });
    await c.create(PVS, { ...pv('pv-retain', '1Gi'), status: undefined, spec: { ...pv('x', '1Gi').spec, persistentVolumeReclaimPolicy: 'Retain' } });
    await until(async () => (await getPV('pv-1'))?.status?.phase === 'Available', 'pv-1 Available');
    assert.ok((await getPV('pv-1'))!.status.lastPhaseTransitionTime);
    assert.deepEqual((await getPV('pv-1'))!.metadata.finalizers, ['kubernetes.io/pv-protection']);

    await c.create(PVCS, { ...pvc('1500Mi', { cls: 'manual', name: 'data' }), metadata: { name: 'data' } });
    const bound = await until(async () => ((await getPVC('data'))?.status?.phase === 'Bound' ? getPVC('data') : undefined), 'data Bound');
    assert.equal(bound!.spec.volumeName, 'pv-2');
    assert.deepEqual(bound!.status.capacity, { storage: '2Gi' });
    assert.deepEqual(bound!.status.accessModes, ['ReadWriteOnce']);
    assert.equal(bound!.metadata.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(bound!.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(bound!.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const pv2 = (await until(async () => ((await getPV('pv-2'))?.status?.phase === 'Bound' ? getPV('pv-2') : undefined), 'pv-2 Bound'))!;
    assert.equal(pv2.spec.claimRef.name, 'data');
    assert.equal(pv2.spec.claimRef.uid, bound!.metadata.uid);
    assert.equal(pv2.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');

    // no class and no volume: FailedBinding
    await c.create(PVCS, { ...pvc('100Gi', { name: 'huge' }), metadata: { name: 'huge' }, spec: { ...pvc('100Gi').spec, storageClassName: '' } });
    await until(async () => (await events('huge')).includes('FailedBinding: no persistent volumes available for this claim and no storage class is set'), 'FailedBinding event');

    // pre-binding with volumeName takes that volume even though a smaller one fits
    await c.create(PVCS, { ...pvc('1Gi', { cls: 'manual', name: 'pinned' }), metadata: { name: 'pinned' }, spec: { ...pvc('1Gi', { cls: 'manual' }).spec, volumeName: 'pv-5' } });
    const pinned = await until(async () => ((await getPVC('pinned'))?.status?.phase === 'Bound' ? getPVC('pinned') : undefined), 'pinned Bound');
    assert.equal(pinned!.spec.volumeName, 'pv-5');
    assert.equal(pinned!.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], undefined);

    // a Retain volume whose claim is deleted is Released and not bound again
    await c.create(PVCS, { ...pvc('1Gi', { name: 'r1' }), metadata: { name: 'r1' }, spec: { ...pvc('1Gi').spec, storageClassName: '' } });
    await until(async () => (await getPVC('r1'))?.spec?.volumeName === 'pv-retain', 'r1 bound to pv-retain');
    await c.delete(`${PVCS}/r1`);
    await until(async () => (await getPV('pv-retain'))?.status?.phase === 'Released', 'pv-retain Released');
    await c.create(PVCS, { ...pvc('1Gi', { name: 'r2' }), metadata: { name: 'r2' }, spec: { ...pvc('1Gi').spec, storageClassName: '' } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getPVC('r2'))!.status.phase, 'Pending');
    assert.equal((await getPV('pv-retain'))!.status.phase, 'Released');

    // pvc-protection: a claim used by a scheduled pod stays Terminating until the pod goes
    await c.create('/api/v1/namespaces/default/pods', { metadata: { name: 'user' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } });
    await c.delete(`${PVCS}/data`);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await getPVC('data'))?.metadata.deletionTimestamp, 'data Terminating');
    await c.delete('/api/v1/namespaces/default/pods/user', { gracePeriodSeconds: 0 });
    await until(async () => (await getPVC('data')) === null, 'data deleted');
    // pv-2 had Retain (manual PVs default to Retain): Released
    await until(async () => (await getPV('pv-2'))?.status?.phase === 'Released', 'pv-2 Released');
    // pv-protection: a deleted Released volume goes away
    await c.delete(`${PVS}/pv-2`);
    await until(async () => (await getPV('pv-2')) === null, 'pv-2 deleted');

    // a claim naming no class gets the default class (retroactive default StorageClass)
    await c.create(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'noclass' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    await until(async () => (await getPVC('noclass'))?.spec?.storageClassName === 'local-path', 'default class assigned');

    // local-path: waits for a consumer, then provisions on the selected node and binds
    await c.create(PVCS, { ...pvc('3Gi', { cls: 'local-path', name: 'lp' }), metadata: { name: 'lp' } });
    await until(async () => (await events('lp')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding'), 'WaitForFirstConsumer');
    const lp = (await getPVC('lp'))!;
    await c.patch(`${PVCS}/lp`, { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } } }, 'merge');
    const lpBound = await until(async () => ((await getPVC('lp'))?.status?.phase === 'Bound' ? getPVC('lp') : undefined), 'lp Bound');
    assert.equal(lpBound!.spec.volumeName, `pvc-${lp.metadata.uid}`);
    assert.equal(lpBound!.metadata.annotations!['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    const ev = await events('lp');
    assert.ok(ev.includes("ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."), ev.join('\n'));
    assert.ok(ev.includes('Provisioning: External provisioner is provisioning volume for claim "default/lp"'));
    assert.ok(ev.includes(`ProvisioningSucceeded: Successfully provisioned volume pvc-${lp.metadata.uid}`));
    const lpv = (await getPV(`pvc-${lp.metadata.uid}`))!;
    assert.equal(lpv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(lpv.spec.hostPath.path, `/var/lib/sampan/storage/pvc-${lp.metadata.uid}`);
    // reclaim Delete: the provisioner deletes the volume once the claim is gone
    await c.delete(`${PVCS}/lp`);
    await until(async () => (await getPV(`pvc-${lp.metadata.uid}`)) === null, 'provisioned volume deleted');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
