import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { compareForDeletion, podsToDelete } from '../../src/controllers/replicaset/ranking.js';
import { calculateReplicaSetStatus, slowStartBatch } from '../../src/controllers/replicaset/replicaset.js';

const NOW = Date.parse('2024-01-01T01:00:00Z');
const pod = (name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; created?: string; restarts?: number; cost?: string; uid?: string } = {}): KubeObject => ({
  metadata: { name, uid: o.uid ?? name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined },
  spec: { nodeName: o.node, containers: [{ name: 'c' }] },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
    containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
  },
});

test('victims: unassigned, then Pending < Unknown < Running, then not ready, then lower deletion cost', () => {
  const order = (pods: KubeObject[]) => podsToDelete(pods, pods, pods.length - 1, NOW).map((p) => p.metadata.name);
  assert.deepEqual(order([pod('assigned', { node: 'n1' }), pod('unassigned', { phase: 'Pending', ready: false }), pod('x', { node: 'n2' })]).slice(0, 1), ['unassigned']);
  assert.deepEqual(podsToDelete([pod('running', { node: 'a' }), pod('unknown', { node: 'b', phase: 'Unknown' }), pod('pending', { node: 'c', phase: 'Pending' })], [], 3, NOW).map((p) => p.metadata.name), ['running', 'unknown', 'pending']);
  const ranked = [pod('running', { node: 'a' }), pod('unknown', { node: 'b', phase: 'Unknown' }), pod('pending', { node: 'c', phase: 'Pending' })].sort((x, y) => compareForDeletion(x, y, 0, 0, NOW));
  assert.deepEqual(ranked.map((p) => p.metadata.name), ['pending', 'unknown', 'running']);
  assert.deepEqual(podsToDelete([pod('ready', { node: 'a' }), pod('notready', { node: 'a', ready: false })], [], 1, NOW).map((p) => p.metadata.name), ['notready']);
  assert.deepEqual(podsToDelete([pod('expensive', { node: 'a', cost: '100' }), pod('cheap', { node: 'b', cost: '-5' })], [], 1, NOW).map((p) => p.metadata.name), ['cheap']);
});

test('victims: doubled-up nodes first, then recently ready, more restarts, newer pods', () => {
  const a = pod('alone', { node: 'n1' });
  const b = pod('crowded', { node: 'n2' });
  const related = [a, b, pod('sibling', { node: 'n2' })];
  assert.deepEqual(podsToDelete([a, b], related, 1, NOW).map((p) => p.metadata.name), ['crowded']);
  // ready for 10 s (log2 rank lower) goes before ready for 50 minutes
  assert.deepEqual(podsToDelete([pod('old', { node: 'a', readySince: '2024-01-01T00:10:00Z' }), pod('recent', { node: 'b', readySince: '2024-01-01T00:59:50Z' })], [], 1, NOW).map((p) => p.metadata.name), ['recent']);
  assert.deepEqual(podsToDelete([pod('stable', { node: 'a' }), pod('crashy', { node: 'b', restarts: 4 })], [], 1, NOW).map((p) => p.metadata.name), ['crashy']);
  assert.deepEqual(podsToDelete([pod('older', { node: 'a', created: '2024-01-01T00:00:00Z' }), pod('newer', { node: 'b', created: '2024-01-01T00:59:00Z' })], [], 1, NOW).map((p) => p.metadata.name), ['newer']);
  // same log2 bucket: ties break on UID
  assert.deepEqual(podsToDelete([pod('p1', { node: 'a', created: '2024-01-01T00:30:00Z', uid: 'b' }), pod('p2', { node: 'b', created: '2024-01-01T00:30:01Z', uid: 'a' })], [], 1, NOW).map((p) => p.metadata.name), ['p2']);
});

test('slow start creates in batches of 1, 2, 4, … and stops after the first failing batch', async () => {
  const batches: number[] = [];
  let inBatch = 0;
  let calls = 0;
  const r = await slowStartBatch(10, 1, async () => {
    calls++;
    inBatch++;
    await new Promise((res) => setImmediate(res));
    if (inBatch) batches.push(inBatch);
    inBatch = 0;
  });
  assert.equal(r.successes, 10);
  assert.equal(calls, 10);
  let n = 0;
  const f = await slowStartBatch(10, 1, async () => {
    n++;
    if (n === 3) throw new Error('quota');
  });
  assert.equal(n, 3, 'batches 1 and 2 only');
  assert.equal(f.successes, 2);
  assert.equal((f.error as Error).message, 'quota');
});

test('ReplicaSet status counts fully labeled, ready and available pods and keeps ReplicaFailure until creates succeed', () => {
  const rs: KubeObject = { metadata: { name: 'r', generation: 2 }, spec: { replicas: 3, minReadySeconds: 30, template: { metadata: { labels: { app: 'a', tier: 't' } } } } };
  const p1 = { ...pod('a', { readySince: '2024-01-01T00:00:00Z' }), metadata: { name: 'a', labels: { app: 'a', tier: 't' } } };
  const p2 = { ...pod('b', { readySince: '2024-01-01T00:59:50Z' }), metadata: { name: 'b', labels: { app: 'a' } } };
  const s = calculateReplicaSetStatus(rs, [p1, p2], new Error('pods "r-x" is forbidden: exceeded quota'), NOW);
  assert.deepEqual({ ...s, conditions: undefined }, { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2, conditions: undefined });
  assert.deepEqual(s.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]), [['ReplicaFailure', 'True', 'FailedCreate', 'pods "r-x" is forbidden: exceeded quota']]);
  const cleared = calculateReplicaSetStatus({ ...rs, status: s }, [p1, p2], undefined, NOW);
  assert.equal(cleared.conditions, undefined);
  assert.deepEqual(calculateReplicaSetStatus({ metadata: { name: 'z' }, spec: { replicas: 0 } }, [], undefined), { replicas: 0 });
});

test('the ReplicaSet controller in a server: creates, adopts, releases, scales down the right pods', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-rs-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`timed out: ${what}`);
  };
  const PODS = '/api/v1/namespaces/default/pods';
  const RSS = '/apis/apps/v1/namespaces/default/replicasets';
  const podsOf = async (uid: string) => (await c.list<KubeObject>(PODS)).items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) && !p.metadata.deletionTimestamp);
  const makeReady = async (p: KubeObject, node = 'n1') => {
    await c.patch(`${PODS}/${p.metadata.name}`, { spec: { nodeName: node } }, 'merge').catch(() => undefined);
    await c.patch(`${PODS}/${p.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }] } }, 'merge');
  };
  try {
    // an orphan that matches is adopted rather than duplicated
    await c.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rs = await c.create<KubeObject>(RSS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
    const pods = await until(async () => {
      const p = await podsOf(rs.metadata.uid!);
      return p.length === 3 && p;
    }, 'three pods');
    assert.ok(pods.some((p) => p.metadata.name === 'orphan'), 'orphan adopted');
    const created = pods.filter((p) => p.metadata.name !== 'orphan');
    for (const p of created) {
      assert.match(p.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await until(async () => (await (await c.list<KubeObject>('/api/v1/namespaces/default/events')).items.filter((e) => e.reason === 'SuccessfulCreate' && e.message === `Created pod: ${created[0].metadata.name}`)).length === 1, 'SuccessfulCreate event');
    // status from ready pods
    for (const p of created) await makeReady(p);
    await until(async () => {
      const r = await c.get<KubeObject>(`${RSS}/web`);
      return r.status?.readyReplicas === 2 && r.status?.availableReplicas === 2 && r.status?.replicas === 3 && r.status?.fullyLabeledReplicas === 3 && r.status?.observedGeneration === 1;
    }, 'status counts');
    // scale to 2: the not-ready, unassigned orphan goes first
    await c.patch(`${RSS}/web`, { spec: { replicas: 2 } }, 'merge');
    await until(async () => !(await c.getOrNull(`${PODS}/orphan`)) || !!(await c.get<KubeObject>(`${PODS}/orphan`)).metadata.deletionTimestamp, 'orphan deleted');
    assert.equal((await podsOf(rs.metadata.uid!)).length, 2);
    // a pod whose labels stop matching is released and replaced
    const victim = created[0].metadata.name!;
    await c.patch(`${PODS}/${victim}`, { metadata: { labels: { app: 'other' } } }, 'merge');
    await until(async () => !(await c.get<KubeObject>(`${PODS}/${victim}`)).metadata.ownerReferences?.length, 'released');
    await until(async () => (await podsOf(rs.metadata.uid!)).length === 2 && !(await podsOf(rs.metadata.uid!)).some((p) => p.metadata.name === victim), 'replacement');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
