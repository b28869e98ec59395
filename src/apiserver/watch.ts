// Watch streams served from the watch cache: initial state, live events filtered by label and
// field selectors (an object leaving the selection is sent as DELETED), bookmarks, timeouts.
import type { ResourceDescriptor } from '../api/descriptor.js';
import { apiVersionOf } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import { ApiError, gone } from '../api/errors.js';
import { CompactedError } from '../storage/store.js';
import type { CacheEvent } from '../storage/cache.js';
import type { RequestInfo } from './request.js';
import type { ServerContext } from './context.js';
import { listPrefix, consistentRevision } from './objectstore.js';
import { fromStorage, partialMetadata } from './convert.js';
import { table } from './tables.js';
import { matchesFilter, jsonOf, type Filter } from './rest.js';
import { watchersGauge } from './metrics.js';

export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

export interface WatchSource {
  /**
   * Starts delivering; returns a stop function. `end` is called when the server ends the watch.
   * `line` is the event already serialized as one JSON line, shared by every watcher that
   * receives the same event in the same form (so a fan-out to many watchers serializes once).
   */
  start(send: (ev: WatchEventOut, line?: Buffer) => void, end: () => void, o?: { lines?: boolean }): () => void;
}

/**
 * Serialized watch lines per object instance: the watch cache hands the same immutable object to
 * every watcher, so the JSON line for (object, type, version, form) is made once.
 */
const lineMemo = new WeakMap<object, Map<string, Buffer>>();
function memoLine(obj: object, key: string, make: () => string): Buffer {
  let m = lineMemo.get(obj);
  if (!m) lineMemo.set(obj, (m = new Map()));
  let line = m.get(key);
  // one Buffer shared by every watcher's socket writes: no per-watcher copy of the bytes
  if (line === undefined) m.set(key, (line = Buffer.from(make())));
  return line;
}

const BOOKMARK_INTERVAL_MS = Number(process.env.SAMPAN_BOOKMARK_INTERVAL_MS ?? 60_000);
const activeWatchers = new Map<string, number>();

export async function startWatch(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, filter: Filter, mode: 'Object' | 'Table' | 'Partial'): Promise<WatchSource> {
  const q = info.query;
  const rvParam = q.get('resourceVersion') ?? '';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const sendInitial = q.get('sendInitialEvents');
  const timeoutSec = Number(q.get('timeoutSeconds') ?? 0) || 0;
  if (sendInitial !== null) {
    if (q.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan`);
    }
    if (!bookmarks) throw new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is set`);
  }
  const initial = sendInitial === 'true' || (sendInitial === null && (rvParam === '' || rvParam === '0'));
  if (rvParam === '' || sendInitial === 'true') await consistentRevision(sc);
  let fromRv = 0;
  if (rvParam !== '' && rvParam !== '0') {
    if (!/^\d+$/.test(rvParam)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${rvParam}`);
    fromRv = Number(rvParam);
  }
  const prefix = listPrefix(d, filter.namespace);
  const version = info.version;
  const resourceKey = `${d.group}/${d.plural}`;
  let firstTable = true;

  const render = (o: KubeObject): unknown => {
    if (mode === 'Table') {
      const t = table(d, [o], { include: (q.get('includeObject') as 'None' | 'Metadata' | 'Object') || 'Metadata', now: new Date(), withColumns: firstTable, convert: (x) => fromStorage(d, version, x) });
      firstTable = false;
      return t;
    }
    if (mode === 'Partial') return partialMetadata(o);
    return fromStorage(d, version, o);
  };
  const bookmark = (rv: number, initialEnd = false): WatchEventOut => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const object = mode === 'Object' ? { kind: d.kind, apiVersion: apiVersionOf(d.requestGroup ?? d.group, version), metadata } : { kind: mode === 'Table' ? 'Table' : 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
    return { type: 'BOOKMARK', object };
  };

  return {
    start(send, end, startOpts = {}) {
      // in-process watchers (controllers) take objects; only network watchers need JSON lines
      const wantLines = startOpts.lines !== false;
      let stopped = false;
      let stopCache: (() => void) | undefined;
      const timers: NodeJS.Timeout[] = [];
      const stop = () => {
        if (stopped) return;
        stopped = true;
        stopCache?.();
        for (const t of timers) clearTimeout(t), clearInterval(t);
        activeWatchers.set(resourceKey, (activeWatchers.get(resourceKey) ?? 1) - 1);
        watchersGauge.set({ group: d.group, resource: d.plural }, activeWatchers.get(resourceKey) ?? 0);
      };
      activeWatchers.set(resourceKey, (activeWatchers.get(resourceKey) ?? 0) + 1);
      watchersGauge.set({ group: d.group, resource: d.plural }, activeWatchers.get(resourceKey) ?? 0);
      const onEvent = (ev: CacheEvent) => {
        if (stopped) return;
        const now = matchesFilter(d, filter, ev.obj);
        const before = ev.prev ? matchesFilter(d, filter, ev.prev) : false;
        let type: WatchEventOut['type'] | undefined;
        if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined;
        else if (ev.type === 'MODIFIED') type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
        else type = before || now ? 'DELETED' : undefined;
        if (!type) return;
        let obj = ev.obj;
        if (type === 'DELETED' && ev.type === 'MODIFIED') {
          obj = { ...ev.obj };
        }
        // Table events after the first carry no column definitions, so all such lines are alike
        const form = mode === 'Table' ? (firstTable ? '' : `T|${q.get('includeObject') ?? ''}`) : mode;
        if (wantLines && form && !(type === 'DELETED' && ev.type === 'MODIFIED')) {
          const line = memoLine(ev.obj, `${type}|${d.requestGroup ?? d.group}|${version}|${form}`, () => {
            const rendered = render(obj);
            // a storage-version object is the cached instance itself: reuse its list JSON
            return `{"type":${JSON.stringify(type)},"object":${rendered === obj ? jsonOf(obj) : JSON.stringify(rendered)}}\n`;
          });
          // in-process clients read the object; HTTP writes the shared line
          send({ type, object: mode === 'Table' ? undefined : render(obj) }, line);
          return;
        }
        send({ type, object: render(obj) });
      };
      try {
        if (initial) {
          const snap = sc.cache.list(prefix);
          for (const { obj } of snap.items) if (matchesFilter(d, filter, obj)) send({ type: 'ADDED', object: render(obj) });
          if (sendInitial === 'true') send(bookmark(snap.rv, true));
          stopCache = sc.cache.watch(prefix, snap.rv, onEvent);
        } else {
          stopCache = sc.cache.watch(prefix, fromRv, onEvent);
        }
      } catch (e) {
        if (e instanceof CompactedError) {
          send({ type: 'ERROR', object: gone(`too old resource version: ${fromRv} (${e.compacted})`).toStatus() });
          queueMicrotask(() => {
            stop();
            end();
          });
          return stop;
        }
        throw e;
      }
      if (bookmarks) {
        const t = setInterval(() => !stopped && send(bookmark(sc.cache.revision())), BOOKMARK_INTERVAL_MS);
        t.unref();
        timers.push(t);
      }
      if (timeoutSec > 0) {
        const t = setTimeout(() => {
          stop();
          end();
        }, timeoutSec * 1000);
        t.unref();
        timers.push(t);
      }
      return stop;
    },
  };
}
