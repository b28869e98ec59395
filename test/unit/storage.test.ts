import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, prefixEnd, rawSqliteBaseline } from '../../src/storage/sqlite.js';
import { CompactedError, FutureRevisionError, type WatchEvent } from '../../src/storage/store.js';

function tmpDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sampan-store-'));
  return { path: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const pod = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, ...extra });

test('create, get, update, delete with revisions', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    assert.equal(s.currentRevision(), 0);
    const a = await s.create('/registry/pods/default/a', pod('a'));
    assert.ok(a);
    assert.equal(a.createRevision, 1);
    assert.equal(a.modRevision, 1);
    assert.equal(s.currentRevision(), 1);
    assert.equal(await s.create('/registry/pods/default/a', pod('a')), null, 'second create fails');
    assert.equal(s.currentRevision(), 1, 'failed create does not consume a revision');

    const got = await s.get('/registry/pods/default/a');
    assert.deepEqual(got, a);
    assert.equal(await s.get('/registry/pods/default/missing'), null);

    const u = await s.update('/registry/pods/default/a', pod('a', { spec: { x: 1 } }), 1);
    assert.ok(u.ok);
    assert.equal(u.kv.modRevision, 2);
    assert.equal(u.kv.createRevision, 1);
    assert.equal(JSON.parse(u.kv.value).spec.x, 1);

    const stale = await s.update('/registry/pods/default/a', pod('a'), 1);
    assert.equal(stale.ok, false);
    assert.ok(!stale.ok && stale.current?.modRevision === 2);

    const missing = await s.update('/registry/pods/default/nope', pod('nope'), 0);
    assert.deepEqual(missing, { ok: false, current: null });

    const unconditional = await s.update('/registry/pods/default/a', pod('a', { spec: { x: 2 } }), 0);
    assert.ok(unconditional.ok && unconditional.kv.modRevision === 3);

    const badDel = await s.delete('/registry/pods/default/a', 2);
    assert.equal(badDel.ok, false);
    const del = await s.delete('/registry/pods/default/a', 3);
    assert.ok(del.ok);
    assert.equal(del.revision, 4);
    assert.equal(del.prev.modRevision, 3);
    assert.equal(JSON.parse(del.prev.value).spec.x, 2);
    assert.equal(await s.get('/registry/pods/default/a'), null);
    assert.deepEqual(await s.delete('/registry/pods/default/a'), { ok: false, current: null });

    const again = await s.create('/registry/pods/default/a', pod('a'));
    assert.equal(again?.createRevision, 5, 'recreated key gets a fresh createRevision');
  } finally {
    await s.close();
    cleanup();
  }
});

test('list by prefix, paging with after/limit', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const names = ['d', 'b', 'a', 'e', 'c'];
    for (const n of names) await s.create(`/registry/pods/default/${n}`, pod(n));
    await s.create('/registry/pods/kube-system/z', pod('z'));
    await s.create('/registry/podsx/default/q', pod('q'));
    await s.create('/registry/services/default/a', pod('a'));

    const all = await s.list('/registry/pods/');
    assert.deepEqual(
      all.kvs.map((k) => k.key),
      ['a', 'b', 'c', 'd', 'e'].map((n) => `/registry/pods/default/${n}`).concat('/registry/pods/kube-system/z'),
    );
    assert.equal(all.revision, 8);
    assert.equal(all.more, false);

    const ns = await s.list('/registry/pods/default/');
    assert.equal(ns.kvs.length, 5);

    const p1 = await s.list('/registry/pods/default/', { limit: 2 });
    assert.deepEqual(p1.kvs.map((k) => k.key.split('/').pop()), ['a', 'b']);
    assert.equal(p1.more, true);
    const p2 = await s.list('/registry/pods/default/', { limit: 2, after: p1.kvs[1].key });
    assert.deepEqual(p2.kvs.map((k) => k.key.split('/').pop()), ['c', 'd']);
    assert.equal(p2.more, true);
    const p3 = await s.list('/registry/pods/default/', { limit: 2, after: p2.kvs[1].key });
    assert.deepEqual(p3.kvs.map((k) => k.key.split('/').pop()), ['e']);
    assert.equal(p3.more, false);

    const exact = await s.list('/registry/pods/default/', { limit: 5 });
    assert.equal(exact.more, false);

    const everything = await s.list('');
    assert.equal(everything.kvs.length, 8);
  } finally {
    await s.close();
    cleanup();
  }
});

test('prefixEnd bounds exactly the keys with the prefix', () => {
  assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEnd('a'), 'b');
  assert.ok(prefixEnd('') > '/registry/zzz');
});

test('list at an older revision and future/compacted revisions', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    await s.create('/registry/cm/default/a', JSON.stringify({ v: 1 })); // 1
    await s.create('/registry/cm/default/b', JSON.stringify({ v: 1 })); // 2
    await s.update('/registry/cm/default/a', JSON.stringify({ v: 2 }), 1); // 3
    await s.delete('/registry/cm/default/b'); // 4
    await s.create('/registry/cm/default/c', JSON.stringify({ v: 1 })); // 5

    const at2 = await s.list('/registry/cm/', { revision: 2 });
    assert.equal(at2.revision, 2);
    assert.deepEqual(
      at2.kvs.map((k) => [k.key, JSON.parse(k.value).v, k.createRevision, k.modRevision]),
      [
        ['/registry/cm/default/a', 1, 1, 1],
        ['/registry/cm/default/b', 1, 2, 2],
      ],
    );
    const at4 = await s.list('/registry/cm/', { revision: 4 });
    assert.deepEqual(
      at4.kvs.map((k) => [k.key, JSON.parse(k.value).v, k.modRevision]),
      [['/registry/cm/default/a', 2, 3]],
    );
    const at3page = await s.list('/registry/cm/', { revision: 3, limit: 1 });
    assert.equal(at3page.kvs.length, 1);
    assert.equal(at3page.more, true);
    const at3rest = await s.list('/registry/cm/', { revision: 3, after: at3page.kvs[0].key });
    assert.deepEqual(at3rest.kvs.map((k) => k.key), ['/registry/cm/default/b']);

    await assert.rejects(s.list('/registry/cm/', { revision: 6 }), FutureRevisionError);

    await s.compact(3);
    assert.equal(s.compactedRevision(), 3);
    await assert.rejects(s.list('/registry/cm/', { revision: 2 }), CompactedError);
    // Reads at or above the compacted revision still see keys last written before it.
    const at3 = await s.list('/registry/cm/', { revision: 3 });
    assert.deepEqual(at3.kvs.map((k) => [k.key, k.modRevision]), [
      ['/registry/cm/default/a', 3],
      ['/registry/cm/default/b', 2],
    ]);
    const at4b = await s.list('/registry/cm/', { revision: 4 });
    assert.deepEqual(at4b.kvs.map((k) => k.key), ['/registry/cm/default/a']);
    const cur = await s.list('/registry/cm/');
    assert.deepEqual(cur.kvs.map((k) => k.key), ['/registry/cm/default/a', '/registry/cm/default/c']);
    await assert.rejects(s.compact(99), FutureRevisionError);
  } finally {
    await s.close();
    cleanup();
  }
});

test('revision and compaction survive restart, also when the last write was a delete', async () => {
  const { path, cleanup } = tmpDb();
  try {
    let s = await openSqliteStore(path);
    await s.create('/registry/cm/default/a', '{}'); // 1
    await s.create('/registry/cm/default/b', '{}'); // 2
    await s.delete('/registry/cm/default/b'); // 3
    await s.compact(3);
    await s.close();

    s = await openSqliteStore(path);
    assert.equal(s.currentRevision(), 3);
    assert.equal(s.compactedRevision(), 3);
    const c = await s.create('/registry/cm/default/c', '{}');
    assert.equal(c?.modRevision, 4);
    assert.equal((await s.get('/registry/cm/default/a'))?.modRevision, 1);
    await s.close();

    s = await openSqliteStore(path);
    assert.equal(s.currentRevision(), 4);
    await s.close();
  } finally {
    cleanup();
  }
});

test('watch: history then live, in revision order, with prevKv', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    await s.create('/registry/pods/default/a', pod('a')); // 1
    await s.create('/registry/services/default/a', pod('a')); // 2
    await s.update('/registry/pods/default/a', pod('a', { v: 2 }), 1); // 3
    await s.delete('/registry/pods/default/a'); // 4

    const got: WatchEvent[] = [];
    const stop = s.watch('/registry/pods/', 0, (ev) => got.push(ev));
    assert.deepEqual(
      got.map((e) => [e.type, e.revision]),
      [
        ['PUT', 1],
        ['PUT', 3],
        ['DELETE', 4],
      ],
    );
    assert.equal(got[0].prevKv, undefined);
    assert.equal(got[1].prevKv?.modRevision, 1);
    assert.equal(JSON.parse(got[1].kv.value).v, 2);
    assert.equal(got[2].kv.modRevision, 4, 'delete kv carries the delete revision');
    assert.equal(JSON.parse(got[2].kv.value).v, 2, 'delete kv carries the last value');
    assert.equal(got[2].kv.createRevision, 1);
    assert.equal(got[2].prevKv?.modRevision, 3);

    // Live events, including a batch of several writes in one transaction.
    const p1 = s.create('/registry/pods/default/b', pod('b'));
    const p2 = s.create('/registry/services/default/b', pod('b'));
    const p3 = s.create('/registry/pods/default/c', pod('c'));
    await Promise.all([p1, p2, p3]);
    assert.deepEqual(
      got.slice(3).map((e) => [e.type, e.kv.key, e.revision]),
      [
        ['PUT', '/registry/pods/default/b', 5],
        ['PUT', '/registry/pods/default/c', 7],
      ],
    );

    // A watch from the middle of history.
    const mid: number[] = [];
    const stop2 = s.watch('/registry/', 3, (ev) => mid.push(ev.revision));
    assert.deepEqual(mid, [4, 5, 6, 7]);
    // From the current revision: only future events.
    const fut: number[] = [];
    const stop3 = s.watch('/registry/', s.currentRevision(), (ev) => fut.push(ev.revision));
    assert.deepEqual(fut, []);
    stop();
    await s.update('/registry/pods/default/b', pod('b', { v: 1 }), 5);
    assert.deepEqual(fut, [8]);
    assert.equal(got.length, 5, 'stopped watch receives nothing');
    stop2();
    stop3();
  } finally {
    await s.close();
    cleanup();
  }
});

test('events reach watchers before the write promise resolves', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const seen: number[] = [];
    s.watch('/registry/', 0, (ev) => seen.push(ev.revision));
    const kv = await s.create('/registry/cm/default/a', '{}');
    assert.deepEqual(seen, [kv!.modRevision]);
  } finally {
    await s.close();
    cleanup();
  }
});

test('compaction: watch from a compacted revision throws, from compacted+0 works', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    for (let i = 0; i < 5; i++) await s.create(`/registry/cm/default/k${i}`, '{}'); // 1..5
    await s.update('/registry/cm/default/k0', '{"x":1}', 1); // 6
    await s.delete('/registry/cm/default/k1'); // 7
    await s.update('/registry/cm/default/k2', '{"x":1}', 3); // 8
    await s.compact(6);
    assert.throws(() => s.watch('/registry/', 5, () => undefined), (e: unknown) => {
      assert.ok(e instanceof CompactedError);
      assert.equal(e.requested, 5);
      assert.equal(e.compacted, 6);
      return true;
    });
    const evs: WatchEvent[] = [];
    const stop = s.watch('/registry/', 6, (ev) => evs.push(ev));
    assert.deepEqual(evs.map((e) => [e.type, e.revision]), [['DELETE', 7], ['PUT', 8]]);
    // prevKv of events after the compaction point is still available.
    assert.equal(evs[0].prevKv?.modRevision, 2);
    assert.equal(evs[1].prevKv?.modRevision, 3);
    stop();
    // Current values survive compaction.
    assert.equal((await s.list('/registry/cm/')).kvs.length, 4);
    await s.compact(8);
    assert.equal((await s.list('/registry/cm/')).kvs.length, 4);
    assert.equal((await s.get('/registry/cm/default/k0'))?.modRevision, 6);
  } finally {
    await s.close();
    cleanup();
  }
});

test('group commit: 100 concurrent creates get 100 distinct revisions in fewer transactions', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const before = s.stats().transactions;
    const kvs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => s.create(`/registry/cm/default/k${i}`, JSON.stringify({ i }))),
    );
    const revs = kvs.map((k) => k!.modRevision);
    assert.equal(new Set(revs).size, 100);
    assert.deepEqual(revs, Array.from({ length: 100 }, (_, i) => i + 1), 'issue order = revision order');
    const tx = s.stats().transactions - before;
    assert.ok(tx < 100, `expected batching, got ${tx} transactions`);
    assert.equal(tx, 1);
    assert.equal(s.currentRevision(), 100);
  } finally {
    await s.close();
    cleanup();
  }
});

test('group commit: conflicting writes in one batch behave as sequential', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const kv = await s.create('/registry/cm/default/a', '{"n":0}');
    const [u1, u2, c1, c2, d1, c3] = await Promise.all([
      s.update('/registry/cm/default/a', '{"n":1}', kv!.modRevision),
      s.update('/registry/cm/default/a', '{"n":2}', kv!.modRevision), // stale after u1
      s.create('/registry/cm/default/b', '{}'),
      s.create('/registry/cm/default/b', '{}'), // exists after c1
      s.delete('/registry/cm/default/b'),
      s.create('/registry/cm/default/b', '{"again":true}'), // fine after d1
    ]);
    assert.ok(u1.ok && u1.kv.modRevision === 2);
    assert.ok(!u2.ok && u2.current?.modRevision === 2 && JSON.parse(u2.current.value).n === 1);
    assert.equal(c1?.modRevision, 3);
    assert.equal(c2, null);
    assert.ok(d1.ok && d1.revision === 4);
    assert.equal(c3?.modRevision, 5);
    assert.equal(s.stats().transactions, 2);
    assert.equal(JSON.parse((await s.get('/registry/cm/default/a'))!.value).n, 1);
  } finally {
    await s.close();
    cleanup();
  }
});

test('a watcher that writes from its callback does not break ordering', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const order: number[] = [];
    const pending: Promise<unknown>[] = [];
    s.watch('/registry/a/', 0, (ev) => {
      order.push(ev.revision);
      pending.push(s.create('/registry/b/' + ev.kv.key.split('/').pop(), '{}'));
    });
    const b: number[] = [];
    s.watch('/registry/b/', 0, (ev) => b.push(ev.revision));
    await Promise.all([s.create('/registry/a/x', '{}'), s.create('/registry/a/y', '{}')]);
    await Promise.all(pending);
    assert.deepEqual(order, [1, 2]);
    assert.deepEqual(b, [3, 4]);
  } finally {
    await s.close();
    cleanup();
  }
});

test('throughput: thousands of small durable writes per second via group commit', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const value = pod('x', { spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const n = 2000;
    const start = Date.now();
    // 20 concurrent clients, each issuing writes one after another.
    await Promise.all(
      Array.from({ length: 20 }, async (_, c) => {
        for (let i = 0; i < n / 20; i++) await s.create(`/registry/pods/default/p-${c}-${i}`, value);
      }),
    );
    const ms = Date.now() - start;
    assert.equal(s.currentRevision(), n);
    assert.ok(ms < 4000, `${n} writes took ${ms} ms`);
    const baseline = rawSqliteBaseline(path + '.baseline', 50);
    assert.ok(baseline > 0);
  } finally {
    await s.close();
    cleanup();
  }
});

test('close settles queued writes', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const p = s.create('/registry/cm/default/a', '{}');
    await s.close();
    assert.equal((await p)?.modRevision, 1);
    await assert.rejects(s.create('/registry/cm/default/b', '{}'));
    const s2 = await openSqliteStore(path);
    assert.equal(s2.currentRevision(), 1);
    await s2.close();
  } finally {
    cleanup();
  }
});

test('compaction of a long history works in slices and keeps current values', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path, { synchronous: 'NORMAL', compactIntervalMs: 0 });
  try {
    const keys = Array.from({ length: 50 }, (_, i) => `/registry/cm/default/k${i}`);
    await Promise.all(keys.map((k) => s.create(k, '{"n":0}')));
    for (let round = 1; round <= 200; round++) {
      await Promise.all(keys.map((k) => s.update(k, JSON.stringify({ n: round }), 0)));
    }
    await s.delete(keys[0]);
    const rev = s.currentRevision();
    assert.equal(rev, 50 * 201 + 1);
    const before = await s.list('/registry/cm/');
    await s.compact(rev - 10);
    const after = await s.list('/registry/cm/');
    assert.deepEqual(after, before);
    // Reads at the compaction point still see every key that existed then.
    const atPoint = await s.list('/registry/cm/', { revision: rev - 10 });
    assert.equal(atPoint.kvs.length, 50);
    const evs: number[] = [];
    s.watch('/registry/', rev - 10, (e) => evs.push(e.revision));
    assert.deepEqual(evs, Array.from({ length: 10 }, (_, i) => rev - 9 + i));
    assert.throws(() => s.watch('/registry/', rev - 11, () => undefined), CompactedError);
    await s.close();
    // History at or below the point is gone except each key's newest row: 50 kept + 10 newer.
    const db = new Database(path, { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n, 60);
    db.close();
  } finally {
    await s.close();
    cleanup();
  }
});

test('automatic compaction trails the revision by one interval', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path, { compactIntervalMs: 40 });
  try {
    await s.create('/registry/cm/default/a', '{}'); // 1
    await s.create('/registry/cm/default/b', '{}'); // 2
    const deadline = Date.now() + 3000;
    while (s.compactedRevision() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.compactedRevision(), 2);
    await s.create('/registry/cm/default/c', '{}'); // 3
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(s.compactedRevision() <= 3);
    assert.equal((await s.list('/registry/cm/')).kvs.length, 3);
  } finally {
    await s.close();
    cleanup();
  }
});

test('a write that fails inside a batch fails alone', async () => {
  const { path, cleanup } = tmpDb();
  const s = await openSqliteStore(path);
  try {
    const [a, bad, b] = await Promise.allSettled([
      s.create('/registry/cm/default/a', '{}'),
      // A value SQLite cannot bind (the type system forbids it; this simulates a failing statement).
      s.create('/registry/cm/default/bad', { not: 'a string' } as unknown as string),
      s.create('/registry/cm/default/b', '{}'),
    ]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.equal(b.status, 'fulfilled');
    assert.equal(s.currentRevision(), 2);
    assert.deepEqual((await s.list('/registry/cm/')).kvs.map((k) => [k.key, k.modRevision]), [
      ['/registry/cm/default/a', 1],
      ['/registry/cm/default/b', 2],
    ]);
  } finally {
    await s.close();
    cleanup();
  }
});
