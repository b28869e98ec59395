// The scheduler through kubectl on a server with three simulated nodes: placement,
// nodeSelector, taints and tolerations, the FailedScheduling event in `kubectl describe`,
// anti-affinity spreading, cordon/uncordon and preemption by a high-priority pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const podJson = (name: string, o: { cpu?: string; nodeSelector?: Record<string, string>; tolerations?: unknown[]; priorityClassName?: string; labels?: Record<string, string>; grace?: number } = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: o.labels ?? { app: name } },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.36', ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}) }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
      terminationGracePeriodSeconds: o.grace ?? 0,
    },
  });

const nodeOf = async (c: Cluster, pod: string) => (await c.k(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}'])).trim();
const failedScheduling = (describe: string) => /Warning\s+FailedScheduling\s+.*default-scheduler\s+(.*)$/m.exec(describe)?.[1];

test('scheduling through kubectl: selectors, taints, FailedScheduling, anti-affinity, cordon, preemption', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await eventually(
      async () => {
        const nodes = JSON.parse(await c.k('get nodes -o json')).items;
        assert.equal(nodes.length, 3);
        for (const n of nodes) {
          assert.equal(n.status.conditions.find((x: any) => x.type === 'Ready')?.status, 'True');
          assert.deepEqual((n.spec.taints ?? []).filter((t: any) => t.key.startsWith('node.kubernetes.io/')), []);
        }
      },
      { timeoutMs: 30_000 },
    );
    await c.k('label node sim-node-0 disk=ssd');
    await c.k('taint nodes sim-node-2 dedicated=x:NoSchedule');

    // a plain pod lands on an untainted node and gets the Scheduled event
    await c.k('apply -f -', podJson('plain'));
    const plainNode = await eventually(async () => {
      const n = await nodeOf(c, 'plain');
      assert.ok(n === 'sim-node-0' || n === 'sim-node-1', `plain on ${n}`);
      return n;
    });
    await eventually(async () => assert.match(await c.k('describe pod plain'), new RegExp(`Normal\\s+Scheduled\\s+.*default-scheduler\\s+Successfully assigned default/plain to ${plainNode}$`, 'm')));

    // nodeSelector
    await c.k('apply -f -', podJson('ssd', { nodeSelector: { disk: 'ssd' } }));
    await eventually(async () => assert.equal(await nodeOf(c, 'ssd'), 'sim-node-0'));

    // a toleration lets a pod onto the tainted node; without it the same selector leaves it Pending
    const onTainted = { 'kubernetes.io/hostname': 'sim-node-2' };
    await c.k('apply -f -', podJson('tolerant', { nodeSelector: onTainted, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] }));
    await eventually(async () => assert.equal(await nodeOf(c, 'tolerant'), 'sim-node-2'));
    await c.k('apply -f -', podJson('intolerant', { nodeSelector: onTainted }));
    await eventually(async () =>
      assert.equal(
        failedScheduling(await c.k('describe pod intolerant')),
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      ),
    );

    // too big for any node: the message of the issue
    await c.k('apply -f -', podJson('huge', { cpu: '100' }));
    const huge = await eventually(async () => {
      const d = await c.k('describe pod huge');
      assert.equal(failedScheduling(d), '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
      return d;
    });
    assert.match(huge, /^Status:\s+Pending$/m);
    assert.match(huge, /^\s+PodScheduled\s+False\s*$/m);
    const cond = JSON.parse(await c.k('get pod huge -o json')).status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.reason, 'Unschedulable');
    assert.match((await c.k('get pod huge')).split('\n')[1], /^huge\s+0\/1\s+Pending\s+0\s+\d+s$/);

    // required anti-affinity on the hostname: one replica per node, the fourth cannot fit
    await c.k(
      'apply -f -',
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'spread' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'spread' } },
          template: {
            metadata: { labels: { app: 'spread' } },
            spec: {
              tolerations: [{ key: 'dedicated', operator: 'Exists' }],
              affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }] } },
              containers: [{ name: 'main', image: 'busybox:1.36' }],
              terminationGracePeriodSeconds: 0,
            },
          },
        },
      }),
    );
    await eventually(
      async () => {
        const nodes = (await c.k(['get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])).trim().split('\n').sort();
        assert.deepEqual(nodes, ['sim-node-0', 'sim-node-1', 'sim-node-2']);
      },
      { timeoutMs: 20_000 },
    );
    await c.k('scale deployment spread --replicas 4');
    await eventually(
      async () => {
        const pods = JSON.parse(await c.k('get pods -l app=spread -o json')).items;
        const pending = pods.filter((p: any) => !p.spec.nodeName);
        assert.equal(pending.length, 1);
        assert.equal(
          failedScheduling(await c.k(['describe', 'pod', pending[0].metadata.name])),
          "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
        );
      },
      { timeoutMs: 20_000 },
    );
    await c.k('delete deployment spread');

    // cordon keeps new pods off; uncordon lets the waiting pod in
    assert.match(await c.k('cordon sim-node-1'), /node\/sim-node-1 cordoned/);
    await c.k('apply -f -', podJson('on-cordoned', { nodeSelector: { 'kubernetes.io/hostname': 'sim-node-1' } }));
    await eventually(async () =>
      assert.equal(
        failedScheduling(await c.k('describe pod on-cordoned')),
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: x}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      ),
    );
    assert.equal(await nodeOf(c, 'on-cordoned'), '');
    await c.k('uncordon sim-node-1');
    await eventually(async () => assert.equal(await nodeOf(c, 'on-cordoned'), 'sim-node-1'), { timeoutMs: 15_000 });

    // preemption: a high-priority pod evicts a low-priority one from a full node
    await c.k('delete pod huge intolerant --wait=false');
    await c.k('apply -f -', JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000000 }));
    const toNode1 = { 'kubernetes.io/hostname': 'sim-node-1' };
    await c.k('apply -f -', podJson('low', { cpu: '30', nodeSelector: toNode1 }));
    await eventually(async () => assert.equal(await nodeOf(c, 'low'), 'sim-node-1'));
    await c.k('apply -f -', podJson('vip', { cpu: '30', nodeSelector: toNode1, priorityClassName: 'high' }));
    await eventually(async () => assert.equal(await nodeOf(c, 'vip'), 'sim-node-1'), { timeoutMs: 20_000 });
    const vipUid = (await c.k(['get', 'pod', 'vip', '-o', 'jsonpath={.metadata.uid}'])).trim();
    assert.equal((await c.kubectl(['get', 'pod', 'low'])).code, 1, 'the victim is gone');
    const preempted = await c.k(['get', 'events', '--field-selector', 'reason=Preempted', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(preempted.trim(), `Preempted by pod ${vipUid} on node sim-node-1`);
    const vipEvents = await c.k(['get', 'events', '--field-selector', 'involvedObject.name=vip,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(vipEvents.trim(), "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: x}.");
  } finally {
    await c.stop();
    c.cleanup();
  }
});
