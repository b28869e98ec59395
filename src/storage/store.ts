// The storage contract, shaped like etcd v3 so the SQLite backend and the etcd backend are
// interchangeable. Keys mirror etcd's layout: /registry/<resource>/<namespace>/<name>.
// One global, monotonically increasing revision orders every write; an object's
// resourceVersion is the revision of its last write (modRevision).

export interface KV {
  key: string;
  /** JSON text of the object, without metadata.resourceVersion (that is modRevision). */
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  /** For PUT the new value; for DELETE the last value, with modRevision = the delete's revision. */
  kv: KV;
  /** The value before this event (absent for creates). */
  prevKv?: KV;
  revision: number;
}

export type UpdateResult = { ok: true; kv: KV } | { ok: false; current: KV | null };
export type DeleteResult = { ok: true; prev: KV; revision: number } | { ok: false; current: KV | null };

export class CompactedError extends Error {
  constructor(public requested: number, public compacted: number) {
    super(`revision ${requested} has been compacted (oldest available ${compacted})`);
  }
}
export class FutureRevisionError extends Error {
  constructor(public requested: number, public current: number) {
    super(`revision ${requested} is in the future (current ${current})`);
  }
}

export interface ListOptions {
  /** Read as of this revision (0 or undefined: the current one). Throws CompactedError / FutureRevisionError. */
  revision?: number;
  /** Only keys strictly greater than this (paging). */
  after?: string;
  limit?: number;
}

export interface ListResult {
  kvs: KV[];
  /** The revision the list was read at. */
  revision: number;
  /** True when limit cut the result. */
  more: boolean;
}

export interface Store {
  /** Revision of the last committed write. */
  currentRevision(): number;
  /** Oldest revision still readable/watchable (everything at or below compactRevision is gone). */
  compactedRevision(): number;
  get(key: string): Promise<KV | null>;
  /** Keys with the given prefix, sorted by key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Creates key; null when it already exists. Resolves only once durable. */
  create(key: string, value: string): Promise<KV | null>;
  /** Compare-and-swap on modRevision (0 = unconditional). Resolves once durable. */
  update(key: string, value: string, expectedModRevision: number): Promise<UpdateResult>;
  /** Deletes key (optionally only at expectedModRevision). Resolves once durable. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /**
   * Calls onEvent, in revision order, for every change under prefix after fromRevision
   * (history first, then live). Throws CompactedError if fromRevision was compacted.
   * Returns a function that stops the watch.
   */
  watch(prefix: string, fromRevision: number, onEvent: (ev: WatchEvent) => void): () => void;
  /** Forgets history at and below revision. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
