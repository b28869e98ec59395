import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { computeZoneState, noScheduleTaints, zoneKey } from '../../src/controllers/nodelifecycle/nodelifecycle.js';
import { matchingTolerations, minTolerationMs, parseDurationMs, tolerates } from '../../src/controllers/nodelifecycle/taints.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('tolerations match taints as Kubernetes does', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  assert.ok(tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }, taint));
  assert.ok(tolerates({ operator: 'Exists' }, taint));
  assert.ok(!tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, taint));
  assert.ok(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.ok(!tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.equal(matchingTolerations([taint], []), undefined);
  assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 300 }, { operator: 'Exists', tolerationSeconds: 20 }]), 20_000);
  assert.equal(minTolerationMs([{ operator: 'Exists' }]), -1);
  assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: -5 }]), 0);
  assert.equal(parseDurationMs('40s'), 40_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('3'), 3000);
  assert.equal(parseDurationMs('x'), undefined);
});

test('zone states and condition taints', () => {
  assert.equal(computeZoneState(['True', 'Unknown']).state, 'Normal');
  assert.equal(computeZoneState(['Unknown', undefined]).state, 'FullDisruption');
  assert.equal(computeZoneState(['True', 'False', 'Unknown', 'Unknown']).state, 'PartialDisruption');
  assert.equal(computeZoneState(['True', 'True', 'True', 'False', 'Unknown', 'Unknown']).state, 'Normal');
  assert.equal(computeZoneState(['True', 'True', 'False', 'Unknown', 'Unknown']).state, 'PartialDisruption');
  assert.equal(zoneKey({ metadata: { labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' } } }), 'r:\u0000:z');
  assert.equal(zoneKey({ metadata: {} }), '');
  const n: KubeObject = { metadata: { name: 'n' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] } };
  assert.deepEqual(noScheduleTaints(n), [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ]);
});

test('a node without heartbeats goes Unknown, is tainted, and its pods are evicted per their tolerations', async () => {
  process.env.SAMPAN_NODE_MONITOR_GRACE_PERIOD = '1s';
  process.env.SAMPAN_NODE_STARTUP_GRACE_PERIOD = '1s';
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-nlc-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['scheduler'] });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  let beating = true;
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string, ms = 6000): Promise<T> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await f();
      if (v) return v;
      await sleep(50);
    }
    assert.fail(`${what} not reached`);
  };
  try {
    // a healthy node: Ready, its Lease renewed (so the zone is not fully disrupted)
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'alive' } });
    await c.patch('/api/v1/nodes/alive/status', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }] } }, 'merge');
    await c.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'alive' }, spec: { holderIdentity: 'alive', leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') } });
    const heart = (async () => {
      while (beating) {
        await c.patch('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/alive', { spec: { renewTime: new Date().toISOString().replace('Z', '000Z') } }, 'merge').catch(() => {});
        await sleep(200);
      }
    })();
    // a node created by hand that never posts status (in its own zone: each zone's limiter
    // taints one node per 10 s), and one that posts once then stops
    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'never', labels: { 'topology.kubernetes.io/zone': 'z2' } } });
    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'dead' } });
    await c.patch('/api/v1/nodes/dead/status', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }] } }, 'merge');
    const pod = (name: string, tolerations?: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'dead', containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) } });
    await c.create('/api/v1/namespaces/default/pods', pod('plain'));
    await c.create('/api/v1/namespaces/default/pods', pod('tolerates-2s', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]));
    await c.create('/api/v1/namespaces/default/pods', pod('forever', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]));
    await c.patch('/api/v1/namespaces/default/pods/forever/status', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } }, 'merge');

    const dead = await until(async () => {
      const n = await c.get<KubeObject>('/api/v1/nodes/dead');
      return (n.spec?.taints ?? []).length === 2 ? n : undefined;
    }, 'unreachable taints');
    const ready = dead.status.conditions.find((x: any) => x.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastHeartbeatTime], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', t]);
    assert.deepEqual(dead.status.conditions.map((x: any) => `${x.type}=${x.status}`).sort(), ['DiskPressure=Unknown', 'MemoryPressure=Unknown', 'PIDPressure=Unknown', 'Ready=Unknown']);
    const never = await until(async () => {
      const n = await c.get<KubeObject>('/api/v1/nodes/never');
      return (n.spec?.taints ?? []).length === 2 ? n : undefined;
    }, 'unreachable taints on the node that never posted status');
    const nr = never.status.conditions.find((x: any) => x.type === 'Ready');
    assert.deepEqual([nr.status, nr.reason, nr.message, nr.lastHeartbeatTime], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.', never.metadata.creationTimestamp]);
    assert.deepEqual(dead.spec.taints.map((x: any) => `${x.key}:${x.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok(dead.spec.taints.every((x: any) => /Z$/.test(x.timeAdded)));

    // the pod without tolerations goes at once, the one tolerating 2 s after that, the other stays
    // (deleted gracefully: with no kubelet to confirm they stay Terminating, as in Kubernetes)
    const tainted = Date.now();
    const deleting = async (n: string) => !!(await c.get<KubeObject>(`/api/v1/namespaces/default/pods/${n}`)).metadata.deletionTimestamp;
    await until(() => deleting('plain'), 'untolerating pod evicted', 2000);
    assert.equal(await deleting('tolerates-2s'), false);
    await until(() => deleting('tolerates-2s'), 'tolerating pod evicted', 5000);
    const plain = await c.get<KubeObject>('/api/v1/namespaces/default/pods/plain');
    const dt = plain.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
    assert.ok(Date.now() - tainted >= 1500, 'evicted before tolerationSeconds');
    const forever = await c.get<KubeObject>('/api/v1/namespaces/default/pods/forever');
    assert.equal(forever.metadata.deletionTimestamp, undefined);
    // the controller marked it not ready, as the kubelet cannot
    assert.equal(forever.status.conditions.find((x: any) => x.type === 'Ready').status, 'False');
    const events = await c.list<KubeObject>('/api/v1/namespaces/default/events');
    const msgs = events.items.map((e) => `${e.reason} ${e.message}`);
    assert.ok(msgs.includes('TaintManagerEviction Marking for deletion Pod default/plain'), msgs.join('\n'));
    assert.ok(msgs.includes('TaintManagerEviction Marking for deletion Pod default/tolerates-2s'));
    assert.ok(msgs.includes('RegisteredNode Node dead event: Registered Node dead in Controller'));
    assert.ok(msgs.includes('NodeNotReady Node dead status is now: NodeNotReady'));
    assert.ok(msgs.includes('NodeNotReady Node is not ready'));
    const alive = await c.get<KubeObject>('/api/v1/nodes/alive');
    assert.equal(alive.status.conditions.find((x: any) => x.type === 'Ready').status, 'True');
    assert.equal(alive.spec?.taints, undefined);

    // the node comes back: taints go
    const t2 = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await c.patch('/api/v1/nodes/dead/status', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t2, lastTransitionTime: t2 }] } }, 'strategic');
    await until(async () => !(await c.get<KubeObject>('/api/v1/nodes/dead')).spec?.taints?.length, 'taints removed', 3000);

    // cordoning mirrors into the unschedulable taint
    await c.patch('/api/v1/nodes/alive', { spec: { unschedulable: true } }, 'merge');
    await until(async () => (await c.get<KubeObject>('/api/v1/nodes/alive')).spec?.taints?.some((x: any) => x.key === 'node.kubernetes.io/unschedulable' && x.effect === 'NoSchedule'), 'unschedulable taint', 3000);
    beating = false;
    await heart;
  } finally {
    beating = false;
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
