// The disruption controller: keeps each PodDisruptionBudget's status (expectedPods,
// desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods, observedGeneration and the
// DisruptionAllowed condition) current from the pods its selector picks and, for percentages and
// maxUnavailable, the scale of the controllers owning them. The eviction subresource reads it.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { KindRegistry } from '../../api/registry.js';
import type { Recorder } from '../../client/events.js';
import type { Component, ControllerContext } from '../manager.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels, selectorToString, type LabelSelector } from '../../api/selectors.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { controllerRef, isPodReady } from '../util.js';
import { countHealthyPods, disruptedPodMap, expectedPodCount, failSafeStatus, nextStatus } from './budget.js';

const PDBS = '/apis/policy/v1/poddisruptionbudgets';

export interface DisruptionDeps {
  client: Client;
  recorder: Recorder;
  registry?: KindRegistry;
  pdbs: Informer;
  pods: Informer;
  replicaSets: Informer;
  deployments: Informer;
  statefulSets: Informer;
  replicationControllers: Informer;
  log: (m: string, o?: object) => void;
  now?: () => number;
}

const groupOf = (apiVersion: string | undefined) => (apiVersion && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

export function disruptionController(d: DisruptionDeps) {
  const { client, recorder, pdbs, pods } = d;
  const now = d.now ?? Date.now;
  const selectors = new WeakMap<KubeObject, LabelSelector | null>();

  function selectorOf(pdb: KubeObject): LabelSelector | null {
    if (selectors.has(pdb)) return selectors.get(pdb)!;
    let s: LabelSelector | null;
    try {
      s = labelSelectorFromObject(pdb.spec?.selector);
    } catch {
      s = null;
    }
    selectors.set(pdb, s);
    return s;
  }

  /** The budgets in the pod's namespace whose selector picks it. */
  const budgetsFor = (pod: KubeObject) => pdbs.byIndex('namespace', pod.metadata.namespace ?? '').filter((b) => matchesLabels(selectorOf(b), pod.metadata.labels));

  /** A controller's uid and expected replicas (the finders: RC, Deployment via RS, RS, StatefulSet, any scale subresource). */
  async function scaleOfController(ref: { apiVersion: string; kind: string; name: string; uid: string }, ns: string): Promise<{ uid: string; scale: number } | undefined> {
    const group = groupOf(ref.apiVersion);
    const pick = (o: KubeObject | undefined) => (o && o.metadata.uid === ref.uid ? o : undefined);
    if (ref.kind === 'ReplicationController' && group === '') {
      const rc = pick(d.replicationControllers.get(ns, ref.name));
      return rc ? { uid: rc.metadata.uid!, scale: rc.spec?.replicas ?? 1 } : undefined;
    }
    if (ref.kind === 'ReplicaSet' && group === 'apps') {
      const rs = pick(d.replicaSets.get(ns, ref.name));
      if (!rs) return undefined;
      const owner = controllerRef(rs);
      if (owner && owner.kind === 'Deployment' && groupOf(owner.apiVersion) === 'apps') {
        const dep = d.deployments.get(ns, owner.name);
        return dep && dep.metadata.uid === owner.uid ? { uid: dep.metadata.uid!, scale: dep.spec?.replicas ?? 1 } : undefined;
      }
      return { uid: rs.metadata.uid!, scale: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'StatefulSet' && group === 'apps') {
      const ss = pick(d.statefulSets.get(ns, ref.name));
      return ss ? { uid: ss.metadata.uid!, scale: ss.spec?.replicas ?? 1 } : undefined;
    }
    // anything else with a scale subresource (custom resources)
    const desc = d.registry?.byKind(group, ref.kind);
    if (!desc || !desc.namespaced || !(desc.subresources as { scale?: unknown } | undefined)?.scale) return undefined;
    const version = ref.apiVersion.includes('/') ? ref.apiVersion.slice(ref.apiVersion.indexOf('/') + 1) : ref.apiVersion;
    const base = group ? `/apis/${group}/${version}` : '/api/v1';
    const scale = await client.getOrNull<KubeObject>(`${base}/namespaces/${ns}/${desc.plural}/${ref.name}/scale`);
    if (!scale || scale.metadata.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  }

  /** getExpectedScale. */
  async function scaleOf(selected: KubeObject[]): Promise<{ scale: number; unmanaged: string[] }> {
    const scales = new Map<string, number>();
    const seen = new Set<string>();
    const unmanaged: string[] = [];
    for (const pod of selected) {
      const ref = controllerRef(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name!);
        continue;
      }
      if (seen.has(ref.uid)) continue;
      const found = await scaleOfController(ref, pod.metadata.namespace!);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      seen.add(ref.uid);
      scales.set(found.uid, found.scale);
    }
    let scale = 0;
    for (const v of scales.values()) scale += v;
    return { scale, unmanaged };
  }

  async function writeStatus(pdb: KubeObject, status: unknown): Promise<void> {
    try {
      await client.update(`/apis/policy/v1/namespaces/${pdb.metadata.namespace}/poddisruptionbudgets/${pdb.metadata.name}/status`, { ...pdb, status });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    const pdb = pdbs.getByKey(key);
    if (!pdb) return;
    const sel = selectorOf(pdb);
    const selected = sel ? pods.list(pdb.metadata.namespace).filter((p) => matchesLabels(sel, p.metadata.labels)) : [];
    try {
      if (!selected.length) await recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      let expected;
      try {
        expected = await expectedPodCount(pdb, selected, scaleOf);
      } catch (e) {
        await recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
        throw e;
      }
      if (expected.unmanagedPods.length) {
        await recorder.event(
          pdb,
          'Warning',
          'UnmanagedPods',
          `Pods selected by this PodDisruptionBudget (selector: ${selectorToString(sel)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
        );
      }
      const t = now();
      const { disrupted, recheckAt, expired } = disruptedPodMap(selected, pdb, t);
      for (const name of expired) {
        const pod = pods.get(pdb.metadata.namespace, name);
        if (pod) await recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
      }
      const healthy = countHealthyPods(selected, disrupted);
      const status = nextStatus(pdb, healthy, expected.desiredHealthy, expected.expectedCount, disrupted, t);
      if (status) await writeStatus(pdb, status);
      if (recheckAt !== undefined) queue.addAfter(key, Math.max(0, recheckAt - t) + 1000);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) throw e;
      d.log('pdb sync failed', { key, error: (e as Error).message });
      await writeStatus(pdb, failSafeStatus(pdb, (e as Error).message, now()));
      throw e;
    }
  }

  const queue = workQueue(sync, {
    workers: 2,
    onError: () => undefined,
  });
  const enqueuePod = (pod: KubeObject) => {
    for (const b of budgetsFor(pod)) queue.add(keyOf(b));
  };
  pdbs.addEventHandler({
    add: (b) => void queue.add(keyOf(b)),
    update: (_o, b) => void queue.add(keyOf(b)),
  });
  const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
    if (a === b) return true;
    const ka = Object.keys(a ?? {});
    return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
  };
  const podChanged = (o: KubeObject, n: KubeObject) =>
    !sameLabels(o.metadata.labels, n.metadata.labels) ||
    isPodReady(o) !== isPodReady(n) ||
    o.metadata.deletionTimestamp !== n.metadata.deletionTimestamp ||
    o.status?.phase !== n.status?.phase ||
    controllerRef(o)?.uid !== controllerRef(n)?.uid;
  pods.addEventHandler({
    add: enqueuePod,
    update(o, n) {
      if (!podChanged(o, n)) return;
      enqueuePod(n);
      if (!sameLabels(o.metadata.labels, n.metadata.labels)) enqueuePod(o);
    },
    delete: enqueuePod,
  });
  // scale changes move expectedPods for percentage and maxUnavailable budgets
  const onScale = (o: KubeObject | undefined, n: KubeObject) => {
    if (o && o.spec?.replicas === n.spec?.replicas) return;
    for (const b of pdbs.byIndex('namespace', n.metadata.namespace ?? '')) if (typeof b.spec?.minAvailable !== 'number') queue.add(keyOf(b));
  };
  for (const inf of [d.replicaSets, d.deployments, d.statefulSets, d.replicationControllers]) inf.addEventHandler({ update: onScale });
  return { queue, sync };
}

export const disruptionComponent: Component = {
  name: 'disruption',
  start(ctx: ControllerContext) {
    const c = disruptionController({
      client: ctx.client('system:serviceaccount:kube-system:disruption-controller'),
      recorder: ctx.recorder('controllermanager'),
      registry: ctx.registry,
      pdbs: ctx.informers.informer(PDBS),
      pods: ctx.informers.informer('/api/v1/pods'),
      replicaSets: ctx.informers.informer('/apis/apps/v1/replicasets'),
      deployments: ctx.informers.informer('/apis/apps/v1/deployments'),
      statefulSets: ctx.informers.informer('/apis/apps/v1/statefulsets'),
      replicationControllers: ctx.informers.informer('/api/v1/replicationcontrollers'),
      log: ctx.log('disruption'),
    });
    return { stop: () => c.queue.stop() };
  },
};
