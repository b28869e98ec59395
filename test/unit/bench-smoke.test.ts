// The benchmark harness: its statistics and load generators, and one tiny end-to-end run of the
// API scenario against a real server child process (the `npm run bench` entry, --preset tiny).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, openLoop, percentile, summarize } from '../../bench/lib/load.js';
import { parseArgs, tableRow } from '../../bench/run.js';
import { apiScenario, missedTargets } from '../../bench/api.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

test('percentile is nearest-rank on a sorted sample', () => {
  const a = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(a, 50), 50);
  assert.equal(percentile(a, 99), 99);
  assert.equal(percentile(a, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  const s = summarize([5, 1, 3, 2, 4], 2);
  assert.deepEqual([s.count, s.errors, s.p50, s.max, s.mean], [5, 2, 3, 5, 3]);
});

test('openLoop keeps its schedule and charges a stall to the requests scheduled during it', async () => {
  // 10 operations at 100/s: op 0 blocks the event loop for 60 ms, so ops 1..5 (scheduled at
  // 10..50 ms) cannot be sent on time; their latency must include the wait (no coordinated
  // omission), and the run must still take about 90 ms, not 60 + 90.
  const r = await openLoop(100, 10, async (i) => {
    if (i === 0) {
      const until = performance.now() + 60;
      while (performance.now() < until);
    }
  });
  assert.equal(r.count, 10);
  assert.equal(r.errors, 0);
  assert.ok(r.max >= 45, `the stall shows up as latency (max ${r.max})`);
  assert.ok(r.p50 < r.max, 'later operations are on time again');
  assert.ok(r.elapsedMs >= 85 && r.elapsedMs < 400, `elapsed ${r.elapsedMs}`);
});

test('openLoop and closedLoop count errors and keep samples of them', async () => {
  const r = await openLoop(1000, 20, async (i) => (i % 5 === 0 ? `bad ${i}` : undefined));
  assert.equal(r.errors, 4);
  assert.deepEqual(r.errorSamples, ['bad 0', 'bad 5', 'bad 10', 'bad 15']);
  let inFlight = 0;
  let peak = 0;
  const c = await closedLoop(3, 12, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((res) => setTimeout(res, 2));
    inFlight--;
    if (i === 11) throw new Error('thrown');
  });
  assert.equal(peak, 3);
  assert.equal(c.count, 12);
  assert.equal(c.errors, 1);
  assert.deepEqual(c.errorSamples, ['thrown']);
});

test('bench arguments and table row', () => {
  assert.deepEqual(parseArgs(['api', '--quick']), { names: ['api'], preset: 'quick' });
  assert.deepEqual(parseArgs(['--preset=tiny']), { names: [], preset: 'tiny' });
  assert.ok('error' in parseArgs(['nope']));
  assert.ok('error' in parseArgs(['--preset', 'huge']));
  const row = tableRow(apiScenario, { scenario: 'api', create_p99_ms: 3.5, watch_lost: 0 });
  const [head, vals] = row.split('\n');
  assert.match(head, /^SCENARIO\s+CREATE_P99_MS\s+WATCH_LOST$/);
  assert.match(vals, /^api\s+3\.5\s+0$/);
  assert.deepEqual(missedTargets({ create_p99_ms: 30, create_errors: 0, create_achieved_per_s: 500, create_rate: 500, list10k_ms: 100, list_pods: 10000, watch_lost: 0, watchers: 1000, watch_events_each: 1000, watch_failed_connects: 0, rss_mb_10k_pods: 200 }), ['create_p99_ms']);
});

test('npm run bench -- api --preset tiny prints one JSON line of figures from a real server', { timeout: 20_000 }, async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    execFile(process.execPath, [join(repoRoot, 'dist/bench/run.js'), 'api', '--preset', 'tiny'], { timeout: 19_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr });
    });
  });
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, stdout);
  const f = JSON.parse(lines[0]);
  assert.equal(f.scenario, 'api');
  assert.equal(f.error, undefined);
  for (const k of ['create_p50_ms', 'create_p99_ms', 'get_p99_ms', 'update_p99_ms', 'patch_p99_ms', 'list10k_ms', 'list10k_table_ms', 'rss_mb_10k_pods', 'raw_sqlite_tx_per_s', 'api_create_per_s_max', 'ratio']) {
    assert.ok(typeof f[k] === 'number' && Number.isFinite(f[k]) && f[k] > 0, `${k} = ${f[k]}`);
  }
  assert.equal(f.create_errors + f.get_errors + f.update_errors + f.patch_errors + f.list_errors, 0, stderr);
  assert.equal(f.list_pods, 40);
  assert.equal(f.watchers, 4);
  assert.equal(f.watch_events_each, 10);
  assert.equal(f.watch_lost, 0);
  assert.equal(f.watch_duplicates, 0);
  assert.match(stderr, /CREATE_P99_MS/);
});

test('the workload scenarios (scheduling, rollout, scale) run tiny against a server with simulated nodes', { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    execFile(process.execPath, [join(repoRoot, 'dist/bench/run.js'), 'scheduling', 'rollout', 'scale', '--preset', 'tiny'], { timeout: 85_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr });
    });
  });
  assert.equal(code, 0, stderr);
  const [sched, roll, scale] = stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(sched.scenario, 'scheduling');
  assert.equal(sched.pods, 20);
  for (const k of ['scheduled_per_s', 'backlog_p99_ms', 'e2e_bound_per_s', 'e2e_p99_ms', 'api_create_per_s']) assert.ok(typeof sched[k] === 'number' && sched[k] > 0, `${k} = ${sched[k]}`);
  assert.equal(roll.scenario, 'rollout');
  assert.equal(roll.replicas, 10);
  assert.ok(roll.all_ready_s > 0 && roll.api_create_per_s > 0);
  assert.equal(scale.scenario, 'scale');
  assert.equal(scale.pods_running, scale.pods);
  assert.equal(scale.fill_api_errors, 0);
});
