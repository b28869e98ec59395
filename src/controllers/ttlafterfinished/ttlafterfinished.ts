// The TTL-after-finished controller: a finished Job (Complete or Failed) with
// spec.ttlSecondsAfterFinished is deleted that many seconds after the finishing condition's
// lastTransitionTime, with Foreground propagation and a UID precondition, as Kubernetes does.
// Each job is requeued for its expiry time; before deleting, the TTL is checked again against a
// fresh read so a TTL changed meanwhile is honoured.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { keyOf, splitKey } from '../../client/informer.js';
import type { Client } from '../../client/local.js';
import { workQueue } from '../../client/workqueue.js';
import type { Component, ControllerContext } from '../manager.js';

/** When the job finished (the Complete/Failed condition's transition), or undefined if it has not. */
export function jobFinishTime(job: KubeObject): number | undefined {
  for (const c of (job.status?.conditions ?? []) as any[]) {
    if ((c?.type === 'Complete' || c?.type === 'Failed') && c?.status === 'True') {
      const t = Date.parse(c.lastTransitionTime ?? '');
      return Number.isFinite(t) ? t : undefined;
    }
  }
  return undefined;
}

/** ms until the job expires (≤ 0: expired), or undefined when it needs no clean-up. */
export function timeLeft(job: KubeObject, now = Date.now()): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (job.metadata.deletionTimestamp || ttl === undefined || ttl === null) return undefined;
  const finished = jobFinishTime(job);
  if (finished === undefined) return undefined;
  return finished + ttl * 1000 - now;
}

export function startTTLAfterFinishedController(ctx: ControllerContext): { stop(): void } {
  const client: Client = ctx.client('system:serviceaccount:kube-system:ttl-after-finished-controller');
  const log = ctx.log('ttl-after-finished');
  const jobInf = ctx.informers.informer('/apis/batch/v1/jobs');
  const queue = workQueue(sync, {
    workers: 5,
    onError(key, e) {
      log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const consider = (job: KubeObject) => {
    if (timeLeft(job) !== undefined) void queue.add(keyOf(job));
  };
  jobInf.addEventHandler({
    add: consider,
    update(old, cur) {
      if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) consider(cur);
    },
  });

  /** Requeues a job that has not expired yet; true when it has. */
  function expired(job: KubeObject, key: string): boolean {
    const left = timeLeft(job);
    if (left === undefined) return false;
    if (left > 0) {
      queue.addAfter(key, left);
      return false;
    }
    return true;
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const job = jobInf.get(ns, name);
    if (!job || !expired(job, key)) return;
    const path = `/apis/batch/v1/namespaces/${ns}/jobs/${name}`;
    const fresh = await client.getOrNull<KubeObject>(path);
    if (!fresh || !expired(fresh, key)) return;
    try {
      await client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

export const ttlAfterFinishedComponent: Component = {
  name: 'ttl-after-finished',
  start: (ctx) => startTTLAfterFinishedController(ctx),
};
