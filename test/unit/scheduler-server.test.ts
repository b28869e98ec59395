// The scheduler against a real in-process API server: pods get bound, unschedulable pods get
// Kubernetes' condition and event, preemption, WaitForFirstConsumer claims, and a throughput
// measurement on 1,000 nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import type { Client } from '../../src/client/local.js';
import { informerFactory } from '../../src/client/informer.js';
import { createRecorder } from '../../src/client/events.js';
import type { ControllerContext } from '../../src/controllers/manager.js';
import { startScheduler, type Scheduler } from '../../src/scheduler/scheduler.js';

const admin = { name: 'admin', groups: ['system:masters'] };

interface Env {
  c: Client;
  sched: Scheduler;
  start(): Scheduler;
  informers: ReturnType<typeof informerFactory>;
  close(): Promise<void>;
}

async function setup(o: { percentageOfNodesToScore?: number; deferStart?: boolean } = {}): Promise<Env> {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-sched-'));
  // only this test's scheduler acts on the cluster (no node lifecycle evictions of the heartbeat-less nodes)
  const { components } = await import('../../src/controllers/index.js');
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: components.map((x) => x.name) });
  const c = localClient(s.call, admin);
  const informers = informerFactory(c);
  const ctx: ControllerContext = {
    client: () => c,
    informers,
    registry: (s as any).context?.registry,
    recorder: (component) => createRecorder(c, { component }),
    log: (comp) => (m, x) => (process.env.SCHED_LOG ? console.log(comp, m, JSON.stringify(x)) : undefined),
    config: { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12', clusterDomain: 'cluster.local', simNodes: 0, disabled: [] },
  };
  let sched = o.deferStart ? (undefined as unknown as Scheduler) : startScheduler(ctx, o);
  return {
    c,
    get sched() {
      return sched;
    },
    start: () => (sched = startScheduler(ctx, o)),
    informers,
    async close() {
      sched?.stop();
      informers.stop();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function makeNode(c: Client, name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}) {
  await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { taints: o.taints, unschedulable: o.unschedulable } });
  const res = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi' };
  await c.patch(`/api/v1/nodes/${name}/status`, { status: { capacity: res, allocatable: res } }, 'merge');
}

export function pod(name: string, o: { cpu?: string; memory?: string; priority?: number; labels?: Record<string, string>; spec?: Record<string, unknown>; ns?: string } = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], ...(o.priority !== undefined ? { priority: o.priority } : {}), ...o.spec },
  };
}

const until = async (f: () => Promise<boolean> | boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`condition not reached: ${what}`);
};

const getPod = (c: Client, name: string, ns = 'default') => c.get<KubeObject>(`/api/v1/namespaces/${ns}/pods/${name}`);

test('pods are bound to nodes that fit; unschedulable pods get PodScheduled=False and FailedScheduling', async () => {
  const e = await setup();
  try {
    await makeNode(e.c, 'n1', { cpu: '2' });
    await makeNode(e.c, 'n2', { cpu: '2', taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    await makeNode(e.c, 'n3', { cpu: '2', unschedulable: true });
    await e.c.create('/api/v1/namespaces/default/pods', pod('a', { cpu: '1' }));
    await until(async () => !!(await getPod(e.c, 'a')).spec.nodeName, 'a bound');
    const a = await getPod(e.c, 'a');
    assert.equal(a.spec.nodeName, 'n1');
    assert.equal(a.status.conditions.find((x: any) => x.type === 'PodScheduled').status, 'True');
    await e.c.create('/api/v1/namespaces/default/pods', pod('big', { cpu: '1500m' }));
    await until(async () => !!(await getPod(e.c, 'big')).status?.conditions?.length, 'big has a condition');
    const big = await getPod(e.c, 'big');
    const cond = big.status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: x}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
    await until(async () => (await e.c.list<KubeObject>('/api/v1/namespaces/default/events')).items.some((ev) => ev.reason === 'FailedScheduling' && ev.involvedObject.name === 'big'), 'FailedScheduling event');
    const evs = (await e.c.list<KubeObject>('/api/v1/namespaces/default/events')).items;
    assert.ok(evs.some((ev) => ev.reason === 'Scheduled' && ev.message === 'Successfully assigned default/a to n1' && ev.source.component === 'default-scheduler'));
    // pods for another scheduler are left alone
    await e.c.create('/api/v1/namespaces/default/pods', pod('other', { spec: { schedulerName: 'my-scheduler' } }));
    await e.c.create('/api/v1/namespaces/default/pods', pod('after-other'));
    await until(async () => !!(await getPod(e.c, 'after-other')).spec.nodeName, 'after-other bound');
    const other = await getPod(e.c, 'other');
    assert.equal(other.spec.nodeName, undefined);
    assert.equal(other.status.conditions, undefined);
    // a new node that fits moves the pod back from the unschedulable set
    await makeNode(e.c, 'n4', { cpu: '4' });
    await until(async () => (await getPod(e.c, 'big')).spec.nodeName === 'n4', 'big bound to n4', 8000);
  } finally {
    await e.close();
  }
});

test('preemption: a high-priority pod evicts lower-priority pods and is nominated, then bound', async () => {
  const e = await setup();
  try {
    await makeNode(e.c, 'n1', { cpu: '2' });
    await e.c.create('/api/v1/namespaces/default/pods', pod('low1', { cpu: '1', priority: 1 }));
    await e.c.create('/api/v1/namespaces/default/pods', pod('low2', { cpu: '1', priority: 2 }));
    await until(async () => !!(await getPod(e.c, 'low1')).spec.nodeName && !!(await getPod(e.c, 'low2')).spec.nodeName, 'low pods bound');
    await e.c.create('/api/v1/namespaces/default/pods', pod('high', { cpu: '1', priority: 100 }));
    // no kubelet here: the victim stays terminating until we finish the deletion ourselves
    await until(async () => !!(await getPod(e.c, 'low1')).metadata.deletionTimestamp, 'low1 preempted');
    const victim = await getPod(e.c, 'low1');
    assert.deepEqual(
      victim.status.conditions.filter((x: any) => x.type === 'DisruptionTarget').map((x: any) => [x.status, x.reason, x.message]),
      [['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']],
    );
    await until(async () => (await getPod(e.c, 'high')).status.nominatedNodeName === 'n1', 'high nominated');
    assert.equal((await getPod(e.c, 'high')).status.conditions[0].message, '0/1 nodes are available: 1 Insufficient cpu.');
    assert.equal((await getPod(e.c, 'low2')).metadata.deletionTimestamp, undefined);
    await e.c.delete('/api/v1/namespaces/default/pods/low1', { gracePeriodSeconds: 0 });
    assert.ok(await e.c.getOrNull(`/api/v1/namespaces/default/pods/low2`), 'the higher of the two low pods is reprieved');
    await until(async () => (await getPod(e.c, 'high')).spec.nodeName === 'n1', 'high bound');
    const evs = (await e.c.list<KubeObject>('/api/v1/namespaces/default/events')).items;
    const high = await getPod(e.c, 'high');
    assert.ok(evs.some((ev) => ev.reason === 'Preempted' && ev.involvedObject.name === 'low1' && ev.message === `Preempted by pod ${high.metadata.uid} on node n1`), 'Preempted event');
  } finally {
    await e.close();
  }
});

test('throughput: 1,000 nodes, 3,000 pending pods (in-process API), from scheduler start to bound', async () => {
  const e = await setup({ deferStart: true });
  try {
    const N = 1000;
    const P = Number(process.env.SCHED_BENCH_PODS ?? 3000);
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => makeNode(e.c, `node-${i + j}`, { cpu: '32', memory: '256Gi', labels: { 'topology.kubernetes.io/zone': `zone-${(i + j) % 3}` } })));
    // pods like a Deployment's: one owner, so default topology spreading applies
    // (a real ReplicaSet, so the garbage collector keeps its pods; its controller is not running)
    const rs = await e.c.create<KubeObject>('/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 0, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid!, controller: true };
    const mk = (i: number) => ({ ...pod(`p-${i}`, { cpu: '100m', memory: '128Mi' }), metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'bench' }, ownerReferences: [owner] } });
    for (let i = 0; i < P; i += 200) await Promise.all(Array.from({ length: Math.min(200, P - i) }, (_, j) => e.c.create('/api/v1/namespaces/default/pods', mk(i + j))));
    const started = performance.now();
    const sched = e.start();
    await until(() => sched.cache.list.length === N && sched.cache.podCount() === P, "all placed", 20_000).catch(async (err) => {
      console.log('nodes', sched.cache.list.length, 'pods', sched.cache.podCount(), JSON.stringify(sched.queue.sizes()));
      const inf = e.informers.informer('/api/v1/pods');
      console.log('informer pods', inf.list().length, 'bound', inf.list().filter((p) => p.spec.nodeName).length);
      void e.c.list<KubeObject>('/api/v1/pods').then((l) => console.log('api pods', l.items.length, 'bound', l.items.filter((p) => p.spec.nodeName).length));
      await new Promise((r) => setTimeout(r, 500));
      throw err;
    });
    const placed = performance.now();
    await sched.idle();
    const bound = performance.now();
    const pending = (await e.c.list<KubeObject>('/api/v1/namespaces/default/pods')).items.filter((p) => !p.spec.nodeName).length;
    assert.equal(pending, 0);
    const perNode = sched.cache.list.map((n) => n.pods.size);
    console.log(
      JSON.stringify({
        nodes: N,
        pods: P,
        placedPodsPerSec: Math.round(P / ((placed - started) / 1000)),
        boundPodsPerSec: Math.round(P / ((bound - started) / 1000)),
        maxPodsPerNode: Math.max(...perNode),
        minPodsPerNode: Math.min(...perNode),
      }),
    );
    assert.ok(Math.max(...perNode) <= 4, 'default spreading keeps pods apart');
  } finally {
    await e.close();
  }
});

test('volume binding: WaitForFirstConsumer claims get the selected node, bound PVs pin pods to their node', async () => {
  const e = await setup();
  try {
    await makeNode(e.c, 'n1', { labels: { rack: 'r1' } });
    await makeNode(e.c, 'n2', { labels: { rack: 'r2' } });
    await e.c.create('/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'wait' }, provisioner: 'example.com/local', volumeBindingMode: 'WaitForFirstConsumer' });
    const claim = (name: string, cls: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { storageClassName: cls, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const withClaim = (name: string, c: string) => pod(name, { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: c } }] } });
    await e.c.create('/api/v1/namespaces/default/persistentvolumeclaims', claim('wffc', 'wait'));
    await e.c.create('/api/v1/namespaces/default/pods', withClaim('uses-wffc', 'wffc'));
    // the scheduler picks a node and hands it to the provisioner through the annotation
    let selected = '';
    await until(async () => {
      selected = (await e.c.get<KubeObject>('/api/v1/namespaces/default/persistentvolumeclaims/wffc')).metadata.annotations?.['volume.kubernetes.io/selected-node'] ?? '';
      return !!selected;
    }, 'selected-node annotation');
    assert.equal((await getPod(e.c, 'uses-wffc')).spec.nodeName, undefined, 'the pod waits for its claim');
    // play the provisioner: a PV with node affinity on the selected node, bound to the claim
    const pvc = await e.c.get<KubeObject>('/api/v1/namespaces/default/persistentvolumeclaims/wffc');
    await e.c.create('/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-wffc' },
      spec: {
        storageClassName: 'wait',
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        hostPath: { path: '/tmp/x' },
        claimRef: { namespace: 'default', name: 'wffc', uid: pvc.metadata.uid },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selected] }] }] } },
      },
    });
    await e.c.update('/api/v1/namespaces/default/persistentvolumeclaims/wffc', { ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { ...pvc.spec, volumeName: 'pv-wffc' } });
    await until(async () => (await getPod(e.c, 'uses-wffc')).spec.nodeName === selected, 'pod bound to the selected node', 5000);
    // a second pod using the bound claim can only go where the PV is
    await e.c.create('/api/v1/namespaces/default/pods', withClaim('second', 'wffc'));
    await until(async () => (await getPod(e.c, 'second')).spec.nodeName === selected, 'second pod on the PV node');
    // an Immediate claim that is not bound yet blocks scheduling everywhere
    await e.c.create('/api/v1/namespaces/default/persistentvolumeclaims', claim('imm', ''));
    await e.c.create('/api/v1/namespaces/default/pods', withClaim('uses-imm', 'imm'));
    await until(async () => !!(await getPod(e.c, 'uses-imm')).status?.conditions?.length, 'condition');
    assert.equal(
      (await getPod(e.c, 'uses-imm')).status.conditions[0].message,
      '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
    const { renderMetrics } = await import('../../src/apiserver/metrics.js');
    const m = renderMetrics();
    assert.match(m, /^scheduler_schedule_attempts_total\{profile="default-scheduler",result="scheduled"\} \d+$/m);
    assert.match(m, /^scheduler_schedule_attempts_total\{profile="default-scheduler",result="unschedulable"\} \d+$/m);
    assert.match(m, /^scheduler_pending_pods\{queue="unschedulable"\} [1-9]\d*$/m);
    assert.match(m, /^scheduler_scheduling_attempt_duration_seconds_bucket\{profile="default-scheduler",result="scheduled",le="0.001"\} \d+$/m);
    assert.match(m, /^scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="\d+"\} \d+$/m);
    assert.match(m, /^scheduler_preemption_attempts_total \d+$/m);
  } finally {
    await e.close();
  }
});
