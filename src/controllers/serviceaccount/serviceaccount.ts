// The ServiceAccount controller (Kubernetes' serviceaccounts-controller): every active namespace
// has a `default` ServiceAccount; one deleted is created again.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component } from '../manager.js';
import { workQueue } from '../../client/workqueue.js';

const ACCOUNTS = ['default'];

export const serviceAccountController: Component = {
  name: 'serviceaccount',
  start(ctx) {
    const client = ctx.client('system:serviceaccount:kube-system:service-account-controller');
    const namespaces = ctx.informers.informer('/api/v1/namespaces');
    const accounts = ctx.informers.informer('/api/v1/serviceaccounts');
    const log = ctx.log('serviceaccount');

    async function sync(ns: string): Promise<boolean | void> {
      if (!accounts.hasSynced() || !namespaces.hasSynced()) return false;
      const n = namespaces.get(undefined, ns);
      if (!n || n.metadata.deletionTimestamp || n.status?.phase === 'Terminating') return;
      for (const name of ACCOUNTS) {
        if (accounts.get(ns, name)) continue;
        try {
          await client.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
        } catch (e) {
          // already there (the cache lags), or the namespace started terminating meanwhile
          if (e instanceof ApiError && (e.code === 409 || e.code === 403 || e.code === 404)) continue;
          throw e;
        }
      }
    }
    const queue = workQueue(sync, {
      workers: 2,
      notDoneDelayMs: 100,
      onError(key, e) {
        log('service account sync failed', { namespace: key, error: (e as Error).message });
        return undefined;
      },
    });
    const onNamespace = (n: KubeObject) => void queue.add(n.metadata.name!);
    namespaces.addEventHandler({ add: onNamespace, update: (_o, n) => onNamespace(n) });
    accounts.addEventHandler({
      delete(sa) {
        if (ACCOUNTS.includes(sa.metadata.name!)) void queue.add(sa.metadata.namespace!);
      },
    });
    return {
      stop() {
        queue.stop();
      },
    };
  },
};
