// The Deployment controller (Kubernetes' pkg/controller/deployment): owns one ReplicaSet per pod
// template (named `<deployment>-<pod-template-hash>`), rolls from old to new ReplicaSets with
// RollingUpdate (maxSurge/maxUnavailable) or Recreate, scales proportionally in the middle of a
// rollout, does nothing but scale while paused, keeps revision annotations and history (pruned
// to revisionHistoryLimit), and reports the Available and Progressing conditions, including
// ProgressDeadlineExceeded, from which kubectl's rollout commands read their messages.
import type { KubeObject } from '../../api/types.js';
import { deepClone } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../api/selectors.js';
import { keyOf } from '../../client/informer.js';
import type { Client } from '../../client/local.js';
import { workQueue } from '../../client/workqueue.js';
import type { Component, ControllerContext } from '../manager.js';
import { byCreation, controllerRef, ownerRefTo, templateHash } from '../util.js';
import { ensureIndex, OWNER_INDEX, ownerIndexFunc, releasePatch, sameJson } from '../replicaset/replicaset.js';
import {
  activeReplicaSets,
  byRevision,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  DESIRED_REPLICAS,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  HASH_LABEL,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  MAX_REPLICAS,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  proportionalSizes,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  REVISION,
  setCondition,
  setNewReplicaSetAnnotations,
  sumReplicas,
  sumStatus,
  type RS,
} from './util.js';

const rsPath = (ns: string, name?: string) => `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;
const dPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

export function startDeploymentController(ctx: ControllerContext): { stop(): void } {
  const client: Client = ctx.client('system:serviceaccount:kube-system:deployment-controller');
  const recorder = ctx.recorder('deployment-controller');
  const log = ctx.log('deployment');
  const dInf = ctx.informers.informer('/apis/apps/v1/deployments');
  const rsInf = ctx.informers.informer('/apis/apps/v1/replicasets');
  const podInf = ctx.informers.informer('/api/v1/pods');
  ensureIndex(rsInf, OWNER_INDEX, ownerIndexFunc);
  ensureIndex(podInf, OWNER_INDEX, ownerIndexFunc);
  const emit = (d: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) =>
    void recorder.event(d, type, reason, msg).catch((e) => log('event failed', { reason, error: (e as Error).message }));

  const queue = workQueue(sync, {
    workers: 5,
    onError(key, e) {
      if (!(e instanceof ApiError && e.code === 409)) log('sync failed', { key, error: (e as Error).message });
      return undefined;
    },
  });
  const enqueue = (d: KubeObject) => void queue.add(keyOf(d));
  const selectors = new WeakMap<KubeObject, LabelSelector | null>();
  const selectorOf = (d: KubeObject) => {
    if (!selectors.has(d)) {
      let s: LabelSelector | null = null;
      try {
        s = labelSelectorFromObject(d.spec?.selector);
      } catch {
        s = null;
      }
      selectors.set(d, s);
    }
    return selectors.get(d)!;
  };

  function deploymentOf(rs: KubeObject): KubeObject | undefined {
    const ref = controllerRef(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = dInf.get(rs.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }
  function deploymentsMatching(rs: KubeObject): KubeObject[] {
    return dInf.list(rs.metadata.namespace ?? '').filter((d) => {
      const s = selectorOf(d);
      return !!s && s.length > 0 && matchesLabels(s, rs.metadata.labels);
    });
  }
  function rsAdded(rs: KubeObject) {
    if (rs.metadata.deletionTimestamp) return rsDeleted(rs);
    if (controllerRef(rs)) {
      const d = deploymentOf(rs);
      if (d) enqueue(d);
      return;
    }
    for (const d of deploymentsMatching(rs)) enqueue(d);
  }
  function rsUpdated(old: KubeObject, cur: KubeObject) {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    if (oldRef && curRef?.uid !== oldRef.uid) {
      const d = deploymentOf(old);
      if (d) enqueue(d);
    }
    if (curRef) {
      const d = deploymentOf(cur);
      if (d) enqueue(d);
      return;
    }
    if (!sameJson(old.metadata.labels, cur.metadata.labels) || curRef !== oldRef) for (const d of deploymentsMatching(cur)) enqueue(d);
  }
  function rsDeleted(rs: KubeObject) {
    const d = deploymentOf(rs);
    if (d) enqueue(d);
  }
  /** Recreate waits for old pods to go: look again when one does. */
  function podGone(pod: KubeObject) {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = rsInf.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = deploymentOf(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') enqueue(d);
  }

  dInf.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
  rsInf.addEventHandler({ add: rsAdded, update: rsUpdated, delete: rsDeleted });
  podInf.addEventHandler({
    delete: podGone,
    update(old, cur) {
      if ((cur.status?.phase === 'Succeeded' || cur.status?.phase === 'Failed') && old.status?.phase !== cur.status?.phase) podGone(cur);
    },
  });
  const informersSynced = Promise.all([dInf.synced(), rsInf.synced(), podInf.synced()]);

  async function updateStatus(d: KubeObject): Promise<void> {
    const res = await client.update<KubeObject>(`${dPath(d.metadata.namespace!, d.metadata.name!)}/status`, d);
    d.metadata.resourceVersion = res.metadata.resourceVersion;
    d.metadata.generation = res.metadata.generation;
  }

  /** Adopts orphan ReplicaSets matching the selector and releases owned ones that stopped matching. */
  async function claimReplicaSets(d: KubeObject, sel: LabelSelector): Promise<RS[]> {
    const ns = d.metadata.namespace!;
    const uid = d.metadata.uid!;
    const deleting = !!d.metadata.deletionTimestamp;
    const out: RS[] = [];
    for (const rs of rsInf.byIndex(OWNER_INDEX, uid)) {
      if (matchesLabels(sel, rs.metadata.labels)) {
        out.push(rs);
        continue;
      }
      if (deleting) continue;
      try {
        await client.patch(rsPath(ns, rs.metadata.name), releasePatch(rs, uid), 'merge');
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 422))) throw e;
      }
    }
    if (deleting) return out;
    let canAdopt: boolean | undefined;
    for (const rs of rsInf.list(ns)) {
      if (controllerRef(rs) || rs.metadata.deletionTimestamp || !matchesLabels(sel, rs.metadata.labels)) continue;
      if (canAdopt === undefined) {
        const fresh = await client.getOrNull<KubeObject>(dPath(ns, d.metadata.name!));
        canAdopt = !!fresh && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
      }
      if (!canAdopt) break;
      try {
        out.push(await client.patch<KubeObject>(rsPath(ns, rs.metadata.name), { metadata: { ownerReferences: [ownerRefTo(d)], uid: rs.metadata.uid } }, 'strategic'));
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
      }
    }
    return out;
  }

  /** Sets replicas (and the desired/max annotations) on a ReplicaSet; records ScalingReplicaSet on size changes. */
  async function scaleReplicaSet(rs: RS, newScale: number, d: KubeObject): Promise<{ scaled: boolean; rs: RS }> {
    const oldScale = replicasOf(rs);
    const sizeChanged = oldScale !== newScale;
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const body = {
      ...rs,
      metadata: { ...rs.metadata, annotations: { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) } },
      spec: { ...rs.spec, replicas: newScale },
    };
    const updated = await client.update<RS>(rsPath(rs.metadata.namespace!, rs.metadata.name), body);
    if (sizeChanged) emit(d, 'Normal', 'ScalingReplicaSet', `Scaled ${oldScale < newScale ? 'up' : 'down'} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    return { scaled: sizeChanged, rs: updated };
  }
  async function scaleAndRecord(rs: RS, newScale: number, d: KubeObject): Promise<{ scaled: boolean; rs: RS }> {
    if (replicasOf(rs) === newScale) return { scaled: false, rs };
    return scaleReplicaSet(rs, newScale, d);
  }

  /** The new ReplicaSet (created when asked and missing) with its revision synced, and the old ones. */
  async function getAllReplicaSets(d: KubeObject, rsList: RS[], create: boolean): Promise<{ newRS?: RS; oldRSs: RS[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = findOldReplicaSets(d, rsList, existing);
    const newRevision = maxRevision(oldRSs) + 1;
    const ns = d.metadata.namespace!;
    if (existing) {
      const annotations = { ...(existing.metadata.annotations ?? {}) };
      const changed = setNewReplicaSetAnnotations(d, annotations, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (changed || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        const spec = { ...existing.spec };
        if (minReady) spec.minReadySeconds = minReady;
        else delete spec.minReadySeconds;
        const updated = await client.update<RS>(rsPath(ns, existing.metadata.name), { ...existing, metadata: { ...existing.metadata, annotations }, spec });
        return { newRS: updated, oldRSs };
      }
      let needsUpdate = setDeploymentRevision(d, annotations[REVISION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${existing.metadata.name}"`));
        needsUpdate = true;
      }
      if (needsUpdate) await updateStatus(d);
      return { newRS: existing, oldRSs };
    }
    if (!create) return { oldRSs };

    const hash = templateHash(d.spec.template, d.status?.collisionCount);
    const template = deepClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = deepClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const newRS: RS = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: ns, ownerReferences: [ownerRefTo(d)], labels: template.metadata.labels },
      spec: { replicas: 0, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = count;
    const annotations: Record<string, string> = {};
    setNewReplicaSetAnnotations(d, annotations, newRevision, false);
    newRS.metadata.annotations = annotations;
    let created: RS;
    let alreadyExists = false;
    try {
      created = await client.create<RS>(rsPath(ns), newRS);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists') {
        alreadyExists = true;
        const rs = await client.get<RS>(rsPath(ns, name));
        if (controllerRef(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec?.template)) created = rs;
        else {
          d.status ??= {};
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          await updateStatus(d);
          throw e;
        }
      } else if (e instanceof ApiError && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg));
          await updateStatus(d).catch(() => undefined);
        }
        emit(d, 'Warning', 'ReplicaSetCreateError', msg);
        throw e;
      }
    }
    if (!alreadyExists && count > 0) emit(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${count}`);
    let needsUpdate = setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) await updateStatus(d);
    return { newRS: created!, oldRSs };
  }

  function setDeploymentRevision(d: KubeObject, revision: string | undefined): boolean {
    if (revision === undefined || d.metadata.annotations?.[REVISION] === revision) return false;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: revision };
    return true;
  }

  async function checkPausedConditions(d: KubeObject): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const pausedCond = cond?.reason === 'DeploymentPaused';
    d.status ??= {};
    if (d.spec?.paused && !pausedCond) setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
    else if (!d.spec?.paused && pausedCond) setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'));
    else return;
    await updateStatus(d);
  }

  async function isScalingEvent(d: KubeObject, rsList: RS[]): Promise<boolean> {
    const { newRS, oldRSs } = await getAllReplicaSets(d, rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired === undefined || !/^-?\d+$/.test(desired)) continue;
      if (Number(desired) !== replicasOf(d)) return true;
    }
    return false;
  }

  async function scale(d: KubeObject, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicasOf(d)) await scaleAndRecord(activeOrLatest, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await scaleAndRecord(old, 0, d);
      return;
    }
    if (isRollingUpdate(d)) {
      const { sizes, order } = proportionalSizes(d, activeReplicaSets([...oldRSs, newRS]));
      for (const rs of order) await scaleReplicaSet(rs, sizes.get(rs)!, d);
    }
  }

  async function cleanupDeployment(oldRSs: RS[], d: KubeObject): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await client.delete(rsPath(rs.metadata.namespace!, rs.metadata.name));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }

  async function syncDeploymentStatus(allRSs: (RS | undefined)[], newRS: RS | undefined, d: KubeObject): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d);
    if (sameJson(d.status ?? {}, status)) return;
    d.status = status;
    await updateStatus(d);
  }

  /** Paused deployments and scaling events: only scale (and prune history while paused). */
  async function syncScale(d: KubeObject, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await getAllReplicaSets(d, rsList, false);
    await scale(d, newRS, oldRSs);
    if (d.spec?.paused) await cleanupDeployment(oldRSs, d);
    await syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  async function syncRolloutStatus(allRSs: (RS | undefined)[], newRS: RS | undefined, d: KubeObject): Promise<void> {
    const now = Date.now();
    const status = calculateStatus(allRSs, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(d.status, 'Progressing');
    const complete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === 'NewReplicaSetAvailable';
    if (hasProgressDeadline(d) && !complete) {
      const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `${what} has successfully progressed.`, now));
      else if (deploymentProgressing(d, status)) {
        const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${what} is progressing.`, now);
        if (current) {
          if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, 'Progressing');
          status.conditions ??= [];
        }
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, now)) setCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `${what} has timed out progressing.`, now));
    }
    const failures = replicaFailures(allRSs, newRS);
    if (failures.length) setCondition(status, failures[0]);
    else removeCondition(status, 'ReplicaFailure');
    if (sameJson(d.status ?? {}, status)) {
      requeueStuck(d, status, now);
      return;
    }
    d.status = status;
    await updateStatus(d);
  }

  function replicaFailures(allRSs: (RS | undefined)[], newRS: RS | undefined) {
    const toDeployment = (c: any) => ({ type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message });
    const of = (rs: RS | undefined) => ((rs?.status?.conditions as any[]) ?? []).filter((c) => c.type === 'ReplicaFailure').map(toDeployment);
    const fromNew = of(newRS);
    if (fromNew.length) return fromNew;
    return allRSs.flatMap(of);
  }

  function requeueStuck(d: KubeObject, status: any, now: number) {
    const cond = getCondition(d.status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === 'ProgressDeadlineExceeded') return;
    const after = Date.parse(cond.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds * 1000 - now;
    if (!(after >= 1000)) queue.addRateLimited(keyOf(d));
    else queue.addAfter(keyOf(d), after + 1000);
  }

  async function rolloutRolling(d: KubeObject, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await getAllReplicaSets(d, rsList, true);
    const allRSs = [...oldRSs, newRS];
    // scale up the new ReplicaSet if we can
    if (newRS && replicasOf(newRS) !== replicasOf(d)) {
      const target = replicasOf(newRS) > replicasOf(d) ? replicasOf(d) : newRSNewReplicas(d, allRSs, newRS);
      const r = await scaleAndRecord(newRS, target, d);
      if (r.scaled) return syncRolloutStatus(allRSs, newRS, d);
    }
    // then scale old ones down if we can
    if (newRS && (await reconcileOldReplicaSets(allRSs, activeReplicaSets(oldRSs), newRS, d))) return syncRolloutStatus(allRSs, newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(oldRSs, d);
    return syncRolloutStatus(allRSs, newRS, d);
  }

  async function reconcileOldReplicaSets(allRSs: (RS | undefined)[], oldRSs: RS[], newRS: RS, d: KubeObject): Promise<boolean> {
    if (sumReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sumReplicas(allRSs) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // unhealthy replicas first, so they never block the rollout
    const olds = oldRSs.slice().sort(byCreation);
    let cleaned = 0;
    for (let i = 0; i < olds.length && cleaned < maxScaledDown; i++) {
      const rs = olds[i];
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      olds[i] = (await scaleAndRecord(rs, replicasOf(rs) - n, d)).rs;
      cleaned += n;
    }
    // then available ones, keeping minAvailable
    let scaledDown = 0;
    const available = sumStatus([...olds, newRS], 'availableReplicas');
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of olds) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), total - scaledDown);
        await scaleAndRecord(rs, replicasOf(rs) - n, d);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], rsList: RS[]): boolean {
    if (sumStatus(oldRSs, 'replicas') > 0) return true;
    for (const rs of rsList) {
      if (newRS && rs.metadata.uid === newRS.metadata.uid) continue;
      for (const pod of podInf.byIndex(OWNER_INDEX, rs.metadata.uid!)) {
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  async function rolloutRecreate(d: KubeObject, rsList: RS[]): Promise<void> {
    let { newRS, oldRSs } = await getAllReplicaSets(d, rsList, false);
    let allRSs = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if ((await scaleAndRecord(rs, 0, d)).scaled) scaledDown = true;
    if (scaledDown) return syncRolloutStatus(allRSs, newRS, d);
    if (oldPodsRunning(newRS, oldRSs, rsList)) return syncRolloutStatus(allRSs, newRS, d);
    if (!newRS) {
      ({ newRS, oldRSs } = await getAllReplicaSets(d, rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    if (newRS) await scaleAndRecord(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(oldRSs, d);
    return syncRolloutStatus(allRSs, newRS, d);
  }

  async function sync(key: string): Promise<void> {
    await informersSynced;
    const cached = dInf.getByKey(key);
    if (!cached) return;
    const d: KubeObject = deepClone(cached);
    const sel = selectorOf(cached);
    if (!sel || sel.length === 0) {
      emit(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await updateStatus(d);
      }
      return;
    }
    const rsList = await claimReplicaSets(d, sel);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await getAllReplicaSets(d, rsList, false);
      return syncDeploymentStatus([...oldRSs, newRS], newRS, d);
    }
    await checkPausedConditions(d);
    if (d.spec?.paused) return syncScale(d, rsList);
    if (await isScalingEvent(d, rsList)) return syncScale(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return rolloutRecreate(d, rsList);
    return rolloutRolling(d, rsList);
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

export const deploymentComponent: Component = {
  name: 'deployment',
  start: (ctx) => startDeploymentController(ctx),
};
