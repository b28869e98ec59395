// ReplicationControllers: defaults (selector and labels from the template, replicas 1), the
// pod-template validation with RC's extra rules, the scale subresource and the table.
import type { KubeObject } from '../../types.js';
import type { ResourceDescriptor } from '../../descriptor.js';
import { type FieldError, invalid, required, notSupported, forbiddenField } from '../../errors.js';
import { validateLabels } from '../../validation.js';
import { age, col, nameColumn, ageColumn, wideCol } from '../../table.js';
import { coreRef } from './schemas.js';
import { defaultPodSpec, validatePodTemplateSpec, containerCells } from './pod.js';
import { type Obj, goStringMap, isObj, keys, formatLabels, mapSelectorMatches, validateNonNegative } from './util.js';

export function defaultReplicationController(rc: KubeObject): void {
  rc.spec ??= {};
  const spec = rc.spec;
  const labels = isObj(spec.template?.metadata?.labels) ? spec.template.metadata.labels : undefined;
  if (labels) {
    if (!keys(spec.selector).length) spec.selector = { ...labels };
    if (!keys(rc.metadata.labels).length) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (isObj(spec.template)) defaultPodSpec(spec.template.spec);
}

function validateRC(rc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(rc.spec) ? rc.spec : {};
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (!keys(spec.selector).length) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateNonNegative(spec.replicas, 'spec.replicas'));
  const tpl = spec.template;
  if (!isObj(tpl)) errs.push(required('spec.template', ''));
  else {
    const labels = tpl.metadata?.labels ?? {};
    if (keys(spec.selector).length && !mapSelectorMatches(spec.selector, labels)) errs.push(invalid('spec.template.metadata.labels', goStringMap(labels), 'selector does not match template labels'));
    errs.push(...validatePodTemplateSpec(tpl, 'spec.template'));
    const rp = tpl.spec?.restartPolicy;
    if (rp !== undefined && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec?.activeDeadlineSeconds !== null)
      errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export const replicationControllerDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('ReplicationController'),
  hasGeneration: true,
  defaultPropagation: 'Orphan',
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  defaults: (obj) => defaultReplicationController(obj),
  prepareCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: (obj) => validateRC(obj),
  validateUpdate: (obj) => validateRC(obj),
  table: {
    columns: [
      nameColumn,
      col('Desired', 'Number of desired pods.', 'integer'),
      col('Current', 'Number of actual pods.', 'integer'),
      col('Ready', 'Number of pods ready.', 'integer'),
      ageColumn,
      wideCol('Containers', 'Names of each container in the template.'),
      wideCol('Images', 'Images referenced by each container in the template.'),
      wideCol('Selector', 'Label selector of the managed pods.'),
    ],
    row(obj, now) {
      const [names, images] = containerCells(obj.spec?.template?.spec);
      return [obj.metadata.name, obj.spec?.replicas ?? 0, obj.status?.replicas ?? 0, obj.status?.readyReplicas ?? 0, age(obj.metadata.creationTimestamp, now), names, images, formatLabels(obj.spec?.selector)];
    },
  },
  fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
};
