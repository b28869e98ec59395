// The ResourceQuota controller: keeps status.hard (spec.hard) and status.used current. A quota is
// recomputed when it changes, when an object it measures changes in its namespace, and every
// five minutes (Kubernetes' full resync), which also catches pods whose deletion grace period
// ran out. Informers for the kinds quotas measure start only once some quota needs them.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { KindRegistry } from '../../api/registry.js';
import type { Component, ControllerContext } from '../manager.js';
import type { Informer, InformerFactory } from '../../client/informer.js';
import { ApiError } from '../../api/errors.js';
import { canonicalQuantity } from '../../api/quantity.js';
import { keyOf } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { evaluatedBy, quotaUsage, usageToList, type Evaluated } from './usage.js';

const QUOTAS = '/api/v1/resourcequotas';
const FULL_RESYNC_MS = 5 * 60_000;

/** The parts of a pod spec that decide its compute charge. */
const resourcesOf = (p: KubeObject) => JSON.stringify([p.spec?.containers?.map((c: any) => c?.resources), p.spec?.initContainers?.map((c: any) => c?.resources), p.spec?.overhead]);

const evaluatedKey = (e: Evaluated) => (typeof e === 'string' ? `/${e}` : `${e.group}/${e.resource}`);

function sameList(a: Record<string, unknown> | undefined, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => canonicalQuantity(a![k]) === canonicalQuantity(b[k]) && k in b);
}

export function resourceQuotaController(d: { client: Client; informers: InformerFactory; registry: KindRegistry; quotas: Informer; log: (m: string, o?: object) => void }) {
  const { client, informers, registry, quotas } = d;
  // evaluated kind → its informer (undefined while the kind is not served)
  const watched = new Map<string, Informer | undefined>();

  const enqueueNamespace = (ns: string | undefined) => {
    for (const q of quotas.byIndex('namespace', ns ?? '')) queue.add(keyOf(q));
  };

  function pathFor(e: Evaluated): string | undefined {
    if (e === 'pods' || e === 'services' || e === 'persistentvolumeclaims') return `/api/v1/${e}`;
    const desc = registry.byGroupResource(e.group, e.resource);
    if (!desc || !desc.namespaced) return undefined;
    return e.group ? `/apis/${e.group}/${desc.storageVersion}/${e.resource}` : `/api/v1/${e.resource}`;
  }

  function informerFor(e: Evaluated): Informer | undefined {
    const key = evaluatedKey(e);
    if (watched.has(key) && watched.get(key)) return watched.get(key);
    if (e === 'pods' || e === 'services' || e === 'persistentvolumeclaims' || e.group !== '' || e.resource !== 'resourcequotas') {
      const path = pathFor(e);
      if (!path) {
        watched.set(key, undefined);
        return undefined;
      }
      const inf = informers.informer(path);
      watched.set(key, inf);
      if (e === 'pods') {
        inf.addEventHandler({
          add: (p) => enqueueNamespace(p.metadata.namespace),
          update(o, n) {
            if (o.status?.phase !== n.status?.phase || o.metadata.deletionTimestamp !== n.metadata.deletionTimestamp || resourcesOf(o) !== resourcesOf(n)) enqueueNamespace(n.metadata.namespace);
          },
          delete: (p) => enqueueNamespace(p.metadata.namespace),
        });
      } else {
        // only services and claims are charged by content; object counts change on add and delete
        const byContent = e === 'services' || e === 'persistentvolumeclaims';
        inf.addEventHandler({
          add: (o) => enqueueNamespace(o.metadata.namespace),
          update(_o, n) {
            if (byContent) enqueueNamespace(n.metadata.namespace);
          },
          delete: (o) => enqueueNamespace(o.metadata.namespace),
        });
      }
      return inf;
    }
    // quotas counting quotas read the quota informer itself
    watched.set(key, quotas);
    return quotas;
  }

  /** False while an informer the quota needs has not loaded yet. */
  async function sync(key: string): Promise<boolean> {
    const rq = quotas.getByKey(key);
    if (!rq || rq.metadata.deletionTimestamp) return true;
    const ns = rq.metadata.namespace!;
    const needed = new Map<string, Evaluated>();
    for (const k of Object.keys(rq.spec?.hard ?? {})) {
      const e = evaluatedBy(k);
      if (e) needed.set(evaluatedKey(e), e);
    }
    const infs = new Map<string, Informer | undefined>();
    for (const [k, e] of needed) infs.set(k, informerFor(e));
    for (const inf of infs.values()) if (inf && !inf.hasSynced()) return false;
    const used = usageToList(
      quotaUsage(rq, {
        list: (e) => infs.get(evaluatedKey(e))?.list(ns) ?? [],
      }),
    );
    const hard: Record<string, string> = {};
    for (const [k, v] of Object.entries(rq.spec?.hard ?? {})) hard[k] = canonicalQuantity(v) ?? String(v);
    if (sameList(rq.status?.hard, hard) && sameList(rq.status?.used, used)) return true;
    try {
      await client.update(`/api/v1/namespaces/${ns}/resourcequotas/${rq.metadata.name}/status`, { ...rq, status: { hard, used } });
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return true;
      throw e;
    }
    return true;
  }

  const queue = workQueue(sync, {
    workers: 4,
    notDoneDelayMs: 200,
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) d.log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  quotas.addEventHandler({
    // other quotas in the namespace may count quotas
    add: (q) => enqueueNamespace(q.metadata.namespace),
    update(o, n) {
      if (o.spec !== n.spec || o.status !== n.status) queue.add(keyOf(n));
    },
    delete: (q) => enqueueNamespace(q.metadata.namespace),
  });
  const resync = () => {
    for (const q of quotas.list()) queue.add(keyOf(q));
  };
  return { queue, sync, resync };
}

export const resourceQuotaComponent: Component = {
  name: 'resourcequota',
  start(ctx: ControllerContext) {
    const c = resourceQuotaController({
      client: ctx.client('system:serviceaccount:kube-system:resourcequota-controller'),
      informers: ctx.informers,
      registry: ctx.registry,
      quotas: ctx.informers.informer(QUOTAS),
      log: ctx.log('resourcequota'),
    });
    const timer = setInterval(c.resync, FULL_RESYNC_MS);
    timer.unref();
    return {
      stop() {
        clearInterval(timer);
        c.queue.stop();
      },
    };
  },
};
