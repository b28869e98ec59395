import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaderElector, microTime, type LeaderElector } from '../../src/client/leaderelection.js';
import type { KubeObject } from '../../src/api/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('microTime writes six fractional digits', () => {
  assert.equal(microTime(Date.parse('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
});

test('leader election: one of two candidates leads, the other takes over on release and on expiry', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-le-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['serviceaccount', 'endpoints', 'endpointslice', 'nodelifecycle', 'taint-eviction-controller', 'podgc'] });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/test-lock';
  const events: string[] = [];
  const make = (id: string, o: { failRenew?: () => boolean } = {}): LeaderElector => {
    const client = o.failRenew
      ? {
          ...c,
          update: async (p: string, b: unknown) => {
            if (o.failRenew!()) throw new Error('connection refused');
            return c.update(p, b);
          },
        }
      : c;
    return leaderElector({
      client: client as typeof c,
      namespace: 'kube-system',
      name: 'test-lock',
      identity: id,
      leaseDurationMs: 1500,
      renewDeadlineMs: 1000,
      retryPeriodMs: 200,
      onStartedLeading: () => void events.push(`${id} started`),
      onStoppedLeading: () => void events.push(`${id} stopped`),
    });
  };
  try {
    const a = make('a');
    const b = make('b');
    const t0 = Date.now();
    await a.run();
    // a free lease is taken on the first attempt, without waiting a retry period
    assert.ok(a.isLeader());
    assert.ok(Date.now() - t0 < 150, `first acquire took ${Date.now() - t0} ms`);
    await b.run();
    assert.equal(b.isLeader(), false);
    assert.equal(b.leader(), 'a');
    let lease = await c.get<KubeObject>(LEASE);
    assert.equal(lease.spec.holderIdentity, 'a');
    assert.equal(lease.spec.leaseDurationSeconds, 2);
    assert.equal(lease.spec.leaseTransitions, 0);
    assert.match(lease.spec.acquireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const firstRenew = lease.spec.renewTime;
    await sleep(700);
    // the leader renews; the other keeps waiting
    lease = await c.get<KubeObject>(LEASE);
    assert.equal(lease.spec.holderIdentity, 'a');
    assert.notEqual(lease.spec.renewTime, firstRenew);
    assert.equal(b.isLeader(), false);

    // a stops: it releases the lease and b takes over well within the lease duration
    const t1 = Date.now();
    await a.stop();
    lease = await c.get<KubeObject>(LEASE);
    assert.equal(lease.spec.holderIdentity, undefined);
    while (!b.isLeader() && Date.now() - t1 < 1500) await sleep(20);
    assert.ok(b.isLeader(), 'b did not take over after the release');
    lease = await c.get<KubeObject>(LEASE);
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    assert.deepEqual(events, ['a started', 'a stopped', 'b started']);

    // b's renewals fail: it stops leading after the renew deadline; c takes over after expiry
    let failing = false;
    await b.stop();
    events.length = 0;
    const b2 = make('b2', { failRenew: () => failing });
    await b2.run();
    assert.ok(b2.isLeader());
    const c3 = make('c3');
    await c3.run();
    assert.equal(c3.isLeader(), false);
    failing = true;
    const t2 = Date.now();
    while (!c3.isLeader() && Date.now() - t2 < 4000) await sleep(20);
    assert.ok(c3.isLeader(), 'c3 did not take over an expired lease');
    assert.equal(b2.isLeader(), false);
    assert.ok(Date.now() - t2 >= 1000, 'took over before the lease expired');
    assert.deepEqual(events, ['b2 started', 'b2 stopped', 'c3 started']);
    assert.equal((await c.get<KubeObject>(LEASE)).spec.leaseTransitions, 3);
    await b2.stop();
    await c3.stop();
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the controller manager holds kube-controller-manager and a second manager waits for it', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const { startControllerManager } = await import('../../src/controllers/manager.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-le-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  try {
    const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
    const lease = await c.get<KubeObject>('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager');
    assert.match(lease.spec.holderIdentity, /^[^_]+_[0-9a-f-]{36}$/);
    // a second manager on the same API: its components do not start while the first leads
    const started: string[] = [];
    const comp = (name: string, lease?: string | false) => ({ name, lease, start: () => (started.push(name), { stop: () => void started.push(`-${name}`) }) });
    const m2 = await startControllerManager(
      {
        makeClient: (u) => localClient(s.call, u),
        registry: s.context.registry,
        log: () => () => {},
        config: { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12', clusterDomain: 'cluster.local', simNodes: 0, disabled: [] },
        leaderElection: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 },
      },
      [comp('ctl'), comp('sched', 'test-scheduler'), comp('sim', false)],
    );
    assert.deepEqual(started.sort(), ['sched', 'sim']);
    assert.deepEqual(m2.leading(), ['test-scheduler']);
    await m2.stop();
    assert.deepEqual(started.sort(), ['-sched', '-sim', 'sched', 'sim']);
    const released = await c.get<KubeObject>('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/test-scheduler');
    assert.equal(released.spec.holderIdentity, undefined);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
