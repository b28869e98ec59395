import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('pod GC: orphaned pods, terminated pods over the threshold, unscheduled pods being deleted', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const { startControllerManager } = await import('../../src/controllers/manager.js');
  const { podGCComponent } = await import('../../src/controllers/podgc/podgc.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-podgc-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['podgc', 'scheduler', 'nodelifecycle', 'taint-eviction-controller'] });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const until = async (f: () => Promise<boolean>, what: string, ms = 5000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await f()) return;
      await sleep(50);
    }
    assert.fail(`${what} not reached`);
  };
  const m = await startControllerManager(
    {
      makeClient: (u) => localClient(s.call, u),
      registry: s.context.registry,
      log: () => () => {},
      config: { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12', clusterDomain: 'cluster.local', simNodes: 0, disabled: [] },
    },
    [{ ...podGCComponent({ periodMs: 100, quarantineMs: 400, terminatedPodThreshold: 2 }), lease: false }],
  );
  try {
    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const pod = (name: string, node?: string, finalizers?: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(finalizers ? { finalizers } : {}) }, spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'c', image: 'nginx' }] } });
    const get = (n: string) => c.getOrNull<KubeObject>(`/api/v1/namespaces/default/pods/${n}`);
    // four finished pods on n1: the two oldest go
    for (const n of ['done-1', 'done-2', 'done-3', 'done-4']) {
      await c.create('/api/v1/namespaces/default/pods', pod(n, 'n1'));
      await c.patch(`/api/v1/namespaces/default/pods/${n}/status`, { status: { phase: 'Succeeded' } }, 'merge');
      await sleep(1100); // distinct creation timestamps
    }
    await until(async () => !(await get('done-1')) && !(await get('done-2')), 'oldest terminated pods collected');
    assert.ok(await get('done-3'));
    assert.ok(await get('done-4'));

    // a running pod on a node that does not exist goes after the quarantine, marked Failed first
    await c.create('/api/v1/namespaces/default/pods', pod('orphan', 'gone', ['test/hold']));
    await c.patch('/api/v1/namespaces/default/pods/orphan/status', { status: { phase: 'Running' } }, 'merge');
    await sleep(200);
    assert.equal((await get('orphan'))?.metadata.deletionTimestamp, undefined, 'deleted before the quarantine');
    await until(async () => !!(await get('orphan'))?.metadata.deletionTimestamp, 'orphan deleted');
    const orphan = (await get('orphan'))!;
    assert.equal(orphan.status.phase, 'Failed');
    const dt = orphan.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    assert.equal(orphan.metadata.deletionGracePeriodSeconds, 0);
    await c.patch('/api/v1/namespaces/default/pods/orphan', { metadata: { finalizers: null } }, 'merge');

    // an unscheduled pod being deleted (held by a finalizer) is force-deleted
    await c.create('/api/v1/namespaces/default/pods', pod('pending', undefined, ['test/hold']));
    await c.delete('/api/v1/namespaces/default/pods/pending');
    await until(async () => (await get('pending'))?.metadata.deletionGracePeriodSeconds === 0, 'unscheduled terminating pod force-deleted');
    await c.patch('/api/v1/namespaces/default/pods/pending', { metadata: { finalizers: null } }, 'merge');
  } finally {
    await m.stop();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
