// Shared informers: list+watch into a local cache with handlers and indexers, against a real
// in-process server; and the relist after a watch fails with 410 Gone, against a scripted client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.js';
import type { Client } from '../../src/client/local.js';
import { informerFactory, newInformer, keyOf, splitKey } from '../../src/client/informer.js';

const until = async (f: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`condition not reached: ${what}`);
};

test('keys: namespace/name for namespaced objects, name for cluster-scoped ones', () => {
  assert.equal(keyOf({ metadata: { namespace: 'a', name: 'b' } }), 'a/b');
  assert.equal(keyOf({ metadata: { name: 'n1' } }), 'n1');
  assert.deepEqual(splitKey('a/b'), ['a', 'b']);
  assert.deepEqual(splitKey('n1'), [undefined, 'n1']);
});

test('informer over the in-process API: cache, handlers, indexers, shared instances', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-informer-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  try {
    const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
    const cm = (ns: string, name: string, color: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { color } } });
    await c.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    await c.create('/api/v1/namespaces/inf/configmaps', cm('inf', 'before', 'red'));
    const f = informerFactory(c);
    const inf = f.informer('/api/v1/configmaps', { query: 'labelSelector=color' });
    assert.equal(f.informer('/api/v1/configmaps', { query: 'labelSelector=color' }), inf, 'one informer per path and query');
    inf.addIndexer('test:color', (o) => [o.metadata.labels?.color ?? '']);
    const seen: string[] = [];
    inf.addEventHandler({
      add: (o) => seen.push(`add ${keyOf(o)}`),
      update: (a, b) => seen.push(`update ${keyOf(b)} ${a.metadata.labels?.color}->${b.metadata.labels?.color}`),
      delete: (o) => seen.push(`delete ${keyOf(o)}`),
    });
    await f.synced();
    assert.ok(inf.hasSynced());
    assert.deepEqual(seen, ['add inf/before']);
    await c.create('/api/v1/namespaces/inf/configmaps', cm('inf', 'after', 'blue'));
    await c.patch('/api/v1/namespaces/inf/configmaps/before', { metadata: { labels: { color: 'blue' } } });
    await c.create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unlabelled' } });
    await c.delete('/api/v1/namespaces/inf/configmaps/after');
    await until(() => seen.length === 4, `4 events, have ${JSON.stringify(seen)}`);
    assert.deepEqual(seen, ['add inf/before', 'add inf/after', 'update inf/before red->blue', 'delete inf/after']);
    assert.deepEqual(inf.byIndex('test:color', 'blue').map(keyOf), ['inf/before']);
    assert.deepEqual(inf.byIndex('test:color', 'red'), []);
    assert.deepEqual(inf.list('inf').map(keyOf), ['inf/before']);
    assert.equal(inf.list('default').length, 0, 'the label selector keeps unlabelled objects out');
    assert.equal(inf.get('inf', 'before')?.metadata.labels?.color, 'blue');
    assert.ok(Number(inf.lastResourceVersion()) > 0);
    // a handler added late hears about what is cached
    const late: string[] = [];
    inf.addEventHandler({ add: (o) => late.push(keyOf(o)) });
    assert.deepEqual(late, ['inf/before']);
    f.stop();
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('informer relists after 410 Gone and reports what vanished meanwhile as deletes', async () => {
  const obj = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } });
  let lists = 0;
  const watchPaths: string[] = [];
  const client = {
    async list() {
      lists++;
      return lists === 1 ? { items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '2' } } : { items: [obj('a', '5')], metadata: { resourceVersion: '9' } };
    },
    async watch(path: string, onEvent: (ev: { type: string; object: unknown }) => void, onEnd: () => void) {
      watchPaths.push(path);
      if (watchPaths.length === 1)
        setTimeout(() => {
          onEvent({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
          onEnd();
        }, 5);
      return () => {};
    },
  } as unknown as Client;
  const inf = newInformer(client, '/api/v1/configmaps');
  const seen: string[] = [];
  inf.addEventHandler({ add: (o) => seen.push(`add ${o.metadata.name}`), update: (_, o) => seen.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`), delete: (o) => seen.push(`delete ${o.metadata.name}`) });
  await inf.synced();
  await until(() => lists === 2 && watchPaths.length === 2, 'a relist and a second watch');
  assert.deepEqual(seen, ['add a', 'add b', 'update a@5', 'delete b']);
  assert.match(watchPaths[0], /resourceVersion=2&/);
  assert.match(watchPaths[1], /resourceVersion=9&/, 'the new watch starts at the relist revision');
  inf.stop();
});
