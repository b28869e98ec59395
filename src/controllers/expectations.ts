// Controller expectations (client-go's ControllerExpectations): after a controller asks the API
// for N creates or deletes on behalf of an owner, it does not act on that owner again until its
// informer has observed them (or a timeout passes), so a cache that lags never causes double
// creates or deletes.

export interface Expectations {
  /** Records that `adds` creates and `dels` deletes are in flight for key. */
  expect(key: string, adds: number, dels: number): void;
  creationObserved(key: string): void;
  deletionObserved(key: string): void;
  /** A create or delete that failed will never be observed: lower the count. */
  lower(key: string, adds: number, dels: number): void;
  /** True when nothing is outstanding for key (or its expectations are older than the timeout). */
  satisfied(key: string): boolean;
  delete(key: string): void;
}

export function expectations(o: { timeoutMs?: number; now?: () => number } = {}): Expectations {
  const timeout = o.timeoutMs ?? 5 * 60_000;
  const now = o.now ?? Date.now;
  const m = new Map<string, { adds: number; dels: number; at: number }>();
  const lower = (key: string, adds: number, dels: number) => {
    const e = m.get(key);
    if (!e) return;
    e.adds -= adds;
    e.dels -= dels;
  };
  return {
    expect(key, adds, dels) {
      m.set(key, { adds, dels, at: now() });
    },
    creationObserved: (key) => lower(key, 1, 0),
    deletionObserved: (key) => lower(key, 0, 1),
    lower,
    satisfied(key) {
      const e = m.get(key);
      if (!e) return true;
      if (e.adds <= 0 && e.dels <= 0) return true;
      return now() - e.at > timeout;
    },
    delete: (key) => void m.delete(key),
  };
}
