// Starts a real `sampan server` child process on a fresh data dir and drives it with the real
// kubectl binary. Used by every end-to-end test.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const mainJs = join(repoRoot, 'dist/src/cli/main.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  dir: string;
  url: string;
  port: number;
  kubeconfig: string;
  proc: ChildProcess;
  /** Runs kubectl against this cluster. */
  kubectl(args: string[], o?: { input?: string; version?: string; env?: Record<string, string> }): Promise<RunResult>;
  /** Like kubectl but throws unless it exits 0; returns stdout. */
  k(args: string[] | string, input?: string): Promise<string>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  cleanup(): void;
}

export function kubectlPath(version?: string): string {
  if (!version) return 'kubectl';
  return `kubectl.${version}`;
}

export function run(cmd: string, args: string[], o: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...o.env }, maxBuffer: 64 * 1024 * 1024, timeout: o.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (o.input !== undefined) child.stdin!.end(o.input);
    else child.stdin?.end();
  });
}

let kubectlDir: string | undefined;
async function resolveKubectl(version?: string): Promise<string> {
  if (!version) return 'kubectl';
  if (!kubectlDir) {
    const r = await run('bash', ['-c', 'dirname "$(readlink -f "$(command -v kubectl)")"']);
    kubectlDir = r.stdout.trim();
  }
  return join(kubectlDir, `kubectl.${version}`);
}

function startProc(dir: string, port: number, extra: string[]): Promise<{ proc: ChildProcess; url: string; port: number }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, ['--enable-source-maps', mainJs, 'server', '--data-dir', dir, '--port', String(port), '--bind', '127.0.0.1', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAMPAN_LOG_LEVEL: process.env.SAMPAN_LOG_LEVEL ?? 'warn' } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}\n${err}`)), 60_000);
    proc.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (https:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const url = m[1];
        resolvePromise({ proc, url, port: Number(new URL(url).port) });
      }
    });
    proc.stderr!.on('data', (c) => {
      err += c;
      if (process.env.SAMPAN_TEST_VERBOSE) process.stderr.write(c);
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(out)) reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

export async function startCluster(o: { extraArgs?: string[] } = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sampan-e2e-'));
  let { proc, url, port } = await startProc(dir, 0, o.extraArgs ?? []);
  const kubeconfig = join(dir, 'kubeconfig');
  const cluster: Cluster = {
    dir,
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    kubeconfig,
    get proc() {
      return proc;
    },
    async kubectl(args, ko = {}) {
      const bin = await resolveKubectl(ko.version);
      return run(bin, ['--kubeconfig', kubeconfig, ...args], { input: ko.input, env: ko.env });
    },
    async k(args, input) {
      const list = typeof args === 'string' ? splitArgs(args) : args;
      const r = await cluster.kubectl(list, { input });
      if (r.code !== 0) throw new Error(`kubectl ${list.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await cluster.stop();
      ({ proc, url, port } = await startProc(dir, port, o.extraArgs ?? []));
    },
    cleanup() {
      try {
        proc.kill('SIGKILL');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Splits a command line on spaces, honouring single and double quotes. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  let has = false;
  for (const ch of s) {
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      has = true;
    } else if (ch === ' ') {
      if (cur || has) out.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (cur || has) out.push(cur);
  return out;
}

export function writeTemp(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

export async function eventually<T>(fn: () => Promise<T>, o: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
    }
  }
  throw last;
}
