// Reads the .cpuprofile files `node --cpu-prof` writes and names the hot functions, optionally
// only within a time window (so one profile of a whole benchmark run can be split by phase).
// Timestamps in a V8 profile are CLOCK_MONOTONIC microseconds, the same clock as
// process.hrtime() in any process on the machine, so the harness can mark phases with hrtime.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  /** `name (file)`, with dist/…/x.js shown as the source path …/x.ts. */
  fn: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Time spent in the function itself. */
  self: HotFunction[];
  /** Time with the function anywhere on the stack (only functions of this repository). */
  inclusive: HotFunction[];
}

/** Monotonic microseconds, comparable with a V8 profile's timestamps. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export function readProfiles(dir: string): CpuProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
}

function label(node: ProfileNode): { key: string; ours: boolean } {
  const { functionName, url } = node.callFrame;
  const name = functionName || '(anonymous)';
  const m = /\/dist\/((?:src|bench|test)\/.*)\.js$/.exec(url);
  if (m) return { key: `${name} (${m[1]}.ts)`, ours: true };
  if (!url) return { key: name, ours: false };
  const short = url.replace(/^file:\/\/.*\/node_modules\//, '').replace(/^node:/, '');
  return { key: `${name} (${short})`, ours: false };
}

export function summarizeProfile(p: CpuProfile, o: { fromUs?: number; toUs?: number; top?: number } = {}): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const labels = new Map<number, { key: string; ours: boolean }>();
  for (const n of p.nodes) labels.set(n.id, label(n));
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if ((o.fromUs !== undefined && t < o.fromUs) || (o.toUs !== undefined && t > o.toUs)) continue;
    // Charge each sample the interval to the next one (the last gets the previous interval).
    const w = (p.timeDeltas[i + 1] ?? dt) / 1000;
    const id = p.samples[i];
    const l = labels.get(id)!;
    if (l.key === '(idle)') continue;
    total += w;
    self.set(l.key, (self.get(l.key) ?? 0) + w);
    const onStack = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = labels.get(cur)!;
      if (cl.ours) onStack.add(cl.key);
    }
    for (const k of onStack) incl.set(k, (incl.get(k) ?? 0) + w);
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, o.top ?? 10)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), pct: total ? Math.round((ms / total) * 1000) / 10 : 0 }));
  return { sampledMs: Math.round(total), self: top(self), inclusive: top(incl) };
}

/** A few lines for a human: busy time, then the top self and inclusive functions. */
export function formatSummary(title: string, s: ProfileSummary, n = 8): string {
  const rows = (h: HotFunction[]) => h.slice(0, n).map((x) => `      ${String(x.pct).padStart(5)}%  ${String(x.ms).padStart(6)} ms  ${x.fn}`);
  return [`${title}: ${s.sampledMs} ms busy on the server's main thread`, '    self:', ...rows(s.self), '    inclusive (this repo):', ...rows(s.inclusive)].join('\n');
}
