import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { fnv1, goJson, hashRevisionData, nextRevision, revisionName, revisionPatch, sortRevisions, applyRevision, equalRevision, newControllerRevision } from '../../src/controllers/history.js';
import { claimOwnerRefsFor, isClaimOwnerUpToDate, newVersionedStatefulSetPod, parentAndOrdinal, claimsFor } from '../../src/controllers/statefulset/pods.js';
import { scaledMaxUnavailable, goStatus } from '../../src/controllers/statefulset/statefulset.js';

const set = (o: Partial<KubeObject['spec']> = {}, status: any = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid', annotations: { a: 'b' } },
  spec: {
    replicas: 3,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }], volumes: [{ name: 'cfg', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www', labels: { tier: 'data' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...o,
  },
  status,
});

test('history: FNV-1 (Go hash/fnv New32), Go-style JSON, revision names and ordering', () => {
  assert.equal(fnv1(''), 0x811c9dc5);
  assert.equal(fnv1('a'), 0x050c5d7e);
  assert.equal(goJson({ b: 1, a: { d: '<&>', c: [2, { z: 1, y: 2 }] } }), '{"a":{"c":[2,{"y":2,"z":1}],"d":"\\u003c\\u0026\\u003e"},"b":1}');
  assert.equal(revisionName('x'.repeat(300), 'abc'), `${'x'.repeat(223)}-abc`);
  // the collision count changes the hash, and the hash only uses the safe alphabet
  const raw = goJson(revisionPatch(set()));
  assert.notEqual(hashRevisionData(raw, 0), hashRevisionData(raw, 1));
  assert.match(hashRevisionData(raw, 0), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  const r = (n: number, name: string, t = '2024-01-01T00:00:00Z') => ({ metadata: { name, creationTimestamp: t }, revision: n }) as KubeObject;
  const sorted = sortRevisions([r(3, 'c'), r(1, 'b'), r(1, 'a'), r(2, 'd')]);
  assert.deepEqual(sorted.map((x) => x.metadata.name), ['a', 'b', 'd', 'c']);
  assert.equal(nextRevision(sorted), 4);
  assert.equal(nextRevision([]), 1);
});

test('history: revision patch replaces the template and applies back', () => {
  const s = set();
  const p = revisionPatch(s) as any;
  assert.equal(p.spec.template.$patch, 'replace');
  assert.equal(p.spec.template.metadata.creationTimestamp, null);
  const cr = newControllerRevision(s, s.spec.template.metadata.labels, p, 1, 0);
  assert.equal(cr.metadata.name, `web-${hashRevisionData(goJson(p), 0)}`);
  assert.equal(cr.metadata.labels!['controller-revision-hash'], hashRevisionData(goJson(p), 0));
  assert.equal(cr.metadata.labels!.app, 'nginx');
  assert.equal(cr.metadata.ownerReferences![0].uid, 'set-uid');
  const changed = set();
  changed.spec.template.spec.containers[0].image = 'nginx:1.26';
  const back = applyRevision(changed, cr);
  assert.deepEqual(back.spec.template, s.spec.template);
  assert.ok(equalRevision(cr, newControllerRevision(s, {}, revisionPatch(s), 7)));
  assert.ok(!equalRevision(cr, newControllerRevision(changed, {}, revisionPatch(changed), 1)));
});

test('statefulset pods: identity, claims and the partition decides the revision of a new pod', () => {
  assert.deepEqual(parentAndOrdinal('web-12'), ['web', 12]);
  assert.deepEqual(parentAndOrdinal('my-web-0'), ['my-web', 0]);
  assert.deepEqual(parentAndOrdinal('web'), ['', -1]);
  const cur = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  const upd = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  upd.spec.template.spec.containers[0].image = 'nginx:1.26';
  const p1 = newVersionedStatefulSetPod(cur, upd, 'web-old', 'web-new', 1);
  const p2 = newVersionedStatefulSetPod(cur, upd, 'web-old', 'web-new', 2);
  assert.equal(p1.metadata.labels!['controller-revision-hash'], 'web-old');
  assert.equal(p1.spec.containers[0].image, 'nginx:1.25');
  assert.equal(p2.metadata.labels!['controller-revision-hash'], 'web-new');
  assert.equal(p2.spec.containers[0].image, 'nginx:1.26');
  assert.equal(p2.metadata.name, 'web-2');
  assert.equal(p2.metadata.generateName, 'web-');
  assert.deepEqual(p2.metadata.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'web-new' });
  assert.equal(p2.spec.hostname, 'web-2');
  assert.equal(p2.spec.subdomain, 'nginx');
  assert.deepEqual(p2.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }, { name: 'cfg', emptyDir: {} }]);
  assert.deepEqual(p2.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  const [[tname, claim]] = claimsFor(cur, 4);
  assert.equal(tname, 'www');
  assert.equal(claim.metadata.name, 'www-web-4');
  assert.deepEqual(claim.metadata.labels, { tier: 'data', app: 'nginx' });
  // OnDelete (no rollingUpdate block): new pods always get the update revision
  const od = set({ updateStrategy: { type: 'OnDelete' } });
  assert.equal(newVersionedStatefulSetPod(od, od, 'a', 'b', 0).metadata.labels!['controller-revision-hash'], 'b');
  // spec.ordinals.start shifts the range
  assert.equal(scaledMaxUnavailable('50%', 3), 2);
  assert.equal(scaledMaxUnavailable(0, 3), 1);
  assert.deepEqual(goStatus({ replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, currentRevision: 'r', updateRevision: 'r', collisionCount: 0, observedGeneration: 1 }), { observedGeneration: 1, replicas: 0, currentRevision: 'r', updateRevision: 'r', collisionCount: 0, availableReplicas: 0 });
});

test('statefulset retention policy: owner references on claims', () => {
  const pod: KubeObject = { metadata: { name: 'web-1', namespace: 'default', uid: 'pod-uid' } };
  const scaledPod: KubeObject = { metadata: { name: 'web-5', namespace: 'default', uid: 'pod5-uid' } };
  const claim: KubeObject = { metadata: { name: 'www-web-1', namespace: 'default' } };
  const withPolicy = (whenDeleted: string, whenScaled: string) => set({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });
  assert.deepEqual(claimOwnerRefsFor(claim, withPolicy('Retain', 'Retain'), pod), []);
  assert.ok(isClaimOwnerUpToDate(claim, withPolicy('Retain', 'Retain'), pod));
  const del = claimOwnerRefsFor(claim, withPolicy('Delete', 'Retain'), pod);
  assert.deepEqual(del, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  assert.ok(!isClaimOwnerUpToDate(claim, withPolicy('Delete', 'Retain'), pod));
  assert.ok(isClaimOwnerUpToDate({ metadata: { ...claim.metadata, ownerReferences: del } }, withPolicy('Delete', 'Retain'), pod));
  // whenScaled=Delete: a scaled-down pod owns its claim; one in range does not
  assert.deepEqual(claimOwnerRefsFor(claim, withPolicy('Retain', 'Delete'), pod), []);
  assert.deepEqual(claimOwnerRefsFor(claim, withPolicy('Retain', 'Delete'), scaledPod).map((r) => `${r.kind}/${r.uid}`), ['Pod/pod5-uid']);
  assert.deepEqual(claimOwnerRefsFor(claim, withPolicy('Delete', 'Delete'), pod).map((r) => r.kind), ['StatefulSet']);
  assert.deepEqual(claimOwnerRefsFor({ metadata: { ...claim.metadata, ownerReferences: del } }, withPolicy('Delete', 'Delete'), scaledPod).map((r) => r.kind), ['Pod']);
  // another controller owns it: left alone
  const foreign = { metadata: { ...claim.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'x', uid: 'x', controller: true }] } };
  assert.ok(isClaimOwnerUpToDate(foreign, withPolicy('Delete', 'Delete'), pod));
});

test('statefulset controller: ordered creation, scale down from the top, partitioned update, rollback renumbers the revision', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-sts-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['scheduler'] });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const PODS = '/api/v1/namespaces/default/pods';
  const STS = '/apis/apps/v1/namespaces/default/statefulsets';
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`not reached: ${what}`);
  };
  const podNames = async () => (await c.list<KubeObject>(PODS)).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!).sort();
  // what a kubelet would do: bind, run and report Ready
  const makeReady = async (name: string) => {
    const p = await c.get<KubeObject>(`${PODS}/${name}`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await c.update(`${PODS}/${name}/status`, { ...p, status: { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } });
  };
  // graceful deletes of pods no kubelet runs finish here
  const finishDeletes = async () => {
    for (const p of (await c.list<KubeObject>(PODS)).items) if (p.metadata.deletionTimestamp) await c.delete(`${PODS}/${p.metadata.name}`, { gracePeriodSeconds: 0 }).catch(() => undefined);
  };
  try {
    const body = set();
    delete body.metadata.uid;
    delete body.status;
    body.spec.template.spec.terminationGracePeriodSeconds = 0;
    await c.create(STS, body);
    await until(async () => (await podNames()).includes('web-0'), 'web-0 created');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await podNames(), ['web-0'], 'web-1 waits for web-0 to be Running and Ready');
    const pvcs = (await c.list<KubeObject>('/api/v1/namespaces/default/persistentvolumeclaims')).items.map((x) => x.metadata.name);
    assert.deepEqual(pvcs, ['www-web-0']);
    await makeReady('web-0');
    await until(async () => (await podNames()).includes('web-1'), 'web-1 created');
    assert.deepEqual(await podNames(), ['web-0', 'web-1']);
    await makeReady('web-1');
    await until(async () => (await podNames()).includes('web-2'), 'web-2 created');
    await makeReady('web-2');
    const st = await until(async () => {
      const x = await c.get<KubeObject>(`${STS}/web`);
      return x.status?.readyReplicas === 3 && x.status;
    }, 'status ready 3');
    assert.equal(st.replicas, 3);
    assert.equal(st.currentRevision, st.updateRevision);
    const rev1 = st.updateRevision;

    // a new template with partition 2: only web-2 is replaced
    await c.patch(`${STS}/web`, { spec: { updateStrategy: { rollingUpdate: { partition: 2 } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } }, 'strategic');
    const rev2 = await until(async () => {
      const x = await c.get<KubeObject>(`${STS}/web`);
      return x.status?.updateRevision !== rev1 && x.status?.updateRevision;
    }, 'update revision');
    await until(async () => {
      await finishDeletes();
      const p = await c.getOrNull<KubeObject>(`${PODS}/web-2`);
      return p && !p.metadata.deletionTimestamp && p.metadata.labels?.['controller-revision-hash'] === rev2;
    }, 'web-2 recreated at the update revision');
    await makeReady('web-2');
    await new Promise((r) => setTimeout(r, 200));
    const revs = async () => Object.fromEntries((await c.get<KubeObject>('/api/v1/namespaces/default/pods')).items.map((p: KubeObject) => [p.metadata.name, p.metadata.labels?.['controller-revision-hash']]));
    assert.deepEqual(await revs(), { 'web-0': rev1, 'web-1': rev1, 'web-2': rev2 });
    const crs = async () => Object.fromEntries((await c.list<KubeObject>('/apis/apps/v1/namespaces/default/controllerrevisions')).items.map((r) => [r.metadata.name, r.revision]));
    assert.deepEqual(await crs(), { [rev1]: 1, [rev2]: 2 });

    // back to the first template: the old revision comes back as revision 3
    await c.patch(`${STS}/web`, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } } }, 'strategic');
    await until(async () => (await crs())[rev1] === 3, 'revision renumbered');
    assert.deepEqual(await crs(), { [rev1]: 3, [rev2]: 2 });

    // scale down: the highest ordinal goes first, PVCs stay
    await c.patch(`${STS}/web`, { spec: { replicas: 1 } }, 'merge');
    await until(async () => {
      await finishDeletes();
      for (const n of await podNames()) {
        const p = await c.get<KubeObject>(`${PODS}/${n}`);
        if (p.status?.phase !== 'Running') await makeReady(n).catch(() => undefined);
      }
      return (await podNames()).join() === 'web-0';
    }, 'scaled down to web-0');
    await until(async () => {
      const msgs = new Set((await c.list<KubeObject>('/api/v1/namespaces/default/events')).items.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message));
      return msgs.has('delete Pod web-1 in StatefulSet web successful') && msgs.has('delete Pod web-2 in StatefulSet web successful');
    }, 'SuccessfulDelete events');
    const claims = (await c.list<KubeObject>('/api/v1/namespaces/default/persistentvolumeclaims')).items.map((x) => x.metadata.name).sort();
    assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2']);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
