// Workload scenarios: a real `sampan server --sim-nodes N` child process (controllers, scheduler
// and simulated kubelets in one process, as `sampan server` runs them), driven over HTTPS.
//
// scheduling  N simulated nodes, P pods from D Deployments: pods/s from creation to bound and the
//             p99 of each pod's create→bound latency (as seen by one watch on the namespace)
// rollout     one Deployment of R replicas over M nodes: time until all R are Ready
//
// Each first measures the API's raw pod-create rate in the same run (pods with a scheduler name
// nobody serves, created as fast as the server takes them, 32 in flight), so the figures can be
// read as a ratio on a noisy machine.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatSummary, readProfiles, summarizeProfile } from './lib/cpuprofile.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialsFromKubeconfig, newClient, openWatch, watchAgent, type Client } from './lib/client.js';
import { closedLoop, round, summarize } from './lib/load.js';
import { machineBusySeconds, startBenchServer, type BenchServer } from './lib/server.js';
import type { Figures, Preset, Scenario, ScenarioContext } from './scenario.js';

export interface SchedulingParams {
  nodes: number;
  deployments: number;
  replicas: number;
  baselinePods: number;
  timeoutMs: number;
}

export const schedulingPresets: Record<Preset, SchedulingParams> = {
  full: { nodes: 1000, deployments: 10, replicas: 1000, baselinePods: 3000, timeoutMs: 120_000 },
  quick: { nodes: 100, deployments: 4, replicas: 250, baselinePods: 1000, timeoutMs: 120_000 },
  tiny: { nodes: 5, deployments: 2, replicas: 10, baselinePods: 40, timeoutMs: 60_000 },
};

export interface RolloutParams {
  nodes: number;
  replicas: number;
  baselinePods: number;
  timeoutMs: number;
}

export const rolloutPresets: Record<Preset, RolloutParams> = {
  full: { nodes: 100, replicas: 1000, baselinePods: 3000, timeoutMs: 300_000 },
  quick: { nodes: 20, replicas: 300, baselinePods: 1000, timeoutMs: 120_000 },
  tiny: { nodes: 3, replicas: 10, baselinePods: 40, timeoutMs: 60_000 },
};

const podJson = (ns: string, name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'baseline' } },
    spec: { schedulerName: 'bench-no-scheduler', containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });

const deploymentJson = (ns: string, name: string, replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });

async function must(c: Client, method: string, path: string, body?: string, headers?: Record<string, string>) {
  const r = await c.request(method, path, body, headers);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r;
}

async function startWithNodes(ctx: ScenarioContext, nodes: number): Promise<{ server: BenchServer; client: Client }> {
  // a /24 per node: 1,000 nodes need more than the default /16
  const profDir = ctx.serverCpuProfDir ? mkdtempSync(join(ctx.serverCpuProfDir, 'run-')) : undefined;
  const server = await startBenchServer({
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    serverArgs: ['--sim-nodes', String(nodes), '--cluster-cidr', '10.0.0.0/8', '--node-cidr-mask-size', '24'],
  });
  if (profDir) {
    // after the run: the server's hot functions over the whole run
    const cleanup = server.cleanup.bind(server);
    server.cleanup = async () => {
      await server.stop();
      for (const p of readProfiles(profDir)) ctx.log(formatSummary('server profile (whole run)', summarizeProfile(p, { top: 25 }), 25));
      await cleanup();
    };
  }
  const client = newClient(credentialsFromKubeconfig(server.kubeconfig), { maxSockets: 32 });
  const t0 = performance.now();
  for (;;) {
    const r = await must(client, 'GET', '/api/v1/nodes');
    const items = JSON.parse(r.body).items as any[];
    const ready = items.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= nodes) break;
    if (performance.now() - t0 > 120_000) throw new Error(`only ${ready}/${nodes} nodes Ready with a podCIDR after 120 s`);
    await sleep(250);
  }
  ctx.log(`${nodes} simulated nodes Ready in ${Math.round(performance.now() - t0)} ms`);
  return { server, client };
}

/** The API's raw pod-create rate: pods nobody schedules, 32 in flight. */
async function baseline(client: Client, count: number): Promise<number> {
  await must(client, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'baseline' } }));
  const r = await closedLoop(32, count, async (i) => {
    const res = await client.request('POST', '/api/v1/namespaces/baseline/pods', podJson('baseline', `p${i}`));
    if (res.status !== 201) return `${res.status}`;
  });
  return r.achievedPerSec;
}

interface PodTimes {
  created: Map<string, number>;
  bound: Map<string, number>;
  ready: Map<string, number>;
}

/** Watches pods of one namespace and records when each was first seen, bound and Ready. */
async function watchPods(client: Client, ns: string, t: PodTimes) {
  const agent = watchAgent(client.creds);
  const w = openWatch(agent, client.creds, `/api/v1/namespaces/${ns}/pods?watch=true&allowWatchBookmarks=false`, (line) => {
    const now = performance.now();
    const ev = JSON.parse(line.toString('utf8'));
    const p = ev.object;
    const name = p?.metadata?.name;
    if (!name || ev.type === 'DELETED') return;
    if (!t.created.has(name)) t.created.set(name, now);
    if (p.spec?.nodeName && !t.bound.has(name)) t.bound.set(name, now);
    if (!t.ready.has(name) && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) t.ready.set(name, now);
  });
  await w.ready;
  return () => {
    w.stop();
    agent.destroy();
  };
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: () => string) {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out: ${what()}`);
    await sleep(50);
  }
}

export const schedulingScenario: Scenario = {
  name: 'scheduling',
  summary: 'scheduler on N simulated nodes: pods/s bound from a backlog (target ≥ 3,000 on 1,000) and create→bound from Deployments',
  columns: ['nodes', 'pods', 'scheduled_per_s', 'backlog_p99_ms', 'e2e_bound_per_s', 'e2e_p99_ms', 'api_create_per_s', 'server_cpu_s'],
  async run(ctx) {
    const p = schedulingPresets[ctx.preset];
    const total = p.deployments * p.replicas;
    const { server, client } = await startWithNodes(ctx, p.nodes);
    const busy0 = machineBusySeconds();
    const cpu0 = server.cpuSeconds();
    try {
      const apiRate = await baseline(client, p.baselinePods);
      ctx.log(`baseline: ${Math.round(apiRate)} pod creates/s`);

      // 1. end to end: Deployments create the pods, the scheduler binds them as they come
      await must(client, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sched' } }));
      const times: PodTimes = { created: new Map(), bound: new Map(), ready: new Map() };
      const stop = await watchPods(client, 'sched', times);
      const t0 = performance.now();
      await Promise.all(Array.from({ length: p.deployments }, (_, i) => must(client, 'POST', '/apis/apps/v1/namespaces/sched/deployments', deploymentJson('sched', `d${i}`, p.replicas))));
      await waitFor(() => times.bound.size >= total, p.timeoutMs, () => `${times.bound.size}/${total} pods bound (${times.created.size} created)`);
      const boundAt = performance.now();
      await waitFor(() => times.ready.size >= total, p.timeoutMs, () => `${times.ready.size}/${total} pods Ready`);
      const readyAt = performance.now();
      stop();
      const firstCreated = Math.min(...times.created.values());
      const e2e = summarize([...times.bound].map(([name, b]) => b - (times.created.get(name) ?? b)));
      const e2ePerS = total / ((boundAt - firstCreated) / 1000);
      ctx.log(`end to end: ${Math.round(e2ePerS)} pods/s bound, all Ready in ${round((readyAt - t0) / 1000, 1)} s`);

      // 2. backlog: the same number of pods wait, unschedulable, for a PersistentVolumeClaim they
      //    all mount that does not exist yet; creating it (bound to a PV usable on every node)
      //    releases them all with one event and the scheduler drains the queue (scheduler_perf's
      //    measurement: pods bound per second while pods are waiting)
      await must(client, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'backlog' } }));
      const bt: PodTimes = { created: new Map(), bound: new Map(), ready: new Map() };
      const held = new Set<string>();
      const agentH = watchAgent(client.creds);
      const stopH = openWatch(agentH, client.creds, '/api/v1/namespaces/backlog/pods?watch=true', (line) => {
        const ev = JSON.parse(line.toString('utf8'));
        if (ev.object?.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.status === 'False')) held.add(ev.object.metadata.name);
      });
      await stopH.ready;
      const dep = JSON.parse(deploymentJson('backlog', 'held', total));
      dep.spec.template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'shared' } }];
      await must(client, 'POST', '/apis/apps/v1/namespaces/backlog/deployments', JSON.stringify(dep));
      // every pod created and found unschedulable by the scheduler (PodScheduled=False)
      await waitFor(() => held.size >= total, p.timeoutMs, () => `${held.size}/${total} backlog pods marked unschedulable`);
      stopH.stop();
      agentH.destroy();
      const stopB = await watchPods(client, 'backlog', bt);
      const releaseAt = performance.now();
      await must(client, 'POST', '/api/v1/persistentvolumes', JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'shared' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], hostPath: { path: '/srv/shared' }, storageClassName: '', claimRef: { namespace: 'backlog', name: 'shared' } } }));
      await must(client, 'POST', '/api/v1/namespaces/backlog/persistentvolumeclaims', JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shared' }, spec: { accessModes: ['ReadWriteMany'], storageClassName: '', volumeName: 'shared', resources: { requests: { storage: '1Gi' } } } }));
      await waitFor(() => bt.bound.size >= total, p.timeoutMs, () => `${bt.bound.size}/${total} backlog pods bound`).catch(async (e) => {
        // say why: the scheduler's queues and what a waiting pod was told
        const metrics = (await client.request('GET', '/metrics')).body.split('\n').filter((l) => l.startsWith('scheduler_pending_pods'));
        const pods = JSON.parse((await client.request('GET', '/api/v1/namespaces/backlog/pods?fieldSelector=spec.nodeName%3D&limit=1')).body).items;
        const cond = pods[0]?.status?.conditions?.find((c: any) => c.type === 'PodScheduled');
        throw new Error(`${(e as Error).message}; ${metrics.join(', ')}; e.g. ${pods[0]?.metadata?.name}: ${cond?.reason} ${cond?.message}`);
      });
      const drainedAt = performance.now();
      stopB();
      const backlog = summarize([...bt.bound.values()].map((b) => b - releaseAt));
      const perS = total / ((drainedAt - releaseAt) / 1000);
      const cpu = server.cpuSeconds() - cpu0;
      return {
        scenario: 'scheduling',
        preset: ctx.preset,
        nodes: p.nodes,
        pods: total,
        scheduled_per_s: round(perS, 0),
        backlog_drain_s: round((drainedAt - releaseAt) / 1000, 2),
        backlog_p99_ms: round(backlog.p99, 1),
        e2e_bound_per_s: round(e2ePerS, 0),
        e2e_p50_ms: round(e2e.p50, 1),
        e2e_p99_ms: round(e2e.p99, 1),
        e2e_all_ready_s: round((readyAt - t0) / 1000, 2),
        api_create_per_s: round(apiRate, 0),
        ratio: round(perS / apiRate, 2),
        server_cpu_s: round(cpu, 1),
        server_rss_mb: round(server.memory().rssMb, 0),
        other_cpu_s: round(machineBusySeconds() - busy0 - cpu, 1),
        targets_missed: ctx.preset === 'full' && perS < 3000 ? ['scheduled_per_s >= 3000'] : [],
      } satisfies Figures;
    } finally {
      client.close();
      await server.cleanup();
    }
  },
};

export const rolloutScenario: Scenario = {
  name: 'rollout',
  summary: 'one Deployment of R replicas over M simulated nodes: time until all Ready',
  columns: ['nodes', 'replicas', 'all_ready_s', 'ready_per_s', 'api_create_per_s', 'ratio', 'server_cpu_s'],
  async run(ctx) {
    const p = rolloutPresets[ctx.preset];
    const { server, client } = await startWithNodes(ctx, p.nodes);
    try {
      const apiRate = await baseline(client, p.baselinePods);
      ctx.log(`baseline: ${Math.round(apiRate)} pod creates/s`);
      await must(client, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'roll' } }));
      const cpu0 = server.cpuSeconds();
      const t0 = performance.now();
      await must(client, 'POST', '/apis/apps/v1/namespaces/roll/deployments', deploymentJson('roll', 'web', p.replicas));
      let last: any;
      for (;;) {
        last = JSON.parse((await must(client, 'GET', '/apis/apps/v1/namespaces/roll/deployments/web')).body);
        const st = last.status ?? {};
        if (st.readyReplicas === p.replicas && st.updatedReplicas === p.replicas && st.availableReplicas === p.replicas) break;
        if (performance.now() - t0 > p.timeoutMs) throw new Error(`timed out: deployment status ${JSON.stringify(st)}`);
        await sleep(100);
      }
      const secs = (performance.now() - t0) / 1000;
      return {
        scenario: 'rollout',
        preset: ctx.preset,
        nodes: p.nodes,
        replicas: p.replicas,
        all_ready_s: round(secs, 2),
        ready_per_s: round(p.replicas / secs, 0),
        api_create_per_s: round(apiRate, 0),
        ratio: round(p.replicas / secs / apiRate, 2),
        server_cpu_s: round(server.cpuSeconds() - cpu0, 1),
        server_rss_mb: round(server.memory().rssMb, 0),
      } satisfies Figures;
    } finally {
      client.close();
      await server.cleanup();
    }
  },
};

export interface ScaleParams {
  nodes: number;
  deployments: number;
  replicas: number;
  /** Probe requests per second of each kind (get, list page, create) while filling and after. */
  probeRate: number;
  steadySeconds: number;
  timeoutMs: number;
}

export const scalePresets: Record<Preset, ScaleParams> = {
  full: { nodes: 5000, deployments: 150, replicas: 1000, probeRate: 5, steadySeconds: 30, timeoutMs: 1_800_000 },
  quick: { nodes: 500, deployments: 20, replicas: 500, probeRate: 5, steadySeconds: 10, timeoutMs: 300_000 },
  tiny: { nodes: 5, deployments: 2, replicas: 10, probeRate: 5, steadySeconds: 1, timeoutMs: 60_000 },
};

/** API latency probes at a fixed low rate: GET a node, list a page of pods, create a ConfigMap. */
function probes(client: Client, rate: number) {
  const lat: number[] = [];
  let errors = 0;
  let n = 0;
  let stopped = false;
  const one = async (kind: number) => {
    const t = performance.now();
    const i = n++;
    let r;
    if (kind === 0) r = await client.request('GET', '/api/v1/nodes/sim-node-0');
    else if (kind === 1) r = await client.request('GET', '/api/v1/namespaces/scale/pods?limit=500');
    else r = await client.request('POST', '/api/v1/namespaces/probe/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { a: 'b' } }));
    if (r.status >= 300) errors++;
    lat.push(performance.now() - t);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    for (let k = 0; k < 3; k++) one(k).catch(() => errors++);
  }, 1000 / rate);
  return {
    take() {
      const s = summarize(lat, errors);
      lat.length = 0;
      errors = 0;
      return s;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export const scaleScenario: Scenario = {
  name: 'scale',
  summary: 'one server with N simulated nodes and P pods (target 5,000 × 150,000 with API p99 ≤ 1 s); full preset takes a long time',
  columns: ['nodes', 'pods', 'pods_running', 'fill_s', 'fill_api_p99_ms', 'steady_api_p99_ms', 'server_rss_mb'],
  async run(ctx) {
    const p = scalePresets[ctx.preset];
    const total = p.deployments * p.replicas;
    // /24 per node from 10.0.0.0/8 holds 65,536 nodes
    const { server, client } = await startWithNodes(ctx, p.nodes);
    try {
      for (const name of ['scale', 'probe']) await must(client, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
      const probe = probes(client, p.probeRate);
      const t0 = performance.now();
      const cpu0 = server.cpuSeconds();
      for (let i = 0; i < p.deployments; i++) await must(client, 'POST', '/apis/apps/v1/namespaces/scale/deployments', deploymentJson('scale', `d${i}`, p.replicas));
      let ready = 0;
      let lastLog = 0;
      for (;;) {
        const r = await must(client, 'GET', '/apis/apps/v1/namespaces/scale/deployments');
        ready = 0;
        for (const d of JSON.parse(r.body).items) ready += d.status?.readyReplicas ?? 0;
        if (ready >= total) break;
        if (performance.now() - t0 > p.timeoutMs) break;
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          ctx.log(`${ready}/${total} pods Ready after ${Math.round((lastLog - t0) / 1000)} s, RSS ${Math.round(server.memory().rssMb)} MB`);
        }
        await sleep(2000);
      }
      const fillS = (performance.now() - t0) / 1000;
      const fill = probe.take();
      await sleep(p.steadySeconds * 1000);
      const steady = probe.take();
      probe.stop();
      const mem = server.memory();
      return {
        scenario: 'scale',
        preset: ctx.preset,
        nodes: p.nodes,
        pods: total,
        pods_running: ready,
        fill_s: round(fillS, 1),
        fill_api_p50_ms: round(fill.p50, 1),
        fill_api_p99_ms: round(fill.p99, 1),
        fill_api_errors: fill.errors,
        steady_api_p99_ms: round(steady.p99, 1),
        server_cpu_s: round(server.cpuSeconds() - cpu0, 1),
        server_rss_mb: round(mem.rssMb, 0),
        server_peak_rss_mb: round(mem.peakMb, 0),
        targets_missed: ctx.preset === 'full' ? [...(ready < total ? ['all pods Running'] : []), ...(fill.p99 > 1000 || steady.p99 > 1000 ? ['API p99 <= 1 s'] : [])] : [],
      } satisfies Figures;
    } finally {
      client.close();
      await server.cleanup();
    }
  },
};
