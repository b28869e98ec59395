// kubectl cordon / drain / uncordon on simulated nodes with a PodDisruptionBudget that allows one
// disruption at a time: drain retries the evictions the budget refuses, the ReplicaSet replaces
// evicted pods on other nodes, DaemonSet pods are left alone with --ignore-daemonsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const podsOn = async (c: Cluster, sel: string) =>
  JSON.parse(await c.k(['get', 'pods', '-l', sel, '-o', 'json'])).items.map((p: any) => ({ name: p.metadata.name, node: p.spec.nodeName, ready: (p.status.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True'), deleting: !!p.metadata.deletionTimestamp }));

test('drain with a PodDisruptionBudget: evictions retried, pods rescheduled, cordon and uncordon', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await eventually(async () => assert.equal((await c.k('get nodes --no-headers')).trim().split('\n').filter((l) => /\sReady\s/.test(l)).length, 3));
    // everything starts on sim-node-0
    assert.equal(await c.k('cordon sim-node-1'), 'node/sim-node-1 cordoned\n');
    assert.equal(await c.k('cordon sim-node-2'), 'node/sim-node-2 cordoned\n');
    assert.match(await c.k('get node sim-node-1 --no-headers'), /^sim-node-1\s+Ready,SchedulingDisabled\s/);
    const node1 = JSON.parse(await c.k('get node sim-node-1 -o json'));
    assert.equal(node1.spec.unschedulable, true);
    assert.deepEqual(node1.spec.taints?.map((t: any) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unschedulable:NoSchedule']);

    await c.k(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: 'nginx:1.25' }], volumes: [{ name: 'scratch', emptyDir: {} }] } },
      },
    }));
    await c.k(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'a', image: 'busybox:1.36' }] } } },
    }));
    assert.equal(await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } })), 'poddisruptionbudget.policy/web created\n');
    await eventually(
      async () => {
        const pods = await podsOn(c, 'app=web');
        assert.equal(pods.length, 3);
        assert.ok(pods.every((p: any) => p.node === 'sim-node-0' && p.ready), JSON.stringify(pods));
      },
      { timeoutMs: 20_000 },
    );
    await eventually(async () => {
      const out = await c.k('get pdb web');
      assert.match(out, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\n/);
      assert.match(out, /\nweb\s+2\s+N\/A\s+1\s+\d+s\n$/);
    });
    const pdb = JSON.parse(await c.k('get pdb web -o json'));
    assert.deepEqual({ ...pdb.status, conditions: undefined }, { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3, observedGeneration: 1, conditions: undefined });
    assert.equal(pdb.status.conditions[0].reason, 'SufficientPods');

    await c.k('uncordon sim-node-1');
    await c.k('uncordon sim-node-2');
    await eventually(async () => assert.equal((await podsOn(c, 'app=agent')).filter((p: any) => p.ready).length, 3), { timeoutMs: 20_000 });

    // without --ignore-daemonsets drain refuses
    const refused = await c.kubectl(['drain', 'sim-node-0', '--delete-emptydir-data', '--timeout=10s']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): default\/agent-/);

    const r = await c.kubectl(['drain', 'sim-node-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
    const all = r.stdout + r.stderr;
    assert.equal(r.code, 0, all);
    assert.match(r.stdout, /^node\/sim-node-0 (already )?cordoned\n/);
    assert.match(all, /Warning: ignoring DaemonSet-managed Pods: default\/agent-\w+\n/);
    assert.match(all, /error when evicting pods\/"web-\w+-\w+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.\n/);
    for (const p of ['web']) assert.match(r.stdout, new RegExp(`pod/${p}-\\w+-\\w+ evicted\\n`));
    assert.match(r.stdout, /node\/sim-node-0 drained\n$/);

    // the ReplicaSet put them back elsewhere; the DaemonSet pod stays
    await eventually(
      async () => {
        const pods = (await podsOn(c, 'app=web')).filter((p: any) => !p.deleting);
        assert.equal(pods.length, 3);
        assert.ok(pods.every((p: any) => p.node !== 'sim-node-0' && p.ready), JSON.stringify(pods));
      },
      { timeoutMs: 20_000 },
    );
    assert.equal((await podsOn(c, 'app=agent')).filter((p: any) => p.node === 'sim-node-0').length, 1);
    assert.match(await c.k('get node sim-node-0 --no-headers'), /^sim-node-0\s+Ready,SchedulingDisabled\s/);

    assert.equal(await c.k('uncordon sim-node-0'), 'node/sim-node-0 uncordoned\n');
    assert.match(await c.k('get node sim-node-0 --no-headers'), /^sim-node-0\s+Ready\s/);
    assert.equal(JSON.parse(await c.k('get node sim-node-0 -o json')).spec.taints, undefined);
  } finally {
    await c.stop();
    c.cleanup();
  }
});
