// StatefulSet pod identity and storage (Kubernetes' stateful_set_utils.go): ordinals parsed from
// pod names, the pod a set wants at an ordinal, its PersistentVolumeClaims, and the owner
// references that carry persistentVolumeClaimRetentionPolicy.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { isPodReady, isPodAvailable } from '../util.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const SET_API_VERSION = 'apps/v1';
export const SET_KIND = 'StatefulSet';

const statefulPodRegex = /^(.*)-([0-9]+)$/;

/** The parent set's name and the ordinal from a pod name (`''`, -1 when it has none). */
export function parentAndOrdinal(name: string): [string, number] {
  const m = statefulPodRegex.exec(name);
  if (!m) return ['', -1];
  const n = Number(m[2]);
  return n <= 0x7fffffff ? [m[1], n] : [m[1], -1];
}
export const getOrdinal = (pod: KubeObject) => parentAndOrdinal(pod.metadata.name!)[1];
export const isMemberOf = (set: KubeObject, pod: KubeObject) => parentAndOrdinal(pod.metadata.name!)[0] === set.metadata.name;

export const startOrdinal = (set: KubeObject): number => Number(set.spec?.ordinals?.start ?? 0);
export const replicasOf = (set: KubeObject): number => Number(set.spec?.replicas ?? 1);
export const endOrdinal = (set: KubeObject): number => startOrdinal(set) + replicasOf(set) - 1;
export function podInOrdinalRange(pod: KubeObject, set: KubeObject): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}
export const podName = (set: KubeObject, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: KubeObject, template: KubeObject, ordinal: number) => `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;

export const isCreated = (pod: KubeObject) => !!pod.status?.phase;
export const isPending = (pod: KubeObject) => pod.status?.phase === 'Pending';
export const isFailed = (pod: KubeObject) => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: KubeObject) => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: KubeObject) => !!pod.metadata.deletionTimestamp;
export const isRunningAndReady = (pod: KubeObject) => pod.status?.phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: KubeObject, minReadySeconds: number) => isPodAvailable(pod, minReadySeconds);
export const isHealthy = (pod: KubeObject) => isRunningAndReady(pod) && !isTerminating(pod);
export const getPodRevision = (pod: KubeObject) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
export const allowsBurst = (set: KubeObject) => set.spec?.podManagementPolicy === 'Parallel';

export function setRef(set: KubeObject): OwnerReference {
  return { apiVersion: SET_API_VERSION, kind: SET_KIND, name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** identityMatches: the pod's name, namespace and pod-name label fit the set. */
export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const [parent, ordinal] = parentAndOrdinal(pod.metadata.name!);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** updateIdentity: sets the identity labels (on a copy the caller owns). */
export function updateIdentity(set: KubeObject, pod: KubeObject): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** The claims a pod of the set uses, keyed by template name, in template order. */
export function claimsFor(set: KubeObject, ordinal: number): [string, KubeObject][] {
  const out: [string, KubeObject][] = [];
  const matchLabels: Record<string, string> = set.spec?.selector?.matchLabels ?? {};
  for (const t of (set.spec?.volumeClaimTemplates ?? []) as KubeObject[]) {
    const meta = structuredClone(t.metadata ?? {});
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...meta, name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}), ...matchLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
    delete claim.metadata.uid;
    delete claim.metadata.resourceVersion;
    delete claim.metadata.creationTimestamp;
    out.push([t.metadata?.name ?? '', claim]);
  }
  return out;
}

/** storageMatches: every claim template is mounted as a volume of the right claim. */
export function storageMatches(set: KubeObject, pod: KubeObject): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const vols = new Map<string, any>();
  for (const v of pod.spec?.volumes ?? []) vols.set(v.name, v);
  for (const t of (set.spec?.volumeClaimTemplates ?? []) as KubeObject[]) {
    const v = vols.get(t.metadata?.name ?? '');
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== claimName(set, t, ordinal)) return false;
  }
  return true;
}

/** updateStorage: claim volumes first, then the template's other volumes. */
function updateStorage(set: KubeObject, pod: KubeObject): void {
  const claims = claimsFor(set, getOrdinal(pod));
  const names = new Set(claims.map(([n]) => n));
  const vols: any[] = claims.map(([n, c]) => ({ name: n, persistentVolumeClaim: { claimName: c.metadata.name } }));
  for (const v of pod.spec?.volumes ?? []) if (!names.has(v.name)) vols.push(v);
  if (vols.length) pod.spec.volumes = vols;
}

/** newStatefulSetPod: the template's pod with its identity, hostname/subdomain and volumes. */
export function newStatefulSetPod(set: KubeObject, ordinal: number): KubeObject {
  const tpl = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const meta: KubeObject['metadata'] = { name, generateName: `${set.metadata.name}-`, namespace: set.metadata.namespace, labels: { ...(tpl.metadata?.labels ?? {}) } };
  if (tpl.metadata?.annotations) meta.annotations = { ...tpl.metadata.annotations };
  if (tpl.metadata?.finalizers) meta.finalizers = [...tpl.metadata.finalizers];
  meta.ownerReferences = [setRef(set)];
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(tpl.spec ?? {}) };
  updateIdentity(set, pod);
  pod.spec.hostname = name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, without a rollingUpdate block,
 * below currentReplicas) get the current revision; the rest the update revision. The operator
 * precedence is Kubernetes' own.
 */
export function newVersionedStatefulSetPod(currentSet: KubeObject, updateSet: KubeObject, currentRevision: string, updateRevision: string, ordinal: number): KubeObject {
  const us = currentSet.spec?.updateStrategy ?? {};
  const start = startOrdinal(currentSet);
  if (
    (us.type === 'RollingUpdate' && !us.rollingUpdate && ordinal < start + Number(currentSet.status?.currentReplicas ?? 0)) ||
    (us.rollingUpdate && ordinal < start + Number(us.rollingUpdate.partition ?? 0))
  ) {
    const pod = newStatefulSetPod(currentSet, ordinal);
    pod.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = currentRevision;
    return pod;
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  pod.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = updateRevision;
  return pod;
}

// ---- persistentVolumeClaimRetentionPolicy through owner references ----

export function retentionPolicy(set: KubeObject): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted ?? 'Retain', whenScaled: p.whenScaled ?? 'Retain' };
}

const matchesRef = (ref: OwnerReference, obj: KubeObject, apiVersion: string, kind: string) => ref.apiVersion === apiVersion && ref.kind === kind && ref.name === obj.metadata.name;
const matchesSet = (ref: OwnerReference, set: KubeObject) => matchesRef(ref, set, SET_API_VERSION, SET_KIND);
const matchesPod = (ref: OwnerReference, pod: KubeObject) => matchesRef(ref, pod, 'v1', 'Pod');
export const hasOwnerRef = (target: KubeObject, owner: KubeObject) => !!owner.metadata.uid && (target.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);

/** hasStaleOwnerRef: a ref naming the object whose uid is not the object's. */
export function hasStaleOwnerRef(target: KubeObject, obj: KubeObject, apiVersion: string, kind: string): boolean {
  for (const r of target.metadata.ownerReferences ?? []) if (matchesRef(r, obj, apiVersion, kind)) return r.uid !== obj.metadata.uid;
  return false;
}

function hasUnexpectedController(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  const p = retentionPolicy(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const r of claim.metadata.ownerReferences ?? []) {
    if (matchesSet(r, set)) {
      if (r.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesPod(r, pod)) {
      if (r.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (r.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.metadata.uid || (!!pod.metadata.uid && r.uid === pod.metadata.uid)) && !r.controller);
}

/** isClaimOwnerUpToDate: the claim's owner refs are those the retention policy asks for. */
export function isClaimOwnerUpToDate(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  if (hasStaleOwnerRef(claim, set, SET_API_VERSION, SET_KIND) || hasStaleOwnerRef(claim, pod, 'v1', 'Pod')) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const p = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') return scaledDown !== hasOwnerRef(claim, set) && scaledDown === hasOwnerRef(claim, pod);
  if (p.whenScaled === 'Delete') return !hasOwnerRef(claim, set) && scaledDown === hasOwnerRef(claim, pod);
  if (p.whenDeleted === 'Delete') return hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
  return !hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
}

/** updateClaimOwnerRefForSetAndPod: the owner refs the claim should have (a new list). */
export function claimOwnerRefsFor(claim: KubeObject, set: KubeObject, pod: KubeObject): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata.ownerReferences ?? []).filter((r) => !matchesSet(r, set) && !matchesPod(r, pod));
  if (unexpected) return refs;
  const add = (owner: KubeObject, apiVersion: string, kind: string) => {
    if (!owner.metadata.uid || refs.some((r) => r.uid === owner.metadata.uid)) return;
    refs = [...refs, { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }];
  };
  const p = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') add(set, SET_API_VERSION, SET_KIND);
  else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') {
    if (scaledDown) add(pod, 'v1', 'Pod');
  } else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') {
    if (scaledDown) add(pod, 'v1', 'Pod');
    else add(set, SET_API_VERSION, SET_KIND);
  }
  return refs;
}
