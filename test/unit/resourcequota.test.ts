import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import { evaluatedBy, isBestEffort, podResources, quotaUsage, usageToList, type Evaluated } from '../../src/controllers/resourcequota/usage.js';

const pod = (name: string, o: { req?: Record<string, string>; lim?: Record<string, string>; phase?: string; deadline?: number; pc?: string; init?: any[] } = {}): KubeObject =>
  ({
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: o.req, limits: o.lim } }], initContainers: o.init, activeDeadlineSeconds: o.deadline, priorityClassName: o.pc },
    status: { phase: o.phase ?? 'Running' },
  }) as KubeObject;

const objects = (m: Record<string, KubeObject[]>) => ({ list: (e: Evaluated) => m[typeof e === 'string' ? e : `${e.group}/${e.resource}`] ?? [] });
const quota = (hard: Record<string, string>, extra: object = {}): KubeObject => ({ metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...extra } }) as KubeObject;

test('keys map to the evaluators Kubernetes has', () => {
  assert.equal(evaluatedBy('pods'), 'pods');
  assert.equal(evaluatedBy('requests.cpu'), 'pods');
  assert.equal(evaluatedBy('limits.memory'), 'pods');
  assert.equal(evaluatedBy('requests.storage'), 'persistentvolumeclaims');
  assert.equal(evaluatedBy('gold.storageclass.storage.k8s.io/requests.storage'), 'persistentvolumeclaims');
  assert.equal(evaluatedBy('services.nodeports'), 'services');
  assert.deepEqual(evaluatedBy('count/deployments.apps'), { group: 'apps', resource: 'deployments' });
  assert.deepEqual(evaluatedBy('configmaps'), { group: '', resource: 'configmaps' });
  assert.equal(evaluatedBy('foo'), undefined);
});

test('pod requests: containers summed, init containers as a maximum, sidecars added', () => {
  const p = pod('a', { req: { cpu: '100m', memory: '64Mi' }, init: [{ name: 'i', resources: { requests: { cpu: '1' } } }, { name: 's', restartPolicy: 'Always', resources: { requests: { memory: '32Mi' } } }] });
  assert.deepEqual(usageToList(podResources(p, 'requests')), { cpu: '1', memory: '96Mi' });
});

test('compute usage sums requests and limits of non-terminal pods; zero is "0"; formats as Kubernetes prints them', () => {
  const q = quota({ pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2', 'limits.memory': '2Gi', 'count/pods': '20', cpu: '4', 'requests.ephemeral-storage': '1Gi' });
  const pods = [pod('a', { req: { cpu: '250m', memory: '512Mi' }, lim: { cpu: '500m', memory: '1Gi' } }), pod('b', { req: { cpu: '250m', memory: '512Mi' } }), pod('done', { req: { cpu: '4' }, phase: 'Succeeded' })];
  assert.deepEqual(usageToList(quotaUsage(q, objects({ pods }))), {
    'count/pods': '3',
    cpu: '500m',
    'limits.cpu': '500m',
    'limits.memory': '1Gi',
    pods: '2',
    'requests.cpu': '500m',
    'requests.ephemeral-storage': '0',
    'requests.memory': '1Gi',
  });
});

test('scopes: Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass', () => {
  const pods = [pod('be'), pod('term', { deadline: 30, req: { cpu: '1' } }), pod('hi', { pc: 'high', req: { cpu: '2' } })];
  const used = (extra: object, hard: Record<string, string> = { pods: '9' }) => usageToList(quotaUsage(quota(hard, extra), objects({ pods })));
  assert.deepEqual(used({ scopes: ['BestEffort'] }), { pods: '1' });
  assert.deepEqual(used({ scopes: ['NotBestEffort'] }, { pods: '9', 'requests.cpu': '9' }), { pods: '2', 'requests.cpu': '3' });
  assert.deepEqual(used({ scopes: ['Terminating'] }), { pods: '1' });
  assert.deepEqual(used({ scopes: ['NotTerminating'] }), { pods: '2' });
  assert.deepEqual(used({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }, { pods: '9', 'requests.cpu': '9' }), { pods: '1', 'requests.cpu': '2' });
  assert.deepEqual(used({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } }), { pods: '2' });
  assert.equal(isBestEffort(pods[0]), true);
  assert.equal(isBestEffort(pods[1]), false);
});

test('services, claims (per class) and object counts', () => {
  const services = [
    { metadata: { name: 's1' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } },
    { metadata: { name: 's2' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } },
    { metadata: { name: 's3' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
  ] as KubeObject[];
  const claims = [
    { metadata: { name: 'c1' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } } },
    { metadata: { name: 'c2' }, spec: { resources: { requests: { storage: '500Mi' } } } },
  ] as KubeObject[];
  const cms = [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] as KubeObject[];
  const q = quota({ services: '9', 'services.nodeports': '9', 'services.loadbalancers': '9', persistentvolumeclaims: '9', 'requests.storage': '10Gi', 'gold.storageclass.storage.k8s.io/requests.storage': '5Gi', 'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '3', configmaps: '10', 'count/configmaps': '10', 'count/deployments.apps': '5' });
  assert.deepEqual(usageToList(quotaUsage(q, objects({ services, persistentvolumeclaims: claims, '/configmaps': cms, 'apps/deployments': [cms[0]] }))), {
    configmaps: '2',
    'count/configmaps': '2',
    'count/deployments.apps': '1',
    'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
    'gold.storageclass.storage.k8s.io/requests.storage': '1Gi',
    persistentvolumeclaims: '2',
    'requests.storage': '1524Mi',
    services: '3',
    'services.loadbalancers': '1',
    'services.nodeports': '3',
  });
});

test('in a server: status.hard and status.used follow pods and config maps', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-quota-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const Q = '/api/v1/namespaces/default/resourcequotas';
  const until = async (f: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await f()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`not reached: ${what}`);
  };
  const status = async () => (await c.get<KubeObject>(`${Q}/q`)).status;
  try {
    await c.create(Q, { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '1', configmaps: '5', 'count/deployments.apps': '2' } } });
    await until(async () => !!(await status())?.used, 'status');
    assert.deepEqual((await status()).hard, { pods: '10', 'requests.cpu': '1', configmaps: '5', 'count/deployments.apps': '2' });
    const base = Number((await status()).used.configmaps);
    assert.equal((await status()).used.pods, '0');
    await c.create('/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '500m' } } }] } });
    await c.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'cm' } });
    await until(async () => (await status()).used.pods === '1' && (await status()).used['requests.cpu'] === '500m' && Number((await status()).used.configmaps) === base + 1, 'usage');
    await c.delete('/api/v1/namespaces/default/pods/p', { gracePeriodSeconds: 0 });
    await until(async () => (await status()).used.pods === '0' && (await status()).used['requests.cpu'] === '0', 'usage after delete');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
