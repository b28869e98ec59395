// flowcontrol.apiserver.k8s.io/v1: FlowSchema and PriorityLevelConfiguration (API Priority and
// Fairness configuration objects).
import { define, str, int32, bool, obj, arr, ref, kindSchema } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required, notSupported } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObj, list, isSet, conditionSchema, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const F = 'io.k8s.api.flowcontrol.v1';
const G = 'flowcontrol.apiserver.k8s.io';
const atomic = { listType: 'atomic' as const };
const set = { listType: 'set' as const };

define(`${F}.PriorityLevelConfigurationReference`, obj({ name: str('Name of the priority level.') }, 'Refers to a priority level.', { required: ['name'] }));
define(`${F}.FlowDistinguisherMethod`, obj({ type: str('ByUser or ByNamespace: how requests are divided into flows.') }, 'How requests of a schema are split into flows.', { required: ['type'] }));
define(`${F}.UserSubject`, obj({ name: str('User name; "*" matches every user.') }, 'A user.', { required: ['name'] }));
define(`${F}.GroupSubject`, obj({ name: str('Group name; "*" matches every group.') }, 'A group.', { required: ['name'] }));
define(`${F}.ServiceAccountSubject`, obj({ namespace: str('Namespace of the service account.'), name: str('Name of the service account; "*" matches all in the namespace.') }, 'A service account.', { required: ['namespace', 'name'] }));
define(`${F}.Subject`, obj({
  kind: str('User, Group or ServiceAccount.'),
  user: ref(`${F}.UserSubject`, 'Set when kind is User.'),
  group: ref(`${F}.GroupSubject`, 'Set when kind is Group.'),
  serviceAccount: ref(`${F}.ServiceAccountSubject`, 'Set when kind is ServiceAccount.'),
}, 'Who a rule matches.', { required: ['kind'] }));
define(`${F}.ResourcePolicyRule`, obj({
  verbs: arr(str(), 'Verbs matched ("*" for all).', set),
  apiGroups: arr(str(), 'API groups matched ("*" for all).', set),
  resources: arr(str(), 'Resources matched ("*" for all).', set),
  clusterScope: bool('Whether cluster-scoped requests match.'),
  namespaces: arr(str(), 'Namespaces matched ("*" for all).', set),
}, 'Matches resource requests.', { required: ['verbs', 'apiGroups', 'resources'] }));
define(`${F}.NonResourcePolicyRule`, obj({
  verbs: arr(str(), 'Verbs matched ("*" for all).', set),
  nonResourceURLs: arr(str(), 'Paths matched; a trailing "/*" matches a prefix.', set),
}, 'Matches non-resource requests.', { required: ['verbs', 'nonResourceURLs'] }));
define(`${F}.PolicyRulesWithSubjects`, obj({
  subjects: arr(ref(`${F}.Subject`), 'Who the rule matches.', atomic),
  resourceRules: arr(ref(`${F}.ResourcePolicyRule`), 'Resource requests matched.', atomic),
  nonResourceRules: arr(ref(`${F}.NonResourcePolicyRule`), 'Non-resource requests matched.', atomic),
}, 'Requests matched by a FlowSchema.', { required: ['subjects'] }));
define(`${F}.FlowSchemaSpec`, obj({
  priorityLevelConfiguration: ref(`${F}.PriorityLevelConfigurationReference`, 'Priority level of matched requests.'),
  matchingPrecedence: int32('Order among FlowSchemas, lowest first (1 to 10000, default 1000).'),
  distinguisherMethod: ref(`${F}.FlowDistinguisherMethod`, 'How matched requests are split into flows; one flow when unset.'),
  rules: arr(ref(`${F}.PolicyRulesWithSubjects`), 'Requests this schema matches.', atomic),
}, 'Which requests a FlowSchema matches.', { required: ['priorityLevelConfiguration'] }));
define(`${F}.FlowSchemaCondition`, conditionSchema('A condition of a FlowSchema.'));
define(`${F}.FlowSchemaStatus`, obj({ conditions: arr(ref(`${F}.FlowSchemaCondition`), 'Current conditions.', { listType: 'map', mapKeys: ['type'] }) }, 'State of a FlowSchema.'));
const flowSchemaV1 = kindSchema(`${F}.FlowSchema`, [{ group: G, version: 'v1', kind: 'FlowSchema' }], 'Classifies API requests into a priority level and flows for API Priority and Fairness.', {
  spec: ref(`${F}.FlowSchemaSpec`, 'Matching rules.'),
  status: ref(`${F}.FlowSchemaStatus`, 'Current state.'),
});

define(`${F}.QueuingConfiguration`, obj({
  queues: int32('Number of queues (default 64).'),
  handSize: int32('Queues a flow is shuffle-sharded over (default 8).'),
  queueLengthLimit: int32('Requests each queue may hold (default 50).'),
}, 'Queuing parameters.'));
define(`${F}.LimitResponse`, obj({ type: str('Queue or Reject: what happens to requests beyond the limit.'), queuing: ref(`${F}.QueuingConfiguration`, 'Queuing parameters when type is Queue.') }, 'Handling of requests that cannot run now.', { required: ['type'] }));
define(`${F}.LimitedPriorityLevelConfiguration`, obj({
  nominalConcurrencyShares: int32('Share of the server concurrency limit (default 30).'),
  limitResponse: ref(`${F}.LimitResponse`, 'Handling of excess requests.'),
  lendablePercent: int32('Percent of the nominal seats other levels may borrow (0-100).'),
  borrowingLimitPercent: int32('Limit on seats this level may borrow, as a percent of its nominal seats.'),
}, 'Settings of a Limited priority level.'));
define(`${F}.ExemptPriorityLevelConfiguration`, obj({
  nominalConcurrencyShares: int32('Share of the server concurrency limit (default 0).'),
  lendablePercent: int32('Percent of the nominal seats other levels may borrow (0-100).'),
}, 'Settings of an Exempt priority level.'));
define(`${F}.PriorityLevelConfigurationSpec`, obj({
  type: str('Exempt (never queued or limited) or Limited.'),
  limited: ref(`${F}.LimitedPriorityLevelConfiguration`, 'Set when type is Limited.'),
  exempt: ref(`${F}.ExemptPriorityLevelConfiguration`, 'Optional when type is Exempt.'),
}, 'How requests at a priority level are limited.', { required: ['type'] }));
define(`${F}.PriorityLevelConfigurationCondition`, conditionSchema('A condition of a priority level.'));
define(`${F}.PriorityLevelConfigurationStatus`, obj({ conditions: arr(ref(`${F}.PriorityLevelConfigurationCondition`), 'Current conditions.', { listType: 'map', mapKeys: ['type'] }) }, 'State of a priority level.'));
const plcV1 = kindSchema(`${F}.PriorityLevelConfiguration`, [{ group: G, version: 'v1', kind: 'PriorityLevelConfiguration' }], 'A priority level of API Priority and Fairness: how much concurrency its requests get.', {
  spec: ref(`${F}.PriorityLevelConfigurationSpec`, 'Limits.'),
  status: ref(`${F}.PriorityLevelConfigurationStatus`, 'Current state.'),
});

// ---- FlowSchema ----

function flowSchemaDefaults(o: KubeObject) {
  if (!isObj(o.spec)) return;
  if (!isSet(o.spec.matchingPrecedence)) o.spec.matchingPrecedence = 1000;
}

function validateFlowSchema(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  const mp = spec.matchingPrecedence ?? 0;
  if (mp <= 0 || mp > 10000) errs.push(invalid('spec.matchingPrecedence', mp, 'must be between 1 and 10000 inclusive'));
  if (!spec.priorityLevelConfiguration?.name) errs.push(required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  if (isObj(spec.distinguisherMethod) && !['ByUser', 'ByNamespace'].includes(spec.distinguisherMethod.type))
    errs.push(notSupported('spec.distinguisherMethod.type', spec.distinguisherMethod.type ?? '', ['ByUser', 'ByNamespace']));
  list(spec.rules).forEach((r: any, i: number) => {
    const f = `spec.rules[${i}]`;
    const subjects = list(r?.subjects);
    if (subjects.length === 0) errs.push(required(`${f}.subjects`, 'subjects must contain at least one value'));
    subjects.forEach((s: any, j: number) => {
      const sf = `${f}.subjects[${j}]`;
      switch (s?.kind) {
        case 'ServiceAccount':
          if (!isObj(s.serviceAccount)) errs.push(required(`${sf}.serviceAccount`, 'serviceAccount is required when subject kind is \'ServiceAccount\''));
          else {
            if (!s.serviceAccount.name) errs.push(required(`${sf}.serviceAccount.name`, 'name is required'));
            if (!s.serviceAccount.namespace) errs.push(required(`${sf}.serviceAccount.namespace`));
          }
          break;
        case 'User':
          if (!isObj(s.user)) errs.push(required(`${sf}.user`, 'user is required when subject kind is \'User\''));
          else if (!s.user.name) errs.push(required(`${sf}.user.name`));
          break;
        case 'Group':
          if (!isObj(s.group)) errs.push(required(`${sf}.group`, 'group is required when subject kind is \'Group\''));
          else if (!s.group.name) errs.push(required(`${sf}.group.name`));
          break;
        default:
          errs.push(notSupported(`${sf}.kind`, s?.kind ?? '', ['ServiceAccount', 'Group', 'User']));
      }
    });
    if (list(r?.resourceRules).length === 0 && list(r?.nonResourceRules).length === 0) errs.push(required(f, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    list(r?.resourceRules).forEach((rr: any, j: number) => {
      const rf = `${f}.resourceRules[${j}]`;
      if (list(rr?.verbs).length === 0) errs.push(required(`${rf}.verbs`, 'verbs must contain at least one value'));
      if (list(rr?.apiGroups).length === 0) errs.push(required(`${rf}.apiGroups`, 'resource rules must supply at least one api group'));
      if (list(rr?.resources).length === 0) errs.push(required(`${rf}.resources`, 'resource rules must supply at least one resource'));
      if (list(rr?.namespaces).length === 0 && !rr?.clusterScope) errs.push(required(`${rf}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
    });
    list(r?.nonResourceRules).forEach((nr: any, j: number) => {
      const nf = `${f}.nonResourceRules[${j}]`;
      if (list(nr?.verbs).length === 0) errs.push(required(`${nf}.verbs`, 'verbs must contain at least one value'));
      if (list(nr?.nonResourceURLs).length === 0) errs.push(required(`${nf}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
    });
  });
  return errs;
}

export const flowSchema: ResourceDescriptor = {
  group: G,
  kind: 'FlowSchema',
  plural: 'flowschemas',
  singular: 'flowschema',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: flowSchemaV1,
  subresources: { status: true },
  hasGeneration: true,
  defaults: flowSchemaDefaults,
  validate: validateFlowSchema,
  validateUpdate: (o, _old, ctx) => (ctx.subresource === 'status' ? [] : validateFlowSchema(o)),
  table: {
    columns: [
      nameColumn,
      col('PriorityLevel', 'Priority level of matched requests.'),
      col('MatchingPrecedence', 'Order among FlowSchemas.', 'integer'),
      col('DistinguisherMethod', 'How requests are split into flows.'),
      ageColumn,
      col('MissingPL', 'Whether the referenced priority level is missing.'),
    ],
    row(o, now) {
      const dangling = list(o.status?.conditions).find((c: any) => c?.type === 'Dangling');
      return [o.metadata.name, o.spec?.priorityLevelConfiguration?.name ?? '', o.spec?.matchingPrecedence ?? 0, o.spec?.distinguisherMethod?.type ?? '<none>', age(o.metadata.creationTimestamp, now), dangling ? String(dangling.status ?? '') : '?'];
    },
  },
};

// ---- PriorityLevelConfiguration ----

function plcDefaults(o: KubeObject) {
  const spec = o.spec;
  if (!isObj(spec)) return;
  if (isObj(spec.limited)) {
    const l = spec.limited;
    if (!isSet(l.nominalConcurrencyShares)) l.nominalConcurrencyShares = 30;
    if (!isSet(l.lendablePercent)) l.lendablePercent = 0;
    const q = l.limitResponse?.queuing;
    if (isObj(q)) {
      if (!q.queues) q.queues = 64;
      if (!q.handSize) q.handSize = 8;
      if (!q.queueLengthLimit) q.queueLengthLimit = 50;
    }
  }
  if (isObj(spec.exempt)) {
    if (!isSet(spec.exempt.nominalConcurrencyShares)) spec.exempt.nominalConcurrencyShares = 0;
    if (!isSet(spec.exempt.lendablePercent)) spec.exempt.lendablePercent = 0;
  }
}

function validatePLC(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  switch (spec.type) {
    case 'Exempt':
      if (isSet(spec.limited)) errs.push(required('spec.limited', 'must be nil if the type is not Limited'));
      break;
    case 'Limited': {
      if (!isObj(spec.limited)) {
        errs.push(required('spec.limited', 'must not be empty when type is Limited'));
        break;
      }
      if (isSet(spec.exempt)) errs.push(required('spec.exempt', 'must be nil if the type is Limited'));
      const l = spec.limited;
      if ((l.nominalConcurrencyShares ?? 0) < 0) errs.push(invalid('spec.limited.nominalConcurrencyShares', l.nominalConcurrencyShares, 'must be a non-negative integer'));
      for (const k of ['lendablePercent', 'borrowingLimitPercent']) {
        const v = l[k];
        if (k === 'lendablePercent' && isSet(v) && (v < 0 || v > 100)) errs.push(invalid(`spec.limited.${k}`, v, 'must be between 0 and 100, inclusive'));
        if (k === 'borrowingLimitPercent' && isSet(v) && v < 0) errs.push(invalid(`spec.limited.${k}`, v, 'if specified, must be a non-negative integer'));
      }
      const lr = l.limitResponse ?? {};
      if (lr.type === 'Queue') {
        if (!isObj(lr.queuing)) errs.push(required('spec.limited.limitResponse.queuing', 'must not be empty if the type is Queue'));
        else {
          const q = lr.queuing;
          if ((q.queueLengthLimit ?? 0) <= 0) errs.push(invalid('spec.limited.limitResponse.queuing.queueLengthLimit', q.queueLengthLimit ?? 0, 'must be positive'));
          if ((q.queues ?? 0) <= 0) errs.push(invalid('spec.limited.limitResponse.queuing.queues', q.queues ?? 0, 'must be positive'));
          else if (q.queues > 10000000) errs.push(invalid('spec.limited.limitResponse.queuing.queues', q.queues, 'must not be greater than 10000000'));
          if ((q.handSize ?? 0) <= 0) errs.push(invalid('spec.limited.limitResponse.queuing.handSize', q.handSize ?? 0, 'must be positive'));
          else if (q.handSize > (q.queues ?? 0)) errs.push(invalid('spec.limited.limitResponse.queuing.handSize', q.handSize, `should not be greater than queues (${q.queues ?? 0})`));
        }
      } else if (lr.type === 'Reject') {
        if (isSet(lr.queuing)) errs.push(required('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited'));
      } else errs.push(notSupported('spec.limited.limitResponse.type', lr.type ?? '', ['Queue', 'Reject']));
      break;
    }
    default:
      errs.push(notSupported('spec.type', spec.type ?? '', ['Exempt', 'Limited']));
  }
  return errs;
}

export const priorityLevelConfiguration: ResourceDescriptor = {
  group: G,
  kind: 'PriorityLevelConfiguration',
  plural: 'prioritylevelconfigurations',
  singular: 'prioritylevelconfiguration',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: plcV1,
  subresources: { status: true },
  hasGeneration: true,
  defaults: plcDefaults,
  validate: validatePLC,
  validateUpdate: (o, _old, ctx) => (ctx.subresource === 'status' ? [] : validatePLC(o)),
  table: {
    columns: [
      nameColumn,
      col('Type', 'Exempt or Limited.'),
      col('NominalConcurrencyShares', 'Share of the concurrency limit.'),
      col('Queues', 'Number of queues.'),
      col('HandSize', 'Queues per flow.'),
      col('QueueLengthLimit', 'Requests per queue.'),
      ageColumn,
    ],
    row(o, now) {
      const l = o.spec?.limited;
      const q = l?.limitResponse?.queuing;
      return [o.metadata.name, o.spec?.type ?? '', l ? (l.nominalConcurrencyShares ?? 0) : '<none>', q ? q.queues ?? 0 : '<none>', q ? q.handSize ?? 0 : '<none>', q ? q.queueLengthLimit ?? 0 : '<none>', age(o.metadata.creationTimestamp, now)];
    },
  },
};

export const descriptors: ResourceDescriptor[] = [flowSchema, priorityLevelConfiguration];
