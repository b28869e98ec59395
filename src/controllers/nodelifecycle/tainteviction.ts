// The taint eviction controller (Kubernetes' taint-eviction-controller, the NoExecute taint
// manager): a pod on a node with NoExecute taints it does not tolerate is deleted at once; one
// that tolerates them all for a while (tolerationSeconds) is deleted when the shortest of those
// runs out, counted from when this controller first saw it so; tolerating forever, or the
// taints going away, cancels a scheduled deletion. Before deleting it records
// TaintManagerEviction "Marking for deletion Pod ns/name" and adds the pod condition
// DisruptionTarget (DeletionByTaintManager), as Kubernetes does.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component } from '../manager.js';
import { keyOf, splitKey } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { matchingTolerations, minTolerationMs, noExecuteTaints, type Taint, type Toleration } from './taints.js';

const NODE_INDEX = 'taint-eviction:node';
const nowTime = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const taintsKey = (ts: Taint[]) =>
  ts
    .map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`)
    .sort()
    .join(',');

export const taintEvictionController: Component = {
  name: 'taint-eviction-controller',
  start(ctx) {
    const client = ctx.client('system:serviceaccount:kube-system:taint-eviction-controller');
    const recorder = ctx.recorder('taint-eviction-controller');
    const log = ctx.log('taint-eviction-controller');
    const nodes = ctx.informers.informer('/api/v1/nodes');
    const pods = ctx.informers.informer('/api/v1/pods');
    pods.addIndexer(NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    // pod key → when its deletion was first scheduled and when it is due
    const scheduled = new Map<string, { start: number; due: number }>();

    function cancel(key: string, pod: KubeObject | undefined) {
      if (!scheduled.delete(key)) return;
      if (pod) void recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`).catch(() => {});
    }

    function processPod(pod: KubeObject, taints: Taint[]) {
      const key = keyOf(pod);
      if (pod.metadata.deletionTimestamp) return void scheduled.delete(key);
      if (!taints.length) return cancel(key, pod);
      const used = matchingTolerations(taints, (pod.spec?.tolerations ?? []) as Toleration[]);
      const t = Date.now();
      if (!used) {
        scheduled.set(key, { start: t, due: t });
        void queue.add(key);
        return;
      }
      const min = minTolerationMs(used);
      if (min < 0) return cancel(key, pod);
      const prev = scheduled.get(key);
      const start = prev?.start ?? t;
      const due = start + min;
      if (prev && prev.due <= due) return;
      scheduled.set(key, { start, due });
      queue.addAfter(key, due - t);
    }

    const nodeTaints = (name: string | undefined) => (name ? noExecuteTaints(nodes.get(undefined, name)?.spec?.taints as Taint[] | undefined) : []);

    async function evict(key: string): Promise<boolean | void> {
      const s = scheduled.get(key);
      if (!s) return;
      const t = Date.now();
      if (s.due > t) {
        queue.addAfter(key, s.due - t);
        return;
      }
      const [ns, name] = splitKey(key);
      const pod = pods.get(ns, name);
      // gone, already going, or no longer on a node that evicts it
      if (!pod || pod.metadata.deletionTimestamp || !nodeTaints(pod.spec?.nodeName).length) {
        scheduled.delete(key);
        return;
      }
      void recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`).catch(() => {});
      try {
        await client.patch(
          `/api/v1/namespaces/${ns}/pods/${name}/status`,
          { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: nowTime(t) }] } },
          'strategic',
        );
        await client.delete(`/api/v1/namespaces/${ns}/pods/${name}`, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
      }
      scheduled.delete(key);
    }
    const queue = workQueue(evict, {
      workers: 8,
      onError(key, e) {
        log('evicting pod failed', { pod: key, error: (e as Error).message });
        return undefined;
      },
    });

    nodes.addEventHandler({
      add(n) {
        const ts = noExecuteTaints(n.spec?.taints);
        if (ts.length) for (const p of pods.byIndex(NODE_INDEX, n.metadata.name!)) processPod(p, ts);
      },
      update(a, b) {
        const ts = noExecuteTaints(b.spec?.taints);
        if (taintsKey(noExecuteTaints(a.spec?.taints)) === taintsKey(ts)) return;
        for (const p of pods.byIndex(NODE_INDEX, b.metadata.name!)) processPod(p, ts);
      },
      delete(n) {
        for (const p of pods.byIndex(NODE_INDEX, n.metadata.name!)) cancel(keyOf(p), undefined);
      },
    });
    pods.addEventHandler({
      add(p) {
        const ts = nodeTaints(p.spec?.nodeName);
        if (ts.length) processPod(p, ts);
      },
      update(a, b) {
        if (a.spec?.nodeName === b.spec?.nodeName && JSON.stringify(a.spec?.tolerations) === JSON.stringify(b.spec?.tolerations) && !!a.metadata.deletionTimestamp === !!b.metadata.deletionTimestamp) return;
        processPod(b, nodeTaints(b.spec?.nodeName));
      },
      delete: (p) => void scheduled.delete(keyOf(p)),
    });
    return {
      stop() {
        queue.stop();
      },
    };
  },
};
