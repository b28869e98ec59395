import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { countHealthyPods, disruptedPodMap, expectedPodCount, nextStatus, scaledValue, failSafeStatus } from '../../src/controllers/disruption/budget.js';

const pod = (name: string, ready = true, o: { deleting?: boolean } = {}): KubeObject =>
  ({ metadata: { name, namespace: 'ns', deletionTimestamp: o.deleting ? '2026-01-01T00:00:00Z' : undefined }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }) as KubeObject;
const pdb = (spec: object, status?: object, generation = 1): KubeObject => ({ metadata: { name: 'b', namespace: 'ns', generation }, spec, status }) as KubeObject;

test('percentages round up, integers are taken as they are', () => {
  assert.equal(scaledValue('50%', 5, true), 3);
  assert.equal(scaledValue('10%', 5, true), 1);
  assert.equal(scaledValue('0%', 5, true), 0);
  assert.equal(scaledValue(2, 5, true), 2);
  assert.throws(() => scaledValue('5', 5, true), /string is not a percentage/);
});

test('expected pods and desired healthy for minAvailable / maxUnavailable', async () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  const scale = async () => ({ scale: 4, unmanaged: [] });
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: 2 }), pods, scale), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: '50%' }), pods, scale), { expectedCount: 4, desiredHealthy: 2, unmanagedPods: [] });
  assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: 1 }), pods, scale), { expectedCount: 4, desiredHealthy: 3, unmanagedPods: [] });
  assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: '30%' }), pods, scale), { expectedCount: 4, desiredHealthy: 2, unmanagedPods: [] });
  assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: 9 }), pods, scale), { expectedCount: 4, desiredHealthy: 0, unmanagedPods: [] });
});

test('healthy pods exclude unready, deleting and recently evicted ones; old evictions expire', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const pods = [pod('a'), pod('b'), pod('c', false), pod('d', true, { deleting: true }), pod('e')];
  const b = pdb({ minAvailable: 1 }, { disruptedPods: { b: '2026-01-01T00:09:30Z', e: '2026-01-01T00:05:00Z' } });
  const m = disruptedPodMap(pods, b, now);
  assert.deepEqual(m.disrupted, { b: '2026-01-01T00:09:30Z' });
  assert.deepEqual(m.expired, ['e']);
  assert.equal(m.recheckAt, Date.parse('2026-01-01T00:11:30Z'));
  assert.equal(countHealthyPods(pods, m.disrupted), 2);
});

test('status: disruptionsAllowed, condition reasons, no write when up to date', () => {
  const t = Date.parse('2026-01-01T00:00:00Z');
  const s = nextStatus(pdb({ minAvailable: 2 }), 3, 2, 3, {}, t)!;
  assert.deepEqual(s, {
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
    disruptionsAllowed: 1,
    observedGeneration: 1,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' }],
  });
  assert.equal(nextStatus(pdb({ minAvailable: 2 }, s), 3, 2, 3, {}, t + 5000), undefined);
  const s2 = nextStatus(pdb({ minAvailable: 2 }, s), 2, 2, 3, {}, t + 5000)!;
  assert.equal(s2.disruptionsAllowed, 0);
  assert.deepEqual(s2.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:05Z' }]);
  // no expected pods: nothing may be disrupted
  assert.equal(nextStatus(pdb({ maxUnavailable: 1 }), 0, 0, 0, {}, t)!.disruptionsAllowed, 0);
  const f = failSafeStatus(pdb({ maxUnavailable: 1 }, s), 'found no controllers for pod "x"', t);
  assert.equal(f.disruptionsAllowed, 0);
  assert.equal(f.conditions![0].reason, 'SyncFailed');
  assert.equal(f.conditions![0].message, 'found no controllers for pod "x"');
});

test('in a server: a budget follows readiness, generation and the scale of its controllers', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-pdb-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const until = async (f: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await f()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`not reached: ${what}: ${JSON.stringify(await st())}`);
  };
  const B = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
  const st = async () => (await c.get<KubeObject>(`${B}/b`)).status;
  try {
    // an unmanaged set of pods (no controller): integer minAvailable needs no scale
    for (const n of ['p1', 'p2', 'p3']) await c.create('/api/v1/namespaces/default/pods', { metadata: { name: n, labels: { app: 'w' } }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'x' }] } });
    await c.create(B, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'w' } } } });
    await until(async () => (await st())?.expectedPods === 3 && (await st()).observedGeneration === 1, 'expectedPods 3');
    assert.equal((await st()).currentHealthy, 0);
    assert.equal((await st()).disruptionsAllowed, 0);
    assert.equal((await st()).conditions[0].reason, 'InsufficientPods');
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    for (const n of ['p1', 'p2', 'p3']) {
      const p = await c.get<KubeObject>(`/api/v1/namespaces/default/pods/${n}`);
      await c.update(`/api/v1/namespaces/default/pods/${n}/status`, { ...p, status: { ...p.status, ...ready } });
    }
    await until(async () => (await st()).currentHealthy === 3 && (await st()).disruptionsAllowed === 1, 'allowed 1');
    assert.deepEqual({ ...(await st()).conditions[0], lastTransitionTime: 'x' }, { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: 'x' });
    // a percentage needs the controllers' scale: unmanaged pods count for nothing, with a warning
    await c.patch(`${B}/b`, { spec: { minAvailable: '50%' } }, 'merge');
    await until(async () => (await st()).observedGeneration === 2, 'generation 2');
    assert.equal((await st()).expectedPods, 0);
    assert.equal((await st()).disruptionsAllowed, 0);
    assert.equal((await st()).conditions[0].reason, 'InsufficientPods');
    const ev = (await c.list<any>('/api/v1/namespaces/default/events')).items.filter((e) => e.involvedObject.kind === 'PodDisruptionBudget').map((e) => `${e.type} ${e.reason} ${e.source.component}: ${e.message}`);
    assert.ok(
      ev.includes('Warning UnmanagedPods controllermanager: Pods selected by this PodDisruptionBudget (selector: app=w) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.'),
      ev.join('\n'),
    );
    // a ReplicaSet's scale: 50% of 4 replicas
    const rs = await c.create<KubeObject>('/apis/apps/v1/namespaces/default/replicasets', { metadata: { name: 'rs' }, spec: { replicas: 4, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    await until(async () => (await st()).expectedPods === 4, 'expectedPods from the ReplicaSet scale');
    assert.equal((await st()).desiredHealthy, 2);
    assert.ok(rs.metadata.uid);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
