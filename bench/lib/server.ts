// Starts a real `sampan server` child process on a fresh temporary data dir for a benchmark and
// reads its resident memory from /proc. The server is the compiled dist/src/cli/main.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from dist/bench/lib/server.js. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const mainJs = join(repoRoot, 'dist/src/cli/main.js');

export interface BenchServer {
  dir: string;
  url: string;
  pid: number;
  kubeconfig: string;
  proc: ChildProcess;
  /** Resident set size and its peak (VmRSS, VmHWM) in MiB. */
  memory(): { rssMb: number; peakMb: number };
  /** User+system CPU seconds the server process has used so far. */
  cpuSeconds(): number;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Stops the server (if running) and removes the data dir. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** Extra flags for node itself (e.g. --cpu-prof, --cpu-prof-dir=...). */
  nodeArgs?: string[];
  /** Extra `sampan server` flags. */
  serverArgs?: string[];
  /** Keep the data dir after cleanup() (for inspection). */
  keepDir?: boolean;
}

export function startBenchServer(o: StartOptions = {}): Promise<BenchServer> {
  if (!existsSync(mainJs)) return Promise.reject(new Error(`${mainJs} not found: build first (npx tsc -p .)`));
  const dir = mkdtempSync(join(tmpdir(), 'sampan-bench-'));
  const args = [...(o.nodeArgs ?? []), mainJs, 'server', '--data-dir', dir, '--port', '0', '--bind', '127.0.0.1', ...(o.serverArgs ?? [])];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAMPAN_LOG_LEVEL: process.env.SAMPAN_LOG_LEVEL ?? 'warn' },
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    let started = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within 60 s:\n${out}\n${err}`));
    }, 60_000);
    proc.stdout!.on('data', (c) => {
      if (started) return;
      out += c;
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      const exited = new Promise<void>((r) => (proc.exitCode !== null ? r() : proc.once('exit', () => r())));
      const server: BenchServer = {
        dir,
        url: m[1],
        pid: proc.pid!,
        kubeconfig: join(dir, 'kubeconfig'),
        proc,
        memory: () => procMemory(proc.pid!),
        cpuSeconds: () => procCpuSeconds(proc.pid!),
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        },
        async cleanup() {
          await server.stop();
          if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
        },
      };
      resolvePromise(server);
    });
    proc.stderr!.on('data', (c) => {
      err += c;
      if (err.length > 1 << 16) err = err.slice(-(1 << 15));
      if (process.env.SAMPAN_BENCH_VERBOSE) process.stderr.write(c);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) {
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`server exited (${code ?? signal}) before listening:\n${out}\n${err}`));
      }
    });
  });
}

/** VmRSS and VmHWM of a process in MiB, from /proc/<pid>/status. */
export function procMemory(pid: number): { rssMb: number; peakMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) : NaN;
  };
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** utime+stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function procCpuSeconds(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

/** CPU seconds the whole machine has been busy (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100;
}

/** CPU seconds of this process plus its finished (waited-for) children such as kubectl. */
export function selfCpuSecondsWithChildren(): number {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) / 100;
}
