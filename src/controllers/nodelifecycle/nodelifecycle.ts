// The node lifecycle controller (Kubernetes' node-lifecycle-controller):
//  - health: every monitor period (5 s) each node's last sign of life (its Ready condition's
//    heartbeat or its Lease in kube-node-lease being renewed, as seen by this process) is
//    checked; after node-monitor-grace-period (40 s; node-startup-grace-period, 60 s, for a node
//    that never posted status) its Ready, MemoryPressure, DiskPressure and PIDPressure
//    conditions become Unknown (NodeStatusUnknown, "Kubelet stopped posting node status.", or
//    NodeStatusNeverUpdated, "Kubelet never posted node status."), the node gets a NodeNotReady
//    event and its pods' Ready condition is set False (the kubelet cannot do it);
//  - NoSchedule taints mirror conditions (not-ready, unreachable, memory/disk/pid-pressure,
//    network-unavailable) and spec.unschedulable, on every node change;
//  - NoExecute taints: not-ready (Ready=False) or unreachable (Ready=Unknown), added through a
//    per-zone rate limiter (0.1 node/s; 0.01 or none in a zone with more than 55% of at least 3
//    nodes unhealthy; none at all while every zone is fully disrupted, when the taints are
//    removed instead), and removed once the node is Ready again.
// The taint eviction controller (taint-eviction.ts) deletes the pods those taints evict.
// Grace periods come from options or SAMPAN_NODE_MONITOR_GRACE_PERIOD /
// SAMPAN_NODE_STARTUP_GRACE_PERIOD (`40s`, `500ms`, or seconds).
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component, ControllerContext } from '../manager.js';
import type { Informer } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { CONDITION_TAINTS, CONDITION_TAINT_KEYS, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, parseDurationMs, sameTaint, type Taint } from './taints.js';

export interface NodeLifecycleOptions {
  /** node-monitor-grace-period (40 s). */
  gracePeriodMs?: number;
  /** node-startup-grace-period (60 s): for nodes that never posted a Ready condition. */
  startupGracePeriodMs?: number;
  /** node-monitor-period (5 s). */
  monitorPeriodMs?: number;
  /** node-eviction-rate (0.1 nodes/s per zone). */
  evictionQPS?: number;
  /** secondary-node-eviction-rate (0.01 nodes/s). */
  secondaryEvictionQPS?: number;
  /** large-cluster-size-threshold (50). */
  largeClusterThreshold?: number;
  /** unhealthy-zone-threshold (0.55). */
  unhealthyZoneThreshold?: number;
}

type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

interface Condition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface Health {
  probe: number;
  hadReady: boolean;
  readyHeartbeat?: string;
  leaseRenew?: string;
}

const nowTime = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NODE_INDEX = 'nodelifecycle:node';
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export const readyCondition = (n: KubeObject): Condition | undefined => (n.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');

/** topology zone key: region and zone labels (the beta ones as fallback). */
export function zoneKey(n: KubeObject): string {
  const l = (n.metadata.labels ?? {}) as Record<string, string>;
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

/** ComputeZoneState: how many nodes are unhealthy and what that makes the zone. */
export function computeZoneState(ready: (string | undefined)[], unhealthyThreshold = 0.55): { notReady: number; state: ZoneState } {
  let readyNodes = 0;
  let notReady = 0;
  for (const s of ready) if (s === 'True') readyNodes++;
  else notReady++;
  if (readyNodes === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + readyNodes) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/** The NoSchedule taints a node should carry for its conditions and spec.unschedulable. */
export function noScheduleTaints(n: KubeObject): Taint[] {
  const out: Taint[] = [];
  for (const c of (n.status?.conditions ?? []) as Condition[]) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (n.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

function envMs(name: string): number | undefined {
  return parseDurationMs(process.env[name]);
}

/** A token bucket with a burst of one, as the per-zone eviction limiter. */
function limiter(qps: number) {
  let rate = qps;
  let tokens = 1;
  let last = Date.now();
  return {
    tryAccept(): boolean {
      const t = Date.now();
      if (rate <= 0) return false;
      tokens = Math.min(1, tokens + ((t - last) / 1000) * rate);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    swap(qps: number) {
      if (qps === rate) return;
      rate = qps;
      tokens = qps > 0 ? 1 : 0;
      last = Date.now();
    },
  };
}

/** Writes a node's taints: adds `add` (stamped timeAdded), removes `remove`; retries conflicts from a fresh read. */
export async function swapNodeTaints(ctx: { client: ControllerContext['client'] }, user: string, nodes: Informer, name: string, add: Taint[], remove: Taint[]): Promise<boolean> {
  const client = ctx.client(user);
  let node: KubeObject | null | undefined = nodes.get(undefined, name);
  for (let attempt = 0; attempt < 5 && node; attempt++) {
    const cur = (node.spec?.taints ?? []) as Taint[];
    const kept = cur.filter((t) => !remove.some((r) => sameTaint(r, t)));
    const t = nowTime();
    const toAdd = add.filter((a) => !kept.some((k) => sameTaint(k, a) && (k.value ?? '') === (a.value ?? '')));
    const next = [...kept.filter((k) => !toAdd.some((a) => sameTaint(a, k))), ...toAdd.map((a) => ({ ...a, timeAdded: t }))];
    if (next.length === cur.length && !toAdd.length) return true;
    try {
      await client.patch(`/api/v1/nodes/${name}`, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next.length ? next : null } }, 'merge');
      return true;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) {
        if (e instanceof ApiError && e.code === 404) return true;
        throw e;
      }
      node = await client.getOrNull<KubeObject>(`/api/v1/nodes/${name}`);
    }
  }
  return !node;
}

export function nodeLifecycleComponent(opts: NodeLifecycleOptions = {}): Component {
  return {
    name: 'nodelifecycle',
    start(ctx) {
      const grace = opts.gracePeriodMs ?? envMs('SAMPAN_NODE_MONITOR_GRACE_PERIOD') ?? 40_000;
      const startupGrace = opts.startupGracePeriodMs ?? envMs('SAMPAN_NODE_STARTUP_GRACE_PERIOD') ?? Math.max(60_000, grace);
      const period = opts.monitorPeriodMs ?? Math.min(5_000, Math.max(100, Math.floor(Math.min(grace, startupGrace) / 4)));
      const evictionQPS = opts.evictionQPS ?? 0.1;
      const secondaryQPS = opts.secondaryEvictionQPS ?? 0.01;
      const largeCluster = opts.largeClusterThreshold ?? 50;
      const unhealthyThreshold = opts.unhealthyZoneThreshold ?? 0.55;
      const USER = 'system:serviceaccount:kube-system:node-controller';
      const client = ctx.client(USER);
      const recorder = ctx.recorder('node-controller');
      const log = ctx.log('nodelifecycle');
      const nodes = ctx.informers.informer('/api/v1/nodes');
      const leases = ctx.informers.informer('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
      const pods = ctx.informers.informer('/api/v1/pods');
      pods.addIndexer(NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));

      const health = new Map<string, Health>();
      const known = new Set<string>();
      const zoneStates = new Map<string, ZoneState>();
      const tainters = new Map<string, { queue: Set<string>; limit: ReturnType<typeof limiter> }>();
      const tainter = (zone: string) => {
        let t = tainters.get(zone);
        if (!t) tainters.set(zone, (t = { queue: new Set(), limit: limiter(evictionQPS) }));
        return t;
      };
      let stopped = false;

      // --- NoSchedule taints follow conditions and spec.unschedulable on every node change
      async function syncNoSchedule(name: string) {
        const n = nodes.get(undefined, name);
        if (!n) return;
        const want = noScheduleTaints(n);
        const have = ((n.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
        const add = want.filter((w) => !have.some((h) => sameTaint(h, w)));
        const del = have.filter((h) => !want.some((w) => sameTaint(h, w)));
        if (!add.length && !del.length) return;
        await swapNodeTaints(ctx, USER, nodes, name, add, del);
      }
      const queue = workQueue(syncNoSchedule, {
        workers: 8,
        onError(key, e) {
          log('node taint update failed', { node: key, error: (e as Error).message });
          return undefined;
        },
      });
      nodes.addEventHandler({
        add: (n) => void queue.add(n.metadata.name!),
        update(a, b) {
          if (JSON.stringify(noScheduleTaints(a)) !== JSON.stringify(noScheduleTaints(b)) || JSON.stringify(a.spec?.taints) !== JSON.stringify(b.spec?.taints)) void queue.add(b.metadata.name!);
        },
      });

      // --- health
      async function updateHealth(n: KubeObject): Promise<{ observed?: Condition; current?: Condition }> {
        const name = n.metadata.name!;
        const t = Date.now();
        const ready = readyCondition(n);
        let h = health.get(name);
        if (!h || h.hadReady !== !!ready) h = { probe: t, hadReady: !!ready, readyHeartbeat: ready?.lastHeartbeatTime, leaseRenew: h?.leaseRenew };
        else if (ready && ready.lastHeartbeatTime !== h.readyHeartbeat) {
          h.probe = t;
          h.readyHeartbeat = ready.lastHeartbeatTime;
        }
        const lease = leases.get('kube-node-lease', name);
        const renew = lease?.spec?.renewTime as string | undefined;
        if (renew && (!h.leaseRenew || Date.parse(renew) > Date.parse(h.leaseRenew))) {
          h.leaseRenew = renew;
          h.probe = t;
        }
        health.set(name, h);
        const gracePeriod = ready ? grace : startupGrace;
        const observed: Condition = ready ?? { type: 'Ready', status: 'Unknown', lastHeartbeatTime: n.metadata.creationTimestamp, lastTransitionTime: n.metadata.creationTimestamp };
        if (t <= h.probe + gracePeriod) return { observed, current: ready };
        const stamp = nowTime(t);
        const conditions = ((n.status?.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
        for (const type of MONITORED) {
          const c = conditions.find((x) => x.type === type);
          if (!c) conditions.push({ type, status: 'Unknown', lastHeartbeatTime: n.metadata.creationTimestamp, lastTransitionTime: stamp, reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
          else if (c.status !== 'Unknown') Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp });
        }
        const current = conditions.find((c) => c.type === 'Ready')!;
        if (ready && ready.status === current.status && ready.reason === current.reason) return { observed, current: ready };
        try {
          await client.patch(`/api/v1/nodes/${name}/status`, { metadata: { resourceVersion: n.metadata.resourceVersion }, status: { conditions } }, 'merge');
        } catch (e) {
          if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return { observed, current: ready };
          throw e;
        }
        health.set(name, { ...h, hadReady: true, readyHeartbeat: current.lastHeartbeatTime });
        return { observed, current };
      }

      async function markPodsNotReady(n: KubeObject) {
        for (const p of pods.byIndex(NODE_INDEX, n.metadata.name!)) {
          const c = (p.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'Ready');
          if (!c || c.status === 'False') continue;
          try {
            await client.patch(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: nowTime() }] } }, 'strategic');
            void recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready').catch(() => {});
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) log('marking pod not ready failed', { pod: `${p.metadata.namespace}/${p.metadata.name}`, error: (e as Error).message });
          }
        }
      }

      const hasTaint = (n: KubeObject, key: string) => ((n.spec?.taints ?? []) as Taint[]).some((t) => t.key === key && t.effect === 'NoExecute');
      const NOT_READY: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
      const UNREACHABLE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

      async function markReachable(n: KubeObject) {
        tainters.get(zoneKey(n))?.queue.delete(n.metadata.name!);
        if (hasTaint(n, TAINT_NOT_READY) || hasTaint(n, TAINT_UNREACHABLE)) await swapNodeTaints(ctx, USER, nodes, n.metadata.name!, [], [NOT_READY, UNREACHABLE]);
      }

      async function processTaintBasedEviction(n: KubeObject, status: string) {
        const name = n.metadata.name!;
        if (status === 'False' || status === 'Unknown') {
          const [want, opposite] = status === 'False' ? [NOT_READY, UNREACHABLE] : [UNREACHABLE, NOT_READY];
          // the opposite taint is swapped at once; a first taint waits for the zone's limiter
          if (hasTaint(n, opposite.key)) await swapNodeTaints(ctx, USER, nodes, name, [want], [opposite]);
          else if (!hasTaint(n, want.key)) tainter(zoneKey(n)).queue.add(name);
        } else if (status === 'True') await markReachable(n);
      }

      let tainting = false;
      async function taintingPass() {
        if (tainting) return;
        tainting = true;
        try {
          await taintingPassOnce();
        } finally {
          tainting = false;
        }
      }
      async function taintingPassOnce() {
        for (const [, t] of tainters) {
          for (const name of [...t.queue]) {
            if (!t.limit.tryAccept()) break;
            t.queue.delete(name);
            const n = nodes.get(undefined, name);
            const s = n && readyCondition(n)?.status;
            if (!n || (s !== 'False' && s !== 'Unknown')) continue;
            const [want, opposite] = s === 'False' ? [NOT_READY, UNREACHABLE] : [UNREACHABLE, NOT_READY];
            try {
              if (!(await swapNodeTaints(ctx, USER, nodes, name, [want], [opposite]))) t.queue.add(name);
            } catch (e) {
              log('tainting node failed', { node: name, error: (e as Error).message });
              t.queue.add(name);
            }
          }
        }
      }

      function setLimiter(zone: string, size: number, state: ZoneState) {
        const t = tainter(zone);
        if (state === 'Normal' || state === 'FullDisruption') t.limit.swap(evictionQPS);
        else if (state === 'PartialDisruption') t.limit.swap(size > largeCluster ? secondaryQPS : 0);
      }

      async function handleDisruption(zoneReady: Map<string, (string | undefined)[]>, all: KubeObject[]) {
        const next = new Map<string, ZoneState>();
        let allAre = true;
        for (const [zone, conds] of zoneReady) {
          const { state } = computeZoneState(conds, unhealthyThreshold);
          if (state !== 'FullDisruption') allAre = false;
          next.set(zone, state);
          if (!zoneStates.has(zone)) zoneStates.set(zone, 'Initial');
        }
        let allWas = true;
        for (const [zone, state] of [...zoneStates]) {
          if (!zoneReady.has(zone)) {
            zoneStates.delete(zone);
            continue;
          }
          if (state !== 'FullDisruption') {
            allWas = false;
            break;
          }
        }
        if (allAre && allWas) return;
        if (allAre) {
          log('Controller detected that all Nodes are not-Ready. Entering master disruption mode');
          for (const zone of zoneStates.keys()) {
            tainter(zone).limit.swap(0);
            zoneStates.set(zone, 'FullDisruption');
          }
          for (const n of all) await markReachable(n);
          return;
        }
        if (allWas) {
          log('Controller detected that some Nodes are Ready. Exiting master disruption mode');
          const t = Date.now();
          for (const h of health.values()) h.probe = t;
          for (const [zone, state] of next) {
            setLimiter(zone, zoneReady.get(zone)!.length, state);
            zoneStates.set(zone, state);
          }
          return;
        }
        for (const [zone, state] of zoneStates) {
          const ns = next.get(zone)!;
          if (state === ns) continue;
          log('Controller detected that zone is now in new state', { zone, newState: ns });
          setLimiter(zone, zoneReady.get(zone)!.length, ns);
          zoneStates.set(zone, ns);
        }
      }

      let running = false;
      async function monitor() {
        if (running || stopped || !nodes.hasSynced() || !leases.hasSynced() || !pods.hasSynced()) return;
        running = true;
        try {
          const all = nodes.list();
          const names = new Set(all.map((n) => n.metadata.name!));
          for (const n of all)
            if (!known.has(n.metadata.name!)) {
              known.add(n.metadata.name!);
              void recorder.event(n, 'Normal', 'RegisteredNode', `Node ${n.metadata.name} event: Registered Node ${n.metadata.name} in Controller`).catch(() => {});
            }
          for (const name of [...known])
            if (!names.has(name)) {
              known.delete(name);
              health.delete(name);
              for (const t of tainters.values()) t.queue.delete(name);
              void recorder
                .event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`)
                .catch(() => {});
            }
          const zoneReady = new Map<string, (string | undefined)[]>();
          let i = 0;
          const worker = async () => {
            while (i < all.length && !stopped) {
              const n = all[i++];
              try {
                const { observed, current } = await updateHealth(n);
                const zone = zoneKey(n);
                let z = zoneReady.get(zone);
                if (!z) zoneReady.set(zone, (z = []));
                z.push(current?.status);
                if (!current) continue;
                await processTaintBasedEviction(nodes.get(undefined, n.metadata.name!) ?? n, current.status);
                if (current.status !== 'True' && observed?.status === 'True') {
                  void recorder.event(n, 'Normal', 'NodeNotReady', `Node ${n.metadata.name} status is now: NodeNotReady`).catch(() => {});
                  await markPodsNotReady(n);
                }
              } catch (e) {
                log('node health update failed', { node: n.metadata.name, error: (e as Error).message });
              }
            }
          };
          await Promise.all(Array.from({ length: 8 }, worker));
          if (stopped) return;
          await handleDisruption(zoneReady, all);
          await taintingPass();
        } finally {
          running = false;
        }
      }

      const monitorTimer = setInterval(() => void monitor(), period);
      monitorTimer.unref();
      // queued taints that the limiter held back are retried between monitor passes
      const taintTimer = setInterval(() => {
        if (stopped || running) return;
        for (const t of tainters.values())
          if (t.queue.size) {
            void taintingPass();
            return;
          }
      }, 100);
      taintTimer.unref();
      void Promise.all([nodes.synced(), leases.synced(), pods.synced()]).then(() => void monitor());
      return {
        stop() {
          stopped = true;
          clearInterval(monitorTimer);
          clearInterval(taintTimer);
          queue.stop();
        },
      };
    },
  };
}

export const nodeLifecycleController = nodeLifecycleComponent();
