import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentTimedOut,
  equalIgnoreHash,
  findActiveOrLatest,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  scaledValue,
  setCondition,
  setNewReplicaSetAnnotations,
} from '../../src/controllers/deployment/util.js';
import { templateHash } from '../../src/controllers/util.js';

const deploy = (replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: any = {}): KubeObject => ({
  metadata: { name: 'd', namespace: 'default', generation: 1, uid: 'u', ...(extra.metadata ?? {}) },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, progressDeadlineSeconds: 600, ...(extra.spec ?? {}) },
  status: extra.status ?? {},
});
let t = 0;
const rs = (name: string, replicas: number, o: { available?: number; annotations?: Record<string, string>; created?: string } = {}): KubeObject => ({
  metadata: { name, uid: name, creationTimestamp: o.created ?? `2024-01-01T00:00:${String(t++ % 60).padStart(2, '0')}Z`, annotations: o.annotations },
  spec: { replicas },
  status: { replicas, availableReplicas: o.available ?? 0, readyReplicas: o.available ?? 0 },
});

test('percentages: surge rounds up, unavailable rounds down, both zero gives unavailable 1', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('0%', '10%', 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  assert.equal(scaledValue('33%', 10, true), 4);
  assert.equal(scaledValue('33%', 10, false), 3);
  assert.throws(() => scaledValue('abc', 10, true), /not a percentage/);
  assert.equal(maxSurge(deploy(3)), 1);
  assert.equal(maxUnavailable(deploy(3)), 0);
  // maxUnavailable never exceeds replicas; zero replicas means zero; Recreate has no fenceposts
  assert.equal(maxUnavailable(deploy(2, 0, 5)), 2);
  assert.equal(maxUnavailable(deploy(0)), 0);
  assert.equal(maxSurge({ ...deploy(3), spec: { ...deploy(3).spec, strategy: { type: 'Recreate' } } }), 0);
});

test('the new ReplicaSet grows within replicas + maxSurge', () => {
  const d = deploy(10, 3, 2);
  const old = rs('old', 10, { available: 10 });
  const n = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [old, n], n), 3);
  const n2 = rs('new', 3);
  assert.equal(newRSNewReplicas(d, [old, n2], n2), 3, 'total already at 13');
  const old2 = rs('old', 5, { available: 5 });
  assert.equal(newRSNewReplicas(d, [old2, n2], n2), 8);
  const n3 = rs('new', 9);
  assert.equal(newRSNewReplicas(d, [rs('old', 0), n3], n3), 10, 'never above replicas');
  const recreate = { ...d, spec: { ...d.spec, strategy: { type: 'Recreate' } } };
  assert.equal(newRSNewReplicas(recreate, [old, n], n), 10);
});

test('proportional scaling during a rollout follows the documented example (10 → 15: +3 old, +2 new)', () => {
  const d = deploy(15, 3, 2);
  const annotations = { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' };
  const old = rs('old', 8, { available: 8, annotations, created: '2024-01-01T00:00:00Z' });
  const nw = rs('new', 5, { annotations, created: '2024-01-01T00:01:00Z' });
  const { sizes, operation } = proportionalSizes(d, [old, nw]);
  assert.equal(operation, 'up');
  assert.equal(sizes.get(old), 11);
  assert.equal(sizes.get(nw), 7);
  // scaling down to zero takes everything away
  const z = deploy(0, 3, 2);
  const down = proportionalSizes(z, [old, nw]);
  assert.equal(down.operation, 'down');
  assert.equal(down.sizes.get(old), 0);
  assert.equal(down.sizes.get(nw), 0);
  // leftovers go to the largest
  const d2 = deploy(4, 1, 0);
  const a = rs('a', 3, { annotations: { 'deployment.kubernetes.io/max-replicas': '4' }, created: '2024-01-01T00:00:00Z' });
  const b = rs('b', 1, { annotations: { 'deployment.kubernetes.io/max-replicas': '4' }, created: '2024-01-01T00:01:00Z' });
  const r = proportionalSizes(d2, [a, b]);
  assert.equal(r.sizes.get(a)! + r.sizes.get(b)!, 5);
});

test('active-or-latest: one active ReplicaSet takes the whole scale; none active picks the new one', () => {
  const n = rs('n', 0, { created: '2024-01-01T00:02:00Z' });
  const o1 = rs('o1', 0, { created: '2024-01-01T00:00:00Z' });
  const o2 = rs('o2', 3, { created: '2024-01-01T00:01:00Z' });
  assert.equal(findActiveOrLatest(n, [o1, o2])?.metadata.name, 'o2');
  assert.equal(findActiveOrLatest(n, [o1])?.metadata.name, 'n');
  assert.equal(findActiveOrLatest(undefined, [o1, { ...o2, spec: { replicas: 0 } }])?.metadata.name, 'o2');
  assert.equal(findActiveOrLatest({ ...n, spec: { replicas: 1 } }, [o2]), undefined);
});

test('template identity ignores pod-template-hash and nil-versus-empty differences; hashes change with the collision count', () => {
  const a = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', env: [] }] } };
  const b = { metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.ok(equalIgnoreHash(a, b));
  assert.ok(!equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'c', image: 'j' }] } }));
  const h = templateHash(a);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(templateHash(structuredClone(a)), h);
  assert.notEqual(templateHash(a, 1), h);
});

test('revision annotations: new ReplicaSets get desired/max replicas; a reused one keeps its old revision in revision-history', () => {
  const d = deploy(3, '25%', '25%', { metadata: { annotations: { 'kubernetes.io/change-cause': 'why', 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } });
  const fresh: Record<string, string> = {};
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 3, false));
  assert.deepEqual(fresh, { 'kubernetes.io/change-cause': 'why', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  const reused: Record<string, string> = { 'deployment.kubernetes.io/revision': '1', 'kubernetes.io/change-cause': 'why' };
  assert.ok(setNewReplicaSetAnnotations(d, reused, 4, true));
  assert.equal(reused['deployment.kubernetes.io/revision'], '4');
  assert.equal(reused['deployment.kubernetes.io/revision-history'], '1');
  reused['deployment.kubernetes.io/revision'] = '4';
  setNewReplicaSetAnnotations(d, reused, 6, true);
  assert.equal(reused['deployment.kubernetes.io/revision-history'], '1,4');
  assert.equal(setNewReplicaSetAnnotations(d, reused, 6, true), false, 'nothing to change');
});

test('status and conditions: Available, completion, progress deadline', () => {
  const d = deploy(3);
  const nw = rs('new', 3, { available: 2 });
  const s = calculateStatus([rs('old', 0), nw], nw, d, Date.parse('2024-01-01T00:00:00Z'));
  assert.deepEqual(
    { ...s, conditions: s.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]) },
    { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [['Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']] },
  );
  assert.equal(deploymentComplete(d, s), false);
  const done = calculateStatus([rs('new', 3, { available: 3 })], rs('new', 3, { available: 3 }), d);
  assert.equal(deploymentComplete(d, done), true);
  assert.equal(done.conditions[0].reason, 'MinimumReplicasAvailable');
  // a condition keeps its transition time while the status stays the same
  const st: any = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 'then', lastUpdateTime: 'then' }] };
  setCondition(st, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 'now', lastUpdateTime: 'now' });
  assert.equal(st.conditions[0].lastTransitionTime, 'then');
  assert.equal(st.conditions[0].reason, 'B');
  const stuck = { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2024-01-01T00:00:00Z' }] };
  const dd = deploy(3, '25%', '25%', { spec: { progressDeadlineSeconds: 10 } });
  assert.equal(deploymentTimedOut(dd, stuck, Date.parse('2024-01-01T00:00:09Z')), false);
  assert.equal(deploymentTimedOut(dd, stuck, Date.parse('2024-01-01T00:00:11Z')), true);
  assert.equal(deploymentTimedOut(dd, { conditions: [{ ...stuck.conditions[0], reason: 'NewReplicaSetAvailable' }] }, Date.parse('2025-01-01T00:00:00Z')), false);
});
