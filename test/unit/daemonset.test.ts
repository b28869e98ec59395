import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { addDaemonTolerations, nodeShouldRunDaemonPod, targetNodeName, withNodeNameAffinity } from '../../src/controllers/daemonset/placement.js';
import { isPodUpdated, scaledValue } from '../../src/controllers/daemonset/daemonset.js';

const node = (name: string, o: { labels?: Record<string, string>; taints?: any[] } = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } }, spec: o.taints ? { taints: o.taints } : {} });
const ds = (spec: any = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }], terminationGracePeriodSeconds: 0, ...spec } } },
});

test('daemonset placement: node selector, required affinity, taints and the daemon tolerations', () => {
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds()), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds({ nodeSelector: { disk: 'ssd' } })), [false, false]);
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { labels: { disk: 'ssd' } }), ds({ nodeSelector: { disk: 'ssd' } })), [true, true]);
  const aff = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } };
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z1' } }), ds({ affinity: aff })), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node('b'), ds({ affinity: aff })), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node('c'), ds({ affinity: aff })), [false, false]);
  // a NoSchedule taint keeps new pods off but lets a running one stay; NoExecute evicts it
  const noSched = node('a', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(noSched, ds()), [false, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] }), ds()), [false, false]);
  assert.deepEqual(nodeShouldRunDaemonPod(noSched, ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] })), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(noSched, ds({ tolerations: [{ operator: 'Exists' }] })), [true, true]);
  // cordoned, not-ready and pressured nodes are tolerated by every daemon pod; network-unavailable only with hostNetwork
  for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure']) {
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key, effect: 'NoSchedule' }] }), ds()), [true, true], key);
  }
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), ds()), [true, true]);
  const netDown = node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(netDown, ds()), [false, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(netDown, ds({ hostNetwork: true })), [true, true]);

  const spec: any = { hostNetwork: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }, { key: 'x', operator: 'Exists' }] };
  addDaemonTolerations(spec);
  assert.deepEqual(
    spec.tolerations.map((t: any) => `${t.key}:${t.effect ?? ''}`),
    ['node.kubernetes.io/unschedulable:NoSchedule', 'x:', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule'],
  );
  const a = withNodeNameAffinity(aff, 'node-7');
  assert.deepEqual(a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-7'] }] }] });
  assert.equal(targetNodeName({ metadata: {}, spec: { affinity: a } }), 'node-7');
  assert.equal(targetNodeName({ metadata: {}, spec: { nodeName: 'n1', affinity: a } }), 'n1');
  assert.equal(scaledValue('25%', 10, true), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(scaledValue(2, 10, true), 2);
  assert.ok(isPodUpdated({ metadata: { labels: { 'controller-revision-hash': 'h1' } } }, 'h1', undefined));
  assert.ok(isPodUpdated({ metadata: { labels: { 'pod-template-generation': '2' } } }, 'h1', '2'));
  assert.ok(!isPodUpdated({ metadata: { labels: { 'controller-revision-hash': 'h0', 'pod-template-generation': '1' } } }, 'h1', '2'));
});

test('daemonset controller: one pod per eligible node, history renumbered on rollback, pods of removed nodes go', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-ds-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['scheduler', 'nodelifecycle', 'taint-eviction-controller', 'podgc'] });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const PODS = '/api/v1/namespaces/default/pods';
  const DS = '/apis/apps/v1/namespaces/default/daemonsets';
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`not reached: ${what}`);
  };
  const live = async () => (await c.list<KubeObject>(PODS)).items.filter((p) => !p.metadata.deletionTimestamp);
  const targets = async () => (await live()).map((p) => targetNodeName(p)).sort();
  const finishDeletes = async () => {
    for (const p of (await c.list<KubeObject>(PODS)).items) if (p.metadata.deletionTimestamp) await c.delete(`${PODS}/${p.metadata.name}`, { gracePeriodSeconds: 0 }).catch(() => undefined);
  };
  const runAll = async () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const p of await live())
      if (p.status?.phase !== 'Running') {
        await c
          .update(`${PODS}/${p.metadata.name}/status`, { ...p, status: { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } })
          .catch(() => undefined);
      }
  };
  try {
    for (const n of ['n1', 'n2']) await c.create('/api/v1/nodes', node(n));
    await c.create('/api/v1/nodes', node('tainted', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }));
    await c.create(DS, ds());
    await until(async () => (await targets()).join() === 'n1,n2', 'pods for n1 and n2');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(await targets(), ['n1', 'n2'], 'no pod for the tainted node, no duplicates');
    const pod = (await live())[0];
    assert.equal(pod.metadata.generateName, 'agent-');
    assert.equal(pod.metadata.labels!['pod-template-generation'], '1');
    assert.ok(pod.metadata.labels!['controller-revision-hash']);
    assert.ok(pod.spec.tolerations.some((t: any) => t.key === 'node.kubernetes.io/unschedulable'));
    await runAll();
    const st = await until(async () => {
      const x = await c.get<KubeObject>(`${DS}/agent`);
      return x.status?.numberReady === 2 && x.status;
    }, 'status');
    assert.deepEqual(
      { d: st.desiredNumberScheduled, c: st.currentNumberScheduled, m: st.numberMisscheduled, u: st.updatedNumberScheduled, a: st.numberAvailable, g: st.observedGeneration },
      { d: 2, c: 2, m: 0, u: 2, a: 2, g: 1 },
    );

    // template change, then back: the first revision is renumbered 3
    const crs = async () => Object.fromEntries((await c.list<KubeObject>('/apis/apps/v1/namespaces/default/controllerrevisions')).items.map((r) => [r.metadata.name, r.revision]));
    const [rev1] = Object.keys(await crs());
    await c.patch(`${DS}/agent`, { spec: { template: { spec: { containers: [{ name: 'a', image: 'busybox:2' }] } } } }, 'strategic');
    await until(async () => Object.keys(await crs()).length === 2, 'second revision');
    // the rolling update replaces the pods one node at a time
    await until(async () => {
      await finishDeletes();
      await runAll();
      const x = await c.get<KubeObject>(`${DS}/agent`);
      return x.status?.updatedNumberScheduled === 2 && x.status?.numberAvailable === 2 && x.status.observedGeneration === 2;
    }, 'rolled out');
    const rev = await c.get<KubeObject>(`/apis/apps/v1/namespaces/default/controllerrevisions/${rev1}`);
    await c.patch(`${DS}/agent`, rev.data, 'strategic');
    await until(async () => (await crs())[rev1] === 3, 'revision 3');
    assert.deepEqual(Object.values(await crs()).sort(), [2, 3]);

    // a node that goes away takes its (unscheduled) pod with it; a new node gets one
    await c.delete('/api/v1/nodes/n2');
    await c.create('/api/v1/nodes', node('n3'));
    await until(async () => {
      await finishDeletes();
      return (await targets()).join() === 'n1,n3';
    }, 'pods follow the nodes');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
