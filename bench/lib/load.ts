// Load generators and latency statistics.
//
// openLoop issues operation i at exactly start + i/rate, whether or not earlier operations have
// finished, and measures each latency from its scheduled time (not from when the client got
// round to sending it), so a stalled server shows up as latency instead of as a lower request
// rate (no coordinated omission).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Summary {
  count: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending-sorted sample (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: ArrayLike<number>, errors = 0): Summary {
  const a = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i];
  return {
    count: a.length,
    errors,
    p50: percentile(a, 50),
    p90: percentile(a, 90),
    p99: percentile(a, 99),
    max: a.length ? a[a.length - 1] : NaN,
    mean: a.length ? sum / a.length : NaN,
  };
}

export interface LoadResult extends Summary {
  /** Wall time from the first scheduled operation to the last completion, ms. */
  elapsedMs: number;
  /** Completed operations per second over elapsedMs. */
  achievedPerSec: number;
  /** First few error descriptions, for the report. */
  errorSamples: string[];
}

/** An operation returns normally on success, or throws / returns an error text. */
export type Op = (i: number) => Promise<string | void>;

/** Fixed-rate open-loop load: count operations at rate per second. */
export async function openLoop(rate: number, count: number, op: Op): Promise<LoadResult> {
  const lat = new Float64Array(count);
  const errs: string[] = [];
  let errors = 0;
  const interval = 1000 / rate;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;
  let next = 0;
  while (next < count) {
    const now = performance.now();
    while (next < count && start + next * interval <= now) {
      const i = next++;
      const scheduled = start + i * interval;
      pending.push(
        run(op, i).then((err) => {
          lat[i] = performance.now() - scheduled;
          if (err !== undefined) {
            errors++;
            if (errs.length < 5) errs.push(err);
          }
        }),
      );
    }
    if (next < count) {
      const wait = start + next * interval - performance.now();
      // setTimeout cannot sleep less than ~1 ms; below that yield to I/O and re-check.
      if (wait >= 1) await sleep(Math.floor(wait));
      else await new Promise((r) => setImmediate(r));
    }
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - start;
  return { ...summarize(lat, errors), elapsedMs, achievedPerSec: (count / elapsedMs) * 1000, errorSamples: errs };
}

/** Closed-loop load: `concurrency` workers run count operations back to back, as fast as possible. */
export async function closedLoop(concurrency: number, count: number, op: Op): Promise<LoadResult> {
  const lat = new Float64Array(count);
  const errs: string[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      const err = await run(op, i);
      lat[i] = performance.now() - t;
      if (err !== undefined) {
        errors++;
        if (errs.length < 5) errs.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - start;
  return { ...summarize(lat, errors), elapsedMs, achievedPerSec: (count / elapsedMs) * 1000, errorSamples: errs };
}

async function run(op: Op, i: number): Promise<string | undefined> {
  try {
    const r = await op(i);
    return r === undefined ? undefined : r;
  } catch (e) {
    return (e as Error).message ?? String(e);
  }
}

/** Rounds to a fixed number of decimals for the JSON line. */
export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
