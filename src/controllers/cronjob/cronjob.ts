// The CronJob controller (Kubernetes 1.32's ControllerV2): at each scheduled time it creates the
// Job `<cronjob>-<minutes since the epoch>` from spec.jobTemplate, tracks running Jobs in
// status.active, applies concurrencyPolicy, startingDeadlineSeconds and the missed-schedule
// rules, trims finished Jobs to the history limits, and requeues each CronJob for its next
// scheduled time instead of polling.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { IndexFunc } from '../../client/informer.js';
import { keyOf, splitKey } from '../../client/informer.js';
import type { Client } from '../../client/local.js';
import { workQueue } from '../../client/workqueue.js';
import type { Component, ControllerContext } from '../manager.js';
import { controllerRef, ownerRefTo } from '../util.js';
import { formatRFC1123Z, formatRFC3339, mostRecentScheduleTime, nextScheduleDelay, parseSchedule, validZone, localZone, type Schedule } from './schedule.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const OWNER_INDEX = 'cronjob:owner';

/** Jobs by the namespace/name of the CronJob controlling them. */
const ownerIndexFunc: IndexFunc = (o) => {
  const r = controllerRef(o);
  return r && r.kind === 'CronJob' ? [`${o.metadata.namespace}/${r.name}`] : [];
};

const condTrue = (job: KubeObject, type: string) => ((job.status?.conditions ?? []) as any[]).some((c) => c?.type === type && c?.status === 'True');
/** The Complete or Failed condition type of a finished job. */
export function finishedStatus(job: KubeObject): string | undefined {
  for (const c of (job.status?.conditions ?? []) as any[]) if ((c?.type === 'Complete' || c?.type === 'Failed') && c?.status === 'True') return c.type;
  return undefined;
}

export const jobNameFor = (cronJobName: string, scheduled: number) => `${cronJobName}-${Math.floor(scheduled / 60_000)}`;

/** The schedule string the controller parses: spec.timeZone becomes a TZ= prefix. */
function scheduleOf(cj: KubeObject): Schedule {
  const s: string = cj.spec?.schedule ?? '';
  if (s.includes('TZ')) return parseSchedule(s, localZone());
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && tz !== null && validZone(tz)) return parseSchedule(s, tz === 'Local' ? localZone() : tz || 'UTC');
  return parseSchedule(s, localZone());
}

const timesOf = (cj: KubeObject) => ({
  creationTimestamp: Date.parse(cj.metadata.creationTimestamp ?? '') || 0,
  lastScheduleTime: cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined,
  startingDeadlineSeconds: cj.spec?.startingDeadlineSeconds ?? undefined,
});

/** The Job the CronJob creates for a scheduled time (getJobFromTemplate2). */
export function jobFromTemplate(cj: KubeObject, scheduled: number): KubeObject {
  const jt = cj.spec?.jobTemplate ?? {};
  const labels = { ...(jt.metadata?.labels ?? {}) };
  const annotations = { ...(jt.metadata?.annotations ?? {}) };
  const tz = cj.spec?.timeZone;
  annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = formatRFC3339(scheduled, tz === undefined || tz === null || tz === '' ? 'UTC' : tz);
  const metadata: any = { name: jobNameFor(cj.metadata.name!, scheduled), namespace: cj.metadata.namespace, annotations, ownerReferences: [ownerRefTo({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' })] };
  if (Object.keys(labels).length) metadata.labels = labels;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: structuredClone(jt.spec ?? {}) };
}

/** Oldest first by status.startTime (jobs without one last), then name. */
function byJobStartTime(a: KubeObject, b: KubeObject): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa === sb || (sa && sb && Date.parse(sa) === Date.parse(sb))) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return Date.parse(sa) - Date.parse(sb);
}

export function startCronJobController(ctx: ControllerContext, o: { now?: () => number } = {}): { stop(): void } {
  const now = o.now ?? Date.now;
  const client: Client = ctx.client('system:serviceaccount:kube-system:cronjob-controller');
  const recorder = ctx.recorder('cronjob-controller');
  const log = ctx.log('cronjob');
  const cjInf = ctx.informers.informer('/apis/batch/v1/cronjobs');
  const jobInf = ctx.informers.informer('/apis/batch/v1/jobs');
  jobInf.addIndexer(OWNER_INDEX, ownerIndexFunc);
  const emit = (cj: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) =>
    void recorder.event({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' }, type, reason, msg).catch((e) => log('event failed', { reason, error: (e as Error).message }));

  const queue = workQueue(sync, {
    workers: 5,
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });

  const enqueueOwner = (job: KubeObject) => {
    const r = controllerRef(job);
    if (!r || r.kind !== 'CronJob') return;
    const cj = cjInf.get(job.metadata.namespace, r.name);
    if (cj && cj.metadata.uid === r.uid) void queue.add(keyOf(cj));
  };
  jobInf.addEventHandler({
    add: enqueueOwner,
    update(old, cur) {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const or = controllerRef(old);
      if (or && or.uid !== controllerRef(cur)?.uid) enqueueOwner(old);
      enqueueOwner(cur);
    },
    delete: enqueueOwner,
  });
  cjInf.addEventHandler({
    add: (cj) => void queue.add(keyOf(cj)),
    update(old, cur) {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      if (old.spec?.schedule !== cur.spec?.schedule || (old.spec?.timeZone ?? null) !== (cur.spec?.timeZone ?? null)) {
        // a new schedule: look at it when it is next due
        let sched: Schedule;
        try {
          sched = scheduleOf(cur);
        } catch (e) {
          emit(cur, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
          return;
        }
        const d = nextScheduleDelay(timesOf(cur), now(), sched);
        if (d !== undefined) queue.addAfter(keyOf(cur), d);
        return;
      }
      void queue.add(keyOf(cur));
    },
  });

  async function getJob(ns: string, name: string): Promise<KubeObject | null> {
    return client.getOrNull<KubeObject>(`/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
  }
  async function deleteJob(cj: KubeObject, job: KubeObject): Promise<boolean> {
    try {
      await client.delete(`/apis/batch/v1/namespaces/${job.metadata.namespace}/jobs/${job.metadata.name}`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    } catch (e) {
      emit(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
      return false;
    }
    cj.status.active = (cj.status.active ?? []).filter((r: any) => r.uid !== job.metadata.uid);
    emit(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const cached = cjInf.get(ns, name);
    if (!cached) return;
    let cj: KubeObject = structuredClone(cached);
    cj.status ??= {};
    const jobs = jobInf.byIndex(OWNER_INDEX, key);
    const update = await cleanupFinishedJobs(cj, jobs);
    const r = await syncCronJob(cj, jobs);
    cj = r.cj;
    if (update || r.update) {
      const body: KubeObject = { ...cj, apiVersion: 'batch/v1', kind: 'CronJob', status: { ...cj.status } };
      if (body.status.active && body.status.active.length === 0) delete body.status.active;
      await client.update(`/apis/batch/v1/namespaces/${ns}/cronjobs/${name}/status`, body);
    }
    if (r.requeueMs !== undefined) queue.addAfter(key, Math.max(0, r.requeueMs));
    if (r.error) throw r.error;
  }

  /** Deletes the oldest finished jobs beyond the history limits; true when status.active changed. */
  async function cleanupFinishedJobs(cj: KubeObject, jobs: KubeObject[]): Promise<boolean> {
    const okLimit = cj.spec?.successfulJobsHistoryLimit;
    const failLimit = cj.spec?.failedJobsHistoryLimit;
    if ((okLimit === undefined || okLimit === null) && (failLimit === undefined || failLimit === null)) return false;
    const ok: KubeObject[] = [];
    const failed: KubeObject[] = [];
    for (const j of jobs) {
      const s = finishedStatus(j);
      if (s === 'Complete') ok.push(j);
      else if (s === 'Failed') failed.push(j);
    }
    const victims: KubeObject[] = [];
    for (const [list, limit] of [
      [ok, okLimit],
      [failed, failLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const n = list.length - limit;
      if (n <= 0) continue;
      victims.push(...[...list].sort(byJobStartTime).slice(0, n));
    }
    let any = false;
    for (const v of victims) if (await deleteJob(cj, v)) any = true;
    return any;
  }

  async function syncCronJob(cj: KubeObject, jobs: KubeObject[]): Promise<{ cj: KubeObject; update: boolean; requeueMs?: number; error?: unknown }> {
    const t = now();
    let update = false;
    const inActive = (c: KubeObject, uid: string) => ((c.status?.active ?? []) as any[]).some((r) => r.uid === uid);
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid!);
      const found = inActive(cj, j.metadata.uid!);
      const fin = finishedStatus(j);
      if (!found && !fin) {
        const fresh = await client.getOrNull<KubeObject>(`/apis/batch/v1/namespaces/${cj.metadata.namespace}/cronjobs/${cj.metadata.name}`);
        if (!fresh) return { cj, update };
        if (inActive(fresh, j.metadata.uid!)) {
          cj = structuredClone(fresh);
          cj.status ??= {};
          continue;
        }
        emit(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && fin) {
        cj.status.active = (cj.status.active ?? []).filter((r: any) => r.uid !== j.metadata.uid);
        emit(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${fin}`);
        update = true;
      } else if (condTrue(j, 'Complete')) {
        // a job need not be active to count as the last success
        const ct = j.status?.completionTime;
        if (!cj.status.lastSuccessfulTime && ct) {
          cj.status.lastSuccessfulTime = ct;
          update = true;
        } else if (ct && Date.parse(ct) > Date.parse(cj.status.lastSuccessfulTime)) {
          cj.status.lastSuccessfulTime = ct;
          update = true;
        }
      }
    }
    for (const ref of [...((cj.status.active ?? []) as any[])]) {
      if (children.has(ref.uid)) continue;
      // ask the API, not a possibly slow cache, before forgetting a job
      const j = await getJob(ref.namespace ?? cj.metadata.namespace, ref.name);
      if (!j || j.metadata.uid !== ref.uid) {
        emit(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        cj.status.active = (cj.status.active ?? []).filter((r: any) => r.uid !== ref.uid);
        update = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { cj, update };
    const tz = cj.spec?.timeZone;
    if (tz !== undefined && tz !== null && !validZone(tz)) {
      emit(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
      return { cj, update };
    }
    if (cj.spec?.suspend === true) return { cj, update };
    const schedule: string = cj.spec?.schedule ?? '';
    if (schedule.includes('TZ'))
      emit(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    let sched: Schedule;
    try {
      sched = scheduleOf(cj);
    } catch (e) {
      emit(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(schedule)} : ${(e as Error).message}`);
      return { cj, update };
    }
    const times = timesOf(cj);
    const mr = mostRecentScheduleTime(times, t, sched, true);
    if (mr.error) {
      emit(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${schedule} : ${mr.error}`);
      return { cj, update };
    }
    const scheduled = mr.mostRecent !== undefined && mr.mostRecent <= t ? mr.mostRecent : undefined;
    if (scheduled !== undefined && mr.missed === 'many') emit(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    const requeue = () => nextScheduleDelay(timesOf(cj), t, sched);
    if (scheduled === undefined) return { cj, update, requeueMs: requeue() };
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && scheduled + sds * 1000 < t) {
      emit(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRFC1123Z(scheduled)}`);
      return { cj, update, requeueMs: requeue() };
    }
    const jobName = jobNameFor(cj.metadata.name!, scheduled);
    if (((cj.status.active ?? []) as any[]).some((r) => r.name === jobName) || (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled)) {
      return { cj, update, requeueMs: requeue() };
    }
    const active = (cj.status.active ?? []) as any[];
    if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
      emit(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { cj, update, requeueMs: requeue() };
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        let j: KubeObject | null;
        try {
          j = await getJob(ref.namespace ?? cj.metadata.namespace, ref.name);
          if (!j) throw new ApiError(404, 'NotFound', `jobs.batch "${ref.name}" not found`);
        } catch (e) {
          emit(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          return { cj, update, error: e };
        }
        if (!(await deleteJob(cj, j))) return { cj, update, error: new Error(`could not replace job ${j.metadata.namespace}/${j.metadata.name}`) };
        update = true;
      }
    }
    let created: KubeObject;
    let exists = false;
    try {
      created = await client.create<KubeObject>(`/apis/batch/v1/namespaces/${cj.metadata.namespace}/jobs`, jobFromTemplate(cj, scheduled));
    } catch (e) {
      if (e instanceof ApiError && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return { cj, update, error: e };
      if (e instanceof ApiError && e.code === 409) {
        exists = true;
        const j = await getJob(cj.metadata.namespace!, jobName);
        if (!j) return { cj, update, error: e };
        created = j;
        const ref = controllerRef(j);
        if (!ref || ref.uid !== cj.metadata.uid) return { cj, update };
        if (inActive(cj, j.metadata.uid!)) return { cj, update };
      } else {
        emit(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        return { cj, update, error: e };
      }
    }
    if (exists) log('job already exists', { cronjob: keyOf(cj), job: jobName });
    else emit(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    cj.status.active = [
      ...(cj.status.active ?? []),
      { kind: 'Job', namespace: created.metadata.namespace, name: created.metadata.name, uid: created.metadata.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion },
    ];
    cj.status.lastScheduleTime = new Date(scheduled).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { cj, update: true, requeueMs: requeue() };
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

export const cronJobComponent: Component = {
  name: 'cronjob',
  start: (ctx) => startCronJobController(ctx),
};
