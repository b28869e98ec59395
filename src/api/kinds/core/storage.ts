// PersistentVolumes and PersistentVolumeClaims: defaults, validation (access modes, one volume
// source, claim spec immutability) and their `kubectl get` tables.
import type { KubeObject } from '../../types.js';
import type { ResourceDescriptor } from '../../descriptor.js';
import { type FieldError, invalid, required, notSupported, forbiddenField, immutable } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation.js';
import { compareQuantity, canonicalQuantity, parseQuantity } from '../../quantity.js';
import { age, col, nameColumn, ageColumn, wideCol } from '../../table.js';
import { coreRef, PV_SOURCES } from './schemas.js';
import { validateVolumeSource, validateNodeSelector, validateLabelSelector } from './pod.js';
import { type Obj, stable, specDiff, isObj, list, keys, validateResourceList, canonicalizeResourceList } from './util.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/** RWO,ROX,RWX,RWOP in Kubernetes' fixed order. */
export function accessModesString(modes: unknown): string {
  const m = list(modes);
  const out: string[] = [];
  if (m.includes('ReadWriteOnce')) out.push('RWO');
  if (m.includes('ReadOnlyMany')) out.push('ROX');
  if (m.includes('ReadWriteMany')) out.push('RWX');
  if (m.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function validateAccessModes(modes: unknown[], field: string, requiredMsg: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes.length) errs.push(required(field, requiredMsg));
  let foundRWOP = false;
  for (const m of modes) {
    if (!ACCESS_MODES.includes(m as string)) errs.push(notSupported(field, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') foundRWOP = true;
  }
  if (foundRWOP && modes.length > 1) errs.push(forbiddenField(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

// ---------------------------------------------------------------- PersistentVolume

function validatePV(pv: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(pv.spec) ? pv.spec : {};
  errs.push(...validateAccessModes(list(spec.accessModes), 'spec.accessModes', 'must specify at least 1 access mode'));
  const cap = spec.capacity;
  if (!keys(cap).length) errs.push(required('spec.capacity', ''));
  else if (!('storage' in cap) || keys(cap).length > 1) errs.push(notSupported('spec.capacity', cap, ['storage']));
  errs.push(...validateResourceList(cap, 'spec.capacity'));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM.includes(spec.persistentVolumeReclaimPolicy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM));
  if (spec.storageClassName) for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid('spec.storageClassName', spec.storageClassName, m));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  const set = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (!set.length) errs.push(required('spec', 'must specify a volume type'));
  for (const s of set.slice(1)) errs.push(forbiddenField(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (set.length) errs.push(...validateVolumeSource(set[0], isObj(spec[set[0]]) ? spec[set[0]] : {}, `spec.${set[0]}`));
  if (set[0] === 'hostPath' && typeof spec.hostPath?.path === 'string' && spec.persistentVolumeReclaimPolicy === 'Recycle' && spec.hostPath.path === '/') errs.push(forbiddenField('spec.persistentVolumeReclaimPolicy', 'may not be \'recycle\' for a hostPath mount of \'/\''));
  if (set[0] === 'local' && !isObj(spec.nodeAffinity)) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  if (isObj(spec.nodeAffinity)) {
    if (!isObj(spec.nodeAffinity.required)) errs.push(required('spec.nodeAffinity.required', 'must specify required node constraints'));
    else errs.push(...validateNodeSelector(spec.nodeAffinity.required, 'spec.nodeAffinity.required'));
  }
  if (isObj(spec.claimRef) && !spec.claimRef.name) errs.push(required('spec.claimRef.name', ''));
  return errs;
}

function validatePVUpdate(pv: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePV(pv);
  const n: Obj = pv.spec ?? {};
  const o: Obj = old.spec ?? {};
  const src = (s: Obj) => JSON.stringify(PV_SOURCES.map((k) => s[k] ?? null));
  if (src(n) !== src(o)) errs.push(forbiddenField('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if ((n.volumeMode ?? '') !== (o.volumeMode ?? '')) errs.push(immutable('spec.volumeMode', n.volumeMode ?? null));
  if (isObj(o.nodeAffinity) && JSON.stringify(n.nodeAffinity) !== JSON.stringify(o.nodeAffinity)) errs.push(forbiddenField('spec.nodeAffinity', 'field is immutable once set'));
  return errs;
}

const pvClass = (pv: KubeObject): string => pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pv.spec?.storageClassName ?? '';

function pvRow(pv: KubeObject, now: Date): unknown[] {
  const spec: Obj = pv.spec ?? {};
  const claim = isObj(spec.claimRef) ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
  const phase = pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
  return [
    pv.metadata.name,
    canonicalQuantity(spec.capacity?.storage) ?? '0',
    accessModesString(spec.accessModes),
    spec.persistentVolumeReclaimPolicy ?? '',
    phase,
    claim,
    pvClass(pv),
    spec.volumeAttributesClassName ?? '<unset>',
    pv.status?.reason ?? '',
    age(pv.metadata.creationTimestamp, now),
    spec.volumeMode ?? '<unset>',
  ];
}

export const persistentVolumeDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('PersistentVolume'),
  subresources: { status: true },
  defaults(obj) {
    obj.spec ??= {};
    if (!obj.spec.persistentVolumeReclaimPolicy) obj.spec.persistentVolumeReclaimPolicy = 'Retain';
    if (!obj.spec.volumeMode) obj.spec.volumeMode = 'Filesystem';
    canonicalizeResourceList(obj.spec.capacity);
    if (isObj(obj.spec.hostPath)) obj.spec.hostPath.type ??= '';
    if (isObj(obj.spec.rbd)) {
      obj.spec.rbd.pool ||= 'rbd';
      obj.spec.rbd.user ||= 'admin';
      obj.spec.rbd.keyring ||= '/etc/ceph/keyring';
    }
    if (isObj(obj.spec.iscsi)) obj.spec.iscsi.iscsiInterface ||= 'default';
    if (isObj(obj.spec.azureDisk)) {
      obj.spec.azureDisk.cachingMode ??= 'ReadWrite';
      obj.spec.azureDisk.fsType ??= 'ext4';
      obj.spec.azureDisk.readOnly ??= false;
      obj.spec.azureDisk.kind ??= 'Shared';
    }
    obj.status ??= {};
    if (!obj.status.phase) obj.status.phase = 'Pending';
  },
  prepareCreate(obj, ctx) {
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: ctx.now.toISOString().replace(/\.\d+Z$/, 'Z') };
  },
  validate: (obj) => validatePV(obj),
  validateUpdate: (obj, old) => validatePVUpdate(obj, old),
  table: {
    columns: [
      nameColumn,
      col('Capacity', 'Size of the volume.'),
      col('Access Modes', 'Access modes of the volume.'),
      col('Reclaim Policy', 'What happens to the volume when its claim is released.'),
      col('Status', 'Phase of the volume.'),
      col('Claim', 'The claim bound to the volume.'),
      col('StorageClass', 'StorageClass of the volume.'),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the volume.'),
      col('Reason', 'Reason for the phase.'),
      ageColumn,
      wideCol('VolumeMode', 'Filesystem or Block.'),
    ],
    row: pvRow,
  },
  fieldSelectors: { name: (o) => o.metadata.name ?? '' },
};

// ---------------------------------------------------------------- PersistentVolumeClaim

function validatePVCSpec(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(list(spec.accessModes), `${field}.accessModes`, 'at least 1 access mode is required'));
  errs.push(...validateLabelSelector(spec.selector, `${field}.selector`));
  const req = spec.resources?.requests;
  if (!isObj(req) || req.storage === undefined) errs.push(required(`${field}.resources[storage]`, ''));
  else {
    errs.push(...validateResourceList(req, `${field}.resources.requests`));
    const q = parseQuantity(String(req.storage));
    if (q && q.nanos <= 0n) errs.push(invalid(`${field}.resources.requests[storage]`, canonicalQuantity(req.storage), 'must be greater than zero'));
  }
  errs.push(...validateResourceList(spec.resources?.limits, `${field}.resources.limits`));
  if (spec.storageClassName) for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid(`${field}.storageClassName`, spec.storageClassName, m));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(`${field}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  for (const k of ['dataSource', 'dataSourceRef']) {
    const d = spec[k];
    if (!isObj(d)) continue;
    if (!d.name) errs.push(required(`${field}.${k}.name`, ''));
    if (!d.kind) errs.push(required(`${field}.${k}.kind`, ''));
    else if (!d.apiGroup && d.kind !== 'PersistentVolumeClaim') errs.push(invalid(`${field}.${k}`, d.kind, 'must be \'PersistentVolumeClaim\' when referencing the default apiGroup'));
  }
  return errs;
}

function defaultPVCSpec(spec: Obj) {
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  if (isObj(spec.resources)) {
    canonicalizeResourceList(spec.resources.requests);
    canonicalizeResourceList(spec.resources.limits);
  }
  // dataSource and dataSourceRef mirror each other when only one is given.
  if (isObj(spec.dataSource) && !isObj(spec.dataSourceRef)) spec.dataSourceRef = structuredClone(spec.dataSource);
  else if (isObj(spec.dataSourceRef) && !isObj(spec.dataSource) && !spec.dataSourceRef.namespace) spec.dataSource = structuredClone(spec.dataSourceRef);
}

function validatePVCUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePVCSpec(pvc.spec ?? {}, 'spec');
  const n: Obj = structuredClone(pvc.spec ?? {});
  const o: Obj = structuredClone(old.spec ?? {});
  if (!o.volumeName) o.volumeName = n.volumeName;
  if (!o.storageClassName && old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] === n.storageClassName) o.storageClassName = n.storageClassName;
  // A class may be set later on an unbound claim that had none (retroactive default StorageClass).
  if (o.storageClassName === undefined && !old.spec?.volumeName && n.storageClassName !== undefined) o.storageClassName = n.storageClassName;
  const bound = pvc.status?.phase === 'Bound' || old.status?.phase === 'Bound';
  if (bound && isObj(n.resources?.requests)) {
    n.resources.requests.storage = o.resources?.requests?.storage;
    if (n.resources.requests.storage === undefined) delete n.resources.requests.storage;
  }
  n.volumeAttributesClassName = o.volumeAttributesClassName;
  if (stable(n) !== stable(o)) errs.push(forbiddenField('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', o, n)}`));
  const newSize = pvc.spec?.resources?.requests?.storage;
  const oldSize = old.spec?.resources?.requests?.storage;
  if (newSize !== undefined && oldSize !== undefined && compareQuantity(newSize, oldSize) < 0) errs.push(forbiddenField('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errs;
}

const pvcClass = (pvc: KubeObject): string => pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';

function pvcRow(pvc: KubeObject, now: Date): unknown[] {
  const spec: Obj = pvc.spec ?? {};
  const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
  let capacity = '';
  let modes = '';
  if (spec.volumeName) {
    modes = accessModesString(pvc.status?.accessModes);
    capacity = canonicalQuantity(pvc.status?.capacity?.storage) ?? '0';
  }
  return [pvc.metadata.name, phase, spec.volumeName ?? '', capacity, modes, pvcClass(pvc), spec.volumeAttributesClassName ?? '<unset>', age(pvc.metadata.creationTimestamp, now), spec.volumeMode ?? '<unset>'];
}

export const persistentVolumeClaimDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('PersistentVolumeClaim'),
  subresources: { status: true },
  defaults(obj) {
    obj.spec ??= {};
    defaultPVCSpec(obj.spec);
    obj.status ??= {};
    if (!obj.status.phase) obj.status.phase = 'Pending';
  },
  prepareCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate: (obj) => validatePVCSpec(obj.spec ?? {}, 'spec'),
  validateUpdate: (obj, old) => validatePVCUpdate(obj, old),
  table: {
    columns: [
      nameColumn,
      col('Status', 'Phase of the claim.'),
      col('Volume', 'The volume bound to the claim.'),
      col('Capacity', 'Size of the bound volume.'),
      col('Access Modes', 'Access modes of the bound volume.'),
      col('StorageClass', 'StorageClass of the claim.'),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the claim.'),
      ageColumn,
      wideCol('VolumeMode', 'Filesystem or Block.'),
    ],
    row: pvcRow,
  },
  fieldSelectors: { name: (o) => o.metadata.name ?? '' },
};
