// Events expire an hour after they last happened (Kubernetes gives them a one-hour etcd lease).
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import { ApiError } from '../../api/errors.js';

export const EVENT_TTL_MS = 60 * 60_000;

export function startEventTTL(client: Client, o: { ttlMs?: number; intervalMs?: number; log: (m: string, x?: object) => void }) {
  const ttl = o.ttlMs ?? EVENT_TTL_MS;
  const sweep = async () => {
    const list = await client.list<KubeObject>('/api/v1/events');
    const now = Date.now();
    for (const ev of list.items) {
      const last = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '');
      if (!Number.isFinite(last) || now - last < ttl) continue;
      try {
        await client.delete(`/api/v1/namespaces/${ev.metadata.namespace}/events/${ev.metadata.name}`);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  };
  const t = setInterval(() => sweep().catch((e) => o.log('event expiry failed', { error: (e as Error).message })), o.intervalMs ?? 60_000);
  t.unref();
  return { stop: () => clearInterval(t), sweep };
}
