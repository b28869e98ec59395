// Pod-failure back-off of the Job controller: a replacement pod waits 10 s after the last
// failure, doubling with each failure since the last success, capped at 6 minutes. Records are
// kept per job in memory, as Kubernetes keeps them, and advance only after the failures are
// written to the job status.
import type { KubeObject } from '../../api/types.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** When the pod finished: its containers' last finishedAt, else Ready=False time, else deletion, else creation. */
export function podFinishedTime(p: KubeObject): number {
  const fromContainers = (() => {
    let t: number | undefined;
    for (const cs of (p.status?.containerStatuses ?? []) as any[]) {
      const at = cs?.state?.terminated?.finishedAt;
      if (!at) return undefined;
      const ms = Date.parse(at);
      if (t === undefined || ms > t) t = ms;
    }
    const sidecars = new Set(((p.spec?.initContainers ?? []) as any[]).filter((c) => c?.restartPolicy === 'Always').map((c) => c.name));
    for (const cs of (p.status?.initContainerStatuses ?? []) as any[]) {
      if (!sidecars.has(cs?.name)) continue;
      const at = cs?.state?.terminated?.finishedAt;
      if (!at) return undefined;
      const ms = Date.parse(at);
      if (t === undefined || ms > t) t = ms;
    }
    return t;
  })();
  if (fromContainers !== undefined) return fromContainers;
  const ready = ((p.status?.conditions ?? []) as any[]).find((c) => c?.type === 'Ready' && c?.status === 'False' && c?.lastTransitionTime);
  if (ready) return Date.parse(ready.lastTransitionTime);
  if (p.metadata.deletionTimestamp) return Date.parse(p.metadata.deletionTimestamp);
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

/** The record after observing newly finished pods. */
export function nextBackoffRecord(old: BackoffRecord | undefined, newSucceeded: KubeObject[], newFailed: KubeObject[]): BackoffRecord {
  const rec: BackoffRecord = { failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return rec;
    rec.failuresAfterLastSuccess += failedTimes.length;
    rec.lastFailureTime = failedTimes[failedTimes.length - 1];
    return rec;
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  rec.failuresAfterLastSuccess = 0;
  rec.lastFailureTime = undefined;
  for (let i = failedTimes.length - 1; i >= 0; i--) {
    if (failedTimes[i] <= lastSuccess) break;
    if (rec.lastFailureTime === undefined) rec.lastFailureTime = failedTimes[i];
    rec.failuresAfterLastSuccess++;
  }
  return rec;
}

/** The back-off for n consecutive failures: 10 s, 20 s, 40 s, … capped at 6 min. */
export function backoffDuration(failures: number, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures <= 0) return 0;
  let d = base;
  for (let i = 1; i < failures; i++) {
    d *= 2;
    if (d >= max) return max;
  }
  return d;
}

/** How long until a replacement pod may be created (0: now). */
export function remainingBackoff(rec: BackoffRecord, now = Date.now()): number {
  if (!rec.failuresAfterLastSuccess || rec.lastFailureTime === undefined) return 0;
  const d = backoffDuration(rec.failuresAfterLastSuccess);
  const elapsed = now - rec.lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}
