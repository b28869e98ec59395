// kubectl describe with events (recorded through the event recorder library), get events,
// deletecollection, paging with --chunk-size, and the watch of a single object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from './harness.js';
import { apiFromKubeconfig, type Api } from './api.js';
import { createRecorder } from '../../src/client/events.js';
import type { Client } from '../../src/client/local.js';
import { ApiError } from '../../src/api/errors.js';

let c: Cluster;
let api: Api;
before(async () => {
  c = await startCluster();
  api = apiFromKubeconfig(c.kubeconfig);
});
after(async () => {
  api?.close();
  await c?.stop();
  c?.cleanup();
});

/** A Client over HTTPS, so the recorder library is exercised against the real server. */
function httpClient(): Client {
  const call = async (method: string, path: string, body?: unknown, ct?: string) => {
    const r = await api.request(method, path, body, ct ? { 'content-type': ct } : {});
    const parsed = r.body ? JSON.parse(r.body) : undefined;
    if (r.status >= 400) throw new ApiError(r.status, parsed?.reason ?? '', parsed?.message ?? r.body);
    return parsed;
  };
  return {
    get: (p) => call('GET', p),
    async getOrNull(p) {
      try {
        return await call('GET', p);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return null;
        throw e;
      }
    },
    list: (p) => call('GET', p),
    create: (p, b) => call('POST', p, b),
    update: (p, b) => call('PUT', p, b),
    patch: (p, b, t = 'merge') => call('PATCH', p, b, t === 'merge' ? 'application/merge-patch+json' : t === 'json' ? 'application/json-patch+json' : 'application/strategic-merge-patch+json'),
    delete: (p, o) => call('DELETE', p, o),
    watch: () => Promise.reject(new Error('not used')),
  };
}

test('describe shows recorded events, repeats merged into a count', async () => {
  await c.k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ev\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: subject\n  namespace: ev\ndata:\n  a: b\n');
  const cm = JSON.parse(await c.k('get cm subject -n ev -o json'));
  const rec = createRecorder(httpClient(), { component: 'test-controller', host: 'node-1' });
  await rec.event(cm, 'Warning', 'Wobbly', 'the subject wobbled');
  await rec.event(cm, 'Warning', 'Wobbly', 'the subject wobbled');
  await rec.event(cm, 'Warning', 'Wobbly', 'the subject wobbled');
  await rec.event(cm, 'Normal', 'Steady', 'the subject is steady');
  const events = JSON.parse(await c.k('get events -n ev -o json')).items;
  assert.equal(events.length, 2);
  const wobbly = events.find((e: any) => e.reason === 'Wobbly');
  assert.equal(wobbly.count, 3);
  assert.equal(wobbly.source.component, 'test-controller');
  const d = await c.k('describe cm subject -n ev');
  assert.match(d, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
  assert.match(d, /Warning\s+Wobbly\s+\S+\s+\(x3 over \S+\)\s+test-controller\s+the subject wobbled/);
  assert.match(d, /Normal\s+Steady\s+\S+\s+test-controller\s+the subject is steady/);
  const table = await c.k('get events -n ev');
  assert.match(table, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
  assert.match(table, /Warning\s+Wobbly\s+configmap\/subject\s+the subject wobbled/);
  const sel = await c.k(['get', 'events', '-n', 'ev', '--field-selector', 'reason=Steady,involvedObject.kind=ConfigMap', '-o', 'name']);
  assert.equal(sel.trim().split('\n').length, 1);
  const v1 = JSON.parse(await c.k('get events.events.k8s.io -n ev -o json')).items;
  assert.equal(v1.length, 2);
  assert.equal(v1.find((e: any) => e.reason === 'Wobbly').note, 'the subject wobbled');
  assert.equal(v1.find((e: any) => e.reason === 'Wobbly').regarding.name, 'subject');
});

test('paging: kubectl --chunk-size walks continue tokens; raw limit/continue and 410 for a stale token', async () => {
  await c.k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: pages\n');
  for (let i = 0; i < 25; i++) {
    const r = await api.request('POST', '/api/v1/namespaces/pages/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}` } });
    assert.equal(r.status, 201);
  }
  const out = await c.k('get cm -n pages --chunk-size=7 -o name');
  assert.equal(out.trim().split('\n').length, 25);
  const first = (await api.request('GET', '/api/v1/namespaces/pages/configmaps?limit=10')).json();
  assert.equal(first.items.length, 10);
  assert.equal(first.metadata.remainingItemCount, 15);
  assert.ok(first.metadata.continue);
  // a write between pages does not change what the continued list shows (snapshot semantics)
  await api.request('POST', '/api/v1/namespaces/pages/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-99' } });
  const second = (await api.request('GET', `/api/v1/namespaces/pages/configmaps?limit=100&continue=${encodeURIComponent(first.metadata.continue)}`)).json();
  assert.equal(second.items.length, 15);
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  assert.ok(!second.items.some((i: any) => i.metadata.name === 'cm-99'));
  const bad = await api.request('GET', '/api/v1/namespaces/pages/configmaps?limit=5&continue=garbage!!');
  assert.equal(bad.status, 400);
  const exact = await api.request('GET', `/api/v1/namespaces/pages/configmaps?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 200);
  assert.equal(exact.json().items.length, 25);
  const tooNew = await api.request('GET', `/api/v1/namespaces/pages/configmaps?resourceVersion=99999999&resourceVersionMatch=NotOlderThan`);
  assert.equal(tooNew.status, 504);
  const sel = (await api.request('GET', '/api/v1/namespaces/pages/configmaps?labelSelector=' + encodeURIComponent('x in (a'))).json();
  assert.equal(sel.code, 400);
  // deletecollection with a selector
  await api.request('PATCH', '/api/v1/namespaces/pages/configmaps/cm-00', { metadata: { labels: { drop: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
  const dc = await api.request('DELETE', '/api/v1/namespaces/pages/configmaps?labelSelector=drop%3Dyes');
  assert.equal(dc.status, 200);
  assert.equal(dc.json().items.length, 1);
  assert.equal((await api.request('GET', '/api/v1/namespaces/pages/configmaps/cm-00')).status, 404);
});

test('watch from an old resourceVersion replays; a compacted one gets 410 Gone', async () => {
  const start = (await api.request('GET', '/api/v1/namespaces/pages/configmaps')).json().metadata.resourceVersion;
  await api.request('PATCH', '/api/v1/namespaces/pages/configmaps/cm-01', { data: { x: '1' } }, { 'content-type': 'application/merge-patch+json' });
  const r = await api.request('GET', `/api/v1/namespaces/pages/configmaps?watch=1&resourceVersion=${start}&timeoutSeconds=1`);
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'cm-01'), r.body);
  // a server keeping only 5 events of history answers 410 Gone for a watch further back
  const small = await startCluster({ extraArgs: ['--watch-cache-size=5'] });
  try {
    const sapi = apiFromKubeconfig(small.kubeconfig);
    for (let i = 0; i < 10; i++) await sapi.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
    const old = await sapi.request('GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1&timeoutSeconds=1`);
    const ev = JSON.parse(old.body.trim().split('\n')[0]);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 410);
    assert.match(ev.object.message, /^too old resource version: 1 \(\d+\)$/);
    sapi.close();
  } finally {
    await small.stop();
    small.cleanup();
  }
  const bm = await api.request('GET', `/api/v1/namespaces/pages/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
  const lines = bm.body.trim().split('\n').map((l) => JSON.parse(l));
  const last = lines.findIndex((e) => e.type === 'BOOKMARK');
  assert.ok(last > 0);
  assert.equal(lines[last].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  assert.ok(lines.slice(0, last).every((e) => e.type === 'ADDED'));
});

test('bodies over 3 MiB get 413; Secrets over 1 MiB get 422', async () => {
  const big = 'x'.repeat(3 * 1024 * 1024 + 10);
  const r = await api.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: big } });
  assert.equal(r.status, 413);
  const s = await api.request('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, stringData: { a: 'y'.repeat(1024 * 1024 + 1) } });
  assert.equal(s.status, 422, s.body);
  assert.match(s.json().message, /Too long: must have at most 1048576 bytes/);
});

test('unauthenticated requests get 401; token file users authenticate', async () => {
  const https = await import('node:https');
  const url = new URL(c.url);
  const status = await new Promise<number>((resolve, reject) => {
    https.get({ host: url.hostname, port: url.port, path: '/api/v1/namespaces', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject);
  });
  assert.equal(status, 401);
  const r = await c.kubectl(['get', 'ns', '--token=bogus', '--user=nobody']);
  assert.notEqual(r.code, 0);
});
