// `npm run bench [-- scenario...] [--quick | --preset full|quick|tiny] [--server-cpu-prof DIR]`
//
// Runs the named scenarios (all when none is named), one after another, each against its own
// fresh server. Every scenario prints exactly one JSON line of figures on stdout (with an "error"
// field if it failed) and a human-readable table row on stderr; progress notes also go to stderr.
// Exit status is 1 if any scenario failed.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiScenario } from './api.js';
import { rolloutScenario, scaleScenario, schedulingScenario } from './workloads.js';
import type { Figure, Figures, Preset, Scenario } from './scenario.js';

export const scenarios: Scenario[] = [apiScenario, schedulingScenario, rolloutScenario, scaleScenario];

export interface RunOptions {
  names: string[];
  preset: Preset;
  serverCpuProfDir?: string;
}

const usageText = `Usage: npm run bench -- [scenario...] [--quick] [--preset full|quick|tiny] [--server-cpu-prof DIR]

Scenarios:
${scenarios.map((s) => `  ${s.name.padEnd(10)}${s.summary}`).join('\n')}

Each scenario prints one JSON line of figures on stdout and a table row on stderr.
  --quick                 smaller counts for a fast check (same as --preset quick)
  --preset P              full (default: the published targets), quick, or tiny (a smoke run)
  --server-cpu-prof DIR   run the server under node --cpu-prof, writing .cpuprofile files to DIR`;

export function parseArgs(argv: string[]): RunOptions | { help: true } | { error: string } {
  const o: RunOptions = { names: [], preset: 'full' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    else if (a === '--quick') o.preset = 'quick';
    else if (a === '--preset' || a.startsWith('--preset=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v !== 'full' && v !== 'quick' && v !== 'tiny') return { error: `--preset must be full, quick or tiny, not ${JSON.stringify(v)}` };
      o.preset = v;
    } else if (a === '--server-cpu-prof' || a.startsWith('--server-cpu-prof=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) return { error: '--server-cpu-prof needs a directory' };
      o.serverCpuProfDir = resolve(v);
    } else if (a.startsWith('-')) return { error: `unknown flag ${a}` };
    else if (!scenarios.some((s) => s.name === a)) return { error: `unknown scenario ${JSON.stringify(a)} (have: ${scenarios.map((s) => s.name).join(', ')})` };
    else o.names.push(a);
  }
  return o;
}

/** One table row (with a header) for a human: the scenario's chosen columns. */
export function tableRow(s: Scenario, f: Figures): string {
  const cols = ['scenario', ...s.columns.filter((c) => c in f)];
  if (f.error !== undefined) cols.push('error');
  const cell = (v: Figure | undefined) => (v === undefined || v === null ? '-' : Array.isArray(v) ? v.join(',') || '-' : String(v).replace(/\s+/g, ' ').slice(0, 160));
  const widths = cols.map((c) => Math.max(c.length, cell(f[c]).length));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return `${line(cols.map((c) => c.toUpperCase()))}\n${line(cols.map((c) => cell(f[c])))}`;
}

export async function runBench(o: RunOptions, out: (line: string) => void = (l) => process.stdout.write(l + '\n'), err: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<boolean> {
  const chosen = o.names.length ? scenarios.filter((s) => o.names.includes(s.name)) : scenarios;
  if (o.serverCpuProfDir) mkdirSync(o.serverCpuProfDir, { recursive: true });
  let ok = true;
  for (const s of chosen) {
    const started = Date.now();
    err(`== ${s.name} (${o.preset})`);
    let figures: Figures;
    try {
      figures = await s.run({ preset: o.preset, serverCpuProfDir: o.serverCpuProfDir, log: (m) => err(`   ${m}`) });
    } catch (e) {
      ok = false;
      figures = { scenario: s.name, preset: o.preset, error: (e as Error).message ?? String(e) };
      err(`   failed: ${(e as Error).stack ?? e}`);
    }
    figures.duration_s = Math.round((Date.now() - started) / 100) / 10;
    out(JSON.stringify(figures));
    err(tableRow(s, figures));
  }
  return ok;
}

async function main() {
  const parsed = parseArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.error(usageText);
    return;
  }
  if ('error' in parsed) {
    console.error(`bench: ${parsed.error}\n\n${usageText}`);
    process.exit(2);
  }
  const ok = await runBench(parsed);
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
