import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../../src/storage/sqlite.js';
import { createWatchCache, RevisionTimeoutError } from '../../src/storage/watchcache.js';
import { CompactedError } from '../../src/storage/store.js';
import type { CacheEvent } from '../../src/storage/cache.js';

async function withStore(fn: (s: SqliteStore) => Promise<void>, opts: { synchronous?: 'FULL' | 'NORMAL' } = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sampan-cache-'));
  const s = await openSqliteStore(join(dir, 'state.db'), opts);
  try {
    await fn(s);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const obj = (kind: string, ns: string | undefined, name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, ...extra });

test('loads existing objects and lists by resource and namespace prefix', async () => {
  await withStore(async (s) => {
    await s.create('/registry/pods/default/b', obj('Pod', 'default', 'b'));
    await s.create('/registry/pods/default/a', obj('Pod', 'default', 'a'));
    await s.create('/registry/pods/kube-system/c', obj('Pod', 'kube-system', 'c'));
    await s.create('/registry/podtemplates/default/t', obj('PodTemplate', 'default', 't'));
    await s.create('/registry/namespaces/default', obj('Namespace', undefined, 'default'));
    await s.create('/registry/ranges/serviceips', '{"range":"10.0.0.0/24"}');
    const c = createWatchCache(s);
    await c.ready();
    assert.equal(c.revision(), 6);

    // Created after load: arrives through the store watch.
    await s.create('/registry/pods/default/aa', obj('Pod', 'default', 'aa'));
    assert.equal(c.revision(), 7);

    const pods = c.list('/registry/pods/');
    assert.deepEqual(
      pods.items.map((i) => i.key),
      ['/registry/pods/default/a', '/registry/pods/default/aa', '/registry/pods/default/b', '/registry/pods/kube-system/c'],
    );
    assert.equal(pods.rv, 7);
    assert.equal(pods.items[0].obj.metadata.resourceVersion, '2');
    assert.equal(pods.items[1].obj.metadata.resourceVersion, '7');

    assert.deepEqual(c.list('/registry/pods/default/').items.map((i) => i.obj.metadata.name), ['a', 'aa', 'b']);
    assert.deepEqual(c.list('/registry/pods/kube-system/').items.map((i) => i.obj.metadata.name), ['c']);
    assert.deepEqual(c.list('/registry/pods/nothing/').items, []);
    assert.deepEqual(c.list('/registry/secrets/').items, []);
    // A prefix spanning several resources is still sorted.
    assert.deepEqual(
      c.list('/registry/pod').items.map((i) => i.key),
      [
        '/registry/pods/default/a',
        '/registry/pods/default/aa',
        '/registry/pods/default/b',
        '/registry/pods/kube-system/c',
        '/registry/podtemplates/default/t',
      ],
    );
    const all = c.list('/registry/').items.map((i) => i.key);
    assert.equal(all.length, 7);
    assert.deepEqual(all, [...all].sort());
    assert.equal(c.get('/registry/ranges/serviceips')?.metadata.resourceVersion, '6');
    assert.equal(c.get('/registry/namespaces/default')?.metadata.name, 'default');
    assert.equal(c.get('/registry/pods/default/zzz'), undefined);
    c.close();
  });
});

test('event shapes: ADDED, MODIFIED, DELETED', async () => {
  await withStore(async (s) => {
    const c = createWatchCache(s);
    await c.ready();
    const evs: CacheEvent[] = [];
    c.watch('/registry/pods/', c.revision(), (e) => evs.push(e));
    const a = await s.create('/registry/pods/default/a', obj('Pod', 'default', 'a', { spec: { n: 1 } }));
    const u = await s.update('/registry/pods/default/a', obj('Pod', 'default', 'a', { spec: { n: 2 } }), a!.modRevision);
    assert.ok(u.ok);
    const d = await s.delete('/registry/pods/default/a');
    assert.ok(d.ok);

    assert.deepEqual(evs.map((e) => [e.type, e.rv]), [['ADDED', 1], ['MODIFIED', 2], ['DELETED', 3]]);
    const [added, modified, deleted] = evs;
    assert.equal(added.key, '/registry/pods/default/a');
    assert.equal(added.obj.metadata.resourceVersion, '1');
    assert.equal(added.prev, undefined);
    assert.equal(modified.obj.spec.n, 2);
    assert.equal(modified.obj.metadata.resourceVersion, '2');
    assert.equal(modified.prev?.spec.n, 1);
    assert.equal(modified.prev?.metadata.resourceVersion, '1');
    assert.equal(modified.prev, added.obj, 'prev is the cached instance, not a new copy');
    assert.equal(deleted.obj.spec.n, 2, 'DELETED carries the last state');
    assert.equal(deleted.obj.metadata.resourceVersion, '3', 'with the delete revision');
    assert.equal(deleted.prev?.metadata.resourceVersion, '2');
    assert.equal(modified.obj.metadata.resourceVersion, '2', 'the cached object was not mutated');
    assert.equal(c.get('/registry/pods/default/a'), undefined);
    assert.deepEqual(c.list('/registry/pods/').items, []);
    c.close();
  });
});

test('watch from an older rv replays buffered events, filtered by prefix, then live', async () => {
  await withStore(async (s) => {
    const c = createWatchCache(s);
    await c.ready();
    await s.create('/registry/pods/default/a', obj('Pod', 'default', 'a')); // 1
    await s.create('/registry/services/default/a', obj('Service', 'default', 'a')); // 2
    await s.create('/registry/pods/other/b', obj('Pod', 'other', 'b')); // 3
    await s.update('/registry/pods/default/a', obj('Pod', 'default', 'a', { x: 1 }), 1); // 4

    const got: [string, string, number][] = [];
    const stop = c.watch('/registry/pods/default/', 1, (e) => got.push([e.type, e.key, e.rv]));
    assert.deepEqual(got, [['MODIFIED', '/registry/pods/default/a', 4]]);

    const all: number[] = [];
    const stopAll = c.watch('/registry/', 0, (e) => all.push(e.rv));
    assert.deepEqual(all, [1, 2, 3, 4]);

    // From the current revision: only future events.
    const fut: number[] = [];
    const stopFut = c.watch('/registry/', c.revision(), (e) => fut.push(e.rv));
    assert.deepEqual(fut, []);

    await Promise.all([
      s.create('/registry/pods/default/c', obj('Pod', 'default', 'c')), // 5
      s.create('/registry/pods/other/d', obj('Pod', 'other', 'd')), // 6
    ]);
    assert.deepEqual(got.slice(1), [['ADDED', '/registry/pods/default/c', 5]]);
    assert.deepEqual(fut, [5, 6]);
    assert.deepEqual(all, [1, 2, 3, 4, 5, 6]);
    stop();
    stopAll();
    await s.delete('/registry/pods/default/c'); // 7
    assert.equal(got.length, 2);
    assert.deepEqual(fut, [5, 6, 7]);
    stopFut();
    c.close();
  });
});

test('a throwing or unsubscribing consumer does not disturb the others', async () => {
  await withStore(async (s) => {
    const c = createWatchCache(s);
    await c.ready();
    const origError = console.error;
    console.error = () => undefined;
    try {
      const good: number[] = [];
      c.watch('/registry/', 0, () => {
        throw new Error('boom');
      });
      let stopSelf: () => void = () => undefined;
      let selfCount = 0;
      stopSelf = c.watch('/registry/', 0, () => {
        selfCount++;
        stopSelf();
      });
      c.watch('/registry/', 0, (e) => good.push(e.rv));
      await s.create('/registry/cm/default/a', '{}');
      await s.create('/registry/cm/default/b', '{}');
      assert.deepEqual(good, [1, 2]);
      assert.equal(selfCount, 1);
    } finally {
      console.error = origError;
      c.close();
    }
  });
});

test('410: watch from an rv older than the buffer throws CompactedError', async () => {
  await withStore(async (s) => {
    await s.create('/registry/cm/default/pre', '{}'); // 1, before the cache starts
    const c = createWatchCache(s, { bufferSize: 3 });
    await c.ready();
    assert.throws(() => c.watch('/registry/', 0, () => undefined), CompactedError, 'older than the initial list');
    for (let i = 0; i < 5; i++) await s.create(`/registry/cm/default/k${i}`, '{}'); // 2..6
    // Buffer holds 4, 5, 6: watching from 3 is fine, from 2 is too old.
    const seen: number[] = [];
    c.watch('/registry/', 3, (e) => seen.push(e.rv));
    assert.deepEqual(seen, [4, 5, 6]);
    assert.throws(
      () => c.watch('/registry/', 2, () => undefined),
      (e: unknown) => e instanceof CompactedError && e.requested === 2 && e.compacted === 3,
    );
    c.close();
  });
});

test('waitForRevision resolves when the cache catches up and times out otherwise', async () => {
  await withStore(async (s) => {
    const c = createWatchCache(s);
    await c.ready();
    await c.waitForRevision(0);
    const w = c.waitForRevision(2, 5000);
    let done = false;
    void w.then(() => (done = true));
    await s.create('/registry/cm/default/a', '{}');
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    await s.create('/registry/cm/default/b', '{}');
    await w;
    assert.equal(c.revision(), 2);
    await assert.rejects(c.waitForRevision(10, 20), RevisionTimeoutError);
    c.close();
  });
});

test('waitForRevision issued before ready resolves after the initial load', async () => {
  await withStore(async (s) => {
    await s.create('/registry/cm/default/a', '{}');
    const c = createWatchCache(s);
    await c.waitForRevision(1, 1000);
    assert.ok(c.get('/registry/cm/default/a'));
    c.close();
  });
});

test('10,000 pods: a namespace list is fast and churn keeps the index sorted', async () => {
  await withStore(
    async (s) => {
      const c = createWatchCache(s);
      await c.ready();
      const spec = { containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] };
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 10_000; i++) {
        const ns = `ns${i % 10}`;
        // Random-ish name order so inserts land in the middle of the index.
        const name = `pod-${(i * 7919) % 10_000}`;
        writes.push(s.create(`/registry/pods/${ns}/${name}`, obj('Pod', ns, name, { spec })));
      }
      await Promise.all(writes);
      assert.equal(c.revision(), 10_000);

      let t = performance.now();
      const all = c.list('/registry/pods/');
      const allMs = performance.now() - t;
      assert.equal(all.items.length, 10_000);
      for (let i = 1; i < all.items.length; i++) assert.ok(all.items[i - 1].key < all.items[i].key);
      assert.ok(allMs < 100, `list of 10k took ${allMs} ms`);

      t = performance.now();
      for (let k = 0; k < 50; k++) c.list('/registry/pods/ns3/');
      const nsMs = (performance.now() - t) / 50;
      assert.equal(c.list('/registry/pods/ns3/').items.length, 1000);
      assert.ok(nsMs < 10, `namespace list took ${nsMs} ms`);

      await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.delete(`/registry/pods/ns${i % 10}/pod-${(i * 7919) % 10_000}`)),
      );
      assert.equal(c.list('/registry/pods/').items.length, 9_900);
      c.close();
    },
    { synchronous: 'NORMAL' },
  );
});

test('listPage: pages of one prefix by key, remaining counts, filters, and prefixes that share a start', async () => {
  await withStore(async (s) => {
    for (const ns of ['a', 'ab', 'b']) for (let i = 0; i < 5; i++) await s.create(`/registry/configmaps/${ns}/c${i}`, obj('ConfigMap', ns, `c${i}`, { data: { i: String(i) } }));
    await s.create('/registry/pods/a/p', obj('Pod', 'a', 'p'));
    const c = createWatchCache(s);
    await c.ready();
    const names = (r: { items: { key: string }[] }) => r.items.map((i) => i.key.split('/').slice(3).join('/'));

    const p1 = c.listPage('/registry/configmaps/a/', { limit: 2 });
    assert.deepEqual(names(p1), ['a/c0', 'a/c1']);
    assert.equal(p1.more, true);
    assert.equal(p1.remaining, 3, 'namespace ab is not part of a/');
    const p2 = c.listPage('/registry/configmaps/a/', { after: p1.items[1].key, limit: 10 });
    assert.deepEqual(names(p2), ['a/c2', 'a/c3', 'a/c4']);
    assert.equal(p2.more, false);
    assert.equal(p2.remaining, 0);

    // every namespace, paged across namespace boundaries
    const all: string[] = [];
    let after: string | undefined;
    for (;;) {
      const p = c.listPage('/registry/configmaps/', { after, limit: 4 });
      all.push(...names(p));
      if (!p.more) break;
      after = p.items[p.items.length - 1].key;
    }
    assert.equal(all.length, 15);
    assert.deepEqual(all, [...all].sort());

    // filtered: more only when another match exists
    const odd = (o: any) => Number(o.data?.i) % 2 === 1;
    const f1 = c.listPage('/registry/configmaps/b/', { limit: 1, match: odd });
    assert.deepEqual(names(f1), ['b/c1']);
    assert.equal(f1.more, true);
    const f2 = c.listPage('/registry/configmaps/b/', { after: f1.items[0].key, limit: 1, match: odd });
    assert.deepEqual(names(f2), ['b/c3']);
    assert.equal(f2.more, false, 'c4 is even: nothing more to show');

    // a prefix spanning several resources falls back to the merged key list
    const mixed = c.listPage('/registry/', { limit: 100 });
    assert.equal(mixed.items.length, 16);
    assert.equal(mixed.more, false);
    // a resource nobody stored
    assert.deepEqual(c.listPage('/registry/secrets/a/', { limit: 5 }), { items: [], rv: c.revision(), more: false, remaining: 0 });
    c.close();
  });
});
