import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/storage/sqlite.js';

const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, '..', 'fixtures', 'crash-writer.js');

/** Runs the writer, kills it with SIGKILL once `after` keys were acknowledged; returns them. */
function runAndKill(dbPath: string, after: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, number>();
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') continue;
        const [key, rev] = line.split(' ');
        acked.set(key, Number(rev));
      }
      if (!killed && acked.size >= after) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`));
      // A complete line can only be printed after its write was acknowledged; a partial last
      // line is dropped.
      else resolve(acked);
    });
  });
}

test('every acknowledged write survives kill -9', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sampan-crash-'));
  const dbPath = join(dir, 'state.db');
  try {
    let lastRev = 0;
    for (const after of [300, 700]) {
      const acked = await runAndKill(dbPath, after);
      assert.ok(acked.size >= after);
      const s = await openSqliteStore(dbPath);
      try {
        for (const [key, rev] of acked) {
          const kv = await s.get(key);
          assert.ok(kv, `acknowledged ${key} is missing after kill -9`);
          assert.equal(kv.modRevision, rev);
        }
        const maxAcked = Math.max(...acked.values());
        assert.ok(s.currentRevision() >= maxAcked);
        assert.ok(s.currentRevision() > lastRev, 'revision keeps increasing across crashes');
        const listed = await s.list('/registry/configmaps/');
        assert.ok(listed.kvs.length >= acked.size);
        lastRev = s.currentRevision();
        // The writer starts again at k0 next round: clear the keys.
        await Promise.all(listed.kvs.map((kv) => s.delete(kv.key)));
      } finally {
        await s.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
