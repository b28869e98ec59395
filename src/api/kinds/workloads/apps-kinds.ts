// apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision: defaults,
// validation and tables as Kubernetes 1.32 has them, plus the legacy versions old manifests use
// (apps/v1beta1, apps/v1beta2, extensions/v1beta1), converted to apps/v1 for storage.
import './apps-schemas.js';
import { legacySchemas } from './apps-schemas.js';
import type { ResourceDescriptor, TableDef, VersionInfo, RequestContext } from '../../descriptor.js';
import type { KubeObject } from '../../types.js';
import { type FieldError, invalid, required, notSupported, forbiddenField, immutable } from '../../errors.js';
import { nameColumn, ageColumn, age, col, wideCol } from '../../table.js';
import {
  goValue, goStringMap, goLabelSelector, goIntOrString, goStruct, goPtr, goStr,
  selectorRequirements, selectorMatches, selectorIsEmpty, formatLabelSelector, formatLabels, validateLabelSelector,
  nonNegative, validatePositiveIntOrPercent, intOrPercentValue, isNotMoreThan100Percent,
  defaultPodTemplate, validatePodTemplate, validateTemplateMeta, containersCell, imagesCell,
  clone, jsonEqual, specOf, defaultSelectorAndLabelsFromTemplate, num,
} from './common.js';
import { MAX_INT32 } from '../misc-helpers.js';

const APPS_V1 = 'apps/v1';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const deprecated = (gv: string, kind: string, dep: string, gone: string, repl: string) => `${gv} ${kind} is deprecated in v${dep}+, unavailable in v${gone}+; use ${repl} ${kind}`;

// ---- shared pieces ----

/** Selector presence/emptiness checks shared by Deployment, ReplicaSet and StatefulSet. */
function validateSelectorRequired(sel: any, path: string, kindWord: string): FieldError[] {
  if (sel === undefined || sel === null) return [required(path)];
  const errs = validateLabelSelector(sel, path);
  if (selectorIsEmpty(sel)) errs.push(invalid(path, goValue(goLabelSelector(sel)), `empty selector is invalid for ${kindWord}`));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet: template labels match, pod template valid, restartPolicy Always, no activeDeadlineSeconds. */
function validateTemplateForReplicaSet(spec: any, path: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  const { error, nothing, reqs } = selectorRequirements(sel);
  if (error) return [invalid(`${path.replace(/\.template$/, '')}.selector`, goValue(goLabelSelector(sel)), 'invalid label selector')];
  const tpl = spec.template ?? {};
  const labels = tpl.metadata?.labels;
  if ((nothing || reqs.length > 0) && !selectorMatches(sel, labels)) errs.push(invalid(`${path}.metadata.labels`, goValue(goStringMap(labels)), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplate(tpl, path));
  const rp = tpl.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported(`${path}.spec.restartPolicy`, rp, ['Always']));
  if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec?.activeDeadlineSeconds !== null)
    errs.push(forbiddenField(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

function workloadColumnsWide(selector = true) {
  const cols = [wideCol('Containers', 'Names of each container in the template.'), wideCol('Images', 'Images referenced by each container in the template.')];
  if (selector) cols.push(wideCol('Selector', 'Label query over pods that should match the replica count.'));
  return cols;
}
const tplSpec = (o: KubeObject) => o.spec?.template?.spec;

/** Status a new object starts with: Kubernetes' zero value of the status struct (fields without omitempty). */
function initialStatus(zeros: string[]): Record<string, number> {
  return Object.fromEntries(zeros.map((k) => [k, 0]));
}

// ---- Deployment ----

export function defaultDeploymentV1(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultDeploymentStrategy(spec, '25%', '25%');
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template ?? (spec.template = {}));
}
function defaultDeploymentStrategy(spec: any, maxUnavailable: number | string, maxSurge: number | string) {
  if (!spec.strategy || typeof spec.strategy !== 'object') spec.strategy = {};
  const st = spec.strategy;
  if (!st.type) st.type = 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    if (!st.rollingUpdate || typeof st.rollingUpdate !== 'object') st.rollingUpdate = {};
    if (st.rollingUpdate.maxUnavailable === undefined || st.rollingUpdate.maxUnavailable === null) st.rollingUpdate.maxUnavailable = maxUnavailable;
    if (st.rollingUpdate.maxSurge === undefined || st.rollingUpdate.maxSurge === null) st.rollingUpdate.maxSurge = maxSurge;
  }
}

export function validateDeploymentSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateSelectorRequired(spec.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplateForReplicaSet(spec, 'spec.template', 'ReplicaSet'));
  // strategy
  const st = spec.strategy ?? {};
  const goStrategy = () =>
    goValue(goStruct('apps.DeploymentStrategy', [['Type', goStr(st.type)], ['RollingUpdate', goPtr('apps.RollingUpdateDeployment', !!st.rollingUpdate)]]));
  switch (st.type) {
    case 'Recreate':
      if (st.rollingUpdate) errs.push(forbiddenField('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate':
      if (!st.rollingUpdate) errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
      else {
        const ru = st.rollingUpdate;
        const p = 'spec.strategy.rollingUpdate';
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
        errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
        if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
          errs.push(invalid(`${p}.maxUnavailable`, goValue(goIntOrString(ru.maxUnavailable ?? 0)), 'may not be 0 when `maxSurge` is 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      }
      break;
    default:
      errs.push(notSupported('spec.strategy', goStrategy(), ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= num(spec.minReadySeconds)) errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateDeploymentStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount']) errs.push(...nonNegative(st[f], `status.${f}`));
  const msg = 'cannot be greater than status.replicas';
  if (num(st.updatedReplicas) > num(st.replicas)) errs.push(invalid('status.updatedReplicas', num(st.updatedReplicas), msg));
  if (num(st.readyReplicas) > num(st.replicas)) errs.push(invalid('status.readyReplicas', num(st.readyReplicas), msg));
  if (num(st.availableReplicas) > num(st.replicas)) errs.push(invalid('status.availableReplicas', num(st.availableReplicas), msg));
  if (num(st.availableReplicas) > num(st.readyReplicas)) errs.push(invalid('status.availableReplicas', num(st.availableReplicas), 'cannot be greater than readyReplicas'));
  return errs;
}

function collisionDecrement(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = obj.status?.collisionCount, o = old.status?.collisionCount;
  if (typeof o === 'number' && (n === undefined || n === null || n < o)) return [invalid('status.collisionCount', n ?? 0, 'cannot be decremented')];
  return [];
}

const deploymentTable: TableDef = {
  columns: [
    nameColumn,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 'integer'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 'integer'),
    ageColumn,
    ...workloadColumnsWide(),
  ],
  row: (o, now) => [
    o.metadata.name,
    `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}`,
    num(o.status?.updatedReplicas),
    num(o.status?.availableReplicas),
    age(o.metadata.creationTimestamp, now),
    containersCell(tplSpec(o)),
    imagesCell(tplSpec(o)),
    formatLabelSelector(o.spec?.selector),
  ],
};

const scale = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

/** extensions/v1beta1 and apps/v1beta1 Deployments carry spec.rollbackTo, which apps/v1 dropped. */
function deploymentToV1(o: KubeObject): KubeObject {
  const out = clone(o);
  if (out.spec) delete out.spec.rollbackTo;
  out.apiVersion = APPS_V1;
  return out;
}
const deploymentFromV1 = (o: KubeObject) => clone(o);

function legacyDeploymentDefaults(variant: 'extensions' | 'v1beta1' | 'v1beta2') {
  return (obj: KubeObject) => {
    const spec = specOf(obj);
    if (variant !== 'v1beta2') defaultSelectorAndLabelsFromTemplate(obj);
    if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
    if (variant === 'v1beta2') defaultDeploymentStrategy(spec, '25%', '25%');
    else defaultDeploymentStrategy(spec, 1, 1);
    const rhl = variant === 'extensions' ? MAX_INT32 : variant === 'v1beta1' ? 2 : 10;
    if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = rhl;
    const pds = variant === 'extensions' ? MAX_INT32 : 600;
    if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = pds;
  };
}

const deploymentBase = {
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale },
  hasGeneration: 'spec+annotations' as const,
  statusUpdatesAnnotations: true,
  defaults: (obj: KubeObject) => defaultDeploymentV1(obj),
  validate: (obj: KubeObject, ctx: RequestContext) => (ctx.subresource === 'status' ? validateDeploymentStatus(obj.status) : validateDeploymentSpec(obj)),
  validateUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => {
    if (ctx.subresource === 'status') return [...validateDeploymentStatus(obj.status), ...collisionDecrement(obj, old)];
    const errs = validateDeploymentSpec(obj);
    if (!jsonEqual(obj.spec?.selector, old.spec?.selector)) errs.push(immutable('spec.selector', goValue(goLabelSelector(obj.spec?.selector))));
    return errs;
  },
  prepareCreate: (obj: KubeObject) => {
    obj.status = {};
  },
  table: deploymentTable,
} satisfies Partial<ResourceDescriptor>;

export const deployment: ResourceDescriptor = {
  ...deploymentBase,
  group: 'apps',
  storageVersion: 'v1',
  schema: { $ref: 'io.k8s.api.apps.v1.Deployment' },
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta2',
      deprecationWarning: deprecated('apps/v1beta2', 'Deployment', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b2Deployment,
      defaults: legacyDeploymentDefaults('v1beta2'),
      toStorage: deploymentToV1,
      fromStorage: deploymentFromV1,
    },
    {
      version: 'v1beta1',
      deprecationWarning: deprecated('apps/v1beta1', 'Deployment', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b1Deployment,
      defaults: legacyDeploymentDefaults('v1beta1'),
      toStorage: deploymentToV1,
      fromStorage: deploymentFromV1,
    },
  ],
};

// ---- ReplicaSet ----

export function validateReplicaSetSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorRequired(spec.selector, 'spec.selector', 'deployment'),
    ...validateTemplateForReplicaSet(spec, 'spec.template', 'ReplicaSet'),
  ];
}
function validateReplicaSetStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) errs.push(...nonNegative(st[f], `status.${f}`));
  const msg = 'cannot be greater than status.replicas';
  if (num(st.fullyLabeledReplicas) > num(st.replicas)) errs.push(invalid('status.fullyLabeledReplicas', num(st.fullyLabeledReplicas), msg));
  if (num(st.readyReplicas) > num(st.replicas)) errs.push(invalid('status.readyReplicas', num(st.readyReplicas), msg));
  if (num(st.availableReplicas) > num(st.replicas)) errs.push(invalid('status.availableReplicas', num(st.availableReplicas), msg));
  if (num(st.availableReplicas) > num(st.readyReplicas)) errs.push(invalid('status.availableReplicas', num(st.availableReplicas), 'cannot be greater than readyReplicas'));
  return errs;
}
function defaultReplicaSet(obj: KubeObject) {
  const spec = specOf(obj);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultPodTemplate(spec.template ?? (spec.template = {}));
}
const replicaSetTable: TableDef = {
  columns: [
    nameColumn,
    col('Desired', 'Number of desired pods.', 'integer'),
    col('Current', 'Number of actual replicas.', 'integer'),
    col('Ready', 'Number of ready replicas.', 'integer'),
    ageColumn,
    ...workloadColumnsWide(),
  ],
  row: (o, now) => [
    o.metadata.name,
    num(o.spec?.replicas),
    num(o.status?.replicas),
    num(o.status?.readyReplicas),
    age(o.metadata.creationTimestamp, now),
    containersCell(tplSpec(o)),
    imagesCell(tplSpec(o)),
    formatLabelSelector(o.spec?.selector),
  ],
};
const replicaSetBase = {
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale },
  hasGeneration: true,
  defaults: (obj: KubeObject) => defaultReplicaSet(obj),
  validate: (obj: KubeObject, ctx: RequestContext) => (ctx.subresource === 'status' ? validateReplicaSetStatus(obj.status) : validateReplicaSetSpec(obj)),
  validateUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => {
    if (ctx.subresource === 'status') return validateReplicaSetStatus(obj.status);
    const errs = validateReplicaSetSpec(obj);
    if (!jsonEqual(obj.spec?.selector, old.spec?.selector)) errs.push(immutable('spec.selector', goValue(goLabelSelector(obj.spec?.selector))));
    return errs;
  },
  prepareCreate: (obj: KubeObject) => {
    obj.status = initialStatus(['replicas']);
  },
  table: replicaSetTable,
  fieldSelectors: { 'status.replicas': (o: KubeObject) => String(num(o.status?.replicas)) },
} satisfies Partial<ResourceDescriptor>;

const toV1 = (o: KubeObject) => {
  const out = clone(o);
  out.apiVersion = APPS_V1;
  return out;
};
const sameShape = (o: KubeObject) => clone(o);

export const replicaSet: ResourceDescriptor = {
  ...replicaSetBase,
  group: 'apps',
  storageVersion: 'v1',
  schema: { $ref: 'io.k8s.api.apps.v1.ReplicaSet' },
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta2',
      deprecationWarning: deprecated('apps/v1beta2', 'ReplicaSet', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b2ReplicaSet,
      defaults: (o) => {
        const spec = specOf(o);
        if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
      },
      toStorage: toV1,
      fromStorage: sameShape,
    },
  ],
};

// ---- StatefulSet ----

function defaultPVCTemplate(pvc: any) {
  if (!pvc || typeof pvc !== 'object') return;
  if (!pvc.apiVersion) pvc.apiVersion = 'v1';
  if (!pvc.kind) pvc.kind = 'PersistentVolumeClaim';
  if (!pvc.spec || typeof pvc.spec !== 'object') pvc.spec = {};
  if (!pvc.spec.volumeMode) pvc.spec.volumeMode = 'Filesystem';
  if (!pvc.status || typeof pvc.status !== 'object') pvc.status = {};
  if (!pvc.status.phase) pvc.status.phase = 'Pending';
}

function defaultStatefulSetCommon(obj: KubeObject, updateType: 'RollingUpdate' | 'OnDelete') {
  const spec = specOf(obj);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  if (!spec.updateStrategy || typeof spec.updateStrategy !== 'object') spec.updateStrategy = {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = updateType;
  if (us.type === 'RollingUpdate') {
    if (updateType === 'RollingUpdate' && (!us.rollingUpdate || typeof us.rollingUpdate !== 'object')) us.rollingUpdate = {};
    if (us.rollingUpdate && (us.rollingUpdate.partition === undefined || us.rollingUpdate.partition === null)) us.rollingUpdate.partition = 0;
  }
  if (!spec.persistentVolumeClaimRetentionPolicy || typeof spec.persistentVolumeClaimRetentionPolicy !== 'object') spec.persistentVolumeClaimRetentionPolicy = {};
  const rp = spec.persistentVolumeClaimRetentionPolicy;
  if (!rp.whenDeleted) rp.whenDeleted = 'Retain';
  if (!rp.whenScaled) rp.whenScaled = 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
}
export function defaultStatefulSetV1(obj: KubeObject): void {
  defaultStatefulSetCommon(obj, 'RollingUpdate');
  const spec = specOf(obj);
  defaultPodTemplate(spec.template ?? (spec.template = {}));
  if (Array.isArray(spec.volumeClaimTemplates)) spec.volumeClaimTemplates.forEach(defaultPVCTemplate);
}

export function validateStatefulSetSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec.updateStrategy ?? {};
  const ut = us.type ?? '';
  if (ut === '') errs.push(required('spec.updateStrategy'));
  else if (ut === 'OnDelete') {
    if (us.rollingUpdate)
      errs.push(invalid('spec.updateStrategy.rollingUpdate', goValue(goStruct('apps.RollingUpdateStatefulSetStrategy', [['Partition', String(num(us.rollingUpdate.partition))], ['MaxUnavailable', goPtr('intstr.IntOrString', us.rollingUpdate.maxUnavailable !== undefined)]])), "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (ut === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (ru) {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...nonNegative(ru.partition, `${p}.partition`));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(`${p}.maxUnavailable`, goValue(goIntOrString(ru.maxUnavailable)), 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      }
    }
  } else {
    errs.push(invalid('spec.updateStrategy', goValue(goStruct('apps.StatefulSetUpdateStrategy', [['Type', goStr(ut)], ['RollingUpdate', goPtr('apps.RollingUpdateStatefulSetStrategy', !!us.rollingUpdate)]])), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const rp = spec.persistentVolumeClaimRetentionPolicy;
  if (rp) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = rp[f] ?? '';
      if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  if (spec.selector === undefined || spec.selector === null) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (selectorIsEmpty(spec.selector)) errs.push(invalid('spec.selector', goValue(goLabelSelector(spec.selector)), 'empty selector is invalid for statefulset'));
  }
  const { error, nothing, reqs } = selectorRequirements(spec.selector);
  if (error) errs.push(invalid('spec.selector', goValue(goLabelSelector(spec.selector)), ''));
  else if (spec.template === undefined || spec.template === null) errs.push(required('spec.template'));
  else {
    const labels = spec.template.metadata?.labels;
    if ((nothing || reqs.length > 0) && !selectorMatches(spec.selector, labels)) errs.push(invalid('spec.template.metadata.labels', goValue(goStringMap(labels)), '`selector` does not match template `labels`'));
    errs.push(...validateTemplateMeta(spec.template, 'spec.template'));
  }
  const rpol = spec.template?.spec?.restartPolicy ?? '';
  if (rpol !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rpol, ['Always']));
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template?.spec?.activeDeadlineSeconds !== null)
    errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  return errs;
}

const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStatefulSetSpec(obj);
  const strip = (s: any) => {
    const c = { ...(s ?? {}) };
    for (const k of STS_MUTABLE) delete c[k];
    return c;
  };
  if (!jsonEqual(strip(obj.spec), strip(old.spec)))
    errs.push(forbiddenField('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  return errs;
}
function validateStatefulSetStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) errs.push(...nonNegative(st[f], `status.${f}`));
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) if (num(st[f]) > num(st.replicas)) errs.push(invalid(`status.${f}`, num(st[f]), msg));
  if (num(st.availableReplicas) > num(st.readyReplicas)) errs.push(invalid('status.availableReplicas', num(st.availableReplicas), 'cannot be greater than status.readyReplicas'));
  return errs;
}
const statefulSetTable: TableDef = {
  columns: [nameColumn, col('Ready', 'Number of the pod with ready state'), ageColumn, ...workloadColumnsWide(false)],
  row: (o, now) => [o.metadata.name, `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}`, age(o.metadata.creationTimestamp, now), containersCell(tplSpec(o)), imagesCell(tplSpec(o))],
};
export const statefulSet: ResourceDescriptor = {
  group: 'apps',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  nameValidation: 'label',
  storageVersion: 'v1',
  schema: { $ref: 'io.k8s.api.apps.v1.StatefulSet' },
  subresources: { status: true, scale },
  hasGeneration: true,
  defaults: (obj) => defaultStatefulSetV1(obj),
  validate: (obj, ctx) => (ctx.subresource === 'status' ? validateStatefulSetStatus(obj.status) : validateStatefulSetSpec(obj)),
  validateUpdate: (obj, old, ctx) => (ctx.subresource === 'status' ? [...validateStatefulSetStatus(obj.status), ...collisionDecrement(obj, old)] : validateStatefulSetUpdate(obj, old)),
  prepareCreate: (obj) => {
    obj.status = initialStatus(['replicas', 'availableReplicas']);
  },
  table: statefulSetTable,
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta2',
      deprecationWarning: deprecated('apps/v1beta2', 'StatefulSet', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b2StatefulSet,
      defaults: (o) => defaultStatefulSetCommon(o, 'RollingUpdate'),
      toStorage: toV1,
      fromStorage: sameShape,
    },
    {
      version: 'v1beta1',
      deprecationWarning: deprecated('apps/v1beta1', 'StatefulSet', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b1StatefulSet,
      defaults: (o) => {
        defaultSelectorAndLabelsFromTemplate(o);
        defaultStatefulSetCommon(o, 'OnDelete');
      },
      toStorage: toV1,
      fromStorage: sameShape,
    },
  ],
};

// ---- DaemonSet ----

function defaultDaemonSetStrategy(spec: any, type: 'RollingUpdate' | 'OnDelete') {
  if (!spec.updateStrategy || typeof spec.updateStrategy !== 'object') spec.updateStrategy = {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = type;
  if (us.type === 'RollingUpdate') {
    if (!us.rollingUpdate || typeof us.rollingUpdate !== 'object') us.rollingUpdate = {};
    if (us.rollingUpdate.maxUnavailable === undefined || us.rollingUpdate.maxUnavailable === null) us.rollingUpdate.maxUnavailable = 1;
    if (us.rollingUpdate.maxSurge === undefined || us.rollingUpdate.maxSurge === null) us.rollingUpdate.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
}
export function defaultDaemonSetV1(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultDaemonSetStrategy(spec, 'RollingUpdate');
  defaultPodTemplate(spec.template ?? (spec.template = {}));
}
export function validateDaemonSetSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const { error } = selectorRequirements(spec.selector);
  const labels = spec.template?.metadata?.labels;
  if (!error && !selectorMatches(spec.selector, labels) && !selectorIsEmpty(spec.selector))
    errs.push(invalid('spec.template.metadata.labels', goValue(goStringMap(labels)), '`selector` does not match template `labels`'));
  if (spec.selector && selectorIsEmpty(spec.selector)) errs.push(invalid('spec.selector', goValue(goLabelSelector(spec.selector)), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplate(spec.template ?? {}, 'spec.template'));
  const rp = spec.template?.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template?.spec?.activeDeadlineSeconds !== null)
    errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const us = spec.updateStrategy ?? {};
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      const p = 'spec.updateStrategy.rollingUpdate';
      if (!ru) {
        errs.push(required(p));
        break;
      }
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable ?? 0, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge ?? 0, `${p}.maxSurge`));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, goValue(goIntOrString(ru.maxSurge)), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      errs.push(notSupported('spec.updateStrategy', goValue(goStruct('apps.DaemonSetUpdateStrategy', [['Type', goStr(us.type)], ['RollingUpdate', goPtr('apps.RollingUpdateDaemonSet', !!us.rollingUpdate)]])), ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}
function validateDaemonSetStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'])
    errs.push(...nonNegative(st[f], `status.${f}`));
  return errs;
}
const templateGeneration = (o: KubeObject) => {
  const v = Number(o.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isFinite(v) ? v : 0;
};
const daemonSetTable: TableDef = {
  columns: [
    nameColumn,
    col('Desired', 'The total number of nodes that should be running the daemon pod.', 'integer'),
    col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 'integer'),
    col('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', 'integer'),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod.', 'integer'),
    col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', 'integer'),
    col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn,
    ...workloadColumnsWide(),
  ],
  row: (o, now) => [
    o.metadata.name,
    num(o.status?.desiredNumberScheduled),
    num(o.status?.currentNumberScheduled),
    num(o.status?.numberReady),
    num(o.status?.updatedNumberScheduled),
    num(o.status?.numberAvailable),
    formatLabels(tplSpec(o)?.nodeSelector),
    age(o.metadata.creationTimestamp, now),
    containersCell(tplSpec(o)),
    imagesCell(tplSpec(o)),
    formatLabelSelector(o.spec?.selector),
  ],
};
const daemonSetBase = {
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  hasGeneration: true,
  defaults: (obj: KubeObject) => defaultDaemonSetV1(obj),
  validate: (obj: KubeObject, ctx: RequestContext) => (ctx.subresource === 'status' ? validateDaemonSetStatus(obj.status) : validateDaemonSetSpec(obj)),
  validateUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => {
    if (ctx.subresource === 'status') return [...validateDaemonSetStatus(obj.status), ...collisionDecrement(obj, old)];
    const errs = validateDaemonSetSpec(obj);
    if (!jsonEqual(obj.spec?.selector, old.spec?.selector)) errs.push(immutable('spec.selector', goValue(goLabelSelector(obj.spec?.selector))));
    return errs;
  },
  /** The template generation starts at 1 (kept in an annotation, as apps/v1 does). */
  prepareCreate: (obj: KubeObject) => {
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: '1' };
    obj.status = initialStatus(['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady']);
  },
  /** ... and goes up by one whenever the template changes. */
  prepareUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => {
    if (ctx.subresource === 'status') return;
    const gen = templateGeneration(old) || 1;
    const next = jsonEqual(obj.spec?.template, old.spec?.template) ? gen : gen + 1;
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(next) };
  },
  table: daemonSetTable,
} satisfies Partial<ResourceDescriptor>;

export const daemonSet: ResourceDescriptor = {
  ...daemonSetBase,
  group: 'apps',
  storageVersion: 'v1',
  schema: { $ref: 'io.k8s.api.apps.v1.DaemonSet' },
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta2',
      deprecationWarning: deprecated('apps/v1beta2', 'DaemonSet', '1.9', '1.16', 'apps/v1'),
      schema: legacySchemas.b2DaemonSet,
      defaults: (o) => defaultDaemonSetStrategy(specOf(o), 'RollingUpdate'),
      toStorage: toV1,
      fromStorage: sameShape,
    },
  ],
};

// ---- ControllerRevision ----

const controllerRevisionTable: TableDef = {
  columns: [nameColumn, col('Controller', 'Controller of the object'), col('Revision', 'Revision of the ControllerRevision', 'integer'), ageColumn],
  row: (o, now) => {
    const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
    let controller = '<none>';
    if (ref) {
      const slash = ref.apiVersion.indexOf('/');
      const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
      controller = ref.kind ? `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}` : ref.name;
    }
    return [o.metadata.name, controller, num(o.revision), age(o.metadata.creationTimestamp, now)];
  },
};
function validateControllerRevision(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative(obj.revision, 'revision'));
  return errs;
}
export const controllerRevision: ResourceDescriptor = {
  group: 'apps',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: { $ref: 'io.k8s.api.apps.v1.ControllerRevision' },
  validate: (obj) => validateControllerRevision(obj),
  validateUpdate: (obj, old) => {
    const errs = validateControllerRevision(obj);
    if (!jsonEqual(obj.data, old.data)) errs.push(immutable('data', goValue('runtime.RawExtension{...}')));
    return errs;
  },
  table: controllerRevisionTable,
};

// ---- extensions/v1beta1 (served from apps storage) ----

function extDaemonSetToV1(o: KubeObject): KubeObject {
  const out = clone(o);
  out.apiVersion = APPS_V1;
  const tg = out.spec?.templateGeneration;
  if (out.spec) delete out.spec.templateGeneration;
  if (typeof tg === 'number') out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(tg) };
  return out;
}
function extDaemonSetFromV1(o: KubeObject): KubeObject {
  const out = clone(o);
  const tg = out.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (tg !== undefined && Number.isFinite(Number(tg))) {
    out.spec = { ...(out.spec ?? {}), templateGeneration: Number(tg) };
    const ann = { ...out.metadata.annotations };
    delete ann[TEMPLATE_GENERATION_ANNOTATION];
    if (Object.keys(ann).length) out.metadata.annotations = ann;
    else delete out.metadata.annotations;
  }
  return out;
}

const legacyVersion = (v: VersionInfo): VersionInfo[] => [v];

export const extensionsDeployment: ResourceDescriptor = {
  ...deploymentBase,
  group: 'extensions',
  storageVersion: 'v1beta1',
  storedAs: { group: 'apps', resource: 'deployments' },
  schema: legacySchemas.extDeployment,
  subresources: { status: true, scale },
  versions: legacyVersion({
    version: 'v1beta1',
    deprecationWarning: deprecated('extensions/v1beta1', 'Deployment', '1.9', '1.16', 'apps/v1'),
    schema: legacySchemas.extDeployment,
    defaults: legacyDeploymentDefaults('extensions'),
    toStorage: deploymentToV1,
    fromStorage: deploymentFromV1,
  }),
};
export const extensionsDaemonSet: ResourceDescriptor = {
  ...daemonSetBase,
  group: 'extensions',
  storageVersion: 'v1beta1',
  storedAs: { group: 'apps', resource: 'daemonsets' },
  schema: legacySchemas.extDaemonSet,
  versions: legacyVersion({
    version: 'v1beta1',
    deprecationWarning: deprecated('extensions/v1beta1', 'DaemonSet', '1.9', '1.16', 'apps/v1'),
    schema: legacySchemas.extDaemonSet,
    defaults: (o) => {
      defaultSelectorAndLabelsFromTemplate(o);
      defaultDaemonSetStrategy(specOf(o), 'OnDelete');
    },
    toStorage: extDaemonSetToV1,
    fromStorage: extDaemonSetFromV1,
  }),
};
export const extensionsReplicaSet: ResourceDescriptor = {
  ...replicaSetBase,
  group: 'extensions',
  storageVersion: 'v1beta1',
  storedAs: { group: 'apps', resource: 'replicasets' },
  schema: legacySchemas.extReplicaSet,
  versions: legacyVersion({
    version: 'v1beta1',
    deprecationWarning: deprecated('extensions/v1beta1', 'ReplicaSet', '1.9', '1.16', 'apps/v1'),
    schema: legacySchemas.extReplicaSet,
    defaults: (o) => {
      defaultSelectorAndLabelsFromTemplate(o);
      const spec = specOf(o);
      if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
    },
    toStorage: toV1,
    fromStorage: sameShape,
  }),
};

export const appsDescriptors: ResourceDescriptor[] = [deployment, replicaSet, statefulSet, daemonSet, controllerRevision, extensionsDeployment, extensionsDaemonSet, extensionsReplicaSet];
