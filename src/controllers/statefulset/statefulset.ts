// The StatefulSet controller (Kubernetes' pkg/controller/statefulset): pods `<set>-<ordinal>` with
// stable identity and PersistentVolumeClaims from volumeClaimTemplates, created in order and
// removed from the highest ordinal down (OrderedReady) or all at once (Parallel), rolled to a new
// template from the highest ordinal down to the partition, one ControllerRevision per template.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../api/selectors.js';
import type { Component, ControllerContext } from '../manager.js';
import { keyOf } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { expectations } from '../expectations.js';
import { controllerRef } from '../util.js';
import { orphanKey, watchOwnedPods } from '../owned.js';
import {
  adoptOrphanRevisions,
  applyRevision,
  createRevision,
  deleteRevision,
  equalRevision,
  findEqualRevisions,
  indexRevisions,
  listRevisions,
  newControllerRevision,
  nextRevision,
  renumberRevision,
  revisionPatch,
  sortRevisions,
} from '../history.js';
import {
  SET_API_VERSION,
  SET_KIND,
  allowsBurst,
  claimOwnerRefsFor,
  claimsFor,
  getOrdinal,
  getPodRevision,
  hasStaleOwnerRef,
  identityMatches,
  isClaimOwnerUpToDate,
  isCreated,
  isFailed,
  isHealthy,
  isMemberOf,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  replicasOf,
  retentionPolicy,
  setRef,
  startOrdinal,
  storageMatches,
  updateIdentity,
} from './pods.js';

export const OWNER_INDEX = 'statefulset:owner';
const podsPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;
const claimsPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/persistentvolumeclaims${name ? `/${name}` : ''}`;
const setPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const title = (s: string) => s[0].toUpperCase() + s.slice(1);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  conditions?: unknown[];
}

export const statefulSetController: Component = {
  name: 'statefulset',
  start: (ctx) => startStatefulSetController(ctx),
};

export function startStatefulSetController(ctx: ControllerContext): { stop(): void } {
  const client = ctx.client('system:serviceaccount:kube-system:statefulset-controller');
  const recorder = ctx.recorder('statefulset-controller');
  const log = ctx.log('statefulset');
  const sets = ctx.informers.informer('/apis/apps/v1/statefulsets');
  const pods = ctx.informers.informer('/api/v1/pods');
  const claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
  const revisions = ctx.informers.informer('/apis/apps/v1/controllerrevisions');
  indexRevisions(revisions);
  const exp = expectations();
  const event = (set: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) => {
    recorder.event({ ...set, apiVersion: SET_API_VERSION, kind: SET_KIND }, type, reason, msg).catch(() => undefined);
  };
  const queue = workQueue(sync, {
    workers: 4,
    notDoneDelayMs: 200,
    onError(key, e) {
      log('statefulset sync failed', { statefulset: key, error: errText(e) });
      return undefined;
    },
  });
  const enqueue = (set: KubeObject) => void queue.add(keyOf(set));
  const synced = () => sets.hasSynced() && pods.hasSynced() && claims.hasSynced() && revisions.hasSynced();

  // ---- event handlers ----
  watchOwnedPods({ owners: sets, pods, kind: SET_KIND, index: OWNER_INDEX, exp, enqueue });
  sets.addEventHandler({
    add: enqueue,
    update: (_o, n) => enqueue(n),
    delete: (s) => exp.delete(keyOf(s)),
  });
  const onRevision = (r: KubeObject) => {
    const ref = controllerRef(r);
    if (!ref || ref.kind !== SET_KIND) return;
    const set = sets.get(r.metadata.namespace, ref.name);
    if (set && set.metadata.uid === ref.uid) enqueue(set);
  };
  revisions.addEventHandler({ add: onRevision, delete: onRevision });

  // ---- sync ----
  async function sync(key: string): Promise<boolean | void> {
    if (!synced()) return false;
    const cached = sets.getByKey(key);
    if (!cached) {
      exp.delete(key);
      return;
    }
    if (!exp.satisfied(key)) return; // a pod event brings the key back
    exp.expect(key, 0, 0);
    const set: KubeObject = { ...cached, apiVersion: SET_API_VERSION, kind: SET_KIND };
    let selector: LabelSelector | null;
    try {
      selector = labelSelectorFromObject(set.spec?.selector);
    } catch (e) {
      log('invalid selector', { statefulset: key, error: errText(e) });
      return;
    }
    if (!set.metadata.deletionTimestamp) await adoptOrphanRevisions(client, revisions, set);
    const owned = await claimPods(set, selector);
    const status = await updateStatefulSet(set, owned);
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    if (minReady > 0 && status && status.availableReplicas !== replicasOf(set)) queue.addAfter(key, minReady * 1000);
  }

  /** getPodsForStatefulSet + ClaimPods: owned members that still match, adopted orphans, the rest released. */
  async function claimPods(set: KubeObject, selector: LabelSelector | null): Promise<KubeObject[]> {
    const ns = set.metadata.namespace!;
    const out: KubeObject[] = [];
    for (const p of pods.byIndex(OWNER_INDEX, set.metadata.uid!)) {
      if (p.metadata.namespace !== ns) continue;
      if (matchesLabels(selector, p.metadata.labels) && isMemberOf(set, p)) {
        out.push(p);
        continue;
      }
      if (set.metadata.deletionTimestamp) continue;
      const refs = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid);
      await ignoreGone(client.patch(podsPath(ns, p.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null, uid: p.metadata.uid } }, 'merge'));
    }
    if (set.metadata.deletionTimestamp) return out;
    let fresh: KubeObject | null | undefined;
    for (const p of pods.byIndex(OWNER_INDEX, orphanKey(ns))) {
      if (p.metadata.deletionTimestamp || !isMemberOf(set, p) || !matchesLabels(selector, p.metadata.labels)) continue;
      // RecheckDeletionTimestamp: adopt only for a live set with this uid
      if (fresh === undefined) fresh = await client.getOrNull<KubeObject>(setPath(ns, set.metadata.name!));
      if (!fresh || fresh.metadata.uid !== set.metadata.uid || fresh.metadata.deletionTimestamp) break;
      const adopted = await ignoreGone(
        client.patch<KubeObject>(podsPath(ns, p.metadata.name), { metadata: { ownerReferences: [...(p.metadata.ownerReferences ?? []), setRef(set)], uid: p.metadata.uid } }, 'merge'),
      );
      if (adopted) out.push(adopted);
    }
    return out;
  }

  // ---- revisions ----
  function newRevision(set: KubeObject, revision: number, collisionCount: number): KubeObject {
    const cr = newControllerRevision(set, set.spec?.template?.metadata?.labels, revisionPatch(set), revision, collisionCount);
    cr.metadata.annotations = { ...(set.metadata.annotations ?? {}) };
    return cr;
  }

  async function getRevisions(set: KubeObject, revs: KubeObject[]): Promise<{ current: KubeObject; update: KubeObject; collisionCount: number }> {
    const collision = { count: Number(set.status?.collisionCount ?? 0) };
    let update = newRevision(set, nextRevision(revs), collision.count);
    const equal = findEqualRevisions(revs, update);
    if (equal.length && equalRevision(revs[revs.length - 1], equal[equal.length - 1])) update = revs[revs.length - 1];
    else if (equal.length) update = await renumberRevision(client, equal[equal.length - 1], Number(update.revision));
    else update = await createRevision(client, set, update, collision);
    const current = revs.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount: collision.count };
  }

  async function updateStatefulSet(set: KubeObject, owned: KubeObject[]): Promise<StatefulSetStatus | undefined> {
    const revs = sortRevisions(listRevisions(revisions, set));
    const { current, update, collisionCount } = await getRevisions(set, revs);
    let status: StatefulSetStatus | undefined;
    let err: unknown;
    try {
      status = await performUpdate(set, current, update, collisionCount, owned);
    } catch (e) {
      err = e;
      status = (e as { status?: StatefulSetStatus }).status;
    }
    if (status) await writeStatus(set, status);
    await truncateHistory(set, owned, revs, current, update);
    if (err) throw err;
    return status;
  }

  /** truncateHistory: keep revisionHistoryLimit revisions no pod and neither status revision uses. */
  async function truncateHistory(set: KubeObject, owned: KubeObject[], revs: KubeObject[], current: KubeObject, update: KubeObject) {
    const live = new Set<string>([current.metadata.name!, update.metadata.name!]);
    for (const p of owned) live.add(getPodRevision(p));
    const history = revs.filter((r) => !live.has(r.metadata.name!));
    const limit = Number(set.spec?.revisionHistoryLimit ?? 10);
    if (history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) await deleteRevision(client, r);
  }

  // ---- the update itself (updateStatefulSet in stateful_set_control.go) ----
  async function performUpdate(set: KubeObject, currentRevision: KubeObject, updateRevision: KubeObject, collisionCount: number, owned: KubeObject[]): Promise<StatefulSetStatus> {
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: currentRevision.metadata.name!,
      updateRevision: updateRevision.metadata.name!,
      collisionCount,
    };
    if (set.status?.conditions) status.conditions = set.status.conditions;
    const count = (...lists: KubeObject[][]) => computeStatus(status, minReady, currentRevision.metadata.name!, updateRevision.metadata.name!, lists);
    count(owned);

    const n = replicasOf(set);
    const start = startOrdinal(set);
    const replicas: KubeObject[] = new Array(n);
    const condemned: KubeObject[] = [];
    for (const p of owned) {
      if (podInOrdinalRange(p, set)) replicas[getOrdinal(p) - start] = p;
      else if (getOrdinal(p) >= 0) condemned.push(p);
    }
    for (let ord = start; ord < start + n; ord++) {
      if (!replicas[ord - start]) replicas[ord - start] = newVersionedStatefulSetPod(currentSet, updateSet, currentRevision.metadata.name!, updateRevision.metadata.name!, ord);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
    let firstUnhealthy: KubeObject | undefined;
    for (const r of replicas) if (!isHealthy(r) && !firstUnhealthy) firstUnhealthy = r;
    for (let i = condemned.length - 1; i >= 0; i--) if (!isHealthy(condemned[i]) && !firstUnhealthy) firstUnhealthy = condemned[i];

    if (set.metadata.deletionTimestamp) return status;
    const monotonic = !allowsBurst(set);
    const fail = (e: unknown) => Object.assign(e instanceof Error ? e : new Error(String(e)), { status });

    try {
      if (await runForAll(replicas, (i) => processReplica(set, updateSet, monotonic, replicas, i), monotonic)) {
        count(replicas, condemned);
        return status;
      }
      const fixClaim = async (i: number) => {
        if (!claimsMatchRetentionPolicy(updateSet, condemned[i])) await updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
        return false;
      };
      if (await runForAll(condemned, fixClaim, monotonic)) {
        count(replicas, condemned);
        return status;
      }
      if (await runForAll(condemned, (i) => processCondemned(set, firstUnhealthy, monotonic, condemned, i), monotonic)) {
        count(replicas, condemned);
        return status;
      }
    } catch (e) {
      count(replicas, condemned);
      throw fail(e);
    }
    count(replicas, condemned);
    if (set.spec?.updateStrategy?.type === 'OnDelete') return status;

    const ru = set.spec?.updateStrategy?.rollingUpdate;
    const updateMin = ru ? Number(ru.partition ?? 0) : 0;
    try {
      if (ru && ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        // spec.updateStrategy.rollingUpdate.maxUnavailable (MaxUnavailableStatefulSet)
        const maxUnavailable = scaledMaxUnavailable(ru.maxUnavailable, n);
        let unavailable = 0;
        for (const r of replicas) if (!isHealthy(r)) unavailable++;
        if (unavailable >= maxUnavailable) return status;
        let toDelete = maxUnavailable - unavailable;
        for (let t = replicas.length - 1; t >= updateMin && toDelete > 0; t--) {
          if (getPodRevision(replicas[t]) !== updateRevision.metadata.name && !isTerminating(replicas[t])) {
            await deleteStatefulPod(set, replicas[t]);
            toDelete--;
            status.currentReplicas--;
          }
        }
        return status;
      }
      // terminate the highest-ordinal pod not at the update revision, waiting for each to be healthy
      for (let t = replicas.length - 1; t >= updateMin; t--) {
        if (getPodRevision(replicas[t]) !== updateRevision.metadata.name && !isTerminating(replicas[t])) {
          await deleteStatefulPod(set, replicas[t]);
          status.currentReplicas--;
          return status;
        }
        if (!isHealthy(replicas[t])) return status;
      }
    } catch (e) {
      throw fail(e);
    }
    return status;
  }

  async function processReplica(set: KubeObject, updateSet: KubeObject, monotonic: boolean, replicas: KubeObject[], i: number): Promise<boolean> {
    const pod = replicas[i];
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!pod.metadata.deletionTimestamp) {
        if (isFailed(pod)) event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        else event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating terminated Pod ${pod.metadata.name}`);
        await deleteStatefulPod(set, pod);
      }
      // a new pod is made on a later sync, once this one is gone
      return true;
    }
    if (!isCreated(pod)) {
      if (podClaimIsStale(set, pod)) return true;
      await createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(replicas[i])) {
      await createPersistentVolumeClaims(set, replicas[i]);
      await updatePodClaimForRetentionPolicy(set, replicas[i]).catch((e) => {
        recordPodEvent('update', set, replicas[i], e);
        throw e;
      });
    }
    const cur = replicas[i];
    if (isTerminating(cur) && monotonic) return true;
    if (!isRunningAndReady(cur) && monotonic) return true;
    if (!isRunningAndAvailable(cur, Number(set.spec?.minReadySeconds ?? 0)) && monotonic) return true;
    if (!isCreated(cur)) return false;
    const retentionMatch = claimsMatchRetentionPolicy(updateSet, cur);
    if (identityMatches(set, cur) && storageMatches(set, cur) && retentionMatch) return false;
    await updateStatefulPod(updateSet, cur);
    return false;
  }

  async function processCondemned(set: KubeObject, firstUnhealthy: KubeObject | undefined, monotonic: boolean, condemned: KubeObject[], i: number): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return true;
    if (!isRunningAndAvailable(pod, Number(set.spec?.minReadySeconds ?? 0)) && monotonic && pod !== firstUnhealthy) return true;
    await deleteStatefulPod(set, pod);
    return true;
  }

  // ---- pod and claim operations (stateful_pod_control.go) ----
  function recordPodEvent(verb: string, set: KubeObject, pod: KubeObject, err?: unknown) {
    if (!err) event(set, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else event(set, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }
  function recordClaimEvent(verb: string, set: KubeObject, pod: KubeObject, claim: KubeObject, err?: unknown) {
    if (!err) event(set, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else event(set, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }

  async function createPersistentVolumeClaims(set: KubeObject, pod: KubeObject): Promise<void> {
    const errs: string[] = [];
    for (const [, claim] of claimsFor(set, getOrdinal(pod))) {
      const existing = claims.get(claim.metadata.namespace, claim.metadata.name!);
      if (!existing) {
        try {
          await client.create(claimsPath(claim.metadata.namespace!), claim);
          recordClaimEvent('create', set, pod, claim);
        } catch (e) {
          if (e instanceof ApiError && e.code === 409) continue; // created already; the cache lags
          errs.push(`failed to create PVC ${claim.metadata.name}: ${errText(e)}`);
          recordClaimEvent('create', set, pod, claim, e);
        }
      } else if (existing.metadata.deletionTimestamp) errs.push(`pvc ${claim.metadata.name} is being deleted`);
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  async function createStatefulPod(set: KubeObject, pod: KubeObject): Promise<KubeObject | undefined> {
    try {
      await createPersistentVolumeClaims(set, pod);
    } catch (e) {
      recordPodEvent('create', set, pod, e);
      throw e;
    }
    const key = keyOf(set);
    exp.lower(key, -1, 0);
    let created: KubeObject;
    try {
      created = await client.create<KubeObject>(podsPath(set.metadata.namespace!), pod);
    } catch (e) {
      exp.lower(key, 1, 0);
      if (e instanceof ApiError && e.code === 409) return undefined; // exists: the cache has not seen it yet
      recordPodEvent('create', set, pod, e);
      throw e;
    }
    try {
      await updatePodClaimForRetentionPolicy(set, created);
    } catch (e) {
      recordPodEvent('update', set, pod, e);
      throw e;
    }
    recordPodEvent('create', set, pod);
    return created;
  }

  async function deleteStatefulPod(set: KubeObject, pod: KubeObject): Promise<void> {
    const key = keyOf(set);
    exp.lower(key, 0, -1);
    try {
      await client.delete(podsPath(set.metadata.namespace!, pod.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      exp.lower(key, 0, 1);
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return; // already gone (or replaced)
      recordPodEvent('delete', set, pod, e);
      throw e;
    }
    recordPodEvent('delete', set, pod);
  }

  async function updateStatefulPod(set: KubeObject, cached: KubeObject): Promise<void> {
    const pod = structuredClone(cached);
    let consistent = true;
    if (!identityMatches(set, pod)) {
      updateIdentity(set, pod);
      consistent = false;
    }
    if (!storageMatches(set, pod)) {
      const claimVols = claimsFor(set, getOrdinal(pod));
      const names = new Set(claimVols.map(([n]) => n));
      pod.spec.volumes = [...claimVols.map(([n, c]) => ({ name: n, persistentVolumeClaim: { claimName: c.metadata.name } })), ...(pod.spec.volumes ?? []).filter((v: any) => !names.has(v.name))];
      consistent = false;
      try {
        await createPersistentVolumeClaims(set, pod);
      } catch (e) {
        recordPodEvent('update', set, pod, e);
        throw e;
      }
    }
    if (!claimsMatchRetentionPolicy(set, pod)) {
      try {
        await updatePodClaimForRetentionPolicy(set, pod);
      } catch (e) {
        recordPodEvent('update', set, pod, e);
        throw e;
      }
      consistent = false;
    }
    if (consistent) return;
    try {
      await client.update(podsPath(pod.metadata.namespace!, pod.metadata.name), pod);
    } catch (e) {
      recordPodEvent('update', set, pod, e);
      throw e;
    }
    recordPodEvent('update', set, pod);
  }

  function claimsMatchRetentionPolicy(set: KubeObject, pod: KubeObject): boolean {
    for (const [, claim] of claimsFor(set, getOrdinal(pod))) {
      const c = claims.get(claim.metadata.namespace, claim.metadata.name!);
      if (c && !isClaimOwnerUpToDate(c, set, pod)) return false;
    }
    return true;
  }

  async function updatePodClaimForRetentionPolicy(set: KubeObject, pod: KubeObject): Promise<void> {
    for (const [, claim] of claimsFor(set, getOrdinal(pod))) {
      const c = claims.get(claim.metadata.namespace, claim.metadata.name!);
      if (!c || isClaimOwnerUpToDate(c, set, pod)) continue;
      const refs = claimOwnerRefsFor(c, set, pod);
      try {
        await client.patch(claimsPath(c.metadata.namespace!, c.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null } }, 'merge');
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) continue;
        throw new Error(`could not update claim ${c.metadata.name} for delete policy ownerRefs: ${errText(e)}`);
      }
    }
  }

  /** PodClaimIsStale: with whenScaled=Delete, a claim still owned by an earlier pod of that name blocks creation. */
  function podClaimIsStale(set: KubeObject, pod: KubeObject): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const [, claim] of claimsFor(set, getOrdinal(pod))) {
      const c = claims.get(claim.metadata.namespace, claim.metadata.name!);
      if (c && hasStaleOwnerRef(c, pod, 'v1', 'Pod')) return true;
    }
    return false;
  }

  // ---- status ----
  async function writeStatus(set: KubeObject, status: StatefulSetStatus): Promise<void> {
    // completeRollingUpdate
    if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    const old = set.status ?? {};
    const same =
      !((status.observedGeneration ?? 0) > Number(old.observedGeneration ?? 0)) &&
      status.replicas === Number(old.replicas ?? 0) &&
      status.currentReplicas === Number(old.currentReplicas ?? 0) &&
      status.readyReplicas === Number(old.readyReplicas ?? 0) &&
      status.updatedReplicas === Number(old.updatedReplicas ?? 0) &&
      status.currentRevision === (old.currentRevision ?? '') &&
      status.availableReplicas === Number(old.availableReplicas ?? 0) &&
      status.updateRevision === (old.updateRevision ?? '');
    if (same) return;
    const body = goStatus(status);
    let cur: KubeObject = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.update(`${setPath(set.metadata.namespace!, set.metadata.name!)}/status`, { ...cur, apiVersion: SET_API_VERSION, kind: SET_KIND, status: body });
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 3) throw e;
        const fresh = await client.getOrNull<KubeObject>(setPath(set.metadata.namespace!, set.metadata.name!));
        if (!fresh || fresh.metadata.uid !== set.metadata.uid) return;
        cur = fresh;
      }
    }
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

/** The status as apps/v1 serializes it: zero omitempty fields left out. */
export function goStatus(s: StatefulSetStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  out.replicas = s.replicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.currentReplicas) out.currentReplicas = s.currentReplicas;
  if (s.updatedReplicas) out.updatedReplicas = s.updatedReplicas;
  if (s.currentRevision) out.currentRevision = s.currentRevision;
  if (s.updateRevision) out.updateRevision = s.updateRevision;
  out.collisionCount = s.collisionCount;
  if (s.conditions?.length) out.conditions = s.conditions;
  out.availableReplicas = s.availableReplicas;
  return out;
}

/** computeReplicaStatus over every list. */
function computeStatus(status: StatefulSetStatus, minReady: number, currentRevision: string, updateRevision: string, lists: KubeObject[][]) {
  status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
  for (const list of lists)
    for (const pod of list) {
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReady)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = getPodRevision(pod);
        if (rev === currentRevision) status.currentReplicas++;
        if (rev === updateRevision) status.updatedReplicas++;
      }
    }
}

/** getStatefulSetMaxUnavailable: an int or a percentage of replicas rounded up, at least 1. */
export function scaledMaxUnavailable(v: unknown, replicas: number): number {
  let n: number;
  if (typeof v === 'string' && v.endsWith('%')) n = Math.ceil((Number(v.slice(0, -1)) * replicas) / 100);
  else n = Number(v);
  return !Number.isFinite(n) || n < 1 ? 1 : n;
}

/**
 * runForAll: in order, stopping at the first that says stop (OrderedReady); or all of them in
 * slow-start batches of 1, 2, 4, … (Parallel), stopping at the first batch with an error.
 * Returns true when the caller should stop here.
 */
async function runForAll(items: KubeObject[], fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < items.length; i++) if (await fn(i)) return true;
    return false;
  }
  let j = 0;
  for (let batch = Math.min(items.length, 1); batch > 0 && j < items.length; batch = Math.min(2 * batch, items.length - j, 500)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(j + k)));
    j += batch;
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw failed.length === 1 ? failed[0].reason : new Error(`[${failed.map((f) => errText(f.reason)).join(', ')}]`);
  }
  return false;
}

async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422)) return undefined;
    throw e;
  }
}
