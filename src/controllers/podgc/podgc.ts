// The pod garbage collector (Kubernetes' pod-garbage-collector), every 20 s:
//  - terminated pods (Succeeded/Failed) beyond terminated-pod-gc-threshold (12500) are deleted,
//    oldest first;
//  - pods bound to a node that no longer exists (checked again against the API after a 40 s
//    quarantine) are marked Failed with the DisruptionTarget condition (DeletionByPodGC) and
//    deleted at once;
//  - pods being deleted that were never scheduled, and pods being deleted on a node that is not
//    ready and carries the out-of-service taint, are deleted at once.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component } from '../manager.js';
import { keyOf } from '../../client/informer.js';

export interface PodGCOptions {
  /** terminated-pod-gc-threshold (12500; 0 disables that part). */
  terminatedPodThreshold?: number;
  /** How often the collector runs (20 s). */
  periodMs?: number;
  /** How long a node must be missing before its pods go (40 s). */
  quarantineMs?: number;
}

const nowTime = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isTerminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export function podGCComponent(o: PodGCOptions = {}): Component {
  return {
    name: 'podgc',
    start(ctx) {
      const threshold = o.terminatedPodThreshold ?? 12_500;
      const period = o.periodMs ?? 20_000;
      const quarantine = o.quarantineMs ?? 40_000;
      const client = ctx.client('system:serviceaccount:kube-system:pod-garbage-collector');
      const log = ctx.log('podgc');
      const pods = ctx.informers.informer('/api/v1/pods');
      const nodes = ctx.informers.informer('/api/v1/nodes');
      // node name → when it was first found missing
      const missingSince = new Map<string, number>();
      let stopped = false;
      let running = false;

      async function forceDelete(p: KubeObject, condition?: { reason: string; message: string }) {
        const path = `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`;
        try {
          // a pod that never finished is marked Failed first (with why, for orphans)
          if (!isTerminal(p)) {
            const status: Record<string, unknown> = { phase: 'Failed' };
            if (condition) status.conditions = [{ type: 'DisruptionTarget', status: 'True', reason: condition.reason, message: condition.message, lastTransitionTime: nowTime() }];
            await client.patch(`${path}/status`, { status }, 'strategic');
          }
          await client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
          log('forced deletion of pod', { pod: keyOf(p) });
        } catch (e) {
          if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) log('deleting pod failed', { pod: keyOf(p), error: (e as Error).message });
        }
      }

      async function gc() {
        if (running || stopped || !pods.hasSynced() || !nodes.hasSynced()) return;
        running = true;
        try {
          const all = pods.list();
          // terminated pods above the threshold, oldest first
          if (threshold > 0) {
            const terminated = all.filter(isTerminal);
            if (terminated.length > threshold) {
              terminated.sort((a, b) => {
                const ea = a.status?.reason === 'Evicted' ? 0 : 1;
                const eb = b.status?.reason === 'Evicted' ? 0 : 1;
                if (ea !== eb) return ea - eb;
                const ta = a.metadata.creationTimestamp ?? '';
                const tb = b.metadata.creationTimestamp ?? '';
                return ta < tb ? -1 : ta > tb ? 1 : 0;
              });
              for (const p of terminated.slice(0, terminated.length - threshold)) {
                if (stopped) return;
                await forceDelete(p);
              }
            }
          }
          // pods on nodes that are gone
          const t = Date.now();
          const absent = new Set<string>();
          for (const p of all) {
            const n = p.spec?.nodeName;
            if (n && !nodes.get(undefined, n)) absent.add(n);
          }
          for (const n of [...missingSince.keys()]) if (!absent.has(n)) missingSince.delete(n);
          for (const n of absent) {
            const since = missingSince.get(n);
            if (since === undefined) {
              missingSince.set(n, t);
              continue;
            }
            if (t - since < quarantine) continue;
            // the cache may lag: ask the API before deleting anything
            if (await client.getOrNull(`/api/v1/nodes/${n}`)) {
              missingSince.delete(n);
              continue;
            }
            for (const p of all) {
              if (stopped) return;
              if (p.spec?.nodeName === n) await forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
            }
            missingSince.delete(n);
          }
          for (const p of all) {
            if (stopped) return;
            if (!p.metadata.deletionTimestamp) continue;
            // deleted before it was ever scheduled
            if (!p.spec?.nodeName) {
              await forceDelete(p);
              continue;
            }
            // terminating on a node declared out of service
            const node = nodes.get(undefined, p.spec.nodeName);
            if (!node) continue;
            const ready = (node.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready')?.status === 'True';
            const oos = ((node.spec?.taints ?? []) as any[]).some((x) => x.key === 'node.kubernetes.io/out-of-service' && x.effect === 'NoExecute');
            if (!ready && oos) await forceDelete(p);
          }
        } finally {
          running = false;
        }
      }
      const timer = setInterval(() => void gc().catch((e) => log('pod gc failed', { error: (e as Error).message })), period);
      timer.unref();
      void Promise.all([pods.synced(), nodes.synced()]).then(() => gc()).catch((e) => log('pod gc failed', { error: (e as Error).message }));
      return {
        stop() {
          stopped = true;
          clearInterval(timer);
        },
      };
    },
  };
}

export const podGCController = podGCComponent();
