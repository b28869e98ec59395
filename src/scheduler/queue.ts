// The scheduling queue, as kube-scheduler's PriorityQueue:
//  - activeQ: pods ready to be tried, highest priority first, then oldest;
//  - backoffQ: pods that failed and wait out their back-off (1 s doubling up to 10 s);
//  - unschedulable: pods no node fits; a cluster event the plugins that rejected them care
//    about moves them back (to backoffQ while their back-off lasts), and any pod left there
//    for 5 minutes is flushed back regardless.
import type { PodInfo } from './podinfo.js';

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPod {
  pod: PodInfo;
  /** When it entered the queue (ordering among equal priorities). */
  timestamp: number;
  initialAttempt: number;
  attempts: number;
  /** Plugins that rejected it last time (decides which events move it). */
  rejectedBy: Set<string>;
  lastFailure: number;
  where: 'active' | 'backoff' | 'unschedulable' | 'none';
  heapIndex: number;
}

class Heap {
  items: QueuedPod[] = [];
  constructor(private readonly less: (a: QueuedPod, b: QueuedPod) => boolean) {}
  get size() {
    return this.items.length;
  }
  peek(): QueuedPod | undefined {
    return this.items[0];
  }
  push(x: QueuedPod) {
    x.heapIndex = this.items.length;
    this.items.push(x);
    this.up(x.heapIndex);
  }
  pop(): QueuedPod | undefined {
    if (!this.items.length) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }
  remove(x: QueuedPod) {
    if (x.heapIndex >= 0 && this.items[x.heapIndex] === x) this.removeAt(x.heapIndex);
  }
  fix(x: QueuedPod) {
    if (this.items[x.heapIndex] !== x) return;
    this.up(x.heapIndex);
    this.down(x.heapIndex);
  }
  private removeAt(i: number) {
    const last = this.items.pop()!;
    const gone = i < this.items.length ? this.items[i] : last;
    gone.heapIndex = -1;
    if (i < this.items.length) {
      this.items[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    }
  }
  private up(i: number) {
    const it = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(it[i], it[p])) break;
      [it[i], it[p]] = [it[p], it[i]];
      it[i].heapIndex = i;
      it[p].heapIndex = p;
      i = p;
    }
  }
  private down(i: number) {
    const it = this.items;
    const n = it.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(it[l], it[m])) m = l;
      if (r < n && this.less(it[r], it[m])) m = r;
      if (m === i) break;
      [it[i], it[m]] = [it[m], it[i]];
      it[i].heapIndex = i;
      it[m].heapIndex = m;
      i = m;
    }
  }
}

export function backoffDuration(attempts: number): number {
  let d = INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= MAX_BACKOFF_MS) return MAX_BACKOFF_MS;
  }
  return d;
}

const backoffExpiry = (q: QueuedPod) => q.lastFailure + backoffDuration(q.attempts);

export class SchedulingQueue {
  private readonly active = new Heap((a, b) => a.pod.priority > b.pod.priority || (a.pod.priority === b.pod.priority && a.timestamp < b.timestamp));
  private readonly backoff = new Heap((a, b) => backoffExpiry(a) < backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Every pod the queue knows, queued or being scheduled. */
  private readonly all = new Map<string, QueuedPod>();
  private waiter: (() => void) | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffTimerAt = 0;
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly now: () => number = Date.now, private readonly onChange?: () => void) {
    this.flushTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    this.flushTimer.unref?.();
  }

  /** A new pending pod. */
  add(pod: PodInfo): void {
    const existing = this.all.get(pod.key);
    if (existing) return this.update(pod);
    const t = this.now();
    const q: QueuedPod = { pod, timestamp: t, initialAttempt: 0, attempts: 0, rejectedBy: new Set(), lastFailure: 0, where: 'none', heapIndex: -1 };
    this.all.set(pod.key, q);
    this.toActive(q);
  }

  /** A pending pod changed: an unschedulable pod whose spec or labels changed gets another try. */
  update(pod: PodInfo, specChanged = true): void {
    const q = this.all.get(pod.key);
    if (!q) return this.add(pod);
    const prio = q.pod.priority;
    q.pod = pod;
    if (q.where === 'active') {
      if (prio !== pod.priority) this.active.fix(q);
    } else if (q.where === 'unschedulable' && specChanged) {
      this.unschedulable.delete(pod.key);
      q.where = 'none';
      this.requeue(q);
    }
  }

  delete(key: string) {
    const q = this.all.get(key);
    if (!q) return;
    this.all.delete(key);
    this.detach(q);
    this.changed();
  }

  has(key: string) {
    return this.all.has(key);
  }

  /** The next pod to try, or undefined when activeQ is empty. */
  pop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    q.where = 'none';
    q.attempts++;
    if (!q.initialAttempt) q.initialAttempt = this.now();
    this.changed();
    return q;
  }

  /** Resolves when activeQ has something (or the queue closed). */
  wait(): Promise<void> {
    if (this.active.size || this.closed) return Promise.resolve();
    return new Promise((r) => (this.waiter = r));
  }

  /** A popped pod that did not fit anywhere (or failed with an error: rejectedBy empty → backoffQ). */
  addUnschedulable(q: QueuedPod, rejectedBy: Set<string>, moveRequested: boolean) {
    if (this.all.get(q.pod.key) !== q) return;
    q.rejectedBy = rejectedBy;
    q.lastFailure = this.now();
    q.timestamp = q.lastFailure;
    if (rejectedBy.size === 0 || moveRequested) {
      this.toBackoff(q);
    } else {
      q.where = 'unschedulable';
      this.unschedulable.set(q.pod.key, q);
    }
    this.changed();
  }

  /** A pod that was popped and then finished (bound or gone). */
  done(key: string) {
    const q = this.all.get(key);
    if (q && q.where === 'none') this.all.delete(key);
  }

  /** A cluster event: unschedulable pods any of whose rejecting plugins care are moved back. */
  moveOnEvent(interested: (rejectedBy: Set<string>) => boolean) {
    let moved = false;
    for (const q of [...this.unschedulable.values()]) {
      if (q.rejectedBy.size && !interested(q.rejectedBy)) continue;
      this.unschedulable.delete(q.pod.key);
      q.where = 'none';
      this.requeue(q);
      moved = true;
    }
    if (moved) this.changed();
  }

  private requeue(q: QueuedPod) {
    if (q.attempts && backoffExpiry(q) > this.now()) this.toBackoff(q);
    else this.toActive(q);
  }

  private toActive(q: QueuedPod) {
    q.where = 'active';
    this.active.push(q);
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
    this.changed();
  }

  private toBackoff(q: QueuedPod) {
    q.where = 'backoff';
    this.backoff.push(q);
    this.armBackoffTimer();
  }

  private armBackoffTimer() {
    const head = this.backoff.peek();
    if (!head || this.closed) return;
    const at = backoffExpiry(head);
    if (this.backoffTimer && this.backoffTimerAt <= at) return;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimerAt = at;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.flushBackoff();
    }, Math.max(0, at - this.now()));
    this.backoffTimer.unref?.();
  }

  flushBackoff() {
    const now = this.now();
    for (let h = this.backoff.peek(); h && backoffExpiry(h) <= now; h = this.backoff.peek()) {
      this.backoff.pop();
      this.toActive(h);
    }
    this.armBackoffTimer();
  }

  /** Pods that sat in the unschedulable set for 5 minutes go back (kube-scheduler's periodic flush). */
  flushUnschedulableLeftover() {
    const now = this.now();
    for (const q of [...this.unschedulable.values()]) {
      if (now - q.lastFailure < MAX_UNSCHEDULABLE_MS) continue;
      this.unschedulable.delete(q.pod.key);
      q.where = 'none';
      this.requeue(q);
    }
  }

  private detach(q: QueuedPod) {
    if (q.where === 'active') this.active.remove(q);
    else if (q.where === 'backoff') this.backoff.remove(q);
    else if (q.where === 'unschedulable') this.unschedulable.delete(q.pod.key);
    q.where = 'none';
  }

  private changed() {
    this.onChange?.();
  }

  /** Sizes for scheduler_pending_pods{queue}. */
  sizes(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Pods in the unschedulable set (tests and diagnostics). */
  unschedulableKeys(): string[] {
    return [...this.unschedulable.keys()];
  }

  close() {
    this.closed = true;
    clearInterval(this.flushTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
