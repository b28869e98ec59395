// Scheduler plugins, the FailedScheduling message, the queue and preemption, on an in-memory
// cache (no API server), plus the scheduling algorithm's own throughput on 1,000 nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.js';
import { SchedulerCache } from '../../src/scheduler/cache.js';
import { newPodInfo, podRequests, type PodInfo } from '../../src/scheduler/podinfo.js';
import { Algorithm, fitErrorMessage, numFeasibleNodesToFind, type Env } from '../../src/scheduler/framework.js';
import { filterResources, filterPorts, scoreBalancedAllocation, scoreLeastAllocated } from '../../src/scheduler/plugins/resources.js';
import { filterTaintToleration, filterNodeUnschedulable } from '../../src/scheduler/plugins/taints.js';
import { filterNodeAffinity } from '../../src/scheduler/plugins/nodeaffinity.js';
import { SchedulingQueue, backoffDuration } from '../../src/scheduler/queue.js';
import { preempt } from '../../src/scheduler/preemption.js';

function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean; extra?: Record<string, string> } = {}): KubeObject {
  const res = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi', ...o.extra };
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { taints: o.taints, unschedulable: o.unschedulable }, status: { capacity: res, allocatable: res } };
}

let uid = 0;
function pod(name: string, o: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Record<string, unknown>; priority?: number; nodeName?: string; ns?: string; owner?: string } = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${++uid}`, labels: o.labels, ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] : undefined, creationTimestamp: new Date(1_700_000_000_000 + uid * 1000).toISOString() },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }], priority: o.priority ?? 0, nodeName: o.nodeName, ...o.spec },
  };
}

function cluster(nodes: KubeObject[], pods: KubeObject[] = []) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addOrUpdatePod(newPodInfo(p));
  let seed = 1;
  const env: Env = {
    cache,
    nsLabels: () => ({}),
    volumes: { pvc: () => undefined, pv: () => undefined, storageClass: () => undefined, pvsOfClass: () => [], assumedPVs: new Set() },
    nominated: () => undefined,
    random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647),
  };
  return { cache, env, algo: new Algorithm(env) };
}

const message = (algo: Algorithm, p: KubeObject) => {
  const r = algo.schedule(newPodInfo(p));
  assert.ok('fit' in r, `expected no fit, got ${'node' in r ? r.node : ''}`);
  return fitErrorMessage(r.numAllNodes, r.fit);
};
const placed = (algo: Algorithm, p: KubeObject) => {
  const r = algo.schedule(newPodInfo(p));
  assert.ok('node' in r, 'fit' in r ? fitErrorMessage(r.numAllNodes, r.fit) : '');
  return r.node;
};

test('pod requests: containers summed, the largest init container, sidecars, overhead; scoring defaults', () => {
  const spec = {
    initContainers: [
      { name: 'i1', resources: { requests: { cpu: '3', memory: '1Gi' } } },
      { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
      { name: 'i2', resources: { requests: { cpu: '1' } } },
    ],
    containers: [
      { name: 'a', resources: { requests: { cpu: '1', memory: '512Mi', 'example.com/gpu': '1' } } },
      { name: 'b', resources: { requests: { cpu: '250m' } } },
    ],
    overhead: { cpu: '100m', memory: '10Mi' },
  };
  const r = podRequests(spec, false);
  assert.equal(r.cpu, 3000 + 100, 'init container i1 (3 cpu) beats containers + sidecar (1.75) ');
  assert.equal(r.mem, 1024 ** 3 + 10 * 1024 ** 2);
  assert.equal(r.scalar?.get('example.com/gpu'), 1);
  const nz = podRequests({ containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '1' } } }] }, true);
  assert.equal(nz.cpu, 1100);
  assert.equal(nz.mem, 2 * 200 * 1024 * 1024);
});

test('NodeResourcesFit: Insufficient <resource> reasons, Too many pods, unresolvable only beyond allocatable', () => {
  const { cache } = cluster([node('n1', { cpu: '2', memory: '1Gi', pods: '2', extra: { 'example.com/gpu': '1' } })], [pod('a', { cpu: '1500m', nodeName: 'n1' })]);
  const ni = cache.nodes.get('n1')!;
  const s = filterResources(newPodInfo(pod('p', { cpu: '1', memory: '2Gi' })), ni)!;
  assert.deepEqual(s.reasons, ['Insufficient cpu', 'Insufficient memory']);
  assert.equal(s.code, 2, 'memory beyond allocatable cannot be fixed by preemption');
  assert.equal(filterResources(newPodInfo(pod('p', { cpu: '1' })), ni)!.code, 1);
  assert.equal(filterResources(newPodInfo(pod('p', { cpu: '500m' })), ni), null);
  const gpu = pod('g');
  gpu.spec.containers[0].resources.requests = { 'example.com/gpu': '2' };
  assert.deepEqual(filterResources(newPodInfo(gpu), ni)!.reasons, ['Insufficient example.com/gpu']);
  cache.addOrUpdatePod(newPodInfo(pod('b', { nodeName: 'n1' })));
  assert.deepEqual(filterResources(newPodInfo(pod('p')), ni)!.reasons, ['Too many pods']);
});

test('TaintToleration and NodeUnschedulable', () => {
  const { cache } = cluster([
    node('t', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }, { key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
    node('e', { taints: [{ key: 'gone', effect: 'NoExecute' }] }),
    node('c', { unschedulable: true }),
  ]);
  const t = cache.nodes.get('t')!;
  assert.deepEqual(filterTaintToleration(newPodInfo(pod('p')), t)!.reasons, ['node(s) had untolerated taint {dedicated: x}']);
  assert.equal(filterTaintToleration(newPodInfo(pod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] } })), t), null);
  assert.ok(filterTaintToleration(newPodInfo(pod('p', { spec: { tolerations: [{ key: 'dedicated', value: 'y' }] } })), t), 'value must match');
  assert.equal(filterTaintToleration(newPodInfo(pod('p', { spec: { tolerations: [{ operator: 'Exists' }] } })), t), null, 'empty key with Exists tolerates all');
  assert.deepEqual(filterTaintToleration(newPodInfo(pod('p')), cache.nodes.get('e')!)!.reasons, ['node(s) had untolerated taint {gone: }']);
  const c = cache.nodes.get('c')!;
  assert.deepEqual(filterNodeUnschedulable(newPodInfo(pod('p')), c)!.reasons, ['node(s) were unschedulable']);
  assert.equal(filterNodeUnschedulable(newPodInfo(pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } })), c), null);
});

test('NodeAffinity: nodeSelector, required terms ORed with In/NotIn/Exists/DoesNotExist/Gt/Lt and matchFields', () => {
  const { cache } = cluster([node('n1', { labels: { disk: 'ssd', cores: '16' } })]);
  const ni = cache.nodes.get('n1')!;
  const req = (...terms: unknown[]) => newPodInfo(pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } }));
  const ok = (p: PodInfo) => filterNodeAffinity(p, ni) === null;
  assert.ok(ok(newPodInfo(pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }))));
  assert.ok(!ok(newPodInfo(pod('p', { spec: { nodeSelector: { disk: 'hdd' } } }))));
  assert.deepEqual(filterNodeAffinity(newPodInfo(pod('p', { spec: { nodeSelector: { disk: 'hdd' } } })), ni)!.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  assert.ok(ok(req({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] })));
  assert.ok(!ok(req({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] })));
  assert.ok(ok(req({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }, { key: 'disk', operator: 'Exists' }] })));
  assert.ok(ok(req({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] })));
  assert.ok(!ok(req({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['8'] }] })));
  assert.ok(ok(req({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] })), 'terms are ORed');
  assert.ok(!ok(req({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] })));
  assert.ok(!ok(req({})), 'an empty term matches nothing');
});

test('NodePorts: a hostPort/protocol/hostIP is used once per node; 0.0.0.0 conflicts with any IP', () => {
  const withPort = (name: string, port: number, o: { ip?: string; protocol?: string } = {}) => pod(name, { spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: port, hostIP: o.ip, protocol: o.protocol }] }] } });
  const { cache } = cluster([node('n1')], [{ ...withPort('a', 8080, { ip: '10.0.0.1' }), spec: { ...withPort('a', 8080, { ip: '10.0.0.1' }).spec, nodeName: 'n1' } }]);
  const ni = cache.nodes.get('n1')!;
  assert.deepEqual(filterPorts(newPodInfo(withPort('b', 8080)), ni)!.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
  assert.ok(filterPorts(newPodInfo(withPort('b', 8080, { ip: '10.0.0.1' })), ni));
  assert.equal(filterPorts(newPodInfo(withPort('b', 8080, { ip: '10.0.0.2' })), ni), null);
  assert.equal(filterPorts(newPodInfo(withPort('b', 8080, { protocol: 'UDP' })), ni), null);
  assert.equal(filterPorts(newPodInfo(withPort('b', 8081)), ni), null);
});

test('FailedScheduling message: reasons counted per node and sorted as strings, with the preemption part', () => {
  const { algo, env } = cluster([
    node('a', { cpu: '1' }),
    node('b', { cpu: '1' }),
    node('c', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
  ]);
  const p = pod('p', { cpu: '2' });
  const r = algo.schedule(newPodInfo(p));
  assert.ok('fit' in r);
  const pr = preempt(env, newPodInfo(p), r.fit, r.numAllNodes, []);
  assert.equal(fitErrorMessage(r.numAllNodes, r.fit, pr.message), '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  const never = pod('q', { cpu: '500m', spec: { preemptionPolicy: 'Never', nodeSelector: { none: 'x' } } });
  const r2 = algo.schedule(newPodInfo(never));
  assert.ok('fit' in r2);
  assert.equal(fitErrorMessage(3, r2.fit, preempt(env, newPodInfo(never), r2.fit, 3, []).message), "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 node(s) didn't match Pod's node affinity/selector. preemption: not eligible due to preemptionPolicy=Never.");
  // string order: "10 ..." sorts before "2 ..."
  const statuses = new Map<string, any>();
  for (let i = 0; i < 12; i++) statuses.set(`n${i}`, { code: 1, plugin: 'x', reasons: [i < 10 ? 'Insufficient memory' : 'Too many pods'] });
  assert.equal(fitErrorMessage(12, { statuses, plugins: new Set() }), '0/12 nodes are available: 10 Insufficient memory, 2 Too many pods.');
  assert.equal(message(algo, pod('d', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }] } } } }, cpu: '2' })), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].");
});

test('scores: LeastAllocated and BalancedAllocation values; the emptiest node wins', () => {
  const { cache, algo } = cluster([node('n1', { cpu: '4', memory: '8Gi' }), node('n2', { cpu: '4', memory: '8Gi' })], [pod('a', { cpu: '2', memory: '1Gi', nodeName: 'n1' })]);
  const p = newPodInfo(pod('p', { cpu: '1', memory: '1Gi' }));
  // n1: cpu (4000-3000)/4000 → 25, memory (8-2)/8 → 75: (25+75)/2 = 50
  assert.equal(scoreLeastAllocated(p, cache.nodes.get('n1')!), 50);
  // n1: fractions 0.75 and 0.25 → 1 - |0.75-0.25|/2 = 0.75
  assert.equal(scoreBalancedAllocation(p, cache.nodes.get('n1')!), 75);
  assert.equal(placed(algo, pod('p', { cpu: '1', memory: '1Gi' })), 'n2');
});

test('scores: preferred node affinity and PreferNoSchedule taints', () => {
  const { algo } = cluster([node('n1', { labels: { disk: 'ssd' } }), node('n2', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), node('n3')]);
  const pref = pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
  for (let i = 0; i < 5; i++) assert.equal(placed(algo, pref), 'n1');
  for (let i = 0; i < 10; i++) assert.notEqual(placed(algo, pod(`q${i}`)), 'n2');
});

test('InterPodAffinity: required anti-affinity spreads, existing pods anti-affinity holds, affinity follows its target', () => {
  const anti = (name: string) =>
    pod(name, { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } } });
  const { cache, algo } = cluster([node('n1'), node('n2'), node('n3')]);
  const used = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const p = anti(`w${i}`);
    const n = placed(algo, p);
    used.add(n);
    cache.addOrUpdatePod(newPodInfo({ ...p, spec: { ...p.spec, nodeName: n } }));
  }
  assert.equal(used.size, 3);
  assert.equal(message(algo, anti('w3')), "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
  // a plain pod with the label is kept off by the existing pods' anti-affinity
  assert.equal(message(algo, pod('x', { labels: { app: 'web' } })), "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.");
  // affinity: only where a db pod runs
  const c2 = cluster([node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })], [pod('db', { labels: { app: 'db' }, nodeName: 'b' })]);
  const follower = pod('f', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } } } });
  for (let i = 0; i < 5; i++) assert.equal(placed(c2.algo, follower), 'b');
  const orphan = pod('o', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' }] } } } });
  assert.equal(message(c2.algo, orphan), "0/2 nodes are available: 2 node(s) didn't match pod affinity rules.");
  // the first pod of a group with affinity to itself may go anywhere
  const self = pod('s', { labels: { app: 'cache' }, spec: orphan.spec });
  assert.ok(['a', 'b'].includes(placed(c2.algo, self)));
});

test('PodTopologySpread: DoNotSchedule keeps the skew within maxSkew; missing topology label', () => {
  const spread = (name: string) =>
    pod(name, { labels: { app: 's' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] } });
  const { cache, algo } = cluster([node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } }), node('c')], [pod('x1', { labels: { app: 's' }, nodeName: 'a' })]);
  for (let i = 0; i < 5; i++) assert.equal(placed(algo, spread('p1')), 'b');
  // nodeAffinityPolicy Honor: only nodes the pod may use count as domains
  cache.addOrUpdatePod(newPodInfo(pod('x2', { labels: { app: 's' }, nodeName: 'a' })));
  assert.equal(placed(algo, { ...spread('p2'), spec: { ...spread('p2').spec, nodeSelector: { zone: 'z1' } } }), 'a');
  // a cordoned node still counts as a domain: a (2) would make the skew 3
  const c2 = cluster([node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' }, unschedulable: true }), node('c')], [pod('y1', { labels: { app: 's' }, nodeName: 'a' }), pod('y2', { labels: { app: 's' }, nodeName: 'a' })]);
  assert.equal(
    message(c2.algo, spread('p3')),
    "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label), 1 node(s) were unschedulable.",
  );
});

test('default topology spreading keeps a controller\'s pods apart', () => {
  const nodes = Array.from({ length: 5 }, (_, i) => node(`n${i}`, { labels: { 'topology.kubernetes.io/zone': `z${i % 2}` } }));
  const { cache, algo } = cluster(nodes);
  for (let i = 0; i < 10; i++) {
    const p = newPodInfo(pod(`p${i}`, { owner: 'rs-1', cpu: '10m' }));
    cache.assume(p, placed(algo, p.pod));
  }
  assert.deepEqual(cache.list.map((n) => n.pods.size), [2, 2, 2, 2, 2]);
});

test('queue: priority then age; back-off 1 s doubling to 10 s; events move unschedulable pods back', () => {
  let now = 1000;
  const q = new SchedulingQueue(() => now);
  try {
    q.add(newPodInfo(pod('low', { priority: 1 })));
    now++;
    q.add(newPodInfo(pod('high', { priority: 10 })));
    now++;
    q.add(newPodInfo(pod('low2', { priority: 1 })));
    assert.deepEqual([q.pop()!.pod.name, q.pop()!.pod.name], ['high', 'low']);
    const l2 = q.pop()!;
    assert.equal(l2.pod.name, 'low2');
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(backoffDuration), [1000, 2000, 4000, 8000, 10000, 10000]);
    q.addUnschedulable(l2, new Set(['NodeResourcesFit']), false);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1 });
    q.moveOnEvent((plugins) => plugins.has('TaintToleration'));
    assert.equal(q.sizes().unschedulable, 1, 'an event no rejecting plugin cares about leaves it');
    q.moveOnEvent((plugins) => plugins.has('NodeResourcesFit'));
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 }, 'still backing off');
    now += 1000;
    q.flushBackoff();
    assert.equal(q.pop()?.pod.name, 'low2');
  } finally {
    q.close();
  }
});

test('preemption: lowest-priority victims, the fewest of them, PDBs respected', () => {
  const { env, algo } = cluster(
    [node('n1', { cpu: '2' }), node('n2', { cpu: '2' })],
    [
      pod('a1', { cpu: '1', priority: 5, nodeName: 'n1', labels: { app: 'a' } }),
      pod('a2', { cpu: '1', priority: 5, nodeName: 'n1', labels: { app: 'a' } }),
      pod('b1', { cpu: '1', priority: 1, nodeName: 'n2', labels: { app: 'b' } }),
      pod('b2', { cpu: '1', priority: 50, nodeName: 'n2', labels: { app: 'b' } }),
    ],
  );
  const high = newPodInfo(pod('h', { cpu: '1', priority: 100 }));
  const r = algo.schedule(high);
  assert.ok('fit' in r);
  const pr = preempt(env, high, r.fit, 2, []);
  assert.equal(pr.candidate?.node, 'n2', 'the lowest highest-victim priority wins');
  assert.deepEqual(pr.candidate?.victims.map((v) => v.name), ['b1']);
  // a PDB with no disruptions allowed protects app=b
  const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'b' } } }, status: { disruptionsAllowed: 0 } };
  const pr2 = preempt(env, high, r.fit, 2, [pdb]);
  assert.equal(pr2.candidate?.node, 'n1');
  assert.deepEqual(pr2.candidate?.victims.map((v) => v.name), ['a2']);
  const mid = newPodInfo(pod('m', { cpu: '1', priority: 3 }));
  const r3 = algo.schedule(mid);
  assert.ok('fit' in r3);
  assert.equal(preempt(env, mid, r3.fit, 2, []).candidate?.node, 'n2');
  const tiny = newPodInfo(pod('t', { cpu: '1', priority: 0 }));
  const r4 = algo.schedule(tiny);
  assert.ok('fit' in r4);
  assert.equal(fitErrorMessage(2, r4.fit, preempt(env, tiny, r4.fit, 2, []).message), '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
});

test('percentageOfNodesToScore: adaptive, at least 100 nodes', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(200), 98 < 100 ? 100 : 98);
});

test('algorithm throughput: 1,000 nodes, 3,000 pods placed and assumed (no API)', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`node-${i}`, { cpu: '32', memory: '256Gi', labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } }));
  const { cache, algo } = cluster(nodes);
  const pods = Array.from({ length: 3000 }, (_, i) => newPodInfo(pod(`p-${i}`, { cpu: '100m', memory: '128Mi', owner: 'rs-bench', labels: { app: 'bench' } })));
  const t0 = performance.now();
  for (const p of pods) {
    const r = algo.schedule(p);
    assert.ok('node' in r);
    cache.assume(p, r.node);
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ nodes: 1000, pods: 3000, algorithmPodsPerSec: Math.round(3000 / secs) }));
  assert.ok(Math.max(...cache.list.map((n) => n.pods.size)) <= 4, 'spread evenly');
});

test('InterPodAffinity: namespaces and namespaceSelector decide which pods a term sees', () => {
  const { env, algo } = cluster([node('a'), node('b')], [pod('db', { labels: { app: 'db' }, nodeName: 'b', ns: 'data' })]);
  env.nsLabels = (ns): Record<string, string> => (ns === 'data' ? { team: 'storage' } : {});
  const term = (extra: Record<string, unknown>) => pod('f', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname', ...extra }] } } } });
  assert.equal(message(algo, term({})), "0/2 nodes are available: 2 node(s) didn't match pod affinity rules.", "the pod's own namespace only by default");
  assert.equal(placed(algo, term({ namespaces: ['data'] })), 'b');
  assert.equal(placed(algo, term({ namespaceSelector: { matchLabels: { team: 'storage' } } })), 'b');
  assert.equal(placed(algo, term({ namespaceSelector: {} })), 'b', 'an empty namespaceSelector means every namespace');
});
