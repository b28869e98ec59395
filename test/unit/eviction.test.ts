// pods/eviction against PodDisruptionBudgets, in-process with the disruption controller off so the
// test owns the budgets' status: the eviction takes a disruption (compare-and-swap on the budget),
// marks the pod DisruptionTarget, and refuses with Kubernetes' errors when it may not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src/api/errors.js';

test('eviction takes the budget, marks the pod and refuses when the budget is spent, stale or ambiguous', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-evict-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['disruption', 'scheduler', 'podgc', 'nodelifecycle'] });
  try {
    const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
    const ns = '/api/v1/namespaces/default';
    const pod = async (name: string, phase: string, ready: boolean, app = 'web') => {
      await c.create(`${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
      const p: any = await c.get(`${ns}/pods/${name}`);
      await c.update(`${ns}/pods/${name}/status`, { ...p, status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
    };
    const evict = (name: string, extra: object = {}) => c.create(`${ns}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...extra });
    const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
    const setBudget = async (name: string, status: object) => {
      const b: any = await c.get(`${PDBS}/${name}`);
      await c.update(`${PDBS}/${name}/status`, { ...b, status: { observedGeneration: b.metadata.generation, ...status } });
    };
    const rejects = async (p: Promise<unknown>, code: number, msg: RegExp) => {
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof ApiError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, msg);
        return true;
      });
    };

    for (const n of ['a', 'b', 'c']) await pod(n, 'Running', true);
    await c.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    await rejects(evict('a'), 429, /The disruption budget web is still being processed by the server/);
    await setBudget('web', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });

    await evict('a');
    const a: any = await c.get(`${ns}/pods/a`);
    assert.ok(a.metadata.deletionTimestamp, 'a bound pod is deleted gracefully');
    const dt = a.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
    const budget: any = await c.get(`${PDBS}/web`);
    assert.equal(budget.status.disruptionsAllowed, 0);
    assert.ok(budget.status.disruptedPods.a, 'the evicted pod is recorded for the disruption controller');
    assert.equal(budget.status.conditions.find((x: any) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');

    await rejects(evict('b'), 429, /^Cannot evict pod as it would violate the pod's disruption budget\.$/);
    assert.equal(((await c.get(`${ns}/pods/b`)) as any).metadata.deletionTimestamp, undefined, 'a refused eviction deletes nothing');

    // dry run checks without taking the budget
    await setBudget('web', { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
    await c.create(`${ns}/pods/b/eviction?dryRun=All`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'b' } });
    assert.equal(((await c.get(`${PDBS}/web`)) as any).status.disruptionsAllowed, 1);
    assert.equal(((await c.get(`${ns}/pods/b`)) as any).metadata.deletionTimestamp, undefined);

    // Pending pods and not-ready pods of a healthy budget go without taking it
    await pod('pending', 'Pending', false);
    await evict('pending');
    await pod('sick', 'Running', false);
    await evict('sick');
    assert.equal(((await c.get(`${PDBS}/web`)) as any).status.disruptionsAllowed, 1);

    // two budgets selecting one pod
    await c.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web2' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await rejects(evict('b'), 500, /This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
