// scheduling.k8s.io: PriorityClass.
import { str, int32, bool, kindSchema } from '../schema.js';
import type { ResourceDescriptor, RequestContext } from '../descriptor.js';
import { type FieldError, forbiddenField, required, notSupported, forbidden } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isSet, immutableField, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const priorityClassV1 = kindSchema('io.k8s.api.scheduling.v1.PriorityClass', [{ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' }], 'Maps a priority class name to the integer priority that pods naming it receive. Cluster-scoped.', {
  value: int32('The priority pods of this class get; higher runs (and preempts) first. User classes may be at most 1000000000.'),
  globalDefault: bool('Whether pods without a priority class get this one. At most one class may be the global default.'),
  description: str('Free text on when to use this class.'),
  preemptionPolicy: str('PreemptLowerPriority (default) or Never: whether pods of this class may preempt lower-priority pods.'),
}, { required: ['value'] });

export const SYSTEM_PRIORITY_PREFIX = 'system-';
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;

const systemClasses = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** The two classes the server creates at start. */
export function builtinPriorityClasses(): KubeObject[] {
  return systemClasses.map((c) => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: c.name },
    value: c.value,
    description: c.description,
    preemptionPolicy: 'PreemptLowerPriority',
  }));
}

export function validatePriorityClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = o.metadata.name ?? '';
  const value = o.value ?? 0;
  const globalDefault = o.globalDefault ?? false;
  if (name.startsWith(SYSTEM_PRIORITY_PREFIX)) {
    const known = systemClasses.find((c) => c.name === name);
    let why = '';
    if (!known) why = `${name} is not a known system priority class`;
    else if (known.value !== value) why = `value of ${name} PriorityClass must be ${known.value}`;
    else if (globalDefault !== false) why = `globalDefault of ${name} PriorityClass must be false`;
    if (why) errs.push(forbiddenField('metadata.name', `priority class names with '${SYSTEM_PRIORITY_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbiddenField('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (isSet(o.preemptionPolicy)) {
    if (o.preemptionPolicy === '') errs.push(required('preemptionPolicy'));
    else if (o.preemptionPolicy !== 'PreemptLowerPriority' && o.preemptionPolicy !== 'Never') errs.push(notSupported('preemptionPolicy', o.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

/** The Priority admission plugin: only one class may be the global default. */
function checkSingleDefault(o: KubeObject, ctx: RequestContext): void {
  if (!o.globalDefault) return;
  for (const other of ctx.lookup.list({ group: 'scheduling.k8s.io', resource: 'priorityclasses' })) {
    if (other.metadata.name !== o.metadata.name && other.globalDefault)
      throw forbidden(`priorityclasses.scheduling.k8s.io "${o.metadata.name ?? ''}" is forbidden: PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`, {
        name: o.metadata.name,
        group: 'scheduling.k8s.io',
        kind: 'priorityclasses',
      });
  }
}

export const priorityClass: ResourceDescriptor = {
  group: 'scheduling.k8s.io',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  shortNames: ['pc'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: priorityClassV1,
  defaults(o) {
    if (!isSet(o.preemptionPolicy)) o.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate: validatePriorityClass,
  validateUpdate(o, old) {
    const errs = validatePriorityClass(o);
    if ((o.value ?? 0) !== (old.value ?? 0)) errs.push(forbiddenField('value', 'may not be changed in an update.'));
    errs.push(...immutableField(o.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
    return errs;
  },
  prepareCreate: checkSingleDefault,
  prepareUpdate: (o, _old, ctx) => checkSingleDefault(o, ctx),
  table: {
    columns: [
      nameColumn,
      col('Value', 'Priority of pods in this class.', 'integer'),
      col('Global-Default', 'Whether this is the default class.', 'boolean'),
      ageColumn,
      col('PreemptionPolicy', 'Whether pods of this class may preempt others.'),
    ],
    row: (o, now) => [o.metadata.name, o.value ?? 0, o.globalDefault ?? false, age(o.metadata.creationTimestamp, now), o.preemptionPolicy ?? ''],
  },
};

export const descriptors: ResourceDescriptor[] = [priorityClass];
