// The arithmetic of Deployments (Kubernetes' pkg/controller/deployment/util): surge and
// unavailability fenceposts, how many replicas a new ReplicaSet may have, proportional scaling,
// revision and replica annotations, conditions and the status computed from ReplicaSets.
import type { KubeObject } from '../../api/types.js';
import { byCreation, nowTime } from '../util.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';
export const MAX_REV_HISTORY_CHARS = 2000;
const MAX_INT32 = 2147483647;

/** Annotations a Deployment does not copy to its ReplicaSets. */
const SKIP_COPY = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

export type RS = KubeObject;
export interface Condition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const replicasOf = (o: KubeObject | undefined | null): number => o?.spec?.replicas ?? 0;

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) {
    if (/^-?\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const isRollingUpdate = (d: KubeObject) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Surge rounds up, unavailable down; both zero means unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d)).surge;
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas).unavailable, replicas);
}

export const sumReplicas = (rss: (RS | undefined)[]) => rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
export const sumStatus = (rss: (RS | undefined)[], f: 'replicas' | 'readyReplicas' | 'availableReplicas') => rss.reduce((n, rs) => n + (rs?.status?.[f] ?? 0), 0);
export const activeReplicaSets = (rss: (RS | undefined)[]) => rss.filter((rs): rs is RS => !!rs && replicasOf(rs) > 0);

/** Go's math.Round: halves away from zero. */
const round = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

/** How many replicas the new ReplicaSet should have now (NewRSNewReplicas). */
export function newRSNewReplicas(d: KubeObject, allRSs: (RS | undefined)[], newRS: RS): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const current = sumReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

function annotationInt(rs: RS, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const revisionOf = (rs: KubeObject): number => annotationInt(rs, REVISION) ?? 0;
export const maxRevision = (rss: RS[]) => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

/** The share of a proportional scaling (deploymentReplicasToAdd) this ReplicaSet takes. */
export function getProportion(rs: RS | undefined, d: KubeObject, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: RS, d: KubeObject): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const max = replicasOf(d) + maxSurge(d);
  let before = annotationInt(rs, MAX_REPLICAS);
  if (!before) before = d.status?.replicas ?? 0;
  if (!before) return 0;
  return round((replicasOf(rs) * max) / before) - replicasOf(rs);
}

/** A ReplicaSet's replicas after proportionally distributing a Deployment's scaling across `allRSs` (active ones). */
export function proportionalSizes(d: KubeObject, active: RS[]): { sizes: Map<RS, number>; order: RS[]; operation: 'up' | 'down' | '' } {
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumReplicas(active);
  const order = active.slice();
  let operation: 'up' | 'down' | '' = '';
  if (toAdd > 0) {
    order.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(b, a));
    operation = 'up';
  } else if (toAdd < 0) {
    order.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(a, b));
    operation = 'down';
  }
  const sizes = new Map<RS, number>();
  let added = 0;
  for (const rs of order) {
    if (toAdd !== 0) {
      const p = getProportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs, replicasOf(rs));
  }
  if (order.length && toAdd !== 0) sizes.set(order[0], Math.max(0, sizes.get(order[0])! + toAdd - added));
  return { sizes, order, operation };
}

/** Is any key among the JSON-empty values (Go's semantic equality treats nil and empty alike). */
const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).every((k) => isEmpty((v as any)[k])));

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => semanticEqual(x, bb[i]));
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) if (!semanticEqual((a as any)[k], (b as any)[k])) return false;
  return true;
}

/** Templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(t1: any, t2: any): boolean {
  const strip = (t: any) => {
    const labels = { ...(t?.metadata?.labels ?? {}) };
    delete labels[HASH_LABEL];
    return { ...t, metadata: { ...(t?.metadata ?? {}), labels } };
  };
  return semanticEqual(strip(t1), strip(t2));
}

/** The oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rss: RS[]): RS | undefined {
  return rss
    .slice()
    .sort(byCreation)
    .find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function findOldReplicaSets(d: KubeObject, rss: RS[], newRS: RS | undefined): RS[] {
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

export function findActiveOrLatest(newRS: RS | undefined, oldRSs: RS[]): RS | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const sortedOld = oldRSs.slice().sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...sortedOld, newRS]);
  if (active.length === 0) return newRS ?? sortedOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export function isSaturated(d: KubeObject, rs: RS | undefined): boolean {
  if (!rs) return false;
  const desired = annotationInt(rs, DESIRED_REPLICAS);
  if (desired === undefined) return false;
  const r = replicasOf(d);
  return replicasOf(rs) === r && desired === r && (rs.status?.availableReplicas ?? 0) === r;
}

export function replicasAnnotationsNeedUpdate(rs: RS, desired: number, max: number): boolean {
  const a = rs.metadata.annotations;
  return !a || a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** Copies the Deployment's annotations (except revision and replica bookkeeping); true when something changed. */
export function copyAnnotations(d: KubeObject, annotations: Record<string, string>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations on `annotations` (a copy the caller owns): copies the Deployment's
 * annotations, raises the revision (keeping the old one in revision-history when a ReplicaSet is
 * reused), and for a ReplicaSet about to be created sets desired/max replicas.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, annotations: Record<string, string>, newRevision: number, exists: boolean): boolean {
  let changed = copyAnnotations(d, annotations);
  const old = annotations[REVISION];
  let oldInt = 0;
  if (old !== undefined && old !== '') {
    if (!/^-?\d+$/.test(old)) return false;
    oldInt = Number(old);
  }
  if (oldInt < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (old !== undefined) {
      const history = annotations[REVISION_HISTORY] ?? '';
      const olds = history.split(',');
      if (olds[0].length === 0) annotations[REVISION_HISTORY] = old;
      else {
        let total = history.length + old.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_CHARS && start < olds.length) {
          total -= olds[start].length + 1;
          start++;
        }
        if (total <= MAX_REV_HISTORY_CHARS) annotations[REVISION_HISTORY] = [...olds.slice(start), old].join(',');
      }
    }
  }
  if (!exists) {
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + maxSurge(d));
    if (annotations[DESIRED_REPLICAS] !== desired || annotations[MAX_REPLICAS] !== max) {
      annotations[DESIRED_REPLICAS] = desired;
      annotations[MAX_REPLICAS] = max;
      changed = true;
    }
  }
  return changed;
}

export const getCondition = (status: any, type: string): Condition | undefined => (status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

export function newCondition(type: string, status: string, reason: string, message: string, now = Date.now()): Condition {
  const t = nowTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: no change for the same status and reason; otherwise replaced and moved last. */
export function setCondition(status: any, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...((status.conditions as Condition[]) ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: any, type: string): void {
  if (!status.conditions) return;
  status.conditions = (status.conditions as Condition[]).filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

export const hasProgressDeadline = (d: KubeObject) => d.spec?.progressDeadlineSeconds !== undefined && d.spec?.progressDeadlineSeconds !== null && d.spec.progressDeadlineSeconds !== MAX_INT32;
export const hasRevisionHistoryLimit = (d: KubeObject) => d.spec?.revisionHistoryLimit !== undefined && d.spec?.revisionHistoryLimit !== null && d.spec.revisionHistoryLimit !== MAX_INT32;

/** Zero counters are omitted as Go's omitempty does. */
function put(o: any, k: string, v: number | undefined) {
  if (v) o[k] = v;
}

/** The Deployment status its ReplicaSets give (calculateStatus); conditions carried over, Available set. */
export function calculateStatus(allRSs: (RS | undefined)[], newRS: RS | undefined, d: KubeObject, now = Date.now()): any {
  const available = sumStatus(allRSs, 'availableReplicas');
  const total = sumReplicas(allRSs);
  const unavailable = Math.max(0, total - available);
  const status: any = {};
  put(status, 'observedGeneration', d.metadata.generation);
  put(status, 'replicas', sumStatus(allRSs, 'replicas'));
  put(status, 'updatedReplicas', sumStatus([newRS], 'replicas'));
  put(status, 'readyReplicas', sumStatus(allRSs, 'readyReplicas'));
  put(status, 'availableReplicas', available);
  put(status, 'unavailableReplicas', unavailable);
  if (d.status?.conditions?.length) status.conditions = (d.status.conditions as Condition[]).map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  else setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  return status;
}

export function deploymentComplete(d: KubeObject, s: any): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

export function deploymentProgressing(d: KubeObject, s: any): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: KubeObject, s: any, now = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : 0;
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** ReplicaSets by revision, then age (oldest first): the order cleanup deletes them in. */
export function byRevision(a: RS, b: RS): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  return ra !== rb ? ra - rb : byCreation(a, b);
}
