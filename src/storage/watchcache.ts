// The watch cache: one store watch feeds an in-memory copy of every object under a prefix, so
// gets, lists and watches are served without touching the store.
//
// Memory: one parsed object per current key. Events in the ring buffer reference those same
// instances (ADDED/MODIFIED obj is the map value; prev is the previous map value); only a DELETED
// event allocates a new object (a shallow copy carrying the delete's resourceVersion).
// Objects are never mutated after they enter the cache.
import type { KubeObject } from '../api/types.js';
import type { CacheEvent, WatchCache } from './cache.js';
import { CompactedError, type KV, type Store, type WatchEvent } from './store.js';

export interface WatchCacheOptions {
  /** Store prefix to mirror (default '/registry/'). */
  prefix?: string;
  /** Events kept for watches that start in the past (default 100,000). */
  bufferSize?: number;
}

/** Rejection of waitForRevision when the cache does not reach the revision in time. */
export class RevisionTimeoutError extends Error {
  constructor(public requested: number, public current: number) {
    super(`Too large resource version: ${requested}, current: ${current}`);
  }
}

interface Listener {
  prefix: string;
  last: number;
  onEvent: (ev: CacheEvent) => void;
  stopped: boolean;
}

interface Waiter {
  rv: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  timer?: NodeJS.Timeout;
}

/** Sorted keys of one top-level resource prefix (e.g. '/registry/pods/'). */
class KeyIndex {
  keys: string[] = [];

  /** First position whose key is >= k. */
  lowerBound(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(k: string): void {
    const n = this.keys.length;
    if (n === 0 || this.keys[n - 1] < k) {
      this.keys.push(k);
      return;
    }
    const i = this.lowerBound(k);
    if (this.keys[i] !== k) this.keys.splice(i, 0, k);
  }

  remove(k: string): void {
    const i = this.lowerBound(k);
    if (this.keys[i] === k) this.keys.splice(i, 1);
  }
}

/**
 * managedFields tries are about half of a typical object and nearly always identical across the
 * objects one workflow writes (every pod of a ReplicaSet, every create by the same manifest).
 * Cached objects are immutable, so identical tries are shared: one instance per distinct trie.
 */
const fieldsV1Interned = new Map<string, unknown>();
const MAX_INTERNED = 8192;
function internManagedFields(obj: KubeObject): void {
  const mf = obj.metadata.managedFields;
  if (!Array.isArray(mf)) return;
  for (const e of mf) {
    if (!e || typeof e !== 'object' || !e.fieldsV1) continue;
    const text = JSON.stringify(e.fieldsV1);
    const shared = fieldsV1Interned.get(text);
    if (shared !== undefined) e.fieldsV1 = shared as typeof e.fieldsV1;
    else {
      if (fieldsV1Interned.size >= MAX_INTERNED) fieldsV1Interned.clear();
      fieldsV1Interned.set(text, e.fieldsV1);
    }
  }
}

export function createWatchCache(store: Store, opts: WatchCacheOptions = {}): WatchCache {
  const prefix = opts.prefix ?? '/registry/';
  const capacity = Math.max(1, opts.bufferSize ?? 100_000);

  const objects = new Map<string, KubeObject>();
  /** Index name → sorted keys. The name is the key up to and including the segment after prefix. */
  const indexes = new Map<string, KeyIndex>();
  /** Keys with no '/' after the prefix (they belong to no resource index). */
  const looseKeys = new KeyIndex();

  // Ring buffer of events; every event with rv > bufferStart is in it.
  const ring: (CacheEvent | undefined)[] = new Array(capacity);
  let ringHead = 0; // index of the oldest event
  let ringLen = 0;
  let bufferStart = 0;

  let rev = 0;
  let closed = false;
  let stopStoreWatch: (() => void) | undefined;
  const listeners = new Set<Listener>();
  let waiters: Waiter[] = [];

  const indexNameOf = (key: string): string | undefined => {
    const slash = key.indexOf('/', prefix.length);
    return slash < 0 ? undefined : key.slice(0, slash + 1);
  };

  const indexAdd = (key: string): void => {
    const name = indexNameOf(key);
    if (name === undefined) {
      looseKeys.add(key);
      return;
    }
    let idx = indexes.get(name);
    if (!idx) indexes.set(name, (idx = new KeyIndex()));
    idx.add(key);
  };

  const indexRemove = (key: string): void => {
    const name = indexNameOf(key);
    const idx = name === undefined ? looseKeys : indexes.get(name);
    if (!idx) return;
    idx.remove(key);
    if (name !== undefined && idx.keys.length === 0) indexes.delete(name);
  };

  const parse = (kv: KV, rv: number): KubeObject => {
    const obj = JSON.parse(kv.value) as KubeObject;
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    obj.metadata.resourceVersion = String(rv);
    internManagedFields(obj);
    return obj;
  };

  const withRv = (obj: KubeObject, rv: number): KubeObject => ({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: String(rv) },
  });

  const pushEvent = (ev: CacheEvent): void => {
    if (ringLen === capacity) {
      const evicted = ring[ringHead]!;
      bufferStart = evicted.rv;
      ring[ringHead] = ev;
      ringHead = (ringHead + 1) % capacity;
    } else {
      ring[(ringHead + ringLen) % capacity] = ev;
      ringLen++;
    }
  };

  const deliver = (l: Listener, ev: CacheEvent): void => {
    if (l.stopped || ev.rv <= l.last || !ev.key.startsWith(l.prefix)) return;
    l.last = ev.rv;
    try {
      l.onEvent(ev);
    } catch (err) {
      console.error('watch cache: watch callback failed:', err);
    }
  };

  const settleWaiters = (): void => {
    if (waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of waiters) {
      if (w.rv <= rev) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    waiters = keep;
  };

  const onStoreEvent = (sev: WatchEvent): void => {
    if (closed || sev.revision <= rev) return;
    const key = sev.kv.key;
    const prev = objects.get(key) ?? (sev.prevKv ? parse(sev.prevKv, sev.prevKv.modRevision) : undefined);
    let ev: CacheEvent;
    if (sev.type === 'DELETE') {
      const last = prev ?? parse(sev.kv, sev.revision);
      const obj = withRv(last, sev.revision);
      if (objects.delete(key)) indexRemove(key);
      ev = { type: 'DELETED', key, obj, prev: last, rv: sev.revision };
    } else {
      const obj = parse(sev.kv, sev.kv.modRevision);
      if (!objects.has(key)) indexAdd(key);
      objects.set(key, obj);
      ev = sev.prevKv
        ? { type: 'MODIFIED', key, obj, prev, rv: sev.revision }
        : { type: 'ADDED', key, obj, rv: sev.revision };
    }
    rev = sev.revision;
    pushEvent(ev);
    if (listeners.size > 0) for (const l of [...listeners]) deliver(l, ev);
    settleWaiters();
  };

  const load = async (): Promise<void> => {
    // The list and the watch are two calls; if history is compacted in between, start over.
    for (let attempt = 1; ; attempt++) {
      try {
        await loadOnce();
        return;
      } catch (err) {
        if (!(err instanceof CompactedError) || attempt >= 5) throw err;
        objects.clear();
        indexes.clear();
        looseKeys.keys = [];
      }
    }
  };

  const loadOnce = async (): Promise<void> => {
    const res = await store.list(prefix);
    if (closed) return;
    for (const kv of res.kvs) {
      objects.set(kv.key, parse(kv, kv.modRevision));
      const name = indexNameOf(kv.key);
      if (name === undefined) looseKeys.keys.push(kv.key);
      else {
        let idx = indexes.get(name);
        if (!idx) indexes.set(name, (idx = new KeyIndex()));
        idx.keys.push(kv.key); // the store returns keys sorted
      }
    }
    rev = res.revision;
    bufferStart = res.revision;
    stopStoreWatch = store.watch(prefix, res.revision, onStoreEvent);
    settleWaiters();
  };
  const readyPromise = load();
  // Avoid an unhandled rejection when nobody awaits ready(); callers still see the error.
  readyPromise.catch(() => undefined);

  /** Keys under p, in order: from the resource index when p lies inside one, else merged. */
  const keysUnder = (p: string): string[] => {
    const out: string[] = [];
    const scan = (idx: KeyIndex): void => {
      const keys = idx.keys;
      for (let i = idx.lowerBound(p); i < keys.length && keys[i].startsWith(p); i++) out.push(keys[i]);
    };
    const name = p.length > prefix.length && p.startsWith(prefix) ? indexNameOf(p) : undefined;
    if (name !== undefined) {
      const idx = indexes.get(name);
      if (idx) scan(idx);
      return out;
    }
    // p covers several resources (or lies outside the mirrored prefix): visit the indexes in
    // name order; their key ranges are disjoint and ordered like their names.
    const names = [...indexes.keys()].filter((n) => n.startsWith(p) || p.startsWith(n)).sort();
    for (const n of names) scan(indexes.get(n)!);
    const before = out.length;
    scan(looseKeys);
    if (out.length > before && names.length > 0) out.sort();
    return out;
  };

  const cache: WatchCache = {
    ready: () => readyPromise,
    revision: () => rev,

    waitForRevision(target, timeoutMs = 3000) {
      if (target <= rev) return Promise.resolve();
      if (closed) return Promise.reject(new Error('watch cache: closed'));
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { rv: target, resolve, reject };
        if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
          w.timer = setTimeout(() => {
            waiters = waiters.filter((x) => x !== w);
            reject(new RevisionTimeoutError(target, rev));
          }, timeoutMs);
        }
        waiters.push(w);
      });
    },

    get: (key) => objects.get(key),

    list(p) {
      const items = keysUnder(p).map((key) => ({ key, obj: objects.get(key)! }));
      return { items, rv: rev };
    },

    listPage(p, o) {
      const name = p.length > prefix.length && p.startsWith(prefix) ? indexNameOf(p) : undefined;
      const idx = name !== undefined ? indexes.get(name) : undefined;
      const items: { key: string; obj: KubeObject }[] = [];
      if (name !== undefined && !idx) return { items, rv: rev, more: false, remaining: o.match ? undefined : 0 };
      // keys of one resource: a binary search to the start, then only as far as the page goes
      let keys: string[];
      let i: number;
      if (idx) {
        keys = idx.keys;
        i = idx.lowerBound(o.after !== undefined && o.after >= p ? o.after : p);
      } else {
        keys = keysUnder(p);
        i = 0;
        if (o.after !== undefined) while (i < keys.length && keys[i] < o.after) i++;
      }
      if (o.after !== undefined && keys[i] === o.after) i++;
      for (; i < keys.length && keys[i].startsWith(p); i++) {
        const obj = objects.get(keys[i])!;
        if (o.match && !o.match(obj)) continue;
        if (items.length >= o.limit) break;
        items.push({ key: keys[i], obj });
      }
      if (i >= keys.length || !keys[i].startsWith(p)) return { items, rv: rev, more: false, remaining: o.match ? undefined : 0 };
      if (!o.match) {
        // the end of the prefix's range, by binary search: keys under p are contiguous
        let lo = i;
        let hi = keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (keys[mid].startsWith(p) || keys[mid] < p) lo = mid + 1;
          else hi = mid;
        }
        return { items, rv: rev, more: true, remaining: lo - i };
      }
      // filtered: is there another match at all?
      for (; i < keys.length && keys[i].startsWith(p); i++) if (o.match(objects.get(keys[i])!)) return { items, rv: rev, more: true };
      return { items, rv: rev, more: false };
    },

    watch(p, fromRv, onEvent) {
      if (closed) throw new Error('watch cache: closed');
      if (fromRv < bufferStart) throw new CompactedError(fromRv, bufferStart);
      const l: Listener = { prefix: p, last: fromRv, onEvent, stopped: false };
      if (fromRv < rev && ringLen > 0) {
        // Binary search the first buffered event with rv > fromRv (the ring is in rv order).
        let lo = 0;
        let hi = ringLen;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (ring[(ringHead + mid) % capacity]!.rv <= fromRv) lo = mid + 1;
          else hi = mid;
        }
        const end = ringLen;
        for (let i = lo; i < end && !l.stopped; i++) deliver(l, ring[(ringHead + i) % capacity]!);
      }
      listeners.add(l);
      return () => {
        l.stopped = true;
        listeners.delete(l);
      };
    },

    close() {
      if (closed) return;
      closed = true;
      stopStoreWatch?.();
      for (const l of listeners) l.stopped = true;
      listeners.clear();
      for (const w of waiters) {
        if (w.timer) clearTimeout(w.timer);
        w.reject(new Error('watch cache: closed'));
      }
      waiters = [];
    },
  };
  return cache;
}
