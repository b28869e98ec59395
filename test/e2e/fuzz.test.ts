// Thousands of mutated request bodies: no 5xx, no crash, and nothing stored changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './harness.js';
import { apiFromKubeconfig } from './api.js';

// a small deterministic PRNG so failures reproduce
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds: { path: string; body: any }[] = [
  { path: '/api/v1/namespaces/fuzz/pods', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'], ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } }] } } },
  { path: '/api/v1/namespaces/fuzz/services', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] } } },
  { path: '/apis/apps/v1/namespaces/fuzz/deployments', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } },
  { path: '/api/v1/namespaces/fuzz/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } } },
  { path: '/api/v1/namespaces/fuzz/secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, type: 'Opaque', stringData: { k: 'v' } } },
  { path: '/apis/batch/v1/namespaces/fuzz/jobs', body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  { path: '/apis/networking.k8s.io/v1/namespaces/fuzz/ingresses', body: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } } },
];

const weird = [null, true, false, 0, -1, 1.5, 2 ** 53, '', 'x', '-1', '😀', [], {}, [1, 'a'], { a: null }, 'a'.repeat(300), '../..', '%00'];

function mutate(r: () => number, v: any, depth = 0): any {
  if (v === null || typeof v !== 'object') return r() < 0.5 ? weird[Math.floor(r() * weird.length)] : v;
  const copy: any = Array.isArray(v) ? [...v] : { ...v };
  const keys = Object.keys(copy);
  const op = r();
  if (keys.length && op < 0.35) {
    const k = keys[Math.floor(r() * keys.length)];
    copy[k] = depth < 6 && r() < 0.7 ? mutate(r, copy[k], depth + 1) : weird[Math.floor(r() * weird.length)];
  } else if (keys.length && op < 0.5) {
    delete copy[keys[Math.floor(r() * keys.length)]];
  } else if (op < 0.6) {
    if (Array.isArray(copy)) copy.push(weird[Math.floor(r() * weird.length)]);
    else copy[['bogus', 'spec', 'status', 'metadata', 'apiVersion', 'kind', '$patch'][Math.floor(r() * 7)]] = weird[Math.floor(r() * weird.length)];
  } else if (keys.length) {
    const k = keys[Math.floor(r() * keys.length)];
    copy[k] = mutate(r, copy[k], depth + 1);
  }
  return copy;
}

test('fuzzed bodies: no 5xx, no crash, store unchanged', async () => {
  // no controllers: their background writes would move the revision this test watches
  const c = await startCluster({ extraArgs: ['--disable-controllers', '*'] });
  const api = apiFromKubeconfig(c.kubeconfig, { maxSockets: 8 });
  try {
    assert.equal((await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } })).status, 201);
    // a live object for updates and patches
    const base = await api.request('POST', '/api/v1/namespaces/fuzz/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live' }, data: { k: 'v' } });
    assert.equal(base.status, 201, base.body);
    const before = (await api.request('GET', '/api/v1/namespaces/fuzz/configmaps/live')).json();
    const revBefore = (await api.request('GET', '/api/v1/namespaces/fuzz/configmaps')).json().metadata.resourceVersion;
    const r = rng(20261122);
    const N = Number(process.env.SAMPAN_FUZZ_N ?? 3000);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const one = async (i: number) => {
      const seed = seeds[i % seeds.length];
      let body: any = mutate(r, mutate(r, seed.body));
      const kind = r();
      let method = 'POST';
      let path = `${seed.path}?dryRun=All&fieldValidation=${['Strict', 'Warn', 'Ignore'][i % 3]}`;
      let headers: Record<string, string> = {};
      let payload: string = JSON.stringify(body);
      if (kind < 0.15) payload = payload.slice(0, Math.floor(r() * payload.length)); // truncated JSON, real path
      if (kind < 0.15) path = seed.path;
      else if (kind < 0.3) {
        method = 'PATCH';
        path = `/api/v1/namespaces/fuzz/configmaps/live?dryRun=All`;
        const t = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'][Math.floor(r() * 4)];
        headers = { 'content-type': t };
        if (t.includes('apply')) path += '&fieldManager=fuzz';
        payload = JSON.stringify(t.includes('json-patch') ? [{ op: ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'][Math.floor(r() * 7)], path: ['/data/k', '/metadata/name', '/x/y/z', '', '/data/-', '/metadata/labels/a~1b'][Math.floor(r() * 6)], value: weird[Math.floor(r() * weird.length)], from: '/data' }] : mutate(r, { metadata: { labels: { a: 'b' } }, data: { k: 'w' } }));
      } else if (kind < 0.4) {
        method = 'PUT';
        path = `/api/v1/namespaces/fuzz/configmaps/live?dryRun=All`;
        payload = JSON.stringify(mutate(r, before));
      } else if (kind < 0.45) {
        method = 'POST';
        path = `${seed.path}?dryRun=All`;
        headers = { 'content-type': 'application/yaml' };
        payload = `${JSON.stringify(body).slice(0, 40)}\n  - : [:\n`;
      }
      let res;
      try {
        res = await api.request(method, path, payload, headers);
      } catch (e) {
        failures.push(`${method} ${path}: ${(e as Error).message}`);
        return;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${method} ${path} ${res.status} ${res.body.slice(0, 300)} <= ${payload.slice(0, 300)}`);
      else if (res.status >= 400) {
        const s = JSON.parse(res.body);
        if (s.kind !== 'Status' || s.code !== res.status) failures.push(`non-Status error body: ${res.body.slice(0, 200)}`);
      }
    };
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < N; i++) {
      const p = one(i).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 8) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
    assert.equal(c.proc.exitCode, null, 'server still running');
    const after = (await api.request('GET', '/api/v1/namespaces/fuzz/configmaps/live')).json();
    assert.deepEqual(after, before, 'the live object is unchanged');
    const revAfter = (await api.request('GET', '/api/v1/namespaces/fuzz/configmaps')).json().metadata.resourceVersion;
    assert.equal(revAfter, revBefore, 'no write reached the store');
    assert.ok((statuses.get(201) ?? 0) + (statuses.get(200) ?? 0) > 0, 'some fuzzed bodies were still valid (dry run)');
  } finally {
    api.close();
    await c.stop();
    c.cleanup();
  }
});
