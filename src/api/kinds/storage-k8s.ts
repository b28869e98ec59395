// storage.k8s.io: StorageClass (v1, with v1beta1 served), VolumeAttachment, CSIDriver, CSINode,
// CSIStorageCapacity.
import { define, str, int32, int64, bool, obj, arr, ref, kindSchema, stringMap, quantity, time, keyedList, setList } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required, notSupported, forbiddenField, tooLong } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isDNS1123Subdomain } from '../validation.js';
import { labelSelectorRef } from './meta.js';
import { asVersion, isObj, list, isSet, deepEqual, validateQualifiedName, immutableField, validateLabelSelector, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const S = 'io.k8s.api.storage.v1';
const SB = 'io.k8s.api.storage.v1beta1';
const G = 'storage.k8s.io';

// ---------------------------------------------------------------- StorageClass

function storageClassSchema(P: string, version: string) {
  return kindSchema(`${P}.StorageClass`, [{ group: G, version, kind: 'StorageClass' }], 'A class of storage that PersistentVolumes can be dynamically provisioned from. Cluster-scoped.', {
    provisioner: str('Name of the volume plugin or external provisioner that creates volumes of this class. Immutable.'),
    parameters: stringMap('Provisioner-specific settings for new volumes. Immutable.'),
    reclaimPolicy: str('Reclaim policy of provisioned volumes: Delete (default) or Retain. Immutable.'),
    mountOptions: arr(str(), 'Mount options of provisioned volumes, passed through unchecked.', { listType: 'atomic' }),
    allowVolumeExpansion: bool('Whether claims of this class may be resized.'),
    volumeBindingMode: str('When volumes are bound and provisioned: Immediate (default) or WaitForFirstConsumer. Immutable.'),
    allowedTopologies: arr(ref('io.k8s.api.core.v1.TopologySelectorTerm'), 'Topologies where volumes may be provisioned; anywhere when empty.', { listType: 'atomic' }),
  }, { required: ['provisioner'] });
}
const storageClassV1 = storageClassSchema(S, 'v1');
const storageClassBeta = storageClassSchema(SB, 'v1beta1');

export const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const IS_DEFAULT_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultStorageClass = (o: KubeObject) => o.metadata.annotations?.[IS_DEFAULT_CLASS] === 'true' || o.metadata.annotations?.[IS_DEFAULT_CLASS_BETA] === 'true';

export function storageClassDefaults(o: KubeObject): void {
  if (!o.reclaimPolicy) o.reclaimPolicy = 'Delete';
  if (!o.volumeBindingMode) o.volumeBindingMode = 'Immediate';
}

function validateTopologies(terms: unknown): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(terms)) return errs;
  const seen: string[] = [];
  terms.forEach((t: any, i: number) => {
    const f = `allowedTopologies[${i}]`;
    const exprs = list(t?.matchLabelExpressions);
    if (exprs.length === 0) errs.push(required(`${f}.matchLabelExpressions`, 'must have at least one label expression'));
    const keys = new Set<string>();
    exprs.forEach((e: any, j: number) => {
      const ef = `${f}.matchLabelExpressions[${j}]`;
      const key = String(e?.key ?? '');
      errs.push(...validateQualifiedName(key, `${ef}.key`));
      if (list(e?.values).length === 0) errs.push(required(`${ef}.values`, 'must specify as least one value'));
      if (keys.has(key)) errs.push({ type: 'FieldValueDuplicate', field: `${ef}.key`, value: key });
      keys.add(key);
    });
    const c = JSON.stringify(t);
    if (seen.includes(c)) errs.push({ type: 'FieldValueDuplicate', field: f, value: t });
    seen.push(c);
  });
  return errs;
}

export function validateStorageClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const prov: string = o.provisioner ?? '';
  if (!prov) errs.push(required('provisioner', prov));
  else errs.push(...validateQualifiedName(prov.toLowerCase(), 'provisioner'));
  const params = isObj(o.parameters) ? o.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > 512) errs.push(tooLong('parameters', 'Provisioner Parameters exceeded max allowed', 512));
  else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
      size += k.length + String(params[k] ?? '').length;
    }
    if (size > 256 * 1024) errs.push(tooLong('parameters', '', 256 * 1024));
  }
  if (o.reclaimPolicy && !['Delete', 'Retain'].includes(o.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', o.reclaimPolicy, ['Delete', 'Retain']));
  if (!isSet(o.volumeBindingMode)) errs.push(required('volumeBindingMode'));
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(o.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', o.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  errs.push(...validateTopologies(o.allowedTopologies));
  return errs;
}

export function validateStorageClassUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStorageClass(o);
  if (!deepEqual(o.parameters ?? {}, old.parameters ?? {})) errs.push(forbiddenField('parameters', 'updates to parameters are forbidden.'));
  if ((o.provisioner ?? '') !== (old.provisioner ?? '')) errs.push(forbiddenField('provisioner', 'updates to provisioner are forbidden.'));
  if ((o.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errs.push(forbiddenField('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutableField(o.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export const storageClass: ResourceDescriptor = {
  group: G,
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  shortNames: ['sc'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [
    { version: 'v1', schema: storageClassV1 },
    {
      version: 'v1beta1',
      schema: storageClassBeta,
      deprecationWarning: 'storage.k8s.io/v1beta1 StorageClass is deprecated in v1.19+, unavailable in v1.22+; use storage.k8s.io/v1 StorageClass',
      toStorage: asVersion(`${G}/v1`),
      fromStorage: asVersion(`${G}/v1beta1`),
    },
  ],
  schema: storageClassV1,
  defaults: storageClassDefaults,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  table: {
    columns: [
      nameColumn,
      col('Provisioner', 'Plugin or external provisioner that creates the volumes.'),
      col('ReclaimPolicy', 'What happens to provisioned volumes when released.'),
      col('VolumeBindingMode', 'When volumes are bound and provisioned.'),
      col('AllowVolumeExpansion', 'Whether claims of this class may grow.', 'boolean'),
      ageColumn,
    ],
    row: (o, now) => [
      isDefaultStorageClass(o) ? `${o.metadata.name} (default)` : o.metadata.name,
      o.provisioner ?? '',
      o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate',
      o.allowVolumeExpansion ?? false,
      age(o.metadata.creationTimestamp, now),
    ],
  },
};

// ---------------------------------------------------------------- CSI driver names

export function validateCSIDriverName(name: string, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) errs.push(required(f));
  if (name.length > 63) errs.push(tooLong(f, name, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(f, name, m));
  return errs;
}

// ---------------------------------------------------------------- VolumeAttachment

define(`${S}.VolumeAttachmentSource`, obj({
  persistentVolumeName: str('Name of the PersistentVolume to attach.'),
  inlineVolumeSpec: ref('io.k8s.api.core.v1.PersistentVolumeSpec', 'An inline volume (from a pod spec) translated to a PersistentVolume spec, for CSI migration.'),
}, 'The volume to attach: exactly one field is set.'));
define(`${S}.VolumeAttachmentSpec`, obj({
  attacher: str('Name of the CSI driver that attaches the volume.'),
  source: ref(`${S}.VolumeAttachmentSource`, 'The volume to attach.'),
  nodeName: str('Node the volume is attached to.'),
}, 'Desired attachment.', { required: ['attacher', 'source', 'nodeName'] }));
define(`${S}.VolumeError`, obj({
  time: time('When the error happened.'),
  message: str('What went wrong.'),
  errorCode: int32('Numeric gRPC code of the error.'),
}, 'An attach or detach error.'));
define(`${S}.VolumeAttachmentStatus`, obj({
  attached: bool('Whether the volume is attached.'),
  attachmentMetadata: stringMap('Information the attacher returned, passed to the mount step.'),
  attachError: ref(`${S}.VolumeError`, 'Last attach error.'),
  detachError: ref(`${S}.VolumeError`, 'Last detach error.'),
}, 'Observed attachment.', { required: ['attached'] }));
const volumeAttachmentV1 = kindSchema(`${S}.VolumeAttachment`, [{ group: G, version: 'v1', kind: 'VolumeAttachment' }], 'Records that a volume should be (and is) attached to a node. Cluster-scoped.', {
  spec: ref(`${S}.VolumeAttachmentSpec`, 'Desired attachment.'),
  status: ref(`${S}.VolumeAttachmentStatus`, 'Observed attachment.'),
}, { required: ['spec'] });

function validateVolumeAttachment(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  errs.push(...validateCSIDriverName(spec.attacher ?? '', 'spec.attacher'));
  const src = isObj(spec.source) ? spec.source : {};
  const hasPV = isSet(src.persistentVolumeName);
  const hasInline = isSet(src.inlineVolumeSpec);
  if (!hasPV && !hasInline) errs.push(required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (hasPV && hasInline) errs.push(forbiddenField('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (hasPV && !src.persistentVolumeName) errs.push(required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  if (!spec.nodeName) errs.push(required('spec.nodeName'));
  else for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid('spec.nodeName', spec.nodeName, m));
  return errs;
}

export const volumeAttachment: ResourceDescriptor = {
  group: G,
  kind: 'VolumeAttachment',
  plural: 'volumeattachments',
  singular: 'volumeattachment',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: volumeAttachmentV1,
  subresources: { status: true },
  validate: validateVolumeAttachment,
  validateUpdate(o, old, ctx) {
    if (ctx.subresource === 'status') return [];
    const errs = validateVolumeAttachment(o);
    if (!deepEqual(o.spec, old.spec)) errs.push(invalid('spec', o.spec, 'field is immutable'));
    return errs;
  },
  table: {
    columns: [nameColumn, col('Attacher', 'CSI driver that attaches the volume.'), col('PV', 'PersistentVolume being attached.'), col('Node', 'Node the volume is attached to.'), col('Attached', 'Whether the volume is attached.', 'boolean'), ageColumn],
    row: (o, now) => [o.metadata.name, o.spec?.attacher ?? '', o.spec?.source?.persistentVolumeName ?? '', o.spec?.nodeName ?? '', o.status?.attached ?? false, age(o.metadata.creationTimestamp, now)],
  },
};

// ---------------------------------------------------------------- CSIDriver

define(`${S}.TokenRequest`, obj({ audience: str('Audience of the token; empty means the API server audiences.'), expirationSeconds: int64('Token lifetime in seconds.') }, 'A service account token the driver receives at mount time.', { required: ['audience'] }));
define(`${S}.CSIDriverSpec`, obj({
  attachRequired: bool('Whether the driver needs an attach step (ControllerPublishVolume). Defaults to true. Immutable.'),
  podInfoOnMount: bool('Whether pod name, namespace, UID and service account are passed to NodePublishVolume. Defaults to false.'),
  volumeLifecycleModes: setList(str(), 'Persistent and/or Ephemeral: the volume kinds the driver supports. Defaults to Persistent. Immutable.'),
  storageCapacity: bool('Whether the scheduler consults CSIStorageCapacity objects published for this driver. Defaults to false.'),
  fsGroupPolicy: str('Whether the volume ownership and permissions are changed to match the pod fsGroup: ReadWriteOnceWithFSType (default), File or None.'),
  tokenRequests: arr(ref(`${S}.TokenRequest`), 'Service account tokens passed to the driver in NodePublishVolume.', { listType: 'atomic' }),
  requiresRepublish: bool('Whether NodePublishVolume is called again periodically (for example to refresh tokens). Defaults to false.'),
  seLinuxMount: bool('Whether the driver supports the "-o context" mount option for SELinux labels. Defaults to false.'),
}, 'How a CSI driver is called.'));
const csiDriverV1 = kindSchema(`${S}.CSIDriver`, [{ group: G, version: 'v1', kind: 'CSIDriver' }], 'Describes an installed CSI volume driver. The object name is the driver name. Cluster-scoped.', {
  spec: ref(`${S}.CSIDriverSpec`, 'How the driver is called.'),
}, { required: ['spec'] });

export function csiDriverDefaults(o: KubeObject): void {
  if (!isObj(o.spec)) o.spec = {};
  const s = o.spec;
  if (!isSet(s.attachRequired)) s.attachRequired = true;
  if (!isSet(s.podInfoOnMount)) s.podInfoOnMount = false;
  if (!isSet(s.storageCapacity)) s.storageCapacity = false;
  if (!isSet(s.fsGroupPolicy)) s.fsGroupPolicy = 'ReadWriteOnceWithFSType';
  if (list(s.volumeLifecycleModes).length === 0) s.volumeLifecycleModes = ['Persistent'];
  if (!isSet(s.requiresRepublish)) s.requiresRepublish = false;
  if (!isSet(s.seLinuxMount)) s.seLinuxMount = false;
}

function validateCSIDriver(o: KubeObject): FieldError[] {
  const errs = validateCSIDriverName(o.metadata.name ?? '', 'name');
  const s = isObj(o.spec) ? o.spec : {};
  if (!isSet(s.attachRequired)) errs.push(required('spec.attachRequired'));
  if (!isSet(s.podInfoOnMount)) errs.push(required('spec.podInfoOnMount'));
  if (!isSet(s.storageCapacity)) errs.push(required('spec.storageCapacity'));
  if (!isSet(s.requiresRepublish)) errs.push(required('spec.requiresRepublish'));
  if (isSet(s.fsGroupPolicy) && !['File', 'None', 'ReadWriteOnceWithFSType'].includes(s.fsGroupPolicy)) errs.push(notSupported('spec.fsGroupPolicy', s.fsGroupPolicy, ['File', 'None', 'ReadWriteOnceWithFSType']));
  else if (!isSet(s.fsGroupPolicy)) errs.push(required('spec.fsGroupPolicy'));
  for (const m of list(s.volumeLifecycleModes)) if (m !== 'Persistent' && m !== 'Ephemeral') errs.push(notSupported('spec.volumeLifecycleModes', m, ['Persistent', 'Ephemeral']));
  const audiences = new Set<string>();
  list(s.tokenRequests).forEach((t: any, i: number) => {
    const f = `spec.tokenRequests[${i}]`;
    const a = t?.audience ?? '';
    if (audiences.has(a)) errs.push({ type: 'FieldValueDuplicate', field: `${f}.audience`, value: a });
    audiences.add(a);
    if (isSet(t?.expirationSeconds)) {
      if (t.expirationSeconds < 600) errs.push(invalid(`${f}.expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
      if (t.expirationSeconds > 4294967296) errs.push(invalid(`${f}.expirationSeconds`, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
    }
  });
  return errs;
}

export const csiDriver: ResourceDescriptor = {
  group: G,
  kind: 'CSIDriver',
  plural: 'csidrivers',
  singular: 'csidriver',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: csiDriverV1,
  defaults: csiDriverDefaults,
  validate: validateCSIDriver,
  validateUpdate(o, old) {
    const errs = validateCSIDriver(o);
    errs.push(...immutableField(o.spec?.attachRequired, old.spec?.attachRequired, 'spec.attachRequired'));
    if (!deepEqual(o.spec?.volumeLifecycleModes, old.spec?.volumeLifecycleModes)) errs.push(invalid('spec.volumeLifecycleModes', o.spec?.volumeLifecycleModes, 'field is immutable'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      col('AttachRequired', 'Whether the driver needs an attach step.', 'boolean'),
      col('PodInfoOnMount', 'Whether pod information is passed at mount time.', 'boolean'),
      col('StorageCapacity', 'Whether storage capacity is tracked for the driver.', 'boolean'),
      col('TokenRequests', 'Audiences of tokens passed to the driver.'),
      col('RequiresRepublish', 'Whether mounts are republished periodically.', 'boolean'),
      col('Modes', 'Supported volume lifecycle modes.'),
      ageColumn,
    ],
    row(o, now) {
      const s = o.spec ?? {};
      const tokens = list(s.tokenRequests).map((t: any) => t?.audience ?? '');
      const modes = list(s.volumeLifecycleModes).join(',');
      return [o.metadata.name, s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens.length ? tokens.join(',') : '<unset>', s.requiresRepublish ?? false, modes || '<none>', age(o.metadata.creationTimestamp, now)];
    },
  },
};

// ---------------------------------------------------------------- CSINode

define(`${S}.VolumeNodeResources`, obj({ count: int32('Maximum number of volumes of this driver on the node.') }, 'Limits on volumes of a driver on a node.'));
define(`${S}.CSINodeDriver`, obj({
  name: str('Name of the CSI driver.'),
  nodeID: str('The node as the driver knows it.'),
  topologyKeys: arr(str(), 'Topology label keys the driver supports.', { listType: 'atomic' }),
  allocatable: ref(`${S}.VolumeNodeResources`, 'Volume limits of the driver on this node.'),
}, 'A CSI driver installed on a node.', { required: ['name', 'nodeID'] }));
define(`${S}.CSINodeSpec`, obj({ drivers: keyedList(ref(`${S}.CSINodeDriver`), 'name', 'CSI drivers registered on the node.') }, 'CSI drivers on a node.', { required: ['drivers'] }));
const csiNodeV1 = kindSchema(`${S}.CSINode`, [{ group: G, version: 'v1', kind: 'CSINode' }], 'CSI drivers installed on a node; named after the node. Cluster-scoped.', {
  spec: ref(`${S}.CSINodeSpec`, 'Drivers on the node.'),
}, { required: ['spec'] });

function validateCSINode(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(o.spec?.drivers).forEach((d: any, i: number) => {
    const f = `spec.drivers[${i}]`;
    errs.push(...validateCSIDriverName(d?.name ?? '', `${f}.name`));
    const id: string = d?.nodeID ?? '';
    if (!id) errs.push(required(`${f}.nodeID`));
    else if (id.length > 256) errs.push(tooLong(`${f}.nodeID`, id, 256));
    if (isSet(d?.allocatable?.count) && d.allocatable.count < 0) errs.push(invalid(`${f}.allocatable.count`, d.allocatable.count, 'must be greater than or equal to 0'));
    const keys = new Set<string>();
    list(d?.topologyKeys).forEach((k: string, j: number) => {
      if (!k) errs.push(required(`${f}.topologyKeys`, k));
      else if (keys.has(k)) errs.push({ type: 'FieldValueDuplicate', field: `${f}.topologyKeys`, value: k });
      else errs.push(...validateQualifiedName(k, `${f}.topologyKeys`));
      keys.add(k);
      void j;
    });
    if (names.has(d?.name)) errs.push({ type: 'FieldValueDuplicate', field: f, value: d?.name });
    names.add(d?.name);
  });
  return errs;
}

export const csiNode: ResourceDescriptor = {
  group: G,
  kind: 'CSINode',
  plural: 'csinodes',
  singular: 'csinode',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: csiNodeV1,
  validate: validateCSINode,
  validateUpdate(o, old) {
    const errs = validateCSINode(o);
    for (const od of list(old.spec?.drivers)) {
      const nd = list(o.spec?.drivers).find((d: any) => d?.name === od?.name);
      if (!nd) continue;
      const i = list(o.spec?.drivers).indexOf(nd);
      if (nd.nodeID !== od.nodeID) errs.push(invalid(`spec.drivers[${i}].nodeID`, nd.nodeID, 'field is immutable'));
      if (!deepEqual(nd.allocatable, od.allocatable)) errs.push(invalid(`spec.drivers[${i}].allocatable`, nd.allocatable ?? 'null', 'field is immutable'));
      if (!deepEqual(nd.topologyKeys ?? [], od.topologyKeys ?? [])) errs.push(invalid(`spec.drivers[${i}].topologyKeys`, nd.topologyKeys ?? [], 'field is immutable'));
    }
    return errs;
  },
  table: {
    columns: [nameColumn, col('Drivers', 'Number of CSI drivers on the node.', 'integer'), ageColumn],
    row: (o, now) => [o.metadata.name, list(o.spec?.drivers).length, age(o.metadata.creationTimestamp, now)],
  },
};

// ---------------------------------------------------------------- CSIStorageCapacity

const csiStorageCapacityV1 = kindSchema(`${S}.CSIStorageCapacity`, [{ group: G, version: 'v1', kind: 'CSIStorageCapacity' }], 'Storage capacity a CSI driver reports for one StorageClass in one topology segment, used by the scheduler.', {
  nodeTopology: labelSelectorRef('Nodes that can reach this storage; none when unset.'),
  storageClassName: str('The StorageClass the capacity applies to. Immutable.'),
  capacity: quantity('Capacity available for new volumes.'),
  maximumVolumeSize: quantity('Largest volume that can be created.'),
}, { required: ['storageClassName'] });

function validateCSIStorageCapacity(o: KubeObject): FieldError[] {
  const errs = validateLabelSelector(o.nodeTopology, 'nodeTopology');
  const sc: string = o.storageClassName ?? '';
  for (const m of isDNS1123Subdomain(sc)) errs.push(invalid('storageClassName', sc, m));
  return errs;
}

export const csiStorageCapacity: ResourceDescriptor = {
  group: G,
  kind: 'CSIStorageCapacity',
  plural: 'csistoragecapacities',
  singular: 'csistoragecapacity',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: csiStorageCapacityV1,
  validate: validateCSIStorageCapacity,
  validateUpdate(o, old) {
    return [...validateCSIStorageCapacity(o), ...immutableField(o.storageClassName, old.storageClassName, 'storageClassName')];
  },
};

export const descriptors: ResourceDescriptor[] = [storageClass, volumeAttachment, csiDriver, csiNode, csiStorageCapacity];
