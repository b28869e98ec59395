// ReplicaSets and ReplicationControllers through kubectl on simulated nodes: creates, replacement
// of deleted pods, scale, adoption of orphans, release of relabelled pods, events and columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const live = async (c: Cluster, sel: string) => JSON.parse(await c.k(`get pods -l ${sel} -o json`)).items.filter((p: any) => !p.metadata.deletionTimestamp);

test('replica sets and replication controllers through kubectl', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    // an orphan pod with matching labels exists first: it is adopted, only two pods are created
    assert.equal(await c.k('run stray --image=nginx --labels=app=front,tier=web'), 'pod/stray created\n');
    await c.k(['apply', '-f', '-'], `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: front\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: front}\n  template:\n    metadata:\n      labels: {app: front, tier: web}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n`);
    const uid = JSON.parse(await c.k('get rs front -o json')).metadata.uid;
    await eventually(async () => assert.match(await c.k('get rs front --no-headers'), /^front\s+3\s+3\s+3\s+\d+s\n$/), { timeoutMs: 20_000 });
    const pods = await live(c, 'app=front');
    assert.equal(pods.length, 3);
    const stray = pods.find((p: any) => p.metadata.name === 'stray');
    assert.deepEqual(stray.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'front', uid, controller: true, blockOwnerDeletion: true }]);
    for (const p of pods) if (p.metadata.name !== 'stray') assert.match(p.metadata.name, /^front-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const st = JSON.parse(await c.k('get rs front -o json')).status;
    assert.deepEqual(st, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const wide = (await c.k('get rs front -o wide')).split('\n');
    assert.deepEqual(wide[0].split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.match(wide[1], /^front\s+3\s+3\s+3\s+\d+s\s+c\s+nginx:1\.25\s+app=front$/);

    // a deleted pod is replaced
    const victim = pods.find((p: any) => p.metadata.name !== 'stray').metadata.name;
    await c.k(`delete pod ${victim} --wait=false`);
    await eventually(async () => {
      const now = await live(c, 'app=front');
      assert.equal(now.length, 3);
      assert.ok(!now.some((p: any) => p.metadata.name === victim));
    }, { timeoutMs: 20_000 });

    // a relabelled pod is released (keeps running, no owner) and replaced
    await c.k('label pod stray app=gone --overwrite');
    await eventually(async () => {
      const p = JSON.parse(await c.k('get pod stray -o json'));
      assert.equal(p.metadata.ownerReferences, undefined);
      assert.equal((await live(c, 'app=front')).length, 3);
    }, { timeoutMs: 20_000 });

    // scale down: events name the created and deleted pods
    assert.equal(await c.k('scale rs front --replicas=1'), 'replicaset.apps/front scaled\n');
    await eventually(async () => assert.equal((await live(c, 'app=front')).length, 1), { timeoutMs: 20_000 });
    await eventually(async () => {
      const desc = await c.k('describe rs front');
      assert.match(desc, /Replicas:\s+1 current \/ 1 desired/);
      assert.match(desc, /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: front-\w{5}/);
      assert.match(desc, /Normal\s+SuccessfulDelete\s+\S+\s+replicaset-controller\s+Deleted pod: front-\w{5}/);
    });

    // ReplicationController: v1 shapes (map selector defaulted from the template)
    await c.k(['apply', '-f', '-'], `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: legacy\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: legacy}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n`);
    await eventually(async () => assert.match(await c.k('get rc legacy --no-headers'), /^legacy\s+2\s+2\s+2\s+\d+s\n$/), { timeoutMs: 20_000 });
    const rc = JSON.parse(await c.k('get rc legacy -o json'));
    assert.deepEqual(rc.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    const rcPods = await live(c, 'app=legacy');
    assert.equal(rcPods[0].metadata.ownerReferences[0].kind, 'ReplicationController');
    assert.match(rcPods[0].metadata.name, /^legacy-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const header = (await c.k('get rc -o wide')).split('\n')[0];
    assert.deepEqual(header.split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.equal(await c.k('scale rc legacy --replicas=3'), 'replicationcontroller/legacy scaled\n');
    await eventually(async () => assert.match(await c.k('get rc legacy --no-headers'), /^legacy\s+3\s+3\s+3\s/), { timeoutMs: 20_000 });
    const ev = JSON.parse(await c.k('get events --field-selector involvedObject.kind=ReplicationController -o json')).items;
    assert.ok(ev.some((e: any) => e.reason === 'SuccessfulCreate' && e.source.component === 'replication-controller'));
    assert.equal(await c.k('delete rc legacy'), 'replicationcontroller "legacy" deleted\n');
    await eventually(async () => assert.equal((await live(c, 'app=legacy')).length, 0), { timeoutMs: 20_000 });
  } finally {
    await c.stop();
    c.cleanup();
  }
});
