// Shared informers: one list+watch per resource path, kept in a local cache that every
// controller reads through listers and indexers, with handlers told about adds, updates and
// deletes. The shape of client-go's SharedIndexInformer:
//  - list, then watch from the list's resourceVersion; a watch that ends is resumed from the
//    last seen resourceVersion; a watch that fails with 410 Gone (or cannot be resumed) relists
//    and reports the differences (adds, updates, deletes of objects that vanished meanwhile);
//  - an optional resync period re-delivers every cached object as an update;
//  - objects are keyed `namespace/name` (or `name` for cluster-scoped kinds).
// Cached objects are shared and must be treated as immutable: copy before changing.
import type { KubeObject } from '../api/types.js';
import type { Client } from './local.js';

export interface EventHandlers<T extends KubeObject = KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** For deletes, obj is the last known state. */
  delete?(obj: T): void;
}

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export interface Lister<T extends KubeObject = KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[];
  /** Objects whose index function returned value. */
  byIndex(index: string, value: string): T[];
}

export interface Informer<T extends KubeObject = KubeObject> extends Lister<T> {
  readonly path: string;
  addEventHandler(h: EventHandlers<T>): void;
  addIndexer(name: string, fn: IndexFunc<T>): void;
  /** Resolves once the first list has been loaded. */
  synced(): Promise<void>;
  hasSynced(): boolean;
  /** The resourceVersion of the last event or list seen. */
  lastResourceVersion(): string;
  stop(): void;
}

export const keyOf = (o: { metadata: { namespace?: string; name?: string } }) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name as string));
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}

export const namespaceIndex: IndexFunc = (o) => [o.metadata.namespace ?? ''];

export interface InformerOptions {
  /** Re-deliver every object as an update this often (0 = never). */
  resyncMs?: number;
  /** Query parameters added to list and watch (labelSelector, fieldSelector). */
  query?: string;
  log?: (msg: string, o?: object) => void;
  /** Delay before retrying a failed list. */
  retryMs?: number;
}

export function newInformer<T extends KubeObject = KubeObject>(client: Client, path: string, o: InformerOptions = {}): Informer<T> {
  const items = new Map<string, T>();
  const handlers: EventHandlers<T>[] = [];
  const indexers = new Map<string, IndexFunc<T>>();
  const indices = new Map<string, Map<string, Set<string>>>();
  let rv = '';
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  let hasSynced = false;
  let resolveSynced!: () => void;
  const syncedP = new Promise<void>((r) => (resolveSynced = r));
  let resync: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  const q = o.query ? `?${o.query}` : '';
  const withQ = (extra: string) => (q ? `${path}${q}&${extra}` : `${path}?${extra}`);
  addIndexer('namespace', namespaceIndex as IndexFunc<T>);

  function indexAdd(key: string, obj: T) {
    for (const [name, fn] of indexers) {
      const idx = indices.get(name)!;
      for (const v of fn(obj)) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Set()));
        s.add(key);
      }
    }
  }
  function indexRemove(key: string, obj: T) {
    for (const [name, fn] of indexers) {
      const idx = indices.get(name)!;
      for (const v of fn(obj)) {
        const s = idx.get(v);
        if (!s) continue;
        s.delete(key);
        if (!s.size) idx.delete(v);
      }
    }
  }
  function put(obj: T) {
    const key = keyOf(obj);
    const prev = items.get(key);
    if (prev) indexRemove(key, prev);
    items.set(key, obj);
    indexAdd(key, obj);
    if (prev) for (const h of handlers) call(() => h.update?.(prev, obj));
    else for (const h of handlers) call(() => h.add?.(obj));
  }
  function remove(obj: T) {
    const key = keyOf(obj);
    const prev = items.get(key);
    if (!prev) return;
    indexRemove(key, prev);
    items.delete(key);
    for (const h of handlers) call(() => h.delete?.(obj));
  }
  function call(f: () => void) {
    try {
      f();
    } catch (e) {
      o.log?.('informer handler failed', { path, error: (e as Error).stack ?? String(e) });
    }
  }

  async function relist() {
    if (stopped) return;
    stopWatch?.();
    stopWatch = undefined;
    let list;
    try {
      list = await client.list<T>(q ? `${path}${q}` : path);
    } catch (e) {
      o.log?.('informer list failed', { path, error: (e as Error).message });
      retry = setTimeout(() => void relist(), o.retryMs ?? 1000);
      retry.unref?.();
      return;
    }
    if (stopped) return;
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const prev = items.get(key);
      if (prev && prev.metadata.resourceVersion === item.metadata.resourceVersion) continue;
      put(item);
    }
    for (const [key, obj] of [...items]) if (!seen.has(key)) remove(obj);
    rv = list.metadata.resourceVersion;
    if (!hasSynced) {
      hasSynced = true;
      resolveSynced();
    }
    await watch();
  }

  async function watch() {
    if (stopped) return;
    let ended = false;
    let gone = false;
    try {
      stopWatch = await client.watch(
        withQ(`resourceVersion=${rv}&allowWatchBookmarks=true`),
        (ev) => {
          if (stopped) return;
          const obj = ev.object as T;
          if (ev.type === 'ERROR') {
            gone = true;
            return;
          }
          const newRv = obj?.metadata?.resourceVersion;
          if (newRv) rv = newRv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') put(obj);
          else if (ev.type === 'DELETED') remove(obj);
        },
        () => {
          if (ended) return;
          ended = true;
          stopWatch = undefined;
          if (stopped) return;
          // a watch that ended normally resumes where it was; one that failed relists
          setImmediate(() => void (gone ? relist() : watch()));
        },
      );
    } catch (e) {
      // 410 on the watch request itself, or the server went away: start over
      o.log?.('informer watch failed', { path, error: (e as Error).message });
      retry = setTimeout(() => void relist(), o.retryMs ?? 1000);
      retry.unref?.();
    }
  }

  function addIndexer(name: string, fn: IndexFunc<T>) {
    indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    indices.set(name, idx);
    for (const [key, obj] of items)
      for (const v of fn(obj)) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Set()));
        s.add(key);
      }
  }

  const byIndex = (index: string, value: string): T[] => {
    const s = indices.get(index)?.get(value);
    if (!s) return [];
    const out: T[] = [];
    for (const k of s) out.push(items.get(k)!);
    return out;
  };

  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    void relist();
    if (o.resyncMs) {
      resync = setInterval(() => {
        for (const obj of items.values()) for (const h of handlers) call(() => h.update?.(obj, obj));
      }, o.resyncMs);
      resync.unref?.();
    }
  };

  return {
    path,
    addEventHandler(h) {
      handlers.push(h);
      // a handler added late hears about what is already cached
      for (const obj of items.values()) call(() => h.add?.(obj));
      start();
    },
    addIndexer,
    synced() {
      start();
      return syncedP;
    },
    hasSynced: () => hasSynced,
    lastResourceVersion: () => rv,
    get: (ns, name) => items.get(ns ? `${ns}/${name}` : name),
    getByKey: (key) => items.get(key),
    list: (ns) => (ns === undefined ? [...items.values()] : byIndex('namespace', ns)),
    byIndex,
    stop() {
      stopped = true;
      stopWatch?.();
      if (resync) clearInterval(resync);
      if (retry) clearTimeout(retry);
    },
  };
}

/** One informer per (path, query), shared by every controller that asks for it. */
export interface InformerFactory {
  informer<T extends KubeObject = KubeObject>(path: string, o?: { query?: string }): Informer<T>;
  /** Resolves once every informer created so far has synced. */
  synced(): Promise<void>;
  stop(): void;
}

export function informerFactory(client: Client, o: { resyncMs?: number; log?: (m: string, x?: object) => void } = {}): InformerFactory {
  const all = new Map<string, Informer<any>>();
  return {
    informer(path, io = {}) {
      const key = `${path}?${io.query ?? ''}`;
      let inf = all.get(key);
      if (!inf) all.set(key, (inf = newInformer(client, path, { resyncMs: o.resyncMs, log: o.log, query: io.query })));
      return inf;
    },
    async synced() {
      await Promise.all([...all.values()].map((i) => i.synced()));
    },
    stop() {
      for (const i of all.values()) i.stop();
    },
  };
}
