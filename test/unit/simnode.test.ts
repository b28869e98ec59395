// Simulated nodes: CIDR arithmetic and node IPAM, pod IP pools, QoS classes and the pod state
// machine (pure), then the whole thing in an in-process server: registration, podCIDRs,
// CIDRNotAvailable, pods Running with IPs from the node's range, completion, deletion, and a
// node deleted while running coming back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { formatIp, newCidrSet, parseCidr, parseIp } from '../../src/controllers/nodeipam/cidr.js';
import { podIPPool } from '../../src/simnode/podips.js';
import { advance, kill, newPodRun, podStatus, sameJson, statusMatches, type SimTiming } from '../../src/simnode/podsim.js';
import { nodeIP, parseLabels, parseTaints } from '../../src/simnode/node.js';

const timing: SimTiming = { runSeconds: 1, backoffSeconds: 10 };

test('CIDR parsing and formatting, IPv4 and IPv6', () => {
  assert.equal(formatIp(parseIp('10.244.3.7')!.value, 4), '10.244.3.7');
  assert.equal(parseIp('300.1.1.1'), undefined);
  assert.equal(formatIp(parseIp('fd00:0:0:1::')!.value, 6), 'fd00:0:0:1::');
  assert.equal(formatIp(parseIp('2001:db8::1')!.value, 6), '2001:db8::1');
  const c = parseCidr('10.244.1.9/16');
  assert.equal(formatIp(c.base, 4), '10.244.0.0', 'host bits cleared');
  assert.throws(() => parseCidr('10.244.0.0/33'), /invalid CIDR address/);
  assert.throws(() => parseCidr('nope'), /invalid CIDR address/);
});

test('CIDR set: next free subnet round-robin, occupy, release, exhaustion, limits', () => {
  const s = newCidrSet('10.244.0.0/16', 24);
  assert.equal(s.max, 256);
  assert.equal(s.allocateNext(), '10.244.0.0/24');
  assert.equal(s.occupy('10.244.1.0/24'), true);
  assert.equal(s.allocateNext(), '10.244.2.0/24', 'occupied subnets are skipped');
  assert.equal(s.occupy('10.245.0.0/24'), false, 'outside the cluster CIDR');
  assert.equal(s.occupy('10.244.4.0/25'), false, 'wrong size');
  s.release('10.244.0.0/24');
  assert.equal(s.allocateNext(), '10.244.3.0/24', 'a released subnet is not reused at once');
  assert.equal(s.used(), 3);
  const small = newCidrSet('10.0.0.0/23', 24);
  assert.equal(small.allocateNext(), '10.0.0.0/24');
  assert.equal(small.allocateNext(), '10.0.1.0/24');
  assert.equal(small.allocateNext(), undefined, 'full');
  small.release('10.0.0.0/24');
  assert.equal(small.allocateNext(), '10.0.0.0/24');
  const big = newCidrSet('10.0.0.0/8', 24);
  assert.equal(big.max, 65536);
  assert.throws(() => newCidrSet('10.0.0.0/8', 26), /more than 2\^16 node subnets/);
  assert.throws(() => newCidrSet('10.244.0.0/16', 8), /does not fit/);
  const v6 = newCidrSet('fd00:10::/56', 64);
  assert.equal(v6.allocateNext(), 'fd00:10::/64');
  assert.equal(v6.allocateNext(), 'fd00:10:0:1::/64');
});

test('pod IP pool: host-local style, skipping network, gateway and broadcast', () => {
  const p = podIPPool('10.244.7.0/24');
  assert.equal(p.allocate(), '10.244.7.2');
  assert.equal(p.allocate(), '10.244.7.3');
  assert.equal(p.reserve('10.244.7.4'), true);
  assert.equal(p.allocate(), '10.244.7.5');
  assert.equal(p.reserve('10.244.8.1'), false);
  p.release('10.244.7.2');
  const rest: string[] = [];
  for (let ip = p.allocate(); ip; ip = p.allocate()) rest.push(ip);
  assert.equal(rest[0], '10.244.7.6');
  assert.equal(rest.at(-1), '10.244.7.2', 'released addresses come back last');
  assert.ok(!rest.includes('10.244.7.255') && !rest.includes('10.244.7.1') && !rest.includes('10.244.7.0'));
  assert.equal(p.inUse(), 253);
  assert.equal(nodeIP(0), '10.255.0.1');
  assert.equal(nodeIP(299), '10.255.1.44');
});

test('flag parsing: labels and taints', () => {
  assert.deepEqual(parseLabels('zone=a, tier=gold'), { zone: 'a', tier: 'gold' });
  assert.throws(() => parseLabels('zone'), /invalid label "zone"/);
  assert.deepEqual(parseTaints('dedicated=x:NoSchedule,spot:NoExecute'), [
    { key: 'dedicated', value: 'x', effect: 'NoSchedule' },
    { key: 'spot', effect: 'NoExecute' },
  ]);
  assert.throws(() => parseTaints('a=b:Noschedule'), /invalid taint "a=b:Noschedule"/);
});

const pod = (spec: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', annotations, resourceVersion: '5' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }], ...spec },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
});

test('QoS class as Kubernetes computes it', () => {
  const qos = (resources: any[]) => {
    const p = pod({ containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) });
    return podStatus(newPodRun(p, { ip: '10.0.0.2', hostIP: '10.255.0.1', now: 0, timing }), p, 0).qosClass;
  };
  assert.equal(qos([{}]), 'BestEffort');
  assert.equal(qos([{ requests: { cpu: '100m' } }]), 'Burstable');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }]), 'Guaranteed');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }]), 'Burstable');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, {}]), 'Burstable', 'one container without limits');
});

test('a running pod: conditions, container statuses, readiness delay', () => {
  const t0 = Date.parse('2024-01-01T00:00:10Z');
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'web', image: 'nginx:1.25', readinessProbe: { initialDelaySeconds: 5, httpGet: { port: 80 } } }] });
  const run = newPodRun(p, { ip: '10.244.1.2', hostIP: '10.255.0.1', now: t0, timing });
  const a = advance(run, p, t0, timing);
  assert.equal(a.next, t0 + 5000, 'wakes up when the readiness delay ends');
  const s = podStatus(run, p, t0);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.244.1.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.1.2' }]);
  assert.equal(s.startTime, '2024-01-01T00:00:10Z');
  const cond = (st: any, t: string) => st.conditions.find((c: any) => c.type === t);
  assert.equal(cond(s, 'Ready').status, 'False');
  assert.equal(cond(s, 'Ready').reason, 'ContainersNotReady');
  assert.equal(cond(s, 'Ready').message, 'containers with unready status: [web]');
  assert.equal(cond(s, 'Initialized').status, 'True');
  assert.equal(cond(s, 'PodReadyToStartContainers').status, 'True');
  assert.equal(cond(s, 'PodScheduled'), undefined, 'the scheduler already set PodScheduled');
  assert.equal(s.initContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(s.initContainerStatuses[0].ready, true);
  const cs = s.containerStatuses[0];
  assert.match(cs.containerID, /^sim:\/\/[0-9a-f]{64}$/);
  assert.equal(cs.imageID, 'sim://nginx:1.25');
  assert.deepEqual([cs.ready, cs.started, cs.restartCount], [false, true, 0]);
  assert.deepEqual(cs.state, { running: { startedAt: '2024-01-01T00:00:10Z' } });
  const s2 = podStatus(run, p, t0 + 5000);
  assert.equal(cond(s2, 'Ready').status, 'True');
  assert.equal(cond(s2, 'Ready').lastTransitionTime, '2024-01-01T00:00:15Z');
  assert.equal(cond(s2, 'Initialized').lastTransitionTime, '2024-01-01T00:00:10Z', 'unchanged conditions keep their time');
  assert.equal(s2.containerStatuses[0].ready, true);
  assert.ok(statusMatches({ ...s2, conditions: [...s2.conditions, { type: 'PodScheduled', status: 'True' }] }, s2));
  assert.ok(!statusMatches(s, s2));
  assert.ok(sameJson({ a: 1, b: {}, c: null }, { a: 1 }));
});

test('restartPolicy Never: Succeeded after the run time, Failed with the exit-code annotation', () => {
  const t0 = 1_700_000_000_000;
  const ok = pod({ restartPolicy: 'Never' });
  const run = newPodRun(ok, { ip: '10.0.0.2', hostIP: 'h', now: t0, timing });
  assert.equal(advance(run, ok, t0, timing).next, t0 + 1000);
  advance(run, ok, t0 + 1000, timing);
  let s = podStatus(run, ok, t0 + 1000);
  assert.equal(s.phase, 'Succeeded');
  assert.deepEqual({ ...s.containerStatuses[0].state.terminated, containerID: undefined }, { containerID: undefined, exitCode: 0, reason: 'Completed', startedAt: new Date(t0).toISOString().replace('.000', ''), finishedAt: new Date(t0 + 1000).toISOString().replace('.000', '') });
  assert.deepEqual(s.conditions.find((c: any) => c.type === 'Ready'), { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: new Date(t0 + 1000).toISOString().replace('.000', '') });
  assert.equal(s.conditions.find((c: any) => c.type === 'PodReadyToStartContainers').status, 'False');

  const bad = pod({ restartPolicy: 'Never' }, { 'sim.sampan.io/exit-code': '3', 'sim.sampan.io/run-seconds': '2' });
  const r2 = newPodRun(bad, { ip: '10.0.0.3', hostIP: 'h', now: t0, timing });
  advance(r2, bad, t0 + 1999, timing);
  assert.equal(podStatus(r2, bad, t0 + 1999).phase, 'Running');
  advance(r2, bad, t0 + 2000, timing);
  s = podStatus(r2, bad, t0 + 2000);
  assert.equal(s.phase, 'Failed');
  assert.equal(s.containerStatuses[0].state.terminated.exitCode, 3);
  assert.equal(s.containerStatuses[0].state.terminated.reason, 'Error');
  assert.equal(s.conditions.find((c: any) => c.type === 'Ready').reason, 'PodFailed');
});

test('restartPolicy OnFailure and Always with an exit code: restarts with back-off (CrashLoopBackOff)', () => {
  const t0 = 1_700_000_000_000;
  for (const restartPolicy of ['OnFailure', 'Always']) {
    const p = pod({ restartPolicy }, { 'sim.sampan.io/exit-code': '1' });
    const run = newPodRun(p, { ip: '10.0.0.2', hostIP: 'h', now: t0, timing });
    const id0 = run.containers[0].id;
    advance(run, p, t0 + 1000, timing); // first exit: restarted at once
    let c = podStatus(run, p, t0 + 1000).containerStatuses[0];
    assert.equal(c.restartCount, 1, restartPolicy);
    assert.ok(c.state.running);
    assert.equal(c.lastState.terminated.exitCode, 1);
    assert.equal(c.lastState.terminated.containerID, id0);
    assert.notEqual(c.containerID, id0);
    const a = advance(run, p, t0 + 2000, timing); // second exit: back-off 10 s
    const s = podStatus(run, p, t0 + 2000);
    c = s.containerStatuses[0];
    assert.equal(s.phase, 'Running');
    assert.equal(c.state.waiting.reason, 'CrashLoopBackOff');
    assert.equal(c.state.waiting.message, 'back-off 10s restarting failed container=c pod=p_ns(u1)');
    assert.equal(c.ready, false);
    assert.equal(a.next, t0 + 12_000);
    assert.deepEqual(a.events.map((e) => e.reason), ['BackOff']);
    advance(run, p, t0 + 12_000, timing);
    assert.equal(podStatus(run, p, t0 + 12_000).containerStatuses[0].restartCount, 2);
    advance(run, p, t0 + 13_000, timing);
    assert.equal(podStatus(run, p, t0 + 13_000).containerStatuses[0].state.waiting.message, 'back-off 20s restarting failed container=c pod=p_ns(u1)');
  }
  // OnFailure with exit 0 finishes
  const done = pod({ restartPolicy: 'OnFailure' });
  const r = newPodRun(done, { ip: '10.0.0.2', hostIP: 'h', now: t0, timing });
  advance(r, done, t0 + 1000, timing);
  assert.equal(podStatus(r, done, t0 + 1000).phase, 'Succeeded');
  // termination of a running Always pod: containers exit 0, the pod ends Succeeded
  const web = pod({});
  const rw = newPodRun(web, { ip: '10.0.0.2', hostIP: 'h', now: t0, timing });
  assert.equal(advance(rw, web, t0 + 60_000, timing).next, undefined, 'runs until stopped');
  kill(rw, web, t0 + 61_000);
  assert.equal(podStatus(rw, web, t0 + 61_000).phase, 'Succeeded');
});

const until = async (f: () => Promise<boolean> | boolean, what: string, ms = 8000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`condition not reached: ${what}`);
};

test('sim nodes in a server: nodes Ready with podCIDRs, CIDRNotAvailable, pods run, finish, delete; a deleted node comes back', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-simnode-'));
  // room for exactly two node subnets
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', simNodes: 2, clusterCIDR: '10.9.0.0/23', nodeCIDRMaskSize: 24 });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  try {
    const node = (n: string) => c.getOrNull<KubeObject>(`/api/v1/nodes/${n}`);
    await until(async () => !!(await node('sim-node-0'))?.spec?.podCIDR && !!(await node('sim-node-1'))?.spec?.podCIDR, 'both nodes have a podCIDR');
    const n0 = (await node('sim-node-0'))!;
    assert.deepEqual(n0.status.conditions.map((x: any) => `${x.type}=${x.status}/${x.reason}`), ['MemoryPressure=False/KubeletHasSufficientMemory', 'DiskPressure=False/KubeletHasNoDiskPressure', 'PIDPressure=False/KubeletHasSufficientPID', 'Ready=True/KubeletReady']);
    assert.equal(n0.status.conditions[3].message, 'kubelet is posting ready status');
    assert.deepEqual(n0.status.capacity, { cpu: '32', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '256Gi', pods: '110' });
    assert.deepEqual(n0.status.allocatable, n0.status.capacity);
    assert.deepEqual(n0.status.addresses, [{ type: 'InternalIP', address: '10.255.0.1' }, { type: 'Hostname', address: 'sim-node-0' }]);
    assert.equal(n0.status.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.equal(n0.metadata.labels?.['kubernetes.io/hostname'], 'sim-node-0');
    assert.equal(n0.metadata.labels?.type, 'sim');
    assert.deepEqual(n0.spec.podCIDRs, [n0.spec.podCIDR]);
    assert.deepEqual([(await node('sim-node-0'))!.spec.podCIDR, (await node('sim-node-1'))!.spec.podCIDR].sort(), ['10.9.0.0/24', '10.9.1.0/24']);
    const lease = await c.get<KubeObject>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-node-0');
    assert.equal(lease.spec.holderIdentity, 'sim-node-0');
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.equal(lease.metadata.ownerReferences?.[0].uid, n0.metadata.uid);

    // a third node finds the range full
    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'extra' } });
    await until(async () => (await c.list<KubeObject>('/api/v1/namespaces/default/events?fieldSelector=reason%3DCIDRNotAvailable')).items.length > 0, 'CIDRNotAvailable event');
    const ev = (await c.list<KubeObject>('/api/v1/namespaces/default/events?fieldSelector=reason%3DCIDRNotAvailable')).items[0];
    assert.equal(ev.message, 'Node extra status is now: CIDRNotAvailable');
    assert.equal(ev.involvedObject.kind, 'Node');
    assert.equal(ev.source.component, 'cidrAllocator');
    assert.equal((await node('extra'))!.spec?.podCIDR, undefined);

    // pods bound by hand run with an IP from the node's range; a Never pod completes
    const mk = (name: string, nodeName: string, extra: Record<string, unknown> = {}, annotations?: Record<string, string>) =>
      c.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(annotations ? { annotations } : {}) }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }], ...extra } });
    await mk('web', 'sim-node-0');
    await mk('once', 'sim-node-1', { restartPolicy: 'Never' }, { 'sim.sampan.io/run-seconds': '0.3' });
    await mk('elsewhere', 'no-such-node');
    const pod = (n: string) => c.getOrNull<KubeObject>(`/api/v1/namespaces/default/pods/${n}`);
    await until(async () => (await pod('web'))?.status?.phase === 'Running', 'web Running');
    const web = (await pod('web'))!;
    const cidr0 = (await node('sim-node-0'))!.spec.podCIDR as string;
    assert.equal(web.status.podIP, cidr0.replace(/0\/24$/, '2'));
    assert.equal(web.status.hostIP, '10.255.0.1');
    assert.ok(web.status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    await until(async () => (await pod('once'))?.status?.phase === 'Succeeded', 'once Succeeded');
    assert.equal((await pod('elsewhere'))!.status.phase, 'Pending', 'pods of unknown nodes are left alone');

    // delete: Terminating for at most the capped grace, then gone
    await c.delete('/api/v1/namespaces/default/pods/web');
    assert.ok((await pod('web'))?.metadata.deletionTimestamp, 'still there, terminating');
    await until(async () => !(await pod('web')), 'web removed by the node');

    // a node deleted while running registers again (and gets a podCIDR again)
    await c.delete('/api/v1/nodes/sim-node-1');
    await until(async () => !!(await node('sim-node-1'))?.spec?.podCIDR, 'sim-node-1 back with a podCIDR');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
