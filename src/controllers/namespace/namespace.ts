// The namespace controller: once a namespace is Terminating, delete everything in it, then
// remove the `kubernetes` finalizer so the namespace itself goes away.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { KindRegistry } from '../../api/registry.js';
import { ApiError } from '../../api/errors.js';
import { workQueue } from '../../client/workqueue.js';

export interface NamespaceController {
  stop(): void;
}

export function startNamespaceController(client: Client, registry: KindRegistry, log: (msg: string, o?: object) => void): NamespaceController {
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  const queue = workQueue(sync, {
    onError(name, e) {
      log('namespace sync failed', { namespace: name, error: (e as Error).message });
      return 2000;
    },
  });
  const enqueue = (name: string) => void queue.add(name);

  /** Returns true when there is nothing left to do for this namespace. */
  async function sync(name: string): Promise<boolean> {
    const ns = await client.getOrNull<KubeObject>(`/api/v1/namespaces/${name}`);
    if (!ns || !ns.metadata.deletionTimestamp) return true;
    let remaining = 0;
    for (const d of registry.all()) {
      if (!d.namespaced || d.virtual || d.createOnly || (d as { storedAs?: unknown }).storedAs) continue;
      const verbs = d.verbs ?? ['list', 'deletecollection'];
      if (!verbs.includes('list')) continue;
      const base = d.group ? `/apis/${d.group}/${d.storageVersion}` : '/api/v1';
      const path = `${base}/namespaces/${name}/${d.plural}`;
      let list;
      try {
        list = await client.list(path);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 404 || e.code === 405)) continue;
        throw e;
      }
      if (!list.items.length) continue;
      for (const item of list.items) {
        if (!item.metadata.deletionTimestamp) {
          try {
            await client.delete(`${path}/${item.metadata.name}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
      }
      const after = await client.list(path);
      remaining += after.items.length;
    }
    if (remaining > 0) return false;
    const fin = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    await client.update(`/api/v1/namespaces/${name}/finalize`, { ...ns, spec: { ...ns.spec, finalizers: fin } });
    return true;
  }

  void (async () => {
    stopWatch = await client.watch('/api/v1/namespaces', (ev) => {
      const o = ev.object as KubeObject;
      if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && o?.metadata?.deletionTimestamp) enqueue(o.metadata.name!);
    }, () => {
      if (!stopped) log('namespace watch ended');
    });
  })();

  return {
    stop() {
      stopped = true;
      stopWatch?.();
      queue.stop();
    },
  };
}
