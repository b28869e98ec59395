// A work queue of keys for controllers: a key is queued at most once, never synced by two
// workers at the same time (a key added while its sync runs is synced again afterwards), and a
// key whose sync is not done (returns false) or fails is retried after a delay. Failures back
// off per key exponentially (5 ms doubling up to 1000 s, client-go's default item limiter)
// until a sync succeeds. The shape of client-go's rate-limited workqueue without the ceremony.

export interface WorkQueue {
  /** Queues key; resolves when the queue next drains. */
  add(key: string): Promise<void>;
  /** Queues key after ms (once: a pending delayed add for the same key wins unless it is later). */
  addAfter(key: string, ms: number): void;
  /** Queues key after its per-key exponential back-off. */
  addRateLimited(key: string): void;
  /** Resets key's back-off. */
  forget(key: string): void;
  /** How many times key has failed in a row. */
  retries(key: string): number;
  /** Resolves when nothing is queued or running. */
  drained(): Promise<void>;
  /** Keys queued or running. */
  size(): number;
  stop(): void;
}

export interface WorkQueueOptions {
  /** Delay before retrying a key whose sync returned false. */
  notDoneDelayMs?: number;
  /**
   * Delay before retrying a key whose sync threw (and a place to log it); without it the key
   * is retried after its exponential back-off.
   */
  onError?(key: string, err: unknown): number | undefined;
  /** Syncs running at once (different keys). Default 1. */
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** sync(key) returns false when the key needs another look later. */
export function workQueue(sync: (key: string) => Promise<boolean | void>, o: WorkQueueOptions = {}): WorkQueue {
  const queue = new Set<string>();
  const processing = new Set<string>();
  const dirty = new Set<string>(); // added while processing
  const delayed = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  const failures = new Map<string, number>();
  const workers = Math.max(1, o.workers ?? 1);
  const base = o.baseDelayMs ?? 5;
  const max = o.maxDelayMs ?? 1_000_000;
  let active = 0;
  let stopped = false;
  let idle: { p: Promise<void>; resolve: () => void } | undefined;

  const idlePromise = () => {
    if (!idle) {
      let resolve!: () => void;
      const p = new Promise<void>((r) => (resolve = r));
      idle = { p, resolve };
    }
    return idle.p;
  };
  const checkIdle = () => {
    if (active === 0 && (queue.size === 0 || stopped) && idle) {
      const i = idle;
      idle = undefined;
      i.resolve();
    }
  };

  // keys added in the same tick are coalesced before any sync starts
  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      pump();
    });
  }

  function pump() {
    while (!stopped && active < workers && queue.size) {
      const key = queue.values().next().value as string;
      queue.delete(key);
      processing.add(key);
      active++;
      void run(key);
    }
    checkIdle();
  }

  async function run(key: string) {
    try {
      const r = await sync(key);
      if (r === false) addAfter(key, o.notDoneDelayMs ?? 1000);
      else failures.delete(key);
    } catch (e) {
      const ms = o.onError?.(key, e);
      if (ms === undefined) addRateLimited(key);
      else addAfter(key, ms);
    } finally {
      processing.delete(key);
      active--;
      if (dirty.delete(key) && !stopped) queue.add(key);
      pump();
    }
  }

  function add(key: string): Promise<void> {
    if (stopped) return Promise.resolve();
    if (processing.has(key)) dirty.add(key);
    else queue.add(key);
    const p = idlePromise();
    schedule();
    return p;
  }

  function addAfter(key: string, ms: number) {
    if (stopped) return;
    if (ms <= 0) return void add(key);
    const at = Date.now() + ms;
    const prev = delayed.get(key);
    if (prev) {
      if (prev.at <= at) return;
      clearTimeout(prev.timer);
    }
    const timer = setTimeout(() => {
      delayed.delete(key);
      void add(key);
    }, ms);
    timer.unref();
    delayed.set(key, { timer, at });
  }

  function addRateLimited(key: string) {
    const n = failures.get(key) ?? 0;
    failures.set(key, n + 1);
    addAfter(key, Math.min(max, base * 2 ** Math.min(n, 40)));
  }

  return {
    add,
    addAfter,
    addRateLimited,
    forget: (key) => void failures.delete(key),
    retries: (key) => failures.get(key) ?? 0,
    drained: () => (active === 0 && queue.size === 0 ? Promise.resolve() : idlePromise()),
    size: () => queue.size + processing.size,
    stop() {
      stopped = true;
      for (const d of delayed.values()) clearTimeout(d.timer);
      delayed.clear();
      checkIdle();
    },
  };
}
