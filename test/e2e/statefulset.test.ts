// StatefulSets through kubectl on simulated nodes: ordered creation, rollout status, partitioned
// rolling update, OnDelete, rollout history/undo, PVCs from volumeClaimTemplates that outlive a
// scale down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually } from './harness.js';

const sts = (name: string, o: { replicas?: number; policy?: string; claims?: boolean; image?: string } = {}) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}-svc
  replicas: ${o.replicas ?? 3}
  podManagementPolicy: ${o.policy ?? 'OrderedReady'}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: ${o.image ?? 'nginx:1.25'}
${
  o.claims
    ? `        volumeMounts:
        - {name: data, mountPath: /data}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
`
    : ''
}`;

test('StatefulSet: ordered creation, partitioned rolling update, OnDelete, history and undo', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await c.k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web-svc\nspec:\n  clusterIP: None\n  selector: {app: web}\n  ports:\n  - port: 80\n');
    assert.equal(await c.k(['apply', '-f', '-'], sts('web')), 'statefulset.apps/web created\n');
    // web-1 never exists before web-0 is Running and Ready
    const seen: string[] = [];
    await eventually(
      async () => {
        const pods = JSON.parse(await c.k('get pods -l app=web -o json')).items as any[];
        const ready = (n: string) => pods.some((p) => p.metadata.name === n && p.status.phase === 'Running' && p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
        const names = pods.map((p) => p.metadata.name).sort();
        seen.push(names.join(','));
        if (names.includes('web-1')) assert.ok(ready('web-0'), `web-1 exists while web-0 is not ready: ${names}`);
        if (names.includes('web-2')) assert.ok(ready('web-1'), `web-2 exists while web-1 is not ready: ${names}`);
        assert.deepEqual(names, ['web-0', 'web-1', 'web-2']);
        assert.ok(ready('web-2'));
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    assert.equal(await c.k('rollout status sts/web --timeout=20s'), 'partitioned roll out complete: 3 new pods have been updated...\n');
    assert.match(await c.k('get sts web'), /^NAME\s+READY\s+AGE\nweb\s+3\/3\s+\S+\n$/);
    const pod0 = JSON.parse(await c.k('get pod web-0 -o json'));
    assert.equal(pod0.spec.hostname, 'web-0');
    assert.equal(pod0.spec.subdomain, 'web-svc');
    assert.equal(pod0.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(pod0.metadata.labels['apps.kubernetes.io/pod-index'], '0');
    const rev1 = pod0.metadata.labels['controller-revision-hash'];
    assert.match(rev1, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const events = await c.k(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet', '-o', 'jsonpath={range.items[*]}{.reason}:{.message}{"\\n"}{end}']);
    for (const n of [0, 1, 2]) assert.ok(events.includes(`SuccessfulCreate:create Pod web-${n} in StatefulSet web successful`), events);

    // partitioned rolling update: only ordinals >= 2 move to the new revision
    await c.k(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    await c.k('set image sts/web nginx=nginx:1.26');
    const partitioned = await c.k('rollout status sts/web --timeout=30s');
    assert.ok(partitioned.endsWith('partitioned roll out complete: 1 new pods have been updated...\n'), partitioned);
    assert.match(partitioned, /^(Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated\.\.\.\n|Waiting for 1 pods to be ready\.\.\.\n)*partitioned/);
    const revs = async () => (await c.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.controller-revision-hash} {end}'])).trim();
    const st = JSON.parse(await c.k('get sts web -o json')).status;
    const rev2 = st.updateRevision;
    assert.notEqual(rev2, rev1);
    assert.equal(st.currentRevision, rev1);
    assert.equal(await revs(), `web-0=${rev1} web-1=${rev1} web-2=${rev2}`);
    // a pod below the partition that is deleted comes back at the old revision
    await c.k('delete pod web-0');
    await eventually(async () => assert.equal((await c.k('get sts web -o jsonpath={.status.readyReplicas}')), '3'), { timeoutMs: 20_000 });
    assert.equal(await revs(), `web-0=${rev1} web-1=${rev1} web-2=${rev2}`);
    await c.k(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    const out = await c.k('rollout status sts/web --timeout=40s');
    assert.ok(out.endsWith('partitioned roll out complete: 3 new pods have been updated...\n'), out);
    assert.equal(await revs(), `web-0=${rev2} web-1=${rev2} web-2=${rev2}`);
    await eventually(async () => assert.equal(JSON.parse(await c.k('get sts web -o json')).status.currentRevision, rev2));

    // history and undo: revision 1 comes back as revision 3
    await c.k('rollout undo sts/web --to-revision=1');
    await c.k('rollout status sts/web --timeout=40s');
    assert.equal(await c.k('rollout history sts/web'), 'statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
    assert.match(await c.k('get controllerrevisions'), new RegExp(`^NAME\\s+CONTROLLER\\s+REVISION\\s+AGE\\n(.*\\n)*${rev1}\\s+statefulset\\.apps/web\\s+3\\s+`));
    await eventually(async () => assert.equal(await revs(), `web-0=${rev1} web-1=${rev1} web-2=${rev1}`), { timeoutMs: 30_000 });

    // OnDelete: a template change touches no pod until one is deleted
    await c.k(['patch', 'sts', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/updateStrategy","value":{"type":"OnDelete"}}]']);
    await c.k('set image sts/web nginx=nginx:1.27');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await revs(), `web-0=${rev1} web-1=${rev1} web-2=${rev1}`);
    const onDel = await c.kubectl(['rollout', 'status', 'sts/web']);
    assert.equal(onDel.code, 1);
    assert.equal(onDel.stderr, 'error: rollout status is only available for RollingUpdate strategy type\n');
    await c.k('delete pod web-1');
    const rev4 = JSON.parse(await c.k('get sts web -o json')).status.updateRevision;
    await eventually(async () => assert.equal(await revs(), `web-0=${rev1} web-1=${rev4} web-2=${rev1}`), { timeoutMs: 20_000 });
  } finally {
    await c.stop();
    c.cleanup();
  }
});

test('StatefulSet: PVCs per pod named <template>-<set>-<ordinal>, kept on scale down', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await c.k(['apply', '-f', '-'], sts('db', { replicas: 3, policy: 'Parallel', claims: true }));
    await eventually(async () => assert.equal((await c.k('get pvc -o name')).trim(), 'persistentvolumeclaim/data-db-0\npersistentvolumeclaim/data-db-1\npersistentvolumeclaim/data-db-2'), { timeoutMs: 20_000 });
    assert.match(await c.k('get pvc data-db-1'), /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata-db-1\s+/);
    const pvc = JSON.parse(await c.k('get pvc data-db-1 -o json'));
    assert.equal(pvc.metadata.labels.app, 'db');
    assert.equal(pvc.metadata.ownerReferences, undefined, 'Retain/Retain: no owner');
    const pod = JSON.parse(await c.k('get pod db-1 -o json'));
    assert.deepEqual(pod.spec.volumes.find((v: any) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
    const events = await c.k(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet', '-o', 'jsonpath={range.items[*]}{.message}{"\\n"}{end}']);
    assert.ok(events.includes('create Claim data-db-0 Pod db-0 in StatefulSet db success'), events);
    assert.equal(await c.k('scale sts db --replicas=1'), 'statefulset.apps/db scaled\n');
    await eventually(async () => assert.equal((await c.k('get pods -l app=db -o name')).trim(), 'pod/db-0'), { timeoutMs: 20_000 });
    assert.equal((await c.k('get pvc -o name')).trim(), 'persistentvolumeclaim/data-db-0\npersistentvolumeclaim/data-db-1\npersistentvolumeclaim/data-db-2');
    // scaling up again reuses the same claims
    await c.k('scale sts db --replicas=2');
    await eventually(async () => assert.equal((await c.k('get pods -l app=db -o name')).trim(), 'pod/db-0\npod/db-1'), { timeoutMs: 20_000 });
    assert.equal(JSON.parse(await c.k('get pod db-1 -o json')).spec.volumes[0].persistentVolumeClaim.claimName, 'data-db-1');
    // whenScaled=Delete: a scaled-down pod's claim goes with it
    await c.k(['patch', 'sts', 'db', '-p', '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"}}}']);
    await c.k('scale sts db --replicas=1');
    await eventually(async () => assert.equal((await c.k('get pvc -o name')).trim(), 'persistentvolumeclaim/data-db-0\npersistentvolumeclaim/data-db-2'), { timeoutMs: 30_000 });
  } finally {
    await c.stop();
    c.cleanup();
  }
});
