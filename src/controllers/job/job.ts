// The Job controller (Kubernetes 1.32's pkg/controller/job): runs pods until `completions`
// succeed with at most `parallelism` at once, NonIndexed or Indexed. Finished pods are counted
// through the batch.kubernetes.io/job-tracking finalizer and status.uncountedTerminatedPods, so
// no pod is counted twice or lost; failures back off 10 s doubling to 6 min; backoffLimit,
// activeDeadlineSeconds, podFailurePolicy and successPolicy end the job through the interim
// FailureTarget / SuccessCriteriaMet conditions, which become Failed / Complete once no pod is
// left terminating; suspend deletes active pods and resume resets startTime.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../api/selectors.js';
import type { IndexFunc } from '../../client/informer.js';
import { keyOf, splitKey } from '../../client/informer.js';
import type { Client } from '../../client/local.js';
import { workQueue } from '../../client/workqueue.js';
import { expectations } from '../expectations.js';
import type { Component, ControllerContext } from '../manager.js';
import { controllerRef, isPodActive, isPodReady, nowTime, ownerRefTo } from '../util.js';
import { nextBackoffRecord, remainingBackoff, type BackoffRecord } from './backoff.js';
import { formatIndexes, hasIndex, parseIndexes, totalIndexes, withIndexes, type Intervals } from './indexes.js';
import { matchPodFailurePolicy } from './podfailurepolicy.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** At most this many pod creates or deletes per sync (Kubernetes' MaxPodCreateDeletePerSync). */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** At most this many finished pods are counted per status write (MaxUncountedPods). */
export const MAX_UNCOUNTED_PODS = 500;
const SYNC_BATCH_MS = 1000;
export const OWNER_INDEX = 'job:owner';
const ORPHAN_INDEX = 'job:orphans';
const ORPHAN_KEY = 'orphan-pod:';

const ownerIndexFunc: IndexFunc = (o) => {
  const r = controllerRef(o);
  return r ? [r.uid] : [];
};
const orphanIndexFunc: IndexFunc = (o) => (controllerRef(o) ? [] : [o.metadata.namespace ?? '']);

export const hasTrackingFinalizer = (p: KubeObject) => !!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER);

type Cond = { type: string; status: string; lastProbeTime?: string; lastTransitionTime?: string; reason?: string; message?: string };

export function findCondition(job: KubeObject, type: string): Cond | undefined {
  return ((job.status?.conditions ?? []) as Cond[]).find((c) => c.type === type);
}
const condTrue = (job: KubeObject, type: string) => findCondition(job, type)?.status === 'True';
export const isJobFinished = (job: KubeObject) => condTrue(job, 'Complete') || condTrue(job, 'Failed');

function newCondition(type: string, status: string, reason: string, message: string, now: number): Cond {
  const t = nowTime(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/** Sets a condition's status (appending it unless it would be a new False); returns whether anything changed. */
function ensureCondition(status: any, c: Cond, now: number): boolean {
  const list: Cond[] = (status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  if (i >= 0) {
    const cur = list[i];
    if (cur.status !== c.status || (cur.reason ?? '') !== c.reason || (cur.message ?? '') !== c.message) {
      list[i] = newCondition(c.type, c.status, c.reason ?? '', c.message ?? '', now);
      return true;
    }
    return false;
  }
  if (c.status !== 'False') {
    list.push(newCondition(c.type, c.status, c.reason ?? '', c.message ?? '', now));
    return true;
  }
  return false;
}

export function completionIndex(p: KubeObject): number {
  const v = p.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^[0-9]+$/.test(v)) return -1;
  return Number(v);
}

const isIndexed = (job: KubeObject) => job.spec?.completionMode === 'Indexed';
const isSuspended = (job: KubeObject) => job.spec?.suspend === true;
/** podReplacementPolicy Failed: replacements wait until the old pod is fully terminated. */
const onlyReplaceFailed = (job: KubeObject) => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

export function isPodFailed(p: KubeObject, job: KubeObject): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailed(job)) return false;
  // deleted pods count as failures: an orphaned pod may never reach the Failed phase
  return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
}
const isTerminating = (p: KubeObject) => !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Kubernetes' ActivePods order for choosing pods to delete: not yet scheduled, pending, not ready, newest first. */
function deletionRank(a: KubeObject, b: KubeObject): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const phase = (p: KubeObject) => (p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Unknown' ? 1 : p.status?.phase === 'Running' ? 2 : 3);
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  return ca > cb ? -1 : ca < cb ? 1 : 0;
}

/** Pods to delete to get down to the wanted count: duplicated or out-of-range indexes first. */
export function activePodsForRemoval(job: KubeObject, pods: KubeObject[], rmAtLeast: number): KubeObject[] {
  const rm: KubeObject[] = [];
  let left = pods;
  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 0;
    left = [];
    const byIndex = new Map<number, KubeObject[]>();
    for (const p of pods) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= completions) rm.push(p);
      else {
        let l = byIndex.get(ix);
        if (!l) byIndex.set(ix, (l = []));
        l.push(p);
      }
    }
    for (const l of byIndex.values()) {
      if (l.length > 1) {
        // keep the best (running, ready, oldest) pod of a repeated index
        l.sort(deletionRank);
        rm.push(...l.slice(0, l.length - 1));
        left.push(l[l.length - 1]);
      } else left.push(l[0]);
    }
  }
  if (rm.length < rmAtLeast) {
    const sorted = [...left].sort(deletionRank);
    rm.push(...sorted.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

/** The lowest `count` indexes that are neither succeeded nor held by a pod. */
export function firstPendingIndexes(succeeded: Intervals, held: number[], count: number, completions: number): number[] {
  const nonPending = withIndexes(succeeded, [...new Set(held)].sort((a, b) => a - b));
  const out: number[] = [];
  let candidate = 0;
  for (const iv of nonPending) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

/** spec.successPolicy: the message of the first rule the succeeded indexes meet. */
export function matchSuccessPolicy(policy: any, completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.length === 0) return undefined;
  const rules: any[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r?.succeededIndexes !== undefined && r?.succeededIndexes !== null) {
      const required = parseIndexes(r.succeededIndexes, completions);
      if (required.length === 0) continue;
      let matched = 0;
      let all = true;
      for (const iv of required)
        for (let ix = iv.first; ix <= iv.last; ix++) {
          if (hasIndex(succeeded, ix)) matched++;
          else all = false;
        }
      if (r.succeededCount !== undefined && r.succeededCount !== null ? matched >= r.succeededCount : all) return `Matched rules at index ${i}`;
    } else if (r?.succeededCount !== undefined && r?.succeededCount !== null && totalIndexes(succeeded) >= r.succeededCount) return `Matched rules at index ${i}`;
  }
  return undefined;
}

/** Container restarts of running pods (restartPolicy OnFailure) reached backoffLimit. */
function pastBackoffLimitOnFailure(job: KubeObject, pods: KubeObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of (p.status?.initContainerStatuses ?? []) as any[]) restarts += cs?.restartCount ?? 0;
    for (const cs of (p.status?.containerStatuses ?? []) as any[]) restarts += cs?.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function addIndexEnv(c: any) {
  c.env ??= [];
  if (c.env.some((e: any) => e?.name === COMPLETION_INDEX_ENV)) return;
  c.env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } });
}

/** The pod the job creates (index -1 for NonIndexed jobs). */
export function podFromTemplate(job: KubeObject, index: number): KubeObject {
  const tpl = job.spec?.template ?? {};
  const name = job.metadata.name!;
  const labels = { ...(tpl.metadata?.labels ?? {}) };
  const annotations = { ...(tpl.metadata?.annotations ?? {}) };
  const spec = structuredClone(tpl.spec ?? {});
  let generateName = `${name}-`;
  if (index >= 0) {
    for (const c of spec.initContainers ?? []) addIndexEnv(c);
    for (const c of spec.containers ?? []) addIndexEnv(c);
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_LABEL] = String(index);
    spec.hostname = `${name}-${index}`;
    const suffix = `-${index}-`;
    generateName = name + suffix;
    if (generateName.length > 58) generateName = name.slice(0, 58 - suffix.length) + suffix;
  }
  const finalizers = [...(tpl.metadata?.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const metadata: any = { generateName, namespace: job.metadata.namespace, labels, finalizers, ownerReferences: [ownerRefTo({ ...job, apiVersion: 'batch/v1', kind: 'Job' })] };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

const removeFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };

export function startJobController(ctx: ControllerContext): { stop(): void } {
  const client: Client = ctx.client('system:serviceaccount:kube-system:job-controller');
  const recorder = ctx.recorder('job-controller');
  const log = ctx.log('job');
  const jobInf = ctx.informers.informer('/apis/batch/v1/jobs');
  const podInf = ctx.informers.informer('/api/v1/pods');
  podInf.addIndexer(OWNER_INDEX, ownerIndexFunc);
  podInf.addIndexer(ORPHAN_INDEX, orphanIndexFunc);
  const exp = expectations();
  /** Pods whose deletion we await, per job (so a pod seen twice counts once). */
  const pendingDeletes = new Map<string, Set<string>>();
  /** Pod UIDs whose finalizer removal is in flight, per job. */
  const rmFinalizers = new Map<string, Set<string>>();
  const backoffs = new Map<string, BackoffRecord>();
  const selectors = new WeakMap<KubeObject, LabelSelector | null>();
  const selectorOf = (job: KubeObject) => {
    if (!selectors.has(job)) selectors.set(job, labelSelectorFromObject(job.spec?.selector));
    return selectors.get(job)!;
  };
  const emit = (obj: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) =>
    void recorder.event({ ...obj, apiVersion: 'batch/v1', kind: 'Job' }, type, reason, msg).catch((e) => log('event failed', { reason, error: (e as Error).message }));

  const queue = workQueue((key) => (key.startsWith(ORPHAN_KEY) ? syncOrphanPod(key.slice(ORPHAN_KEY.length)) : syncJob(key)), {
    workers: 5,
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const enqueue = (job: KubeObject) => void queue.add(keyOf(job));
  const enqueueBatched = (job: KubeObject) => queue.addAfter(keyOf(job), SYNC_BATCH_MS);
  const enqueueOrphan = (pod: KubeObject) => void queue.add(ORPHAN_KEY + keyOf(pod));

  function resolve(ns: string | undefined, ref: { kind: string; apiVersion?: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = jobInf.get(ns, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }
  function matchingJobs(pod: KubeObject): KubeObject[] {
    if (!pod.metadata.labels) return [];
    return jobInf.list(pod.metadata.namespace ?? '').filter((j) => {
      const sel = selectorOf(j);
      return !!sel && sel.length > 0 && matchesLabels(sel, pod.metadata.labels);
    });
  }
  function finalizerRemovalObserved(jobKey: string, uid: string) {
    const s = rmFinalizers.get(jobKey);
    if (s?.delete(uid) && s.size === 0) rmFinalizers.delete(jobKey);
  }
  function deletionObserved(jobKey: string, pod: KubeObject) {
    const s = pendingDeletes.get(jobKey);
    if (s?.delete(pod.metadata.uid!)) exp.deletionObserved(jobKey);
  }

  function podAdded(pod: KubeObject) {
    if (pod.metadata.deletionTimestamp) return podDeleted(pod, false);
    const ref = controllerRef(pod);
    if (ref) {
      const job = resolve(pod.metadata.namespace, ref);
      if (!job) {
        if (ref.kind === 'Job' && hasTrackingFinalizer(pod) && jobInf.hasSynced()) enqueueOrphan(pod);
        return;
      }
      exp.creationObserved(keyOf(job));
      enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) enqueueOrphan(pod);
    for (const job of matchingJobs(pod)) enqueueBatched(job);
  }
  function podUpdated(old: KubeObject, cur: KubeObject) {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      podDeleted(cur, false);
      return;
    }
    // back off only when a pod has just failed
    const immediate = !(cur.status?.phase === 'Failed' && old.status?.phase !== 'Failed');
    const finalizerRemoved = hasTrackingFinalizer(old) && !hasTrackingFinalizer(cur);
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const job = resolve(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) finalizerRemovalObserved(keyOf(job), cur.metadata.uid!);
        enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = resolve(cur.metadata.namespace, curRef);
      if (!job) {
        if (curRef.kind === 'Job' && hasTrackingFinalizer(cur)) enqueueOrphan(cur);
        return;
      }
      if (finalizerRemoved) finalizerRemovalObserved(keyOf(job), cur.metadata.uid!);
      if (immediate) enqueue(job);
      else enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(cur)) enqueueOrphan(cur);
    for (const job of matchingJobs(cur)) enqueueBatched(job);
  }
  function podDeleted(pod: KubeObject, final: boolean) {
    const ref = controllerRef(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer && pod.metadata.deletionTimestamp && !final) enqueueOrphan(pod);
      return;
    }
    const job = resolve(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      if (hasFinalizer && !final) enqueueOrphan(pod);
      return;
    }
    const key = keyOf(job);
    deletionObserved(key, pod);
    if (final || !hasFinalizer) finalizerRemovalObserved(key, pod.metadata.uid!);
    enqueueBatched(job);
  }

  podInf.addEventHandler({ add: podAdded, update: podUpdated, delete: (p) => podDeleted(p, true) });
  jobInf.addEventHandler({
    add: enqueue,
    update(old, cur) {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      enqueue(cur);
      // a changed deadline is honoured at its new time
      const ads = cur.spec?.activeDeadlineSeconds;
      if (ads !== undefined && ads !== old.spec?.activeDeadlineSeconds && cur.status?.startTime) {
        const left = Date.parse(cur.status.startTime) + ads * 1000 - Date.now();
        queue.addAfter(keyOf(cur), Math.max(0, left));
      }
    },
    delete(job) {
      const key = keyOf(job);
      exp.delete(key);
      pendingDeletes.delete(key);
      rmFinalizers.delete(key);
      backoffs.delete(key);
      // the pods still carrying our finalizer must lose it
      for (const p of podInf.byIndex(OWNER_INDEX, job.metadata.uid!)) if (hasTrackingFinalizer(p)) enqueueOrphan(p);
    },
  });

  async function patchPod(ns: string, name: string, body: unknown): Promise<void> {
    await client.patch(`/api/v1/namespaces/${ns}/pods/${name}`, body, 'strategic');
  }

  async function syncOrphanPod(podKey: string): Promise<void> {
    const [ns, name] = splitKey(podKey);
    const pod = podInf.get(ns, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      let job = resolve(ns, ref);
      if (!job) {
        // confirm with the API before taking the finalizer of a pod whose job the cache lacks
        const fresh = await client.getOrNull<KubeObject>(`/apis/batch/v1/namespaces/${ns}/jobs/${ref.name}`);
        if (fresh && fresh.metadata.uid === ref.uid) job = fresh;
      }
      if (job && (job.spec?.managedBy ?? 'kubernetes.io/job-controller') !== 'kubernetes.io/job-controller') return;
      if (job && !isJobFinished(job)) return;
    }
    try {
      await patchPod(ns!, name, removeFinalizerPatch);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  /** Owned pods, after releasing those that stopped matching and adopting matching orphans. */
  async function podsForJob(job: KubeObject): Promise<KubeObject[]> {
    const ns = job.metadata.namespace!;
    const uid = job.metadata.uid!;
    const sel = selectorOf(job);
    const out: KubeObject[] = [];
    for (const pod of podInf.byIndex(OWNER_INDEX, uid)) {
      if (matchesLabels(sel, pod.metadata.labels) || pod.metadata.deletionTimestamp || job.metadata.deletionTimestamp) {
        out.push(pod);
        continue;
      }
      try {
        await patchPod(ns, pod.metadata.name!, { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: pod.metadata.uid, [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } });
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 422))) throw e;
      }
    }
    if (job.metadata.deletionTimestamp || !sel || sel.length === 0) return out;
    let canAdopt: boolean | undefined;
    for (const pod of podInf.byIndex(ORPHAN_INDEX, ns)) {
      if (pod.metadata.deletionTimestamp || !matchesLabels(sel, pod.metadata.labels)) continue;
      if (canAdopt === undefined) {
        const fresh = await client.getOrNull<KubeObject>(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata.name}`);
        canAdopt = !!fresh && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
      }
      if (!canAdopt) break;
      try {
        const adopted = await client.patch<KubeObject>(
          `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`,
          { metadata: { ownerReferences: [ownerRefTo({ ...job, apiVersion: 'batch/v1', kind: 'Job' })], uid: pod.metadata.uid, finalizers: [JOB_TRACKING_FINALIZER] } },
          'strategic',
        );
        if (controllerRef(adopted)?.uid === uid) out.push(adopted);
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
      }
    }
    return out;
  }

  /** Deletes pods, first taking their finalizer so they are not counted as failures (excess and suspended pods). */
  async function deleteJobPods(job: KubeObject, key: string, pods: KubeObject[], keepFinalizer: boolean): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    const ns = job.metadata.namespace!;
    if (!keepFinalizer) {
      let s = pendingDeletes.get(key);
      if (!s) pendingDeletes.set(key, (s = new Set()));
      for (const p of pods) s.add(p.metadata.uid!);
      exp.expect(key, 0, pods.length);
    }
    await Promise.all(
      pods.map(async (pod) => {
        const fail = (e: unknown) => {
          if (!keepFinalizer) deletionObserved(key, pod);
          if (e instanceof ApiError && e.code === 404) return false;
          error ??= e;
          emit(job, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          return true;
        };
        if (!keepFinalizer && hasTrackingFinalizer(pod)) {
          try {
            await patchPod(ns, pod.metadata.name!, removeFinalizerPatch);
          } catch (e) {
            if (fail(e)) return;
          }
        }
        try {
          await client.delete(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`);
          emit(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          if (fail(e)) return;
        }
        deleted++;
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deleted, deletedReady, error };
  }

  async function createPods(job: KubeObject, key: string, indexes: number[], count: number): Promise<{ created: number; error?: unknown }> {
    exp.expect(key, count, 0);
    let created = 0;
    let error: unknown;
    let next = 0;
    let remaining = count;
    for (let batch = Math.min(remaining, 1); remaining > 0; batch = Math.min(2 * batch, remaining)) {
      const results = await Promise.all(
        Array.from({ length: batch }, async () => {
          const ix = indexes.length ? indexes[next++] : -1;
          try {
            const pod = await client.create<KubeObject>(`/api/v1/namespaces/${job.metadata.namespace}/pods`, podFromTemplate(job, ix));
            emit(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
            created++;
            return true;
          } catch (e) {
            exp.creationObserved(key);
            const terminating = e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
            if (!terminating) {
              error ??= e;
              emit(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
            }
            return false;
          }
        }),
      );
      remaining -= batch;
      if (results.includes(false)) {
        // slow start: the pods of later batches are not attempted now
        for (let i = 0; i < remaining; i++) exp.creationObserved(key);
        break;
      }
    }
    return { created, error };
  }

  async function updateStatus(job: KubeObject): Promise<KubeObject> {
    const body = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
    return client.update<KubeObject>(`/apis/batch/v1/namespaces/${job.metadata.namespace}/jobs/${job.metadata.name}/status`, body);
  }

  async function syncJob(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const cached = jobInf.get(ns, name);
    if (!cached) {
      exp.delete(key);
      backoffs.delete(key);
      return;
    }
    if ((cached.spec?.managedBy ?? 'kubernetes.io/job-controller') !== 'kubernetes.io/job-controller') return;
    if (isJobFinished(cached)) {
      backoffs.delete(key);
      for (const p of podInf.byIndex(OWNER_INDEX, cached.metadata.uid!)) if (hasTrackingFinalizer(p)) enqueueOrphan(p);
      return;
    }
    const job: KubeObject = structuredClone(cached);
    job.status ??= {};
    const st = job.status;
    st.uncountedTerminatedPods ??= {};
    const now = Date.now();
    const satisfied = exp.satisfied(key);
    const pods = await podsForJob(job);
    let activePods = pods.filter(isPodActive);
    const expectedRm = rmFinalizers.get(key) ?? new Set<string>();
    const uncountedSucceeded = new Set<string>(st.uncountedTerminatedPods.succeeded ?? []);
    const uncountedFailed = new Set<string>(st.uncountedTerminatedPods.failed ?? []);
    let terminating = pods.filter(isTerminating).length;
    let active = activePods.length;
    let ready = activePods.filter(isPodReady).length;
    const completions: number | undefined = job.spec?.completions ?? undefined;
    const indexed = isIndexed(job) && completions !== undefined;
    const validForCount = (p: KubeObject, uncounted: Set<string>) => {
      const uid = p.metadata.uid!;
      if (!hasTrackingFinalizer(p) || uncounted.has(uid) || expectedRm.has(uid)) return false;
      if (indexed) {
        const ix = completionIndex(p);
        if (ix < 0 || ix >= completions!) return false;
      }
      return true;
    };
    const newSucceeded = pods.filter((p) => validForCount(p, uncountedSucceeded) && p.status?.phase === 'Succeeded');
    const newFailed = pods.filter((p) => validForCount(p, uncountedFailed) && isPodFailed(p, job));
    const policy = job.spec?.podFailurePolicy;
    const nonIgnoredFailed = policy ? newFailed.filter((p) => matchPodFailurePolicy(policy, p).countFailed).length : newFailed.length;
    let succeeded = (st.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size;
    const failed = (st.failed ?? 0) + nonIgnoredFailed + uncountedFailed.size;
    const hadStart = !!st.startTime;
    if (!st.startTime && !isSuspended(job)) st.startTime = nowTime(now);
    const newBackoff = nextBackoffRecord(backoffs.get(key), newSucceeded, newFailed);

    let finished: Cond | undefined = findCondition(job, 'SuccessCriteriaMet')?.status === 'True' ? findCondition(job, 'SuccessCriteriaMet') : undefined;
    if (!finished) {
      const ft = findCondition(job, 'FailureTarget');
      if (ft?.status === 'True') finished = newCondition('Failed', 'True', ft.reason ?? '', ft.message ?? '', now);
      else if (policy) {
        for (const p of pods) {
          if (!isPodFailed(p, job)) continue;
          const m = matchPodFailurePolicy(policy, p);
          if (m.message) {
            finished = newCondition('FailureTarget', 'True', 'PodFailurePolicy', m.message, now);
            break;
          }
        }
      }
    }
    if (!finished) {
      if (failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      else if (job.spec?.activeDeadlineSeconds !== undefined && st.startTime && !isSuspended(job)) {
        const left = Date.parse(st.startTime) + job.spec.activeDeadlineSeconds * 1000 - now;
        if (left <= 0) finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
        else queue.addAfter(key, left);
      }
    }
    let prevSucceededIdx: Intervals = [];
    let succeededIdx: Intervals = [];
    if (indexed) {
      prevSucceededIdx = parseIndexes(st.completedIndexes, completions!);
      const fresh = new Set<number>();
      for (const p of pods) {
        const ix = completionIndex(p);
        if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions! && hasTrackingFinalizer(p)) fresh.add(ix);
      }
      succeededIdx = withIndexes(prevSucceededIdx, [...fresh].sort((a, b) => a - b));
      if (!finished) {
        const msg = matchSuccessPolicy(job.spec?.successPolicy, completions!, succeededIdx);
        if (msg) finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
      }
    }

    let suspendChanged = false;
    let manageError: unknown;
    if (finished) {
      // terminate what still runs; the pods keep their finalizer and are counted as failed
      const r = await deleteJobPods(job, key, activePods, true);
      if (r.deleted !== active || !satisfied) finished = undefined;
      active -= r.deleted;
      terminating += r.deleted;
      ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        managed = true;
        const parallelism = job.spec?.parallelism ?? 1;
        if (isSuspended(job)) {
          const r = await deleteJobPods(job, key, activePodsForRemoval(job, activePods, active), false);
          active -= r.deleted;
          terminating += r.deleted;
          ready -= r.deletedReady;
          manageError = r.error;
        } else {
          let want: number;
          if (completions === undefined) want = succeeded > 0 ? active : parallelism;
          else want = Math.max(0, Math.min(parallelism, completions - succeeded));
          const rmAtLeast = Math.max(0, active - want);
          let toDelete = activePodsForRemoval(job, activePods, rmAtLeast);
          if (toDelete.length > MAX_POD_CREATE_DELETE_PER_SYNC) toDelete = toDelete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
          if (toDelete.length) {
            const r = await deleteJobPods(job, key, toDelete, false);
            active -= r.deleted;
            terminating += r.deleted;
            ready -= r.deletedReady;
            manageError = r.error;
          } else {
            let diff = want - (onlyReplaceFailed(job) ? terminating : 0) - active;
            if (diff > 0) {
              const wait = remainingBackoff(newBackoff, now);
              if (wait > 0) queue.addAfter(key, wait);
              else {
                diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
                let indexes: number[] = [];
                if (indexed) {
                  const held = activePods.map(completionIndex).filter((i) => i >= 0);
                  if (onlyReplaceFailed(job)) for (const p of pods) if (isTerminating(p)) held.push(completionIndex(p));
                  indexes = firstPendingIndexes(succeededIdx, held.filter((i) => i >= 0), diff, completions!);
                  diff = indexes.length;
                }
                if (diff > 0) {
                  const r = await createPods(job, key, indexes, diff);
                  active += r.created;
                  manageError = r.error;
                }
              }
            }
          }
        }
      }
      const complete = completions === undefined ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
      if (complete) finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      else if (managed) {
        if (isSuspended(job)) {
          if (ensureCondition(st, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, now)) {
            suspendChanged = true;
            emit(job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureCondition(st, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, now)) {
          suspendChanged = true;
          emit(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts the time continuously active
          st.startTime = nowTime(now);
        }
      }
    }

    let needsFlush = suspendChanged || active !== (st.active ?? 0) || ready !== st.ready || terminating !== st.terminating || hadStart !== !!st.startTime;
    st.active = active;
    st.ready = ready;
    st.terminating = terminating;
    await trackStatus(job, key, pods, { finished, newBackoff, needsFlush, expectedRm, uncountedSucceeded, uncountedFailed, prevSucceededIdx, succeededIdx, indexed, completions, terminating });
    if (manageError) throw manageError;
  }

  async function trackStatus(
    job: KubeObject,
    key: string,
    pods: KubeObject[],
    c: {
      finished?: Cond;
      newBackoff: BackoffRecord;
      needsFlush: boolean;
      expectedRm: Set<string>;
      uncountedSucceeded: Set<string>;
      uncountedFailed: Set<string>;
      prevSucceededIdx: Intervals;
      succeededIdx: Intervals;
      indexed: boolean;
      completions?: number;
      terminating: number;
    },
  ): Promise<void> {
    const now = Date.now();
    let { finished, needsFlush } = c;
    const st = job.status;
    const unc = st.uncountedTerminatedPods;
    unc.succeeded = [...(unc.succeeded ?? [])];
    unc.failed = [...(unc.failed ?? [])];
    if (c.indexed) pods = [...pods].sort((a, b) => completionIndex(a) - completionIndex(b));
    const withFinalizer = new Set<string>();
    for (const p of pods) if (hasTrackingFinalizer(p) && !c.expectedRm.has(p.metadata.uid!)) withFinalizer.add(p.metadata.uid!);
    if (cleanUncounted(st, withFinalizer)) needsFlush = true;
    const toRemove: KubeObject[] = [];
    const newSucceededIdx: number[] = [];
    let reachedMax = false;
    const finishing = !!finished && finished.type !== 'SuccessCriteriaMet';
    for (const p of pods) {
      const uid = p.metadata.uid!;
      if (!hasTrackingFinalizer(p) || c.expectedRm.has(uid)) continue;
      const failed = isPodFailed(p, job);
      const canRemove = !!job.metadata.deletionTimestamp || !!finished || p.status?.phase === 'Succeeded' || failed;
      if (!canRemove) continue;
      toRemove.push(p);
      if (p.status?.phase === 'Succeeded' && !c.uncountedFailed.has(uid)) {
        if (c.indexed) {
          const ix = completionIndex(p);
          if (ix >= 0 && ix < c.completions! && !hasIndex(c.prevSucceededIdx, ix)) newSucceededIdx.push(ix);
        } else if (!c.uncountedSucceeded.has(uid)) {
          needsFlush = true;
          unc.succeeded.push(uid);
        }
      } else if (failed || finishing) {
        const ix = completionIndex(p);
        if (!c.uncountedFailed.has(uid) && (!c.indexed || (ix >= 0 && ix < c.completions!))) {
          if (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed) {
            needsFlush = true;
            unc.failed.push(uid);
          }
        }
      }
      if (newSucceededIdx.length + unc.succeeded.length + unc.failed.length >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (c.indexed) {
      const idx = withIndexes(c.succeededIdx, [...new Set(newSucceededIdx)].sort((a, b) => a - b));
      const s = formatIndexes(idx);
      if (s !== (st.completedIndexes ?? '')) needsFlush = true;
      st.succeeded = totalIndexes(idx);
      st.completedIndexes = s;
    }
    if (finished?.type === 'FailureTarget') {
      st.conditions = [...(st.conditions ?? []), finished];
      needsFlush = true;
      finished = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', now);
    }
    if (finished?.type === 'SuccessCriteriaMet') {
      if (findCondition(job, 'SuccessCriteriaMet')?.status !== 'True') {
        st.conditions = [...(st.conditions ?? []), finished];
        needsFlush = true;
      }
      finished = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', now);
    }

    // write the uncounted pods before taking their finalizers, then count them
    if (needsFlush) {
      job = structuredClone(await updateStatus(tidy(job)));
      backoffs.set(key, c.newBackoff);
      needsFlush = false;
    }
    const cur = job.status;
    cur.uncountedTerminatedPods ??= {};
    let rmError: unknown;
    if (toRemove.length) {
      let s = rmFinalizers.get(key);
      if (!s) rmFinalizers.set(key, (s = new Set()));
      for (const p of toRemove) s.add(p.metadata.uid!);
      await Promise.all(
        toRemove.map(async (p) => {
          try {
            await patchPod(p.metadata.namespace!, p.metadata.name!, removeFinalizerPatch);
            withFinalizer.delete(p.metadata.uid!);
          } catch (e) {
            finalizerRemovalObserved(key, p.metadata.uid!);
            if (e instanceof ApiError && e.code === 404) withFinalizer.delete(p.metadata.uid!);
            else rmError ??= e;
          }
        }),
      );
    }
    cur.uncountedTerminatedPods.succeeded = [...(cur.uncountedTerminatedPods.succeeded ?? [])];
    cur.uncountedTerminatedPods.failed = [...(cur.uncountedTerminatedPods.failed ?? [])];
    if (cleanUncounted(cur, withFinalizer)) needsFlush = true;
    if (rmError) {
      if (needsFlush) await updateStatus(tidy(job));
      throw rmError;
    }
    let jobFinished = false;
    if (!reachedMax && finished) {
      const pending = (cur.uncountedTerminatedPods.succeeded?.length ?? 0) + (cur.uncountedTerminatedPods.failed?.length ?? 0);
      if (pending === 0 && c.terminating === 0) {
        ensureCondition(cur, finished, now);
        if (finished.type === 'Complete') cur.completionTime = findCondition(job, 'Complete')?.lastTransitionTime;
        jobFinished = true;
        needsFlush = true;
      }
    }
    if (needsFlush) {
      const written = await updateStatus(tidy(job));
      if (jobFinished) {
        if (finished!.type === 'Complete') {
          if (c.completions !== undefined && (written.status?.succeeded ?? 0) > c.completions) emit(written, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
          emit(written, 'Normal', 'Completed', 'Job completed');
        } else emit(written, 'Warning', finished!.reason ?? '', finished!.message ?? '');
      }
    }
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

/** Moves uncounted pods whose finalizer is gone into the counters. */
function cleanUncounted(st: any, withFinalizer: Set<string>): boolean {
  const unc = st.uncountedTerminatedPods ?? {};
  let changed = false;
  const s = (unc.succeeded ?? []) as string[];
  const keepS = s.filter((u) => withFinalizer.has(u));
  if (keepS.length !== s.length) {
    changed = true;
    st.succeeded = (st.succeeded ?? 0) + s.length - keepS.length;
    unc.succeeded = keepS;
  }
  const f = (unc.failed ?? []) as string[];
  const keepF = f.filter((u) => withFinalizer.has(u));
  if (keepF.length !== f.length) {
    changed = true;
    st.failed = (st.failed ?? 0) + f.length - keepF.length;
    unc.failed = keepF;
  }
  st.uncountedTerminatedPods = unc;
  return changed;
}

/** Status as the Go types serialize it: zero counters and empty lists left out. */
function tidy(job: KubeObject): KubeObject {
  const st = { ...job.status };
  for (const k of ['active', 'succeeded', 'failed']) if (!st[k]) delete st[k];
  const unc = { ...(st.uncountedTerminatedPods ?? {}) };
  if (!unc.succeeded?.length) delete unc.succeeded;
  if (!unc.failed?.length) delete unc.failed;
  st.uncountedTerminatedPods = unc;
  if (!st.completedIndexes) delete st.completedIndexes;
  if (!st.completionTime) delete st.completionTime;
  if (!st.startTime) delete st.startTime;
  return { ...job, apiVersion: 'batch/v1', kind: 'Job', status: st };
}

export const jobComponent: Component = {
  name: 'job',
  start: (ctx) => startJobController(ctx),
};

