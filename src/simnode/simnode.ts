// Simulated kubelets: N nodes in one process, in the spirit of kwok. Each registers its Node,
// renews its Lease in kube-node-lease every 10 s and posts node status every 60 s (heartbeats
// spread over the interval), and drives the pods bound to it as a kubelet would without running
// anything: Running and Ready with a pod IP from the node's podCIDR and full container
// statuses; run-to-completion pods finish (see podsim.ts); deletes wait out the grace period
// (capped) before the pod is removed with grace 0.
//
// Scale: one shared pod informer and one node informer for all nodes (no watch per node), one
// work queue of pod keys, status written only when it changes, event recording rate-limited
// (the kubelet's eventRecordQPS). Usable in the server process (a ControllerContext) and from
// `sampan sim-nodes` over HTTPS (a Client).
import type { KubeObject, UserInfo } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import type { Client } from '../client/local.js';
import { informerFactory, keyOf, splitKey, type Informer, type InformerFactory } from '../client/informer.js';
import { workQueue } from '../client/workqueue.js';
import { createRecorder, type Recorder } from '../client/events.js';
import type { ControllerContext } from '../controllers/manager.js';
import { healthyConditions, nodeIP, nodeObject, nodeStatus, type NodeShape, type Taint } from './node.js';
import { podIPPool, type PodIPPool } from './podips.js';
import { advance, adoptPodRun, kill, newPodRun, podStatus, statusMatches, type PodRun, type SimTiming } from './podsim.js';

export interface SimNodesOptions {
  count: number;
  /** Node names are <prefix><i> (default sim-node-). */
  namePrefix?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Run time of restartPolicy Never/OnFailure pods (default 1 s; annotation sim.sampan.io/run-seconds). */
  runSeconds?: number;
  /** Longest wait between a pod's deletionTimestamp and its removal (default 1 s). */
  maxGraceSeconds?: number;
  /** First crash-loop back-off (default 10 s, doubling up to 300 s, as the kubelet). */
  backoffSeconds?: number;
  leaseDurationSeconds?: number;
  leaseRenewSeconds?: number;
  statusUpdateSeconds?: number;
  /** Events per second all simulated kubelets together may record (default 50, burst 100). */
  eventQPS?: number;
  log?: (msg: string, o?: object) => void;
}

export interface SimNodes {
  nodes: string[];
  /** Resolves once every node has had its first registration attempt (failures are retried in the background). */
  ready: Promise<void>;
  stop(): void;
}

interface SimNode {
  name: string;
  index: number;
  ip: string;
  registered: boolean;
  registering: boolean;
  pool?: PodIPPool;
  lease?: KubeObject;
  leaseBusy: boolean;
  statusBusy: boolean;
  nextRenew: number;
  nextStatus: number;
  recorder: Recorder;
}

export const simNodeUser: UserInfo = { name: 'system:node:sim', groups: ['system:nodes', 'system:authenticated'] };

const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const isoTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NODE_INDEX = 'simnode:node';

function isContext(t: Client | ControllerContext): t is ControllerContext {
  return typeof (t as ControllerContext).informers === 'object' && typeof (t as ControllerContext).client === 'function';
}

/** A token bucket: the kubelet drops events beyond its QPS rather than queueing them. */
function tokenBucket(qps: number, burst: number) {
  let tokens = burst;
  let at = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - at) / 1000) * qps);
    at = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}

export async function startSimNodes(target: Client | ControllerContext, o: SimNodesOptions): Promise<SimNodes> {
  const log = o.log ?? (isContext(target) ? target.log('simnodes') : () => {});
  const client = isContext(target) ? target.client(simNodeUser) : target;
  let ownFactory: InformerFactory | undefined;
  const informers = isContext(target) ? target.informers : (ownFactory = informerFactory(client, { log }));
  const shape: NodeShape = {
    cpu: o.cpu ?? '32',
    memory: o.memory ?? '256Gi',
    pods: o.pods ?? '110',
    ephemeralStorage: o.ephemeralStorage ?? '100Gi',
    labels: o.labels ?? {},
    taints: o.taints ?? [],
  };
  const timing: SimTiming = { runSeconds: o.runSeconds ?? 1, backoffSeconds: o.backoffSeconds ?? 10 };
  const maxGraceMs = (o.maxGraceSeconds ?? 1) * 1000;
  const leaseDuration = o.leaseDurationSeconds ?? 40;
  const renewMs = (o.leaseRenewSeconds ?? 10) * 1000;
  const statusMs = (o.statusUpdateSeconds ?? 60) * 1000;
  const prefix = o.namePrefix ?? 'sim-node-';
  const allowEvent = tokenBucket(o.eventQPS ?? 50, Math.max(1, (o.eventQPS ?? 50) * 2));
  let stopped = false;

  const nodes = new Map<string, SimNode>();
  const t0 = Date.now();
  for (let i = 0; i < o.count; i++) {
    const name = `${prefix}${i}`;
    nodes.set(name, {
      name,
      index: i,
      ip: nodeIP(i),
      registered: false,
      registering: false,
      leaseBusy: false,
      statusBusy: false,
      // spread heartbeats over the interval
      nextRenew: t0 + Math.floor((i / Math.max(1, o.count)) * renewMs),
      nextStatus: t0 + statusMs + Math.floor((i / Math.max(1, o.count)) * statusMs),
      recorder: createRecorder(client, { component: 'kubelet', host: name }),
    });
  }

  const record = (n: SimNode, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string) => {
    if (stopped || !allowEvent()) return;
    n.recorder.event(obj, type, reason, message, fieldPath).catch(() => {});
  };
  const nodeRef = (n: SimNode): KubeObject => ({ kind: 'Node', metadata: { name: n.name, uid: n.name } }) as KubeObject;

  const nodeInformer: Informer = informers.informer('/api/v1/nodes');
  const podInformer: Informer = informers.informer('/api/v1/pods');
  podInformer.addIndexer(NODE_INDEX, (p) => (p.spec?.nodeName && nodes.has(p.spec.nodeName) ? [p.spec.nodeName] : []));

  // ---------------------------------------------------------------- nodes

  async function register(n: SimNode) {
    if (n.registering || stopped) return;
    n.registering = true;
    try {
      const now = isoTime();
      try {
        await client.create('/api/v1/nodes', nodeObject(n.name, n.ip, shape, now));
        log('node registered', { node: n.name });
        record(n, nodeRef(n), 'Normal', 'Starting', 'Starting kubelet.');
        for (const r of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) record(n, nodeRef(n), 'Normal', r, `Node ${n.name} status is now: ${r}`);
        record(n, nodeRef(n), 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        // registered before (a restarted simulator): take it over, keep spec (podCIDR, taints)
        const current = await client.get<KubeObject>(`/api/v1/nodes/${n.name}`);
        const labels = { ...(current.metadata.labels ?? {}) };
        const want = nodeObject(n.name, n.ip, shape, now).metadata.labels!;
        if (Object.entries(want).some(([k, v]) => labels[k] !== v)) await client.patch(`/api/v1/nodes/${n.name}`, { metadata: { labels: want } }, 'strategic');
        await client.patch(`/api/v1/nodes/${n.name}/status`, { status: nodeStatus(n.name, n.ip, shape, now, transitionsOf(current)) }, 'strategic');
      }
      n.registered = true;
      n.nextStatus = Date.now() + statusMs;
      await renewLease(n);
    } finally {
      n.registering = false;
    }
  }

  function transitionsOf(node: KubeObject | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    const healthy = new Map(healthyConditions('').map((c) => [c.type, c.status]));
    for (const c of (node?.status?.conditions ?? []) as any[]) if (healthy.get(c.type) === c.status && c.lastTransitionTime) out[c.type] = c.lastTransitionTime;
    return out;
  }

  async function renewLease(n: SimNode) {
    if (n.leaseBusy || stopped) return;
    n.leaseBusy = true;
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}`;
    try {
      const spec = { holderIdentity: n.name, leaseDurationSeconds: leaseDuration, renewTime: microTime() };
      if (n.lease) {
        try {
          n.lease = await client.update<KubeObject>(path, { ...n.lease, spec: { ...n.lease.spec, ...spec } });
          return;
        } catch (e) {
          if (!(e instanceof ApiError && (e.code === 409 || e.code === 404))) throw e;
          n.lease = undefined;
        }
      }
      const existing = await client.getOrNull<KubeObject>(path);
      if (existing) n.lease = await client.update<KubeObject>(path, { ...existing, spec: { ...existing.spec, ...spec } });
      else {
        const node = nodeInformer.get(undefined, n.name) ?? (await client.getOrNull<KubeObject>(`/api/v1/nodes/${n.name}`));
        const ownerReferences = node ? [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: node.metadata.uid! }] : undefined;
        n.lease = await client.create<KubeObject>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: n.name, namespace: 'kube-node-lease', ...(ownerReferences ? { ownerReferences } : {}) },
          spec,
        });
      }
    } catch (e) {
      log('lease renewal failed', { node: n.name, error: (e as Error).message });
    } finally {
      n.leaseBusy = false;
    }
  }

  async function postStatus(n: SimNode) {
    if (n.statusBusy || stopped) return;
    n.statusBusy = true;
    try {
      const current = nodeInformer.get(undefined, n.name);
      if (!current) return;
      const now = isoTime();
      const transitions = transitionsOf(current);
      await client.patch(`/api/v1/nodes/${n.name}/status`, { status: { conditions: healthyConditions(now, transitions) } }, 'strategic');
      for (const c of (current.status?.conditions ?? []) as any[]) if (c.type === 'Ready' && c.status !== 'True') record(n, nodeRef(n), 'Normal', 'NodeReady', `Node ${n.name} status is now: NodeReady`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) n.registered = false;
      else log('node status update failed', { node: n.name, error: (e as Error).message });
    } finally {
      n.statusBusy = false;
    }
  }

  const ticker = setInterval(() => {
    if (stopped) return;
    const now = Date.now();
    for (const n of nodes.values()) {
      if (!n.registered) continue;
      if (n.nextRenew <= now) {
        n.nextRenew += renewMs;
        if (n.nextRenew <= now) n.nextRenew = now + renewMs;
        void renewLease(n);
      }
      if (n.nextStatus <= now) {
        n.nextStatus += statusMs;
        if (n.nextStatus <= now) n.nextStatus = now + statusMs;
        void postStatus(n);
      }
    }
  }, Math.min(250, renewMs / 4));
  ticker.unref?.();

  const enqueueNodePods = (name: string) => {
    for (const p of podInformer.byIndex(NODE_INDEX, name)) void queue.add(keyOf(p));
  };

  nodeInformer.addEventHandler({
    add: (node) => onNode(node),
    update: (_old, node) => onNode(node),
    delete(node) {
      const n = nodes.get(node.metadata.name!);
      if (!n || stopped) return;
      // deleted while running: forget its pods' addresses and register again
      log('node deleted, registering again', { node: n.name });
      n.registered = false;
      n.pool = undefined;
      n.lease = undefined;
      for (const [key, run] of runs) if (run.node === n.name) runs.delete(key);
      setTimeout(() => void register(n).catch((e) => retryRegister(n, e)), 1000).unref?.();
    },
  });

  function onNode(node: KubeObject) {
    const n = nodes.get(node.metadata.name!);
    if (!n || stopped) return;
    const cidr: string | undefined = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
    if (cidr && n.pool?.cidr !== cidr) {
      try {
        n.pool = podIPPool(cidr);
      } catch (e) {
        log('bad podCIDR', { node: n.name, podCIDR: cidr, error: (e as Error).message });
        return;
      }
      for (const run of runs.values()) if (run.node === n.name && run.ip !== n.ip) n.pool.reserve(run.ip);
      enqueueNodePods(n.name);
    }
  }

  function retryRegister(n: SimNode, e: unknown) {
    if (stopped) return;
    log('node registration failed', { node: n.name, error: (e as Error).message });
    setTimeout(() => void register(n).catch((err) => retryRegister(n, err)), 2000).unref?.();
  }

  // ---------------------------------------------------------------- pods

  const runs = new Map<string, PodRun>();
  /** pod key → [status JSON we last wrote, resourceVersion of the pod we computed it from]. */
  const written = new Map<string, { json: string; rv: string }>();

  const queue = workQueue(syncPod, {
    workers: 32,
    notDoneDelayMs: 500,
    onError(key, e) {
      if (!stopped) log('pod sync failed', { pod: key, error: (e as Error).message });
      return undefined;
    },
  });

  function forget(key: string) {
    const run = runs.get(key);
    if (run) {
      const n = nodes.get(run.node);
      if (n?.pool && run.ip !== n.ip) n.pool.release(run.ip);
      runs.delete(key);
    }
    written.delete(key);
  }

  function releaseIP(run: PodRun) {
    const n = nodes.get(run.node);
    if (n?.pool && run.ip !== n.ip) n.pool.release(run.ip);
  }

  async function syncPod(key: string): Promise<boolean> {
    if (stopped) return true;
    const pod = podInformer.getByKey(key);
    let run = runs.get(key);
    if (!pod) {
      forget(key);
      return true;
    }
    if (run && run.uid !== pod.metadata.uid) {
      forget(key);
      run = undefined;
    }
    const n = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    if (!n) {
      if (run) forget(key);
      return true;
    }
    if (!n.registered) return false;
    const [ns, name] = splitKey(key);
    const podPath = `/api/v1/namespaces/${ns}/pods/${name}`;
    const now = Date.now();
    const deleting = !!pod.metadata.deletionTimestamp;

    if (!run) {
      const phase = pod.status?.phase;
      const hostNetwork = !!pod.spec?.hostNetwork;
      if (!deleting && (phase === 'Succeeded' || phase === 'Failed')) return true; // finished before we (re)started
      const adopted = adoptPodRun(pod, { hostIP: n.ip, timing });
      if (adopted && (hostNetwork ? adopted.ip === n.ip : n.pool?.reserve(adopted.ip))) run = adopted;
      else if (deleting) {
        // never started here: nothing to stop
        await deletePod(podPath, pod.metadata.uid!, key);
        return true;
      } else {
        let ip: string | undefined = n.ip;
        if (!hostNetwork) {
          if (!n.pool) return false; // wait for the node's podCIDR
          ip = n.pool.allocate();
          if (!ip) {
            log('no free pod IP', { node: n.name, pod: key });
            return false;
          }
        }
        run = newPodRun(pod, { ip, hostIP: n.ip, now, timing });
        const podObj = { ...pod, kind: 'Pod', apiVersion: 'v1' } as KubeObject;
        (pod.spec?.initContainers ?? []).forEach((c: any) => {
          const fp = `spec.initContainers{${c.name}}`;
          record(n, podObj, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, fp);
          record(n, podObj, 'Normal', 'Created', `Created container: ${c.name}`, fp);
          record(n, podObj, 'Normal', 'Started', `Started container ${c.name}`, fp);
        });
        (pod.spec?.containers ?? []).forEach((c: any) => {
          const fp = `spec.containers{${c.name}}`;
          record(n, podObj, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, fp);
          record(n, podObj, 'Normal', 'Created', `Created container: ${c.name}`, fp);
          record(n, podObj, 'Normal', 'Started', `Started container ${c.name}`, fp);
        });
      }
      runs.set(key, run);
    }

    const wasTerminal = !!run.phase;
    const { events, next } = advance(run, pod, now, timing);
    if (events.length) {
      const podObj = { ...pod, kind: 'Pod', apiVersion: 'v1' } as KubeObject;
      for (const e of events) record(n, podObj, e.type, e.reason, e.message, `spec.containers{${e.container}}`);
    }
    let wake = next;
    let removeNow = false;
    if (deleting) {
      if (run.killAt === undefined) {
        const grace = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
        run.killAt = run.phase ? now : now + Math.min(grace, maxGraceMs);
        if (!run.phase) record(n, { ...pod, kind: 'Pod', apiVersion: 'v1' } as KubeObject, 'Normal', 'Killing', `Stopping container ${(pod.spec?.containers ?? []).map((c: any) => c.name).join(', ')}`, `spec.containers{${pod.spec?.containers?.[0]?.name}}`);
      }
      if (run.killAt <= now) {
        kill(run, pod, now);
        removeNow = true;
      } else wake = run.killAt;
    }
    if (run.phase && !wasTerminal) releaseIP(run);

    const status = podStatus(run, pod, now);
    if (!statusMatches(pod.status, status)) {
      const json = JSON.stringify(status);
      const w = written.get(key);
      if (!(w && w.json === json && w.rv === pod.metadata.resourceVersion)) {
        try {
          await client.patch(`${podPath}/status`, { status }, 'strategic');
        } catch (e) {
          if (e instanceof ApiError && e.code === 404) {
            forget(key);
            return true;
          }
          throw e;
        }
        written.set(key, { json, rv: pod.metadata.resourceVersion! });
      }
    }
    if (removeNow) {
      await deletePod(podPath, run.uid, key);
      return true;
    }
    if (wake !== undefined) queue.addAfter(key, Math.max(1, wake - Date.now()));
    return true;
  }

  async function deletePod(path: string, uid: string, key: string) {
    try {
      await client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
    forget(key);
  }

  podInformer.addEventHandler({
    add: (p) => {
      if (!stopped && p.spec?.nodeName && nodes.has(p.spec.nodeName)) void queue.add(keyOf(p));
    },
    update: (_old, p) => {
      if (!stopped && p.spec?.nodeName && nodes.has(p.spec.nodeName)) void queue.add(keyOf(p));
    },
    delete: (p) => {
      if (stopped) return;
      const key = keyOf(p);
      if (runs.has(key) || written.has(key)) forget(key);
    },
  });

  // ---------------------------------------------------------------- start

  const ready = (async () => {
    await nodeInformer.synced();
    const list = [...nodes.values()];
    let i = 0;
    const worker = async () => {
      while (i < list.length && !stopped) {
        const n = list[i++];
        try {
          await register(n);
        } catch (e) {
          retryRegister(n, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, list.length) }, worker));
    log('simulated nodes registered', { count: list.length });
  })();
  ready.catch(() => {});

  return {
    nodes: [...nodes.keys()],
    ready,
    stop() {
      stopped = true;
      clearInterval(ticker);
      queue.stop();
      ownFactory?.stop();
    },
  };
}
