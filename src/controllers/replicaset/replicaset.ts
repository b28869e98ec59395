// The ReplicaSet controller, which also runs ReplicationControllers (Kubernetes runs the same
// code for both): keeps `spec.replicas` active pods matching the selector. Pods are created in
// slow-start batches (1, 2, 4, …, at most 500 per sync) and deleted in Kubernetes' victim order;
// expectations keep a lagging cache from causing double creates or deletes; orphans matching the
// selector are adopted and owned pods that stop matching are released; status counts replicas,
// fully labeled, ready and available pods, with a ReplicaFailure condition when creates or
// deletes fail.
import type { KubeObject } from '../../api/types.js';
import { deepClone } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromMap, labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../api/selectors.js';
import type { Informer, IndexFunc } from '../../client/informer.js';
import { keyOf } from '../../client/informer.js';
import type { Client } from '../../client/local.js';
import type { Recorder } from '../../client/events.js';
import { workQueue } from '../../client/workqueue.js';
import type { Component, ControllerContext } from '../manager.js';
import { controllerRef, isPodActive, isPodAvailable, isPodReady, nowTime, ownerRefTo } from '../util.js';
import { podsToDelete } from './ranking.js';

/** At most this many creates or deletes per sync (Kubernetes' burstReplicas). */
export const BURST_REPLICAS = 500;
/** Pods by their controller's UID. Shared with the deployment controller. */
export const OWNER_INDEX = 'replicaset:owner';
/** Pods without a controller, by namespace. */
export const ORPHAN_INDEX = 'replicaset:orphans';

export const ownerIndexFunc: IndexFunc = (o) => {
  const r = controllerRef(o);
  return r ? [r.uid] : [];
};
const orphanIndexFunc: IndexFunc = (o) => (controllerRef(o) ? [] : [o.metadata.namespace ?? '']);

const indexed = new WeakMap<Informer<any>, Set<string>>();
/** Adds an indexer once per informer (the components sharing it register the same function). */
export function ensureIndex(inf: Informer<any>, name: string, fn: IndexFunc<any>): void {
  let s = indexed.get(inf);
  if (!s) indexed.set(inf, (s = new Set()));
  if (s.has(name)) return;
  s.add(name);
  inf.addIndexer(name, fn);
}

/** Runs fn over count items in batches of 1, 2, 4, …; stops after the first batch with a failure. */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}

/** Creates and deletes in flight per owner; deletes are tracked by pod key so a pod seen twice counts once. */
export function podExpectations(timeoutMs = 5 * 60_000) {
  const m = new Map<string, { adds: number; dels: Set<string>; at: number }>();
  return {
    expectCreations(key: string, n: number) {
      m.set(key, { adds: n, dels: new Set(), at: Date.now() });
    },
    expectDeletions(key: string, podKeys: string[]) {
      m.set(key, { adds: 0, dels: new Set(podKeys), at: Date.now() });
    },
    creationObserved(key: string) {
      const e = m.get(key);
      if (e) e.adds--;
    },
    deletionObserved(key: string, podKey: string) {
      m.get(key)?.dels.delete(podKey);
    },
    satisfied(key: string) {
      const e = m.get(key);
      if (!e) return true;
      if (e.adds <= 0 && e.dels.size === 0) return true;
      return Date.now() - e.at > timeoutMs;
    },
    delete(key: string) {
      m.delete(key);
    },
  };
}

/** What differs between a ReplicaSet and a ReplicationController. */
export interface Flavor {
  component: string;
  eventSource: string;
  kind: 'ReplicaSet' | 'ReplicationController';
  /** Informer path (all namespaces). */
  listPath: string;
  /** Collection path in one namespace. */
  basePath(ns: string): string;
  selector(o: KubeObject): LabelSelector | null;
}

export const replicaSetFlavor: Flavor = {
  component: 'replicaset',
  eventSource: 'replicaset-controller',
  kind: 'ReplicaSet',
  listPath: '/apis/apps/v1/replicasets',
  basePath: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  selector(o) {
    try {
      return labelSelectorFromObject(o.spec?.selector);
    } catch {
      return null;
    }
  },
};

export const replicationControllerFlavor: Flavor = {
  component: 'replicationcontroller',
  eventSource: 'replication-controller',
  kind: 'ReplicationController',
  listPath: '/api/v1/replicationcontrollers',
  basePath: (ns) => `/api/v1/namespaces/${ns}/replicationcontrollers`,
  selector: (o) => labelSelectorFromMap(o.spec?.selector),
};

/** The pod a controller creates from its template (controller.GetPodFromTemplate). */
export function podFromTemplate(owner: KubeObject, template: any): KubeObject {
  const meta: any = {
    generateName: `${owner.metadata.name}-`,
    ownerReferences: [ownerRefTo(owner)],
  };
  if (template?.metadata?.labels) meta.labels = { ...template.metadata.labels };
  if (template?.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
  if (template?.metadata?.finalizers) meta.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: deepClone(template?.spec ?? {}) };
}

/**
 * The merge patch that drops ownerUid from obj's ownerReferences (null when none remain, so the
 * field goes away as it does in Kubernetes), guarded by the resourceVersion it was computed from.
 */
export function releasePatch(obj: KubeObject, ownerUid: string): object {
  const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return { metadata: { ownerReferences: rest.length ? rest : null, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } };
}

const isSubset = (sub: Record<string, string> | undefined, of: Record<string, string> | undefined) => {
  for (const [k, v] of Object.entries(sub ?? {})) if (of?.[k] !== v) return false;
  return true;
};

function condition(status: any, type: string) {
  return (status?.conditions as any[] | undefined)?.find((c) => c.type === type);
}

/** The status Kubernetes would write (zero counters omitted, as the Go types do). */
export function calculateReplicaSetStatus(rs: KubeObject, pods: KubeObject[], manageErr: unknown, now = Date.now()): any {
  let fully = 0;
  let ready = 0;
  let available = 0;
  const tmplLabels = rs.spec?.template?.metadata?.labels;
  const minReady = rs.spec?.minReadySeconds ?? 0;
  for (const p of pods) {
    if (isSubset(tmplLabels, p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: any = { replicas: pods.length };
  if (fully) status.fullyLabeledReplicas = fully;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
  let conditions: any[] = [...((rs.status?.conditions as any[]) ?? [])];
  const failure = condition(rs.status, 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowTime(now), reason, message: manageErr instanceof Error ? manageErr.message : String(manageErr) });
  } else if (!manageErr && failure) conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  if (conditions.length) status.conditions = conditions;
  return status;
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameJson((a as any)[k], (b as any)[k])) return false;
  return true;
}

export function startReplicaSetController(ctx: ControllerContext, flavor: Flavor): { stop(): void } {
  const client: Client = ctx.client(`system:serviceaccount:kube-system:${flavor.eventSource}`);
  const recorder: Recorder = ctx.recorder(flavor.eventSource);
  const log = ctx.log(flavor.component);
  const rsInf = ctx.informers.informer(flavor.listPath);
  const podInf = ctx.informers.informer('/api/v1/pods');
  ensureIndex(podInf, OWNER_INDEX, ownerIndexFunc);
  ensureIndex(podInf, ORPHAN_INDEX, orphanIndexFunc);
  ensureIndex(rsInf, OWNER_INDEX, ownerIndexFunc);
  const exp = podExpectations();
  const selectors = new WeakMap<KubeObject, LabelSelector | null>();
  const selectorOf = (rs: KubeObject) => {
    if (!selectors.has(rs)) selectors.set(rs, flavor.selector(rs));
    return selectors.get(rs)!;
  };
  const emit = (obj: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) =>
    void recorder.event(obj, type, reason, msg).catch((e) => log('event failed', { reason, error: (e as Error).message }));

  const queue = workQueue(sync, {
    workers: 5,
    onError(key, e) {
      log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const enqueue = (rs: KubeObject) => void queue.add(keyOf(rs));

  /** The ReplicaSet a controllerRef points at, if it is one of ours and still the same object. */
  function resolve(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== flavor.kind) return undefined;
    const rs = rsInf.get(ns, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }
  function matchingOwners(pod: KubeObject): KubeObject[] {
    const labels = pod.metadata.labels;
    if (!labels) return [];
    return rsInf.list(pod.metadata.namespace ?? '').filter((rs) => matchesLabels(selectorOf(rs), labels) && selectorOf(rs)!.length > 0);
  }

  function podAdded(pod: KubeObject) {
    if (pod.metadata.deletionTimestamp) return podDeleted(pod);
    const ref = controllerRef(pod);
    if (ref) {
      const rs = resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      exp.creationObserved(keyOf(rs));
      enqueue(rs);
      return;
    }
    for (const rs of matchingOwners(pod)) enqueue(rs);
  }
  function podUpdated(old: KubeObject, cur: KubeObject) {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelChanged = !sameJson(old.metadata.labels, cur.metadata.labels);
    if (cur.metadata.deletionTimestamp) {
      podDeleted(cur);
      if (labelChanged) podDeleted(old);
      return;
    }
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = resolve(old.metadata.namespace, oldRef);
      if (rs) enqueue(rs);
    }
    if (curRef) {
      const rs = resolve(cur.metadata.namespace, curRef);
      if (!rs) return;
      enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.addAfter(keyOf(rs), minReady * 1000 + 50);
      return;
    }
    if (labelChanged || refChanged) for (const rs of matchingOwners(cur)) enqueue(rs);
  }
  function podDeleted(pod: KubeObject) {
    const rs = resolve(pod.metadata.namespace, controllerRef(pod));
    if (!rs) return;
    exp.deletionObserved(keyOf(rs), keyOf(pod));
    enqueue(rs);
  }

  podInf.addEventHandler({ add: podAdded, update: podUpdated, delete: podDeleted });
  rsInf.addEventHandler({
    add: enqueue,
    update(old, cur) {
      if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) enqueue(cur);
    },
    delete(rs) {
      exp.delete(keyOf(rs));
      enqueue(rs);
    },
  });

  /** Adopts matching orphans and releases owned pods that stopped matching; returns the pods it then owns. */
  async function claimPods(rs: KubeObject, sel: LabelSelector | null): Promise<KubeObject[]> {
    const ns = rs.metadata.namespace!;
    const uid = rs.metadata.uid!;
    const claimed: KubeObject[] = [];
    const deleting = !!rs.metadata.deletionTimestamp;
    for (const pod of podInf.byIndex(OWNER_INDEX, uid)) {
      if (!isPodActive(pod)) continue;
      if (matchesLabels(sel, pod.metadata.labels)) {
        claimed.push(pod);
        continue;
      }
      if (deleting) continue;
      try {
        await client.patch(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, releasePatch(pod, uid), 'merge');
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 422))) throw e;
      }
    }
    if (deleting || !sel || sel.length === 0) return claimed;
    let canAdopt: boolean | undefined;
    for (const pod of podInf.byIndex(ORPHAN_INDEX, ns)) {
      if (!isPodActive(pod) || !matchesLabels(sel, pod.metadata.labels)) continue;
      if (canAdopt === undefined) {
        const fresh = await client.getOrNull<KubeObject>(`${flavor.basePath(ns)}/${rs.metadata.name}`);
        canAdopt = !!fresh && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
      }
      if (!canAdopt) break;
      try {
        const adopted = await client.patch<KubeObject>(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, { metadata: { ownerReferences: [ownerRefTo(rs)], uid: pod.metadata.uid } }, 'strategic');
        if (controllerRef(adopted)?.uid === uid) claimed.push(adopted);
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
      }
    }
    return claimed;
  }

  function relatedPods(rs: KubeObject): KubeObject[] {
    const ref = controllerRef(rs);
    const owners = ref ? rsInf.byIndex(OWNER_INDEX, ref.uid) : [rs];
    const out: KubeObject[] = [];
    for (const o of owners) for (const p of podInf.byIndex(OWNER_INDEX, o.metadata.uid!)) out.push(p);
    return out;
  }

  async function manageReplicas(rs: KubeObject, pods: KubeObject[]): Promise<void> {
    const key = keyOf(rs);
    const ns = rs.metadata.namespace!;
    const want = rs.spec?.replicas ?? 1;
    let diff = pods.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, BURST_REPLICAS);
      exp.expectCreations(key, diff);
      const body = podFromTemplate(rs, rs.spec?.template);
      const { successes, error } = await slowStartBatch(diff, 1, async () => {
        try {
          const pod = await client.create<KubeObject>(`/api/v1/namespaces/${ns}/pods`, body);
          emit(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (e) {
          if (e instanceof ApiError && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
          emit(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      });
      for (let i = successes; i < diff; i++) exp.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      diff = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, relatedPods(rs), diff);
      exp.expectDeletions(key, victims.map(keyOf));
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            await client.delete(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`);
            emit(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (e) {
            exp.deletionObserved(key, keyOf(pod));
            if (e instanceof ApiError && e.code === 404) return;
            emit(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
            throw e;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  async function writeStatus(rs: KubeObject, status: any): Promise<KubeObject> {
    const path = `${flavor.basePath(rs.metadata.namespace!)}/${rs.metadata.name}/status`;
    let cur = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.update<KubeObject>(path, { ...cur, status });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409) || attempt > 0) throw e;
        const fresh = await client.getOrNull<KubeObject>(`${flavor.basePath(rs.metadata.namespace!)}/${rs.metadata.name}`);
        if (!fresh || fresh.metadata.uid !== rs.metadata.uid) return rs;
        status = { ...status, ...(fresh.metadata.generation ? { observedGeneration: fresh.metadata.generation } : {}) };
        cur = fresh;
      }
    }
  }

  const informersSynced = Promise.all([rsInf.synced(), podInf.synced()]);

  async function sync(key: string): Promise<void> {
    await informersSynced;
    const rs = rsInf.getByKey(key);
    if (!rs) {
      exp.delete(key);
      return;
    }
    const needsSync = exp.satisfied(key);
    const sel = selectorOf(rs);
    if (!sel) return;
    const pods = await claimPods(rs, sel);
    let manageErr: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await manageReplicas(rs, pods);
      } catch (e) {
        manageErr = e;
      }
    }
    const now = Date.now();
    const status = calculateReplicaSetStatus(rs, pods, manageErr, now);
    let updated = rs;
    if (!sameJson(status, rs.status ?? {})) {
      try {
        updated = await writeStatus(rs, status);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
        return;
      }
    }
    if (manageErr) throw manageErr;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const want = updated.spec?.replicas ?? 1;
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) === want && (updated.status?.availableReplicas ?? 0) !== want) queue.addAfter(key, minReady * 1000);
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

export const replicaSetComponent: Component = {
  name: 'replicaset',
  start: (ctx) => startReplicaSetController(ctx, replicaSetFlavor),
};

export const replicationControllerComponent: Component = {
  name: 'replicationcontroller',
  start: (ctx) => startReplicaSetController(ctx, replicationControllerFlavor),
};
