// Commit latency of the disk under the store's durability settings: single-row SQLite
// transactions in WAL mode with synchronous=FULL (one fsync of the WAL each), timed one by one.
// The store commits on the server's main thread, so a slow fsync stalls every request; this
// shows how long the disk alone makes a commit wait.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { summarize, type Summary } from './load.js';

export function sqliteCommitLatency(path: string, n: number): Summary {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS probe (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    const ins = db.prepare<[string, string]>('INSERT INTO probe (key, value) VALUES (?, ?)');
    const value = 'v'.repeat(3000);
    const lat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      ins.run(`/registry/probe/k${i}`, value);
      lat[i] = performance.now() - t;
    }
    return summarize(lat);
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}
