// Persistent storage and quota through kubectl: static PVs and claims bind (smallest fit),
// Released volumes are not bound again, the default local-path class provisions a volume for a
// WaitForFirstConsumer claim once its pod is scheduled on a simulated node, and quota usage shows
// in `kubectl get/describe quota`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

/** Rows of a kubectl table keyed by header, cut at the header's column starts. */
function table(out: string): Record<string, string>[] {
  const lines = out.replace(/\n$/, '').split('\n');
  const header = lines[0];
  const starts: { name: string; at: number }[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) starts.push({ name: m[0], at: m.index });
  return lines.slice(1).map((l) => {
    const row: Record<string, string> = {};
    starts.forEach((s, i) => (row[s.name] = l.slice(s.at, i + 1 < starts.length ? starts[i + 1].at : undefined).trim()));
    return row;
  });
}
const withoutAge = (rows: Record<string, string>[]) =>
  rows.map((r) => {
    const { AGE, ...rest } = r;
    assert.match(AGE, /^\d+s$/);
    return rest;
  });

const pvYaml = (name: string, size: string, o: { modes?: string[]; cls?: string; policy?: string; labels?: Record<string, string> } = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: o.labels ?? {} },
    spec: { capacity: { storage: size }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? 'manual', persistentVolumeReclaimPolicy: o.policy ?? 'Retain', hostPath: { path: `/tmp/${name}` } },
  });
const pvcYaml = (name: string, size: string, o: { modes?: string[]; cls?: string; ns?: string; selector?: object } = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: o.ns ?? 'default' },
    spec: { accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? 'manual', resources: { requests: { storage: size } }, ...(o.selector ? { selector: o.selector } : {}) },
  });

const eventsOf = async (c: Cluster, name: string, ns = 'default') =>
  JSON.parse(await c.k(['get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).items.map((e: any) => `${e.type} ${e.reason} ${e.message}`) as string[];

test('static binding, Released volumes, local-path provisioning on simulated nodes, quota usage', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '2'] });
  try {
    for (const [n, s, o] of [
      ['pv-small', '1Gi', {}],
      ['pv-big', '5Gi', {}],
      ['pv-rwx', '2Gi', { modes: ['ReadWriteMany'] }],
      ['pv-fast', '1Gi', { labels: { speed: 'fast' } }],
    ] as [string, string, { modes?: string[]; labels?: Record<string, string> }][]) assert.equal(await c.k(['apply', '-f', '-'], pvYaml(n, s, o)), `persistentvolume/${n} created\n`);
    await eventually(async () => assert.equal((await c.k(['get', 'pv', 'pv-small', '-o', 'jsonpath={.status.phase}'])), 'Available'));

    // the smallest fitting volume wins; selectors pick labelled volumes
    await c.k(['apply', '-f', '-'], pvcYaml('claim-a', '500Mi'));
    await c.k(['apply', '-f', '-'], pvcYaml('claim-b', '2Gi'));
    await c.k(['apply', '-f', '-'], pvcYaml('claim-f', '1Gi', { selector: { matchLabels: { speed: 'fast' } } }));
    await eventually(async () => {
      const rows = withoutAge(table(await c.k('get pvc')));
      assert.deepEqual(rows, [
        { NAME: 'claim-a', STATUS: 'Bound', VOLUME: 'pv-small', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>' },
        { NAME: 'claim-b', STATUS: 'Bound', VOLUME: 'pv-big', CAPACITY: '5Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>' },
        { NAME: 'claim-f', STATUS: 'Bound', VOLUME: 'pv-fast', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>' },
      ]);
    });
    await eventually(async () => {
      const rows = withoutAge(table(await c.k('get pv')));
      assert.deepEqual(rows, [
        { NAME: 'pv-big', CAPACITY: '5Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Retain', STATUS: 'Bound', CLAIM: 'default/claim-b', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '' },
        { NAME: 'pv-fast', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Retain', STATUS: 'Bound', CLAIM: 'default/claim-f', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '' },
        { NAME: 'pv-rwx', CAPACITY: '2Gi', 'ACCESS MODES': 'RWX', 'RECLAIM POLICY': 'Retain', STATUS: 'Available', CLAIM: '', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '' },
        { NAME: 'pv-small', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Retain', STATUS: 'Bound', CLAIM: 'default/claim-a', STORAGECLASS: 'manual', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '' },
      ]);
    });
    const pvc = JSON.parse(await c.k('get pvc claim-a -o json'));
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);

    // Released (Retain) volumes are not bound again
    assert.equal(await c.k('delete pvc claim-a'), 'persistentvolumeclaim "claim-a" deleted\n');
    await eventually(async () => assert.equal(await c.k(['get', 'pv', 'pv-small', '-o', 'jsonpath={.status.phase}']), 'Released'));
    await c.k(['apply', '-f', '-'], pvcYaml('claim-c', '1Gi'));
    // no StorageClass object named "manual": the controller says so
    await eventually(async () => assert.ok((await eventsOf(c, 'claim-c')).includes('Warning ProvisioningFailed storageclass.storage.k8s.io "manual" not found')));
    assert.equal(await c.k(['get', 'pvc', 'claim-c', '-o', 'jsonpath={.status.phase}']), 'Pending');
    assert.equal(await c.k(['get', 'pv', 'pv-small', '-o', 'jsonpath={.status.phase} {.spec.claimRef.name}']), 'Released claim-a');
    // no class and nothing to bind
    await c.k(['apply', '-f', '-'], pvcYaml('claim-none', '50Gi', { cls: '' }));
    await eventually(async () => assert.ok((await eventsOf(c, 'claim-none')).includes('Normal FailedBinding no persistent volumes available for this claim and no storage class is set')));

    // the default class
    const sc = table(await c.k('get storageclass'));
    assert.deepEqual(
      sc.map(({ AGE, ...r }) => r),
      [{ NAME: 'local-path (default)', PROVISIONER: 'rancher.io/local-path', RECLAIMPOLICY: 'Delete', VOLUMEBINDINGMODE: 'WaitForFirstConsumer', ALLOWVOLUMEEXPANSION: 'false' }],
    );

    // WaitForFirstConsumer: pending until a pod using the claim is scheduled, then provisioned on its node
    await c.k(['apply', '-f', '-'], pvcYaml('data', '2Gi', { cls: 'local-path' }));
    await eventually(async () => assert.ok((await eventsOf(c, 'data')).includes('Normal WaitForFirstConsumer waiting for first consumer to be created before binding')));
    assert.equal(await c.k(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}']), 'Pending');
    await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db' }, spec: { containers: [{ name: 'db', image: 'postgres:16' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } }));
    const uid = JSON.parse(await c.k('get pvc data -o json')).metadata.uid;
    await eventually(
      async () => {
        const [row] = withoutAge(table(await c.k('get pvc data')));
        assert.deepEqual(row, { NAME: 'data', STATUS: 'Bound', VOLUME: `pvc-${uid}`, CAPACITY: '2Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'local-path', VOLUMEATTRIBUTESCLASS: '<unset>' });
      },
      { timeoutMs: 30_000 },
    );
    const node = JSON.parse(await c.k('get pvc data -o json')).metadata.annotations['volume.kubernetes.io/selected-node'];
    assert.match(node, /^sim-node-\d$/);
    const pv = JSON.parse(await c.k(['get', 'pv', `pvc-${uid}`, '-o', 'json']));
    assert.equal(pv.spec.hostPath.path, `/var/lib/sampan/storage/pvc-${uid}`);
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [node]);
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    const [pvRow] = withoutAge(table(await c.k(['get', 'pv', `pvc-${uid}`])));
    assert.deepEqual(pvRow, { NAME: `pvc-${uid}`, CAPACITY: '2Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Delete', STATUS: 'Bound', CLAIM: 'default/data', STORAGECLASS: 'local-path', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '' });
    const ev = await eventsOf(c, 'data');
    assert.ok(ev.includes(`Normal ProvisioningSucceeded Successfully provisioned volume pvc-${uid}`), ev.join('\n'));
    assert.ok(ev.includes('Normal Provisioning External provisioner is provisioning volume for claim "default/data"'), ev.join('\n'));
    await eventually(async () => assert.equal(await c.k(['get', 'pod', 'db', '-o', 'jsonpath={.status.phase} {.spec.nodeName}']), `Running ${node}`));

    // pvc-protection keeps the claim while the pod uses it; reclaim Delete removes the volume after
    await c.k('delete pvc data --wait=false');
    assert.match(await c.k('get pvc data --no-headers'), /^data\s+Terminating\s/);
    await c.k('delete pod db --grace-period=0 --force');
    await eventually(async () => assert.match((await c.kubectl(['get', 'pv', `pvc-${uid}`])).stderr, /NotFound/), { timeoutMs: 20_000 });

    // quota usage
    await c.k(['create', 'namespace', 'q']);
    await c.k(['create', 'quota', 'compute', '-n', 'q', '--hard=pods=10,requests.cpu=1,requests.memory=1Gi,limits.memory=2Gi,persistentvolumeclaims=3,services.nodeports=4']);
    await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'q' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '500m', memory: '128Mi' }, limits: { memory: '256Mi' } } }] } }));
    await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'np', namespace: 'q' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } }));
    await c.k(['apply', '-f', '-'], pvcYaml('qc', '1Gi', { ns: 'q' }));
    const expected = ['limits.memory           256Mi  2Gi', 'persistentvolumeclaims  1      3', 'pods                    1      10', 'requests.cpu            500m   1', 'requests.memory         128Mi  1Gi', 'services.nodeports      2      4'];
    await eventually(async () => {
      const out = await c.k('describe quota compute -n q');
      assert.equal(out, ['Name:                   compute', 'Namespace:              q', 'Resource                Used   Hard', '--------                ----   ----', ...expected, ''].join('\n'));
    });
    const [q] = table(await c.k('get quota -n q'));
    assert.equal(q.REQUEST, 'persistentvolumeclaims: 1/3, pods: 1/10, requests.cpu: 500m/1, requests.memory: 128Mi/1Gi, services.nodeports: 2/4');
    assert.equal(q.LIMIT, 'limits.memory: 256Mi/2Gi');
    await c.k('delete pod p -n q --grace-period=0 --force');
    await eventually(async () => assert.match(await c.k('describe quota compute -n q'), /\npods\s+0\s+10\n/));
    assert.match(await c.k('describe quota compute -n q'), /\nrequests\.cpu\s+0\s+1\n/);
  } finally {
    await c.stop();
    c.cleanup();
  }
});
