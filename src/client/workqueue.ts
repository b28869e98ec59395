// A work queue of keys for controllers: a key is queued at most once, one sync runs at a time,
// and a key whose sync is not done (returns false) or fails is retried after a delay. The shape of
// client-go's workqueue with rate-limited re-adds, without the Go ceremony.

export interface WorkQueue {
  /** Queues key; resolves when the queue next drains. */
  add(key: string): Promise<void>;
  /** Queues key after ms (once: a pending delayed add for the same key wins). */
  addAfter(key: string, ms: number): void;
  /** Resolves when nothing is queued or running. */
  drained(): Promise<void>;
  stop(): void;
}

export interface WorkQueueOptions {
  /** Delay before retrying a key whose sync returned false. */
  notDoneDelayMs?: number;
  /** Delay before retrying a key whose sync threw (and a place to log it). */
  onError(key: string, err: unknown): number;
}

/** sync(key) returns false when the key needs another look later. */
export function workQueue(sync: (key: string) => Promise<boolean | void>, o: WorkQueueOptions): WorkQueue {
  const queue = new Set<string>();
  const delayed = new Map<string, NodeJS.Timeout>();
  let running: Promise<void> | undefined;
  let stopped = false;

  function drain(): Promise<void> {
    if (running) return running;
    running = (async () => {
      await Promise.resolve(); // `running` is set before the loop starts
      try {
        while (queue.size && !stopped) {
          const key = queue.values().next().value as string;
          queue.delete(key);
          try {
            if ((await sync(key)) === false) addAfter(key, o.notDoneDelayMs ?? 1000);
          } catch (e) {
            addAfter(key, o.onError(key, e));
          }
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function add(key: string): Promise<void> {
    if (stopped) return Promise.resolve();
    queue.add(key);
    return drain();
  }

  function addAfter(key: string, ms: number) {
    if (delayed.has(key) || stopped) return;
    const t = setTimeout(() => {
      delayed.delete(key);
      void add(key);
    }, ms);
    t.unref();
    delayed.set(key, t);
  }

  return {
    add,
    addAfter,
    drained: () => running ?? Promise.resolve(),
    stop() {
      stopped = true;
      for (const t of delayed.values()) clearTimeout(t);
      delayed.clear();
    },
  };
}
