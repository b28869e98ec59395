// The watch cache contract: list and watch are served from memory, fed by one store watch.
import type { KubeObject } from '../api/types.js';

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  /** The object after the event (for DELETED: the last state), metadata.resourceVersion = rv. */
  obj: KubeObject;
  /** The object before the event (MODIFIED, DELETED). */
  prev?: KubeObject;
  rv: number;
}

export interface WatchCache {
  /** Resolves once the initial list is loaded and the store watch is running. */
  ready(): Promise<void>;
  /** Highest store revision the cache has applied. */
  revision(): number;
  /** Resolves when the cache has applied every write up to rv (used for consistent reads). */
  waitForRevision(rv: number, timeoutMs?: number): Promise<void>;
  /** Current object at key (metadata.resourceVersion set), or undefined. Never mutate the result. */
  get(key: string): KubeObject | undefined;
  /** Current objects whose key starts with prefix, sorted by key, and the revision they reflect. Never mutate results. */
  list(prefix: string): { items: { key: string; obj: KubeObject }[]; rv: number };
  /**
   * One page of list(prefix): up to `limit` objects after key `after` (exclusive) that `match`
   * accepts, in key order, without visiting the rest when nothing filters (a page of 500 out of
   * 150,000 costs 500). `more` says whether a later page may hold objects (for a filtered page,
   * whether one does); `remaining` counts the objects after the page when nothing filters.
   */
  listPage(prefix: string, o: { after?: string; limit: number; match?: (obj: KubeObject) => boolean }): { items: { key: string; obj: KubeObject }[]; rv: number; more: boolean; remaining?: number };
  /**
   * Delivers every event under prefix with rv > fromRv, in order: first those still in the
   * event buffer, then live ones. Throws CompactedError (from ./store.js) when fromRv is older
   * than the buffer holds. Returns a stop function.
   */
  watch(prefix: string, fromRv: number, onEvent: (ev: CacheEvent) => void): () => void;
  close(): void;
}
