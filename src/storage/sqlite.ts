// The embedded storage backend: SQLite in WAL mode with synchronous=FULL, so a write is on
// disk (the WAL is fsynced) before its promise resolves.
//
// Layout:
//   log(rev, key, value, create_rev, prev_rev, deleted)  MVCC history, one row per revision.
//       A delete row keeps value NULL; its last value is the row at prev_rev.
//   current(key, value, create_rev, mod_rev)             the live value of every key.
//   meta(k, v)                                           'rev' (last revision), 'compacted'.
//
// Group commit: writes are queued and applied together in one transaction on the next
// setImmediate turn (every write issued in the same event-loop turn, including its microtasks,
// lands in the same batch). Each write still gets its own revision, and compare-and-swap checks
// read the in-transaction state, so conflicting writes in one batch behave as if sequential.
// After the commit, watch events go out synchronously in revision order, then the promises settle.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CompactedError,
  FutureRevisionError,
  type DeleteResult,
  type KV,
  type ListOptions,
  type ListResult,
  type Store,
  type UpdateResult,
  type WatchEvent,
} from './store.js';

export interface SqliteStoreOptions {
  /**
   * 'FULL' (default) fsyncs the WAL on every commit: acknowledged writes survive power loss.
   * 'NORMAL' survives a process crash (kill -9) but not a power loss; only for tests/benchmarks.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Largest number of writes applied in one transaction (default 1000). */
  maxBatch?: number;
  /**
   * Automatic compaction, as the Kubernetes API server does: every interval, compact up to the
   * revision that was current one interval earlier. Default 300,000 ms (5 minutes); 0 disables.
   */
  compactIntervalMs?: number;
}

export interface SqliteStoreStats {
  /** Write transactions committed (group commits). */
  transactions: number;
  /** Write operations applied (including failed CAS checks). */
  writes: number;
}

export interface SqliteStore extends Store {
  stats(): SqliteStoreStats;
}

type Op =
  | { kind: 'create'; key: string; value: string; resolve: (r: KV | null) => void; reject: (e: unknown) => void }
  | { kind: 'update'; key: string; value: string; expected: number; resolve: (r: UpdateResult) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; key: string; expected?: number; resolve: (r: DeleteResult) => void; reject: (e: unknown) => void };

interface CurrentRow { value: string; create_rev: number; mod_rev: number }
interface KvRow { key: string; value: string; create_rev: number; mod_rev: number }
interface LogRow {
  rev: number;
  key: string;
  value: string | null;
  create_rev: number;
  prev_rev: number | null;
  pv: string | null;
  pc: number | null;
}

interface Watcher {
  prefix: string;
  /** Highest revision delivered to this watcher (events at or below are skipped). */
  last: number;
  onEvent: (ev: WatchEvent) => void;
  stopped: boolean;
}

/** Revisions examined per compaction step (one short transaction each). */
const COMPACT_SLICE = 4096;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (k, v) VALUES ('rev', 0), ('compacted', 0);
`;

/** The highest string in code-point (= UTF-8 byte) order we will ever see as a key bound. */
const MAX_KEY = '\u{10FFFF}';

/** Smallest string greater than every string that starts with prefix (code-point order). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return MAX_KEY;
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const cp = cps[cps.length - 1].codePointAt(0)!;
    if (cp < 0x10ffff) {
      const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
      cps[cps.length - 1] = String.fromCodePoint(next);
      return cps.join('');
    }
    cps.pop();
  }
  return MAX_KEY;
}

function applyPragmas(db: Database.Database, synchronous: 'FULL' | 'NORMAL'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -16384'); // 16 MiB page cache
  db.pragma('journal_size_limit = 67108864');
}

function openDb(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  applyPragmas(db, synchronous);
  return db;
}

export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const db = openDb(path, opts.synchronous ?? 'FULL');
  const maxBatch = Math.max(1, opts.maxBatch ?? 1000);
  db.exec(SCHEMA);

  const q = {
    getMeta: db.prepare<[string], { v: number }>('SELECT v FROM meta WHERE k = ?'),
    setMeta: db.prepare<[number, string]>('UPDATE meta SET v = ? WHERE k = ?'),
    getCurrent: db.prepare<[string], CurrentRow>('SELECT value, create_rev, mod_rev FROM current WHERE key = ?'),
    insertCurrent: db.prepare<[string, string, number, number]>(
      'INSERT INTO current (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)',
    ),
    updateCurrent: db.prepare<[string, number, string]>('UPDATE current SET value = ?, mod_rev = ? WHERE key = ?'),
    deleteCurrent: db.prepare<[string]>('DELETE FROM current WHERE key = ?'),
    insertLog: db.prepare<[number, string, string | null, number, number | null, number]>(
      'INSERT INTO log (rev, key, value, create_rev, prev_rev, deleted) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    listCurrent: db.prepare<[string, string, string, number], KvRow>(
      `SELECT key, value, create_rev, mod_rev FROM current
       WHERE key >= ? AND key < ? AND key > ? ORDER BY key LIMIT ?`,
    ),
    // State as of a past revision: per key, the newest log row at or below it, unless that row is
    // a delete. Walks the (key, rev) index in key order, so LIMIT stops the scan early.
    listAt: db.prepare<[string, string, string, number, number], KvRow>(
      `SELECT l.key, l.value, l.create_rev, l.rev AS mod_rev FROM log l
       WHERE l.key >= ? AND l.key < ? AND l.key > ? AND l.deleted = 0
         AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)
       ORDER BY l.key LIMIT ?`,
    ),
    history: db.prepare<[number, string, string], LogRow>(
      `SELECT l.rev, l.key, l.value, l.create_rev, l.prev_rev, p.value AS pv, p.create_rev AS pc
       FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
       WHERE l.rev > ? AND +l.key >= ? AND +l.key < ? ORDER BY l.rev`, // '+': scan by revision
    ),
    // etcd semantics: compaction keeps, for every key, its newest revision at or below the
    // compaction point unless that revision is a delete, so reads at revision >= compacted work.
    // Works on one slice of revisions (lo, hi] per call so a large compaction does not hold the
    // event loop; the last argument is the compaction point.
    minRev: db.prepare<[], { m: number | null }>('SELECT MIN(rev) AS m FROM log'),
    compactSlice: db.prepare<[number, number, number]>(
      `DELETE FROM log WHERE rev > ? AND rev <= ? AND (deleted = 1 OR EXISTS (
         SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ?))`,
    ),
  };

  let revision = q.getMeta.get('rev')!.v;
  let compacted = q.getMeta.get('compacted')!.v;
  let closed = false;
  let queue: Op[] = [];
  let scheduled = false;
  const watchers = new Set<Watcher>();
  const stats: SqliteStoreStats = { transactions: 0, writes: 0 };
  let compactChain: Promise<void> = Promise.resolve();
  let compactTimer: NodeJS.Timeout | undefined;

  const kvOf = (key: string, value: string, createRevision: number, modRevision: number): KV => ({
    key,
    value,
    createRevision,
    modRevision,
  });

  /** Applies one batch inside a transaction; returns per-op results and the events produced. */
  const applyBatch = db.transaction((ops: Op[]) => {
    let rev = revision;
    const results: unknown[] = [];
    const events: WatchEvent[] = [];
    for (const op of ops) {
      const cur = q.getCurrent.get(op.key);
      if (op.kind === 'create') {
        if (cur) {
          results.push(null);
          continue;
        }
        rev++;
        q.insertLog.run(rev, op.key, op.value, rev, null, 0);
        q.insertCurrent.run(op.key, op.value, rev, rev);
        const kv = kvOf(op.key, op.value, rev, rev);
        results.push(kv);
        events.push({ type: 'PUT', kv, revision: rev });
      } else if (op.kind === 'update') {
        if (!cur || (op.expected !== 0 && cur.mod_rev !== op.expected)) {
          results.push({ ok: false, current: cur ? kvOf(op.key, cur.value, cur.create_rev, cur.mod_rev) : null });
          continue;
        }
        rev++;
        q.insertLog.run(rev, op.key, op.value, cur.create_rev, cur.mod_rev, 0);
        q.updateCurrent.run(op.value, rev, op.key);
        const kv = kvOf(op.key, op.value, cur.create_rev, rev);
        const prevKv = kvOf(op.key, cur.value, cur.create_rev, cur.mod_rev);
        results.push({ ok: true, kv });
        events.push({ type: 'PUT', kv, prevKv, revision: rev });
      } else {
        if (!cur || (op.expected !== undefined && op.expected !== 0 && cur.mod_rev !== op.expected)) {
          results.push({ ok: false, current: cur ? kvOf(op.key, cur.value, cur.create_rev, cur.mod_rev) : null });
          continue;
        }
        rev++;
        q.insertLog.run(rev, op.key, null, cur.create_rev, cur.mod_rev, 1);
        q.deleteCurrent.run(op.key);
        const prev = kvOf(op.key, cur.value, cur.create_rev, cur.mod_rev);
        results.push({ ok: true, prev, revision: rev });
        events.push({ type: 'DELETE', kv: kvOf(op.key, cur.value, cur.create_rev, rev), prevKv: prev, revision: rev });
      }
    }
    if (rev !== revision) q.setMeta.run(rev, 'rev');
    return { results, events, rev };
  });

  const deliver = (w: Watcher, ev: WatchEvent): void => {
    if (w.stopped || ev.revision <= w.last || !ev.kv.key.startsWith(w.prefix)) return;
    w.last = ev.revision;
    try {
      w.onEvent(ev);
    } catch (err) {
      console.error('storage: watch callback failed:', err);
    }
  };

  /** Commits ops in one transaction, then notifies watchers and settles the promises. */
  const commit = (ops: Op[]): void => {
    let out: { results: unknown[]; events: WatchEvent[]; rev: number };
    try {
      out = applyBatch(ops);
    } catch (err) {
      // The transaction rolled back. Retry one by one so only a failing write sees the error.
      if (ops.length === 1) ops[0].reject(err);
      else for (const op of ops) commit([op]);
      return;
    }
    stats.transactions++;
    stats.writes += ops.length;
    revision = out.rev;
    if (watchers.size > 0 && out.events.length > 0) {
      const ws = [...watchers];
      for (const ev of out.events) for (const w of ws) deliver(w, ev);
    }
    for (let i = 0; i < ops.length; i++) (ops[i].resolve as (r: unknown) => void)(out.results[i]);
  };

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0 && !closed) {
      const ops = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
      if (ops === queue) queue = [];
      commit(ops);
    }
  };

  const enqueue = <T>(make: (resolve: (r: T) => void, reject: (e: unknown) => void) => Op): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new Error('storage: store is closed'));
        return;
      }
      queue.push(make(resolve, reject));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  const checkReadRevision = (rev: number): void => {
    if (rev > revision) throw new FutureRevisionError(rev, revision);
    if (rev < compacted) throw new CompactedError(rev, compacted);
  };

  const store: SqliteStore = {
    currentRevision: () => revision,
    compactedRevision: () => compacted,
    stats: () => ({ ...stats }),

    async get(key) {
      const row = q.getCurrent.get(key);
      return row ? kvOf(key, row.value, row.create_rev, row.mod_rev) : null;
    },

    async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
      const lo = prefix;
      const hi = prefixEnd(prefix);
      const after = opts.after ?? '';
      const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
      const sqlLimit = limit > 0 ? limit + 1 : -1;
      let rows: KvRow[];
      let at: number;
      if (opts.revision && opts.revision > 0 && opts.revision !== revision) {
        checkReadRevision(opts.revision);
        at = opts.revision;
        rows = q.listAt.all(lo, hi, after, at, sqlLimit);
      } else {
        at = revision;
        rows = q.listCurrent.all(lo, hi, after, sqlLimit);
      }
      const more = limit > 0 && rows.length > limit;
      if (more) rows.length = limit;
      return {
        kvs: rows.map((r) => kvOf(r.key, r.value, r.create_rev, r.mod_rev)),
        revision: at,
        more,
      };
    },

    create: (key, value) => enqueue<KV | null>((resolve, reject) => ({ kind: 'create', key, value, resolve, reject })),

    update: (key, value, expectedModRevision) =>
      enqueue<UpdateResult>((resolve, reject) => ({
        kind: 'update',
        key,
        value,
        expected: expectedModRevision,
        resolve,
        reject,
      })),

    delete: (key, expectedModRevision) =>
      enqueue<DeleteResult>((resolve, reject) => ({ kind: 'delete', key, expected: expectedModRevision, resolve, reject })),

    watch(prefix, fromRevision, onEvent) {
      if (closed) throw new Error('storage: store is closed');
      if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);
      const w: Watcher = { prefix, last: fromRevision, onEvent, stopped: false };
      // History first (synchronously, so no commit can slip in between), then live delivery.
      if (fromRevision < revision) {
        for (const row of q.history.iterate(fromRevision, prefix, prefixEnd(prefix))) {
          const r = row as LogRow;
          let ev: WatchEvent;
          if (r.value === null) {
            const prev = kvOf(r.key, r.pv ?? '', r.pc ?? r.create_rev, r.prev_rev ?? 0);
            ev = { type: 'DELETE', kv: kvOf(r.key, prev.value, r.create_rev, r.rev), prevKv: prev, revision: r.rev };
          } else if (r.prev_rev !== null && r.pv !== null) {
            ev = {
              type: 'PUT',
              kv: kvOf(r.key, r.value, r.create_rev, r.rev),
              prevKv: kvOf(r.key, r.pv, r.pc ?? r.create_rev, r.prev_rev),
              revision: r.rev,
            };
          } else {
            ev = { type: 'PUT', kv: kvOf(r.key, r.value, r.create_rev, r.rev), revision: r.rev };
          }
          deliver(w, ev);
          if (w.stopped) break;
        }
      }
      watchers.add(w);
      return () => {
        w.stopped = true;
        watchers.delete(w);
      };
    },

    async compact(rev) {
      if (closed) throw new Error('storage: store is closed');
      if (rev > revision) throw new FutureRevisionError(rev, revision);
      if (rev <= compacted) return;
      // Record the compaction point first: from then on nothing reads below it, and rows left
      // behind by a crash halfway through are removed by the next compaction.
      q.setMeta.run(rev, 'compacted');
      compacted = rev;
      const work = compactChain.then(async () => {
        const first = q.minRev.get()?.m ?? rev;
        for (let lo = Math.max(0, first - 1); lo < rev && !closed; lo += COMPACT_SLICE) {
          q.compactSlice.run(lo, Math.min(lo + COMPACT_SLICE, rev), rev);
          if (lo + COMPACT_SLICE < rev) await new Promise((r) => setImmediate(r));
        }
      });
      compactChain = work.catch(() => undefined);
      await work;
    },

    async close() {
      if (closed) return;
      // Settle whatever is queued before closing.
      flush();
      closed = true;
      if (compactTimer) clearInterval(compactTimer);
      await compactChain;
      for (const w of watchers) w.stopped = true;
      watchers.clear();
      db.close();
    },
  };
  const interval = opts.compactIntervalMs ?? 300_000;
  if (interval > 0) {
    let seen = revision;
    compactTimer = setInterval(() => {
      const target = seen;
      seen = revision;
      if (target > compacted) store.compact(target).catch((err) => console.error('storage: compaction failed:', err));
    }, interval);
    compactTimer.unref();
  }
  return store;
}

/**
 * Durability baseline for benchmarks: n single-row INSERT transactions on a fresh table with the
 * same settings the store uses. Returns elapsed milliseconds.
 */
export function rawSqliteBaseline(path: string, n: number, opts: Pick<SqliteStoreOptions, 'synchronous'> = {}): number {
  const db = openDb(path, opts.synchronous ?? 'FULL');
  try {
    db.exec('DROP TABLE IF EXISTS baseline; CREATE TABLE baseline (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    const ins = db.prepare<[string, string]>('INSERT INTO baseline (key, value) VALUES (?, ?)');
    const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b'.repeat(200) } });
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) ins.run(`/registry/baseline/default/k${i}`, value);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    db.exec('DROP TABLE baseline');
    return ms;
  } finally {
    db.close();
  }
}
