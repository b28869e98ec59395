// The event recorder every component uses: records core/v1 Events about an object, merging
// repeats of the same event (same source, object, type, reason and message) within 10 minutes
// into one Event whose count and lastTimestamp grow, as Kubernetes' EventCorrelator does.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/types.js';
import type { Client } from './local.js';
import { ApiError } from '../api/errors.js';

export interface EventSource {
  component: string;
  host?: string;
}

export interface Recorder {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void>;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
  at: number;
}

const MERGE_WINDOW_MS = 10 * 60_000;
const nowISO = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createRecorder(client: Client, source: EventSource, o: { now?: () => number } = {}): Recorder {
  const now = o.now ?? Date.now;
  const seen = new Map<string, Seen>();
  let pruneAt = 4096;
  return {
    async event(obj, type, reason, message, fieldPath) {
      const ns = obj.metadata.namespace || 'default';
      const involved = {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      };
      const key = JSON.stringify([source.component, source.host ?? '', involved.kind, involved.namespace, involved.name, involved.uid, fieldPath ?? '', type, reason, message]);
      const t = now();
      const prev = seen.get(key);
      const ts = nowISO();
      if (prev && t - prev.at < MERGE_WINDOW_MS) {
        prev.count++;
        prev.at = t;
        try {
          await client.patch(`/api/v1/namespaces/${prev.namespace}/events/${prev.name}`, { count: prev.count, lastTimestamp: ts, message }, 'merge');
          return;
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
          // the event expired or was deleted: record a new one
        }
      }
      const name = `${obj.metadata.name}.${randomBytes(8).toString('hex').slice(0, 16)}`;
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: involved,
        reason,
        message,
        type,
        source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      };
      await client.create(`/api/v1/namespaces/${ns}/events`, body);
      seen.set(key, { name, namespace: ns, count: 1, first: ts, at: t });
      // forget expired entries now and then (not on every event: that is quadratic at scale)
      if (seen.size > pruneAt) {
        for (const [k, v] of seen) if (t - v.at >= MERGE_WINDOW_MS) seen.delete(k);
        pruneAt = Math.max(4096, seen.size * 2);
      }
    },
  };
}
