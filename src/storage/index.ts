// Storage entry points: the Store contract, the SQLite backend and the watch cache.
export * from './store.js';
export type { CacheEvent, WatchCache } from './cache.js';
export { openSqliteStore, rawSqliteBaseline, prefixEnd, type SqliteStore, type SqliteStoreOptions, type SqliteStoreStats } from './sqlite.js';
export { createWatchCache, RevisionTimeoutError, type WatchCacheOptions } from './watchcache.js';
