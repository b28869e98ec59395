// What a simulated kubelet knows about one pod and how it moves through time: containers start
// at once (init containers complete first), restartPolicy Never/OnFailure pods run for a while
// and exit (annotation sim.sampan.io/run-seconds, sim.sampan.io/exit-code), failed containers
// restart with the kubelet's back-off, and the status the kubelet would report is computed from
// that state. Pure functions of (state, pod, now), so they can be tested without a server.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/types.js';
import { podQOSClass } from '../api/kinds/core/pod.js';

export const RUN_SECONDS_ANNOTATION = 'sim.sampan.io/run-seconds';
export const EXIT_CODE_ANNOTATION = 'sim.sampan.io/exit-code';

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

export interface ContainerRun {
  name: string;
  image: string;
  id: string;
  restartCount: number;
  state: 'running' | 'waiting' | 'terminated';
  startedAt: number;
  /** While waiting in back-off: when the next instance starts. */
  restartAt?: number;
  /** When the running instance exits (undefined: never). */
  exitAt?: number;
  terminated?: Terminated;
  last?: Terminated;
  /** readinessProbe.initialDelaySeconds in ms. */
  readyDelayMs: number;
  /** A restartable init container (sidecar). */
  sidecar?: boolean;
}

export interface PodRun {
  uid: string;
  node: string;
  ip: string;
  hostIP: string;
  startTime: number;
  init: ContainerRun[];
  containers: ContainerRun[];
  /** type → [status, lastTransitionTime ms] of the conditions the kubelet owns. */
  conds: Map<string, { status: string; at: number }>;
  /** Set once the pod is terminal (by exits or by termination). */
  phase?: 'Succeeded' | 'Failed';
  /** Termination: when the containers are stopped. */
  killAt?: number;
  killed?: boolean;
}

export interface SimTiming {
  /** Default run time of restartPolicy Never/OnFailure pods. */
  runSeconds: number;
  /** First crash-loop back-off (doubles per restart, capped at 300 s). */
  backoffSeconds: number;
}

const newID = () => `sim://${randomBytes(32).toString('hex')}`;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function annotationNumber(pod: KubeObject, key: string): number | undefined {
  const v = pod.metadata.annotations?.[key];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** When a container started at `startedAt` exits, or undefined if it runs until stopped. */
function exitTime(pod: KubeObject, t: SimTiming, startedAt: number, sidecar: boolean): number | undefined {
  if (sidecar) return undefined;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const hasExit = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION] !== undefined;
  if (policy === 'Always' && !hasExit) return undefined;
  const secs = annotationNumber(pod, RUN_SECONDS_ANNOTATION) ?? t.runSeconds;
  return startedAt + Math.max(0, secs) * 1000;
}

const exitCodeOf = (pod: KubeObject) => Math.trunc(annotationNumber(pod, EXIT_CODE_ANNOTATION) ?? 0);

function startContainer(c: any, pod: KubeObject, t: SimTiming, now: number, sidecar = false): ContainerRun {
  return {
    name: c.name,
    image: c.image ?? '',
    id: newID(),
    restartCount: 0,
    state: 'running',
    startedAt: now,
    exitAt: exitTime(pod, t, now, sidecar),
    readyDelayMs: Math.max(0, Number(c.readinessProbe?.initialDelaySeconds ?? 0)) * 1000,
    sidecar,
  };
}

/** A fresh run: init containers complete, app containers (and sidecars) running. */
export function newPodRun(pod: KubeObject, o: { ip: string; hostIP: string; now: number; timing: SimTiming }): PodRun {
  const { now } = o;
  const init: ContainerRun[] = list(pod.spec?.initContainers).map((c) => {
    if (c.restartPolicy === 'Always') return startContainer(c, pod, o.timing, now, true);
    const id = newID();
    return { name: c.name, image: c.image ?? '', id, restartCount: 0, state: 'terminated', startedAt: now, readyDelayMs: 0, terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now, containerID: id } };
  });
  return {
    uid: pod.metadata.uid!,
    node: pod.spec.nodeName,
    ip: o.ip,
    hostIP: o.hostIP,
    startTime: now,
    init,
    containers: list(pod.spec?.containers).map((c) => startContainer(c, pod, o.timing, now)),
    conds: new Map(),
  };
}

/**
 * Rebuilds a run from a status this simulator wrote before (a restarted sim process): running
 * containers keep their IDs and start times. Returns undefined when the status is not ours.
 */
export function adoptPodRun(pod: KubeObject, o: { hostIP: string; timing: SimTiming }): PodRun | undefined {
  const st = pod.status ?? {};
  const statuses = list(st.containerStatuses);
  if (!st.podIP || !statuses.length || !statuses.every((s) => String(s.containerID ?? '').startsWith('sim://'))) return undefined;
  const t = (s?: string) => (s ? Date.parse(s) : Date.now());
  const fromStatus = (c: any, s: any, sidecar: boolean): ContainerRun => {
    const run: ContainerRun = { name: c.name, image: c.image ?? '', id: s?.containerID ?? newID(), restartCount: s?.restartCount ?? 0, state: 'running', startedAt: Date.now(), readyDelayMs: Math.max(0, Number(c.readinessProbe?.initialDelaySeconds ?? 0)) * 1000, sidecar };
    const lt = s?.lastState?.terminated;
    if (lt) run.last = { exitCode: lt.exitCode, reason: lt.reason, startedAt: t(lt.startedAt), finishedAt: t(lt.finishedAt), containerID: lt.containerID ?? '' };
    if (s?.state?.terminated) {
      const x = s.state.terminated;
      run.state = 'terminated';
      run.startedAt = t(x.startedAt);
      run.terminated = { exitCode: x.exitCode, reason: x.reason, startedAt: t(x.startedAt), finishedAt: t(x.finishedAt), containerID: x.containerID ?? run.id };
    } else if (s?.state?.running) {
      run.startedAt = t(s.state.running.startedAt);
      run.exitAt = exitTime(pod, o.timing, run.startedAt, sidecar);
    } else {
      // waiting in back-off: restart now
      run.state = 'waiting';
      run.restartAt = Date.now();
    }
    return run;
  };
  const byName = (arr: any[]) => new Map(arr.map((s) => [s.name, s]));
  const cs = byName(statuses);
  const ics = byName(list(st.initContainerStatuses));
  const run: PodRun = {
    uid: pod.metadata.uid!,
    node: pod.spec.nodeName,
    ip: st.podIP,
    hostIP: o.hostIP,
    startTime: t(st.startTime),
    init: list(pod.spec?.initContainers).map((c) => fromStatus(c, ics.get(c.name), c.restartPolicy === 'Always')),
    containers: list(pod.spec?.containers).map((c) => fromStatus(c, cs.get(c.name), false)),
    conds: new Map(),
  };
  for (const c of list(st.conditions)) if (c?.type && c.lastTransitionTime) run.conds.set(c.type, { status: c.status, at: Date.parse(c.lastTransitionTime) });
  if (st.phase === 'Succeeded' || st.phase === 'Failed') run.phase = st.phase;
  return run;
}

const backoffMs = (restarts: number, t: SimTiming) => (restarts === 0 ? 0 : Math.min(300_000, t.backoffSeconds * 1000 * 2 ** (restarts - 1)));

/**
 * Moves the run forward to `now`: exits, restarts, back-offs. Returns the events the kubelet
 * would record (reason, message, container) and the next time something happens.
 */
export function advance(run: PodRun, pod: KubeObject, now: number, t: SimTiming): { events: { type: 'Normal' | 'Warning'; reason: string; message: string; container: string }[]; next?: number } {
  const events: { type: 'Normal' | 'Warning'; reason: string; message: string; container: string }[] = [];
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let next: number | undefined;
  const soon = (at: number | undefined) => {
    if (at !== undefined && (next === undefined || at < next)) next = at;
  };
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  if (run.phase || run.killed) return { events };
  for (const c of [...run.init.filter((x) => x.sidecar), ...run.containers]) {
    // a loop because a long pause (a stopped process) may cover several exits
    for (let guard = 0; guard < 1000; guard++) {
      if (c.state === 'running' && c.exitAt !== undefined && c.exitAt <= now) {
        const code = exitCodeOf(pod);
        c.terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: c.exitAt, containerID: c.id };
        c.state = 'terminated';
        const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0) || c.sidecar;
        if (!restart) break;
        const delay = backoffMs(c.restartCount, t);
        c.last = c.terminated;
        c.terminated = undefined;
        c.state = 'waiting';
        c.restartAt = c.last.finishedAt + delay;
        if (delay > 0) events.push({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${podRef}`, container: c.name });
        continue;
      }
      if (c.state === 'waiting' && c.restartAt !== undefined && c.restartAt <= now) {
        c.state = 'running';
        c.id = newID();
        c.restartCount++;
        c.startedAt = c.restartAt;
        c.restartAt = undefined;
        c.exitAt = exitTime(pod, t, c.startedAt, !!c.sidecar);
        events.push({ type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, container: c.name });
        events.push({ type: 'Normal', reason: 'Created', message: `Created container: ${c.name}`, container: c.name });
        events.push({ type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, container: c.name });
        continue;
      }
      break;
    }
    if (c.state === 'running') {
      soon(c.exitAt);
      if (c.startedAt + c.readyDelayMs > now) soon(c.startedAt + c.readyDelayMs);
    }
    if (c.state === 'waiting') soon(c.restartAt);
  }
  // terminal once every app container has terminated and none restarts
  if (run.containers.length && run.containers.every((c) => c.state === 'terminated')) {
    run.phase = run.containers.every((c) => c.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed';
    for (const s of run.init) if (s.sidecar && s.state !== 'terminated') stop(s, now, 0);
  }
  return { events, next };
}

function stop(c: ContainerRun, now: number, code: number) {
  if (c.state === 'running') c.terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: now, containerID: c.id };
  else if (c.state === 'waiting') {
    // never restarted: its last instance is what it ends with
    c.terminated = c.last ?? { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: now, containerID: c.id };
    if (c.last) c.last = undefined;
  }
  c.state = 'terminated';
  c.exitAt = c.restartAt = undefined;
}

/**
 * Stops every container (the end of the grace period): restartPolicy Always containers exit 0
 * (a server stopping cleanly on SIGTERM), run-to-completion ones 143 (killed by SIGTERM before
 * they finished). The pod becomes Succeeded or Failed, as the kubelet reports terminated pods.
 */
export function kill(run: PodRun, pod: KubeObject, now: number) {
  if (run.killed) return;
  run.killed = true;
  if (run.phase) return;
  const code = (pod.spec?.restartPolicy ?? 'Always') === 'Always' ? 0 : 143;
  for (const c of [...run.containers, ...run.init]) if (c.state !== 'terminated') stop(c, now, code);
  run.phase = run.containers.every((c) => c.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed';
}

function containerStatus(c: ContainerRun, now: number, podRef: string, init: boolean): Record<string, unknown> {
  const term = (x: Terminated) => ({ containerID: x.containerID, exitCode: x.exitCode, finishedAt: iso(x.finishedAt), reason: x.reason, startedAt: iso(x.startedAt) });
  let state: Record<string, unknown>;
  let ready = false;
  let started = false;
  if (c.state === 'running') {
    state = { running: { startedAt: iso(c.startedAt) } };
    ready = c.startedAt + c.readyDelayMs <= now;
    started = true;
  } else if (c.state === 'waiting') {
    const secs = Math.round(((c.restartAt ?? now) - (c.last?.finishedAt ?? now)) / 1000);
    state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${formatBackoff(secs)} restarting failed container=${c.name} pod=${podRef}` } };
  } else {
    state = { terminated: term(c.terminated!) };
    // a completed init container counts as ready (it is what Initialized looks at)
    ready = init && !c.sidecar && c.terminated!.exitCode === 0;
  }
  const out: Record<string, unknown> = {
    containerID: c.state === 'terminated' ? c.terminated!.containerID : c.state === 'waiting' ? c.last?.containerID ?? c.id : c.id,
    image: c.image,
    imageID: `sim://${c.image}`,
    lastState: c.last ? { terminated: term(c.last) } : {},
    name: c.name,
    ready,
    restartCount: c.restartCount,
    started,
    state,
  };
  return out;
}

/** Go's time.Duration String() for whole seconds: 10s, 1m20s, 5m0s. */
function formatBackoff(secs: number): string {
  if (secs < 60) return `${secs}s`;
  return `${Math.floor(secs / 60)}m${secs % 60}s`;
}

const CONDITION_ORDER = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

/**
 * The status the kubelet reports for the run, as a strategic merge patch body for pods/status:
 * conditions merge by type (others' conditions are kept), container statuses are replaced.
 */
export function podStatus(run: PodRun, pod: KubeObject, now: number): Record<string, any> {
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const initStatuses = run.init.map((c) => containerStatus(c, now, podRef, true));
  const statuses = run.containers.map((c) => containerStatus(c, now, podRef, false));
  const phase = run.phase ?? 'Running';
  const isReady = (c: ContainerRun) => c.state === 'running' && c.startedAt + c.readyDelayMs <= now;
  const unready = [...run.init.filter((c) => c.sidecar), ...run.containers].filter((c) => !isReady(c)).map((c) => c.name);
  type Cond = { type: string; status: string; reason?: string; message?: string };
  const want: Cond[] = [];
  want.push({ type: 'PodReadyToStartContainers', status: run.killed || run.phase ? 'False' : 'True' });
  want.push(phase === 'Succeeded' ? { type: 'Initialized', status: 'True', reason: 'PodCompleted' } : { type: 'Initialized', status: 'True' });
  let containersReady: Cond;
  if (phase === 'Succeeded') containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  else if (phase === 'Failed') containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  else if (unready.length) containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  else containersReady = { type: 'ContainersReady', status: 'True' };
  let ready: Cond = { ...containersReady, type: 'Ready' };
  if (containersReady.status === 'True') {
    const msgs: string[] = [];
    for (const g of list(pod.spec?.readinessGates)) {
      const c = list(pod.status?.conditions).find((x) => x?.type === g.conditionType);
      if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (msgs.length) ready = { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  }
  want.push(ready, containersReady);
  const existing = list(pod.status?.conditions);
  if (!existing.some((c) => c?.type === 'PodScheduled')) want.push({ type: 'PodScheduled', status: 'True' });
  const conditions = want.map((c) => {
    const prev = run.conds.get(c.type);
    let at = now;
    if (prev && prev.status === c.status) at = prev.at;
    else if (!prev) {
      const ex = existing.find((x) => x?.type === c.type);
      if (ex && ex.status === c.status && ex.lastTransitionTime) at = Date.parse(ex.lastTransitionTime);
    }
    run.conds.set(c.type, { status: c.status, at });
    const out: Record<string, unknown> = { type: c.type, status: c.status, lastTransitionTime: iso(at) };
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
  const order = [...CONDITION_ORDER, ...existing.map((c) => c?.type).filter((x) => x && !CONDITION_ORDER.includes(x))];
  const status: Record<string, any> = {
    phase,
    conditions,
    hostIP: run.hostIP,
    hostIPs: [{ ip: run.hostIP }],
    podIP: run.ip,
    podIPs: [{ ip: run.ip }],
    startTime: iso(run.startTime),
    qosClass: podQOSClass(pod.spec),
    containerStatuses: statuses,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status['$setElementOrder/conditions'] = order.filter((t) => t === 'PodScheduled' || want.some((w) => w.type === t) || existing.some((e) => e?.type === t)).map((type) => ({ type }));
  return status;
}

/** True when the pod's current status already says what `want` (a podStatus result) says. */
export function statusMatches(current: Record<string, any> | undefined, want: Record<string, any>): boolean {
  if (!current) return false;
  for (const k of ['phase', 'hostIP', 'podIP', 'startTime', 'qosClass'] as const) if (current[k] !== want[k]) return false;
  if (!sameJson(current.containerStatuses, want.containerStatuses)) return false;
  if (!sameJson(current.initContainerStatuses, want.initContainerStatuses)) return false;
  if (!sameJson(current.podIPs, want.podIPs) || !sameJson(current.hostIPs, want.hostIPs)) return false;
  const conds = list(current.conditions);
  for (const w of want.conditions as any[]) {
    const c = conds.find((x) => x?.type === w.type);
    if (!c || c.status !== w.status || c.lastTransitionTime !== w.lastTransitionTime || (c.reason ?? '') !== (w.reason ?? '') || (c.message ?? '') !== (w.message ?? '')) return false;
  }
  return true;
}

/** Structural equality of JSON values, ignoring key order and treating absent and null alike. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a)) return isEmpty(b);
  if (isEmpty(b)) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a as object).filter((k) => !isEmpty((a as any)[k]));
    const kb = Object.keys(b as object).filter((k) => !isEmpty((b as any)[k]));
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameJson((a as any)[k], (b as any)[k]));
  }
  return false;
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
