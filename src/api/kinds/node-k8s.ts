// node.k8s.io: RuntimeClass.
import { define, str, obj, arr, ref, kindSchema, stringMap, quantity, mapOf } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, notSupported } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isDNS1123Label } from '../validation.js';
import { isObj, list, isSet, immutableField, validateQualifiedName, nameColumn, ageColumn, col, age } from './misc-helpers.js';
import { validateLabels } from '../validation.js';

const R = 'io.k8s.api.node.v1';

define(`${R}.Overhead`, obj({ podFixed: mapOf(quantity(), 'Resources added to every pod of this class.') }, 'Resources a pod of this runtime class uses beyond its containers.'));
define(`${R}.Scheduling`, obj({
  nodeSelector: { ...stringMap('Labels nodes must have to run pods of this class; merged into the pod nodeSelector.'), 'x-kubernetes-map-type': 'atomic' },
  tolerations: arr(ref('io.k8s.api.core.v1.Toleration'), 'Tolerations added to pods of this class.', { listType: 'atomic' }),
}, 'Where pods of this runtime class can run.'));

const runtimeClassV1 = kindSchema(`${R}.RuntimeClass`, [{ group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass' }], 'A container runtime configuration that pods select with spec.runtimeClassName. Cluster-scoped.', {
  handler: str('Name of the runtime configuration on the node (the CRI handler). A DNS label. Immutable.'),
  overhead: ref(`${R}.Overhead`, 'Extra resources pods of this class use.'),
  scheduling: ref(`${R}.Scheduling`, 'Constraints that keep pods on nodes supporting this class.'),
}, { required: ['handler'] });

const tolerationOps = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateRuntimeClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const handler: string = o.handler ?? '';
  for (const m of isDNS1123Label(handler)) errs.push(invalid('handler', handler, m));
  const pf = o.overhead?.podFixed;
  if (isObj(pf)) for (const k of Object.keys(pf)) if (!k.includes('/') && !['cpu', 'memory', 'ephemeral-storage'].includes(k) && !k.startsWith('hugepages-')) errs.push(invalid(`overhead.podFixed[${k}]`, k, 'must be a standard resource type or fully qualified'));
  if (isObj(o.scheduling)) {
    errs.push(...validateLabels(o.scheduling.nodeSelector, 'scheduling.nodeSelector'));
    list(o.scheduling.tolerations).forEach((t: any, i: number) => {
      const f = `scheduling.tolerations[${i}]`;
      if (t?.key) errs.push(...validateQualifiedName(t.key, `${f}.key`));
      if (!t?.key && t?.operator !== 'Exists') errs.push(invalid(`${f}.operator`, t?.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
      if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute') errs.push(invalid(`${f}.effect`, t?.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
      if (isSet(t?.operator) && t.operator !== '' && !tolerationOps.includes(t.operator)) errs.push(notSupported(`${f}.operator`, t.operator, tolerationOps));
      if (t?.operator === 'Exists' && t?.value) errs.push(invalid(`${f}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
      if (t?.effect && !taintEffects.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, taintEffects));
    });
  }
  return errs;
}

export const runtimeClass: ResourceDescriptor = {
  group: 'node.k8s.io',
  kind: 'RuntimeClass',
  plural: 'runtimeclasses',
  singular: 'runtimeclass',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: runtimeClassV1,
  validate: validateRuntimeClass,
  validateUpdate: (o, old) => [...validateRuntimeClass(o), ...immutableField(o.handler ?? '', old.handler ?? '', 'handler')],
  table: {
    columns: [nameColumn, col('Handler', 'The CRI handler the class selects.'), ageColumn],
    row: (o, now) => [o.metadata.name, o.handler ?? '', age(o.metadata.creationTimestamp, now)],
  },
};

export const descriptors: ResourceDescriptor[] = [runtimeClass];
