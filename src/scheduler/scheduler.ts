// The scheduler component (`scheduler`, profile default-scheduler): informers on pods, nodes,
// volumes, PriorityClasses, namespaces and PDBs feed the cache and the queue; one loop pops
// pods and runs a scheduling cycle synchronously against the cache; a placed pod is assumed
// at once and bound through pods/binding in the background, so throughput does not wait for
// the binding round trip. Pods no node fits get PodScheduled=False/Unschedulable and a
// FailedScheduling event, and may preempt lower-priority pods.
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import type { Client } from '../client/local.js';
import type { Informer } from '../client/informer.js';
import type { Recorder } from '../client/events.js';
import type { Component, ControllerContext } from '../controllers/manager.js';
import { SchedulerCache } from './cache.js';
import { newPodInfo, type PodInfo } from './podinfo.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';
import { Algorithm, fitErrorMessage, type Env } from './framework.js';
import { preempt } from './preemption.js';
import { planVolumeBinding, SELECTED_NODE, VOLUME_BINDING, type VolumeListers } from './plugins/volumebinding.js';
import { NODE_RESOURCES_FIT, NODE_PORTS } from './plugins/resources.js';
import { INTER_POD_AFFINITY } from './plugins/interpodaffinity.js';
import { POD_TOPOLOGY_SPREAD } from './plugins/topologyspread.js';
import { attemptDuration, algorithmDuration, PROFILE, podAttempts, preemptionAttempts, preemptionVictims, queues, scheduleAttempts, setGatedCounter, sliDuration } from './metrics.js';

export const SCHEDULER_NAME = 'default-scheduler';
const BIND_TIMEOUT_MS = 600_000;
const MAX_INFLIGHT_BINDS = 4096;
const EVENT_CONCURRENCY = 8;

export interface SchedulerOptions {
  /** Fixed percentageOfNodesToScore (0 = adaptive). */
  percentageOfNodesToScore?: number;
}

export interface Scheduler {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  stop(): void;
  /** Resolves when nothing is queued as active and no binding is in flight (tests). */
  idle(): Promise<void>;
}

const isTerminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const nowISO = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const podPath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/pods/${name}`;

function sameJSON(a: unknown, b: unknown) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function startScheduler(ctx: ControllerContext, o: SchedulerOptions = {}): Scheduler {
  const client: Client = ctx.client('system:kube-scheduler');
  const recorder: Recorder = ctx.recorder(SCHEDULER_NAME);
  const log = ctx.log('scheduler');
  const inf = ctx.informers;
  const pods = inf.informer('/api/v1/pods');
  const nodes = inf.informer('/api/v1/nodes');
  const pvcs = inf.informer('/api/v1/persistentvolumeclaims');
  const pvs = inf.informer('/api/v1/persistentvolumes');
  const classes = inf.informer('/apis/storage.k8s.io/v1/storageclasses');
  const priorityClasses = inf.informer('/apis/scheduling.k8s.io/v1/priorityclasses');
  const namespaces = inf.informer('/api/v1/namespaces');
  const pdbs = inf.informer('/apis/policy/v1/poddisruptionbudgets');
  pvs.addIndexer('scheduler:class', (pv) => [pv.spec?.storageClassName ?? '']);

  const cache = new SchedulerCache();
  const queue = new SchedulingQueue();
  queues.add(queue);
  const gated = new Set<string>();
  setGatedCounter(() => gated.size);
  // pods nominated to a node by preemption, until bound or gone
  const nominatedByNode = new Map<string, Map<string, PodInfo>>();
  const nominatedOf = new Map<string, string>();
  const assumedPVs = new Set<string>();
  let stopped = false;
  let inflight = 0;
  let idleWaiters: (() => void)[] = [];

  const priorityOf = (cls: string) => priorityClasses.get(undefined, cls)?.value as number | undefined;
  const info = (pod: KubeObject) => newPodInfo(pod, priorityOf);
  const volumes: VolumeListers = {
    pvc: (ns, name) => pvcs.get(ns, name),
    pv: (name) => pvs.get(undefined, name),
    storageClass: (name) => classes.get(undefined, name),
    pvsOfClass: (cls) => pvs.byIndex('scheduler:class', cls),
    assumedPVs,
  };
  const env: Env = {
    cache,
    nsLabels: (ns) => namespaces.get(undefined, ns)?.metadata.labels,
    volumes,
    nominated: (node) => {
      if (!nominatedOf.size) return undefined;
      const m = nominatedByNode.get(node);
      return m && m.size ? [...m.values()] : undefined;
    },
    random: Math.random,
  };
  const algo = new Algorithm(env);
  if (o.percentageOfNodesToScore) algo.percentageOfNodesToScore = o.percentageOfNodesToScore;

  function setNominated(p: PodInfo, node: string | undefined) {
    const prev = nominatedOf.get(p.key);
    if (prev) nominatedByNode.get(prev)?.delete(p.key);
    nominatedOf.delete(p.key);
    if (!node) return;
    nominatedOf.set(p.key, node);
    let m = nominatedByNode.get(node);
    if (!m) nominatedByNode.set(node, (m = new Map()));
    m.set(p.key, p);
  }

  // ---- cluster events move unschedulable pods back, coalesced per loop turn
  const pendingMoves = new Set<string>();
  let moveAll = false;
  let moveScheduled = false;
  function onEvent(plugins: string[] | 'all') {
    if (plugins === 'all') moveAll = true;
    else for (const p of plugins) pendingMoves.add(p);
    if (moveScheduled) return;
    moveScheduled = true;
    setImmediate(() => {
      moveScheduled = false;
      const all = moveAll;
      const set = new Set(pendingMoves);
      moveAll = false;
      pendingMoves.clear();
      queue.moveOnEvent((rejectedBy) => {
        if (all) return true;
        for (const p of rejectedBy) if (set.has(p)) return true;
        return false;
      });
    });
  }
  const ASSIGNED_POD_DELETE = [NODE_RESOURCES_FIT, NODE_PORTS, INTER_POD_AFFINITY, POD_TOPOLOGY_SPREAD, VOLUME_BINDING];
  const ASSIGNED_POD_CHANGE = [INTER_POD_AFFINITY, POD_TOPOLOGY_SPREAD];

  const responsible = (p: KubeObject) => (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;

  function pendingPod(pod: KubeObject, old?: KubeObject) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!responsible(pod) || isTerminal(pod) || pod.metadata.deletionTimestamp) {
      queue.delete(key);
      gated.delete(key);
      return;
    }
    if (cache.isAssumed(key)) return;
    const pi = info(pod);
    if (pi.gated) {
      gated.add(key);
      queue.delete(key);
      return;
    }
    gated.delete(key);
    if (pod.status?.nominatedNodeName) setNominated(pi, pod.status.nominatedNodeName);
    if (!old || !queue.has(key)) return queue.add(pi);
    const specChanged = !sameJSON(old.spec, pod.spec) || !sameJSON(old.metadata.labels, pod.metadata.labels) || !sameJSON(old.metadata.annotations, pod.metadata.annotations);
    queue.update(pi, specChanged);
  }

  function assignedPod(pod: KubeObject, old?: KubeObject) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    queue.delete(key);
    gated.delete(key);
    const prevNom = nominatedOf.get(key);
    if (prevNom) nominatedByNode.get(prevNom)?.delete(key);
    nominatedOf.delete(key);
    if (isTerminal(pod)) {
      if (cache.hasPod(key)) {
        cache.removePod(key);
        onEvent(ASSIGNED_POD_DELETE);
      }
      return;
    }
    cache.addOrUpdatePod(info(pod));
    if (!old || !sameJSON(old.metadata.labels, pod.metadata.labels) || !old.spec?.nodeName) onEvent(ASSIGNED_POD_CHANGE);
    else if (!!old.metadata.deletionTimestamp !== !!pod.metadata.deletionTimestamp) onEvent(ASSIGNED_POD_CHANGE);
  }

  pods.addEventHandler({
    add: (p) => (p.spec?.nodeName ? assignedPod(p) : pendingPod(p)),
    update: (old, p) => (p.spec?.nodeName ? assignedPod(p, old) : pendingPod(p, old)),
    delete: (p) => {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      queue.delete(key);
      gated.delete(key);
      const prevNom = nominatedOf.get(key);
      if (prevNom) nominatedByNode.get(prevNom)?.delete(key);
      nominatedOf.delete(key);
      if (cache.hasPod(key)) {
        cache.removePod(key);
        onEvent(ASSIGNED_POD_DELETE);
      }
    },
  });
  const nodeShape = (n: KubeObject) => [n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable];
  nodes.addEventHandler({
    add: (n) => {
      cache.addNode(n);
      onEvent('all');
    },
    update: (old, n) => {
      cache.addNode(n);
      if (!sameJSON(nodeShape(old), nodeShape(n))) onEvent('all');
    },
    delete: (n) => cache.removeNode(n.metadata.name!),
  });
  for (const i of [pvcs, pvs, classes]) i.addEventHandler({ add: () => onEvent([VOLUME_BINDING]), update: () => onEvent([VOLUME_BINDING]) });
  namespaces.addEventHandler({ update: (a, b) => (!sameJSON(a.metadata.labels, b.metadata.labels) ? onEvent([INTER_POD_AFFINITY]) : undefined) });
  priorityClasses.addEventHandler({});
  pdbs.addEventHandler({});
  const ready = Promise.all([pods.synced(), nodes.synced(), pvcs.synced(), pvs.synced(), classes.synced(), priorityClasses.synced(), namespaces.synced(), pdbs.synced()]);

  // ---- status and events for pods that did not fit
  async function updatePodStatus(pod: KubeObject, reason: string, message: string, nominated: string | null | undefined) {
    const cur = pods.get(pod.metadata.namespace, pod.metadata.name!) ?? pod;
    if (cur.spec?.nodeName) return;
    const prev = (cur.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    const condChanged = !prev || prev.status !== 'False' || prev.reason !== reason || prev.message !== message;
    const nomChanged = nominated !== undefined && (cur.status?.nominatedNodeName ?? '') !== (nominated ?? '');
    if (!condChanged && !nomChanged) return;
    const status: Record<string, unknown> = {};
    if (condChanged) {
      status.conditions = [{ type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : nowISO() }];
    }
    if (nomChanged) status.nominatedNodeName = nominated || null;
    try {
      await client.patch(`${podPath(pod.metadata.namespace!, pod.metadata.name!)}/status`, { status }, 'strategic');
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) log('pod status update failed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: (e as Error).message });
    }
  }

  // Events go out behind the bindings (a few at a time), so recording them never slows placement.
  const eventQueue: [KubeObject, 'Normal' | 'Warning', string, string][] = [];
  let eventsInFlight = 0;
  function event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) {
    eventQueue.push([obj, type, reason, msg]);
    pumpEvents();
  }
  function pumpEvents() {
    // while bindings are in flight, one event at a time: the bindings are what users wait for
    const limit = inflight > 0 ? 1 : EVENT_CONCURRENCY;
    while (eventsInFlight < limit && eventQueue.length && !stopped) {
      const [obj, type, reason, msg] = eventQueue.shift()!;
      eventsInFlight++;
      recorder
        .event(obj, type, reason, msg)
        .catch((e) => {
          if (!stopped) log('event failed', { reason, error: (e as Error).message });
        })
        .finally(() => {
          eventsInFlight--;
          pumpEvents();
        });
    }
  }

  // ---- preemption: mark and delete the victims
  async function evict(victims: PodInfo[], preemptor: PodInfo, node: string) {
    await Promise.all(
      victims.map(async (v) => {
        const path = podPath(v.namespace, v.name);
        try {
          await client.patch(`${path}/status`, { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${SCHEDULER_NAME}: preempting to accommodate a higher priority pod`, lastTransitionTime: nowISO() }] } }, 'strategic');
        } catch (e) {
          if (e instanceof ApiError && e.code === 404) return;
        }
        try {
          await client.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: v.uid } });
          event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${node}`);
        } catch (e) {
          if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) log('preemption delete failed', { pod: v.key, error: (e as Error).message });
        }
      }),
    );
  }

  // ---- binding
  async function waitClaimsBound(ns: string, names: string[], deadline: number): Promise<void> {
    for (;;) {
      const pending = names.filter((n) => {
        const c = pvcs.get(ns, n);
        return !(c?.spec?.volumeName && c.metadata.annotations?.['pv.kubernetes.io/bind-completed'] !== undefined) && c?.status?.phase !== 'Bound';
      });
      if (!pending.length) return;
      if (Date.now() > deadline) throw new Error('binding volumes: context deadline exceeded');
      if (stopped) throw new Error('scheduler stopped');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function preBindVolumes(p: PodInfo, node: string, plan: ReturnType<typeof planVolumeBinding>) {
    for (const step of plan) {
      if ('pv' in step) {
        const pv = structuredClone(step.pv);
        pv.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: step.pvc.metadata.namespace, name: step.pvc.metadata.name, uid: step.pvc.metadata.uid, apiVersion: 'v1', resourceVersion: step.pvc.metadata.resourceVersion };
        (pv.metadata.annotations ??= {})['pv.kubernetes.io/bound-by-controller'] = 'yes';
        await client.update(`/api/v1/persistentvolumes/${pv.metadata.name}`, pv);
      } else {
        const pvc = step.provision;
        if (pvc.metadata.annotations?.[SELECTED_NODE] === node) continue;
        await client.patch(`/api/v1/namespaces/${pvc.metadata.namespace}/persistentvolumeclaims/${pvc.metadata.name}`, { metadata: { annotations: { [SELECTED_NODE]: node } } }, 'merge');
      }
    }
    await waitClaimsBound(p.namespace, p.claims ?? [], Date.now() + BIND_TIMEOUT_MS);
  }

  async function bind(q: QueuedPod, assumed: PodInfo, node: string, plan: ReturnType<typeof planVolumeBinding> | null, started: number) {
    inflight++;
    const pod = assumed.pod;
    const pvNames = plan ? plan.flatMap((s) => ('pv' in s ? [s.pv.metadata.name!] : [])) : [];
    for (const n of pvNames) assumedPVs.add(n);
    try {
      if (plan?.length || assumed.claims?.length) await preBindVolumes(assumed, node, plan ?? []);
      await client.create(`${podPath(assumed.namespace, assumed.name)}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: assumed.name, namespace: assumed.namespace, uid: assumed.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
      const secs = (performance.now() - started) / 1000;
      scheduleAttempts.inc({ result: 'scheduled', profile: PROFILE });
      attemptDuration.observe({ result: 'scheduled', profile: PROFILE }, secs);
      if (q.initialAttempt) sliDuration.observe({ attempts: String(Math.min(q.attempts, 15)) }, (Date.now() - q.initialAttempt) / 1000 + secs);
      podAttempts.observe({}, q.attempts);
      queue.done(assumed.key);
      event(pod, 'Normal', 'Scheduled', `Successfully assigned ${assumed.namespace}/${assumed.name} to ${node}`);
    } catch (e) {
      cache.forget(assumed.key);
      onEvent(ASSIGNED_POD_DELETE);
      const gone = e instanceof ApiError && (e.code === 404 || (e.code === 409 && /already assigned|being deleted|UID in precondition/.test(e.message)));
      if (gone || stopped) {
        queue.done(assumed.key);
      } else {
        const msg = `running PreBind plugin or binding: ${(e as Error).message}`;
        scheduleAttempts.inc({ result: 'error', profile: PROFILE });
        log('binding failed', { pod: assumed.key, node, error: (e as Error).message });
        queue.addUnschedulable(q, new Set(), false);
        event(pod, 'Warning', 'FailedScheduling', msg);
        void updatePodStatus(pod, 'SchedulerError', msg, undefined);
      }
    } finally {
      for (const n of pvNames) assumedPVs.delete(n);
      inflight--;
      if (inflight === 0) pumpEvents();
      checkIdle();
    }
  }

  function scheduleOne(q: QueuedPod) {
    const key = q.pod.key;
    const current = pods.get(q.pod.namespace, q.pod.name);
    if (!current || current.spec?.nodeName || current.metadata.deletionTimestamp || current.metadata.uid !== q.pod.uid || cache.hasPod(key)) {
      queue.done(key);
      return;
    }
    const pi = current === q.pod.pod ? q.pod : (q.pod = info(current));
    const started = performance.now();
    const r = algo.schedule(pi);
    algorithmDuration.observe({}, (performance.now() - started) / 1000);
    if ('node' in r) {
      const ni = cache.nodes.get(r.node)!;
      const plan = r.state.volumes?.delayed.length ? planVolumeBinding(r.state.volumes, ni, volumes) : null;
      const assumed = cache.assume(pi, r.node);
      if (nominatedOf.has(key)) setNominated(pi, undefined);
      void bind(q, assumed, r.node, plan, started);
      return;
    }
    // no node fits: PostFilter (preemption), then report
    let postMsg = '';
    let nominate: string | null | undefined;
    if (r.numAllNodes > 0) {
      preemptionAttempts.inc();
      const pr = preempt(env, pi, r.fit, r.numAllNodes, pdbs.list());
      postMsg = pr.message;
      if (pr.candidate) {
        nominate = pr.candidate.node;
        preemptionVictims.observe({}, pr.candidate.victims.length);
        setNominated(pi, nominate);
        void evict(pr.candidate.victims, pi, nominate);
      } else if (pi.pod.status?.nominatedNodeName) {
        nominate = null;
        setNominated(pi, undefined);
      }
    }
    const secs = (performance.now() - started) / 1000;
    if (r.numAllNodes === 0) {
      const msg = 'no nodes available to schedule pods';
      scheduleAttempts.inc({ result: 'error', profile: PROFILE });
      attemptDuration.observe({ result: 'error', profile: PROFILE }, secs);
      queue.addUnschedulable(q, new Set(), false);
      event(current, 'Warning', 'FailedScheduling', msg);
      void updatePodStatus(current, 'SchedulerError', msg, undefined);
      return;
    }
    const msg = fitErrorMessage(r.numAllNodes, r.fit, postMsg);
    scheduleAttempts.inc({ result: 'unschedulable', profile: PROFILE });
    attemptDuration.observe({ result: 'unschedulable', profile: PROFILE }, secs);
    queue.addUnschedulable(q, r.fit.plugins.size ? r.fit.plugins : new Set(['*']), false);
    event(current, 'Warning', 'FailedScheduling', msg);
    void updatePodStatus(current, 'Unschedulable', msg, nominate);
  }

  function checkIdle() {
    if (inflight === 0 && queue.sizes().active === 0 && idleWaiters.length) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  }

  async function loop() {
    await ready;
    while (!stopped) {
      await queue.wait();
      if (stopped) break;
      while (inflight >= MAX_INFLIGHT_BINDS && !stopped) await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();
      for (let q = queue.pop(); q; q = queue.pop()) {
        try {
          scheduleOne(q);
        } catch (e) {
          log('scheduling cycle failed', { pod: q.pod.key, error: (e as Error).stack ?? String(e) });
          cache.forget(q.pod.key);
          queue.addUnschedulable(q, new Set(), false);
        }
        if (performance.now() - t0 > 10 || inflight >= MAX_INFLIGHT_BINDS) break;
      }
      checkIdle();
      await new Promise((r) => setImmediate(r));
    }
  }
  void loop();

  return {
    cache,
    queue,
    stop() {
      stopped = true;
      queue.close();
      queues.delete(queue);
    },
    idle() {
      if (inflight === 0 && queue.sizes().active === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
  };
}

export const schedulerComponent: Component = {
  name: 'scheduler',
  lease: 'kube-scheduler',
  start(ctx) {
    return startScheduler(ctx);
  },
};
