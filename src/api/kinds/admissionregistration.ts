// admissionregistration.k8s.io/v1: webhook configurations and validating admission policies.
import { define, str, int32, obj, arr, ref, kindSchema, bytes, int64 } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required, notSupported, duplicate } from '../errors.js';
import type { KubeObject } from '../types.js';
import { labelSelectorRef } from './meta.js';
import { isObj, list, isSet, validateLabelSelector, formatLabelSelector, nameColumn, ageColumn, col, age } from './misc-helpers.js';
import { isDNS1123Subdomain } from '../validation.js';

const A = 'io.k8s.api.admissionregistration.v1';
const G = 'admissionregistration.k8s.io';
const atomic = { listType: 'atomic' as const };
const gvk = (kind: string) => [{ group: G, version: 'v1', kind }];

define(`${A}.ServiceReference`, obj({
  namespace: str('Namespace of the Service.'),
  name: str('Name of the Service.'),
  path: str('URL path requests are sent to.'),
  port: int32('Service port (default 443).'),
}, 'A Service that serves the webhook.', { required: ['namespace', 'name'] }));
define(`${A}.WebhookClientConfig`, obj({
  url: str('https URL of the webhook (exclusive with service).'),
  service: ref(`${A}.ServiceReference`, 'In-cluster Service of the webhook (exclusive with url).'),
  caBundle: bytes('PEM CA bundle used to verify the webhook serving certificate.'),
}, 'How to reach a webhook.'));
define(`${A}.RuleWithOperations`, obj({
  operations: arr(str(), 'CREATE, UPDATE, DELETE, CONNECT or "*".', atomic),
  apiGroups: arr(str(), 'API groups ("*" for all).', atomic),
  apiVersions: arr(str(), 'API versions ("*" for all).', atomic),
  resources: arr(str(), 'Resources, optionally with subresources ("pods/status", "*/*").', atomic),
  scope: str('Cluster, Namespaced or "*" (default).'),
}, 'Requests a webhook or policy applies to.'));
define(`${A}.MatchCondition`, obj({ name: str('Identifier of the condition.'), expression: str('CEL expression that must be true for the request to be sent.') }, 'A CEL precondition.', { required: ['name', 'expression'] }));

const webhookProps = (mutating: boolean) => ({
  name: str('Fully qualified name of the webhook, such as "imagepolicy.example.com".'),
  clientConfig: ref(`${A}.WebhookClientConfig`, 'How to reach the webhook.'),
  rules: arr(ref(`${A}.RuleWithOperations`), 'Requests the webhook receives.', atomic),
  failurePolicy: str('Ignore or Fail (default): what happens when the call fails.'),
  matchPolicy: str('Exact or Equivalent (default): whether requests through other versions of a matched resource are sent.'),
  namespaceSelector: labelSelectorRef('Only objects in namespaces matching this selector are sent; all when empty.'),
  objectSelector: labelSelectorRef('Only objects matching this selector are sent; all when empty.'),
  sideEffects: str('None or NoneOnDryRun: whether the webhook has side effects.'),
  timeoutSeconds: int32('Call timeout in seconds, 1 to 30 (default 10).'),
  admissionReviewVersions: arr(str(), 'AdmissionReview versions the webhook accepts, in order of preference.', atomic),
  matchConditions: { ...arr(ref(`${A}.MatchCondition`), 'CEL preconditions, all must be true.'), 'x-kubernetes-list-type': 'map' as const, 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
  ...(mutating ? { reinvocationPolicy: str('Never (default) or IfNeeded: whether the webhook is called again after later mutations.') } : {}),
});
define(`${A}.ValidatingWebhook`, obj(webhookProps(false), 'A validating admission webhook.', { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }));
define(`${A}.MutatingWebhook`, obj(webhookProps(true), 'A mutating admission webhook.', { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }));
const vwcV1 = kindSchema(`${A}.ValidatingWebhookConfiguration`, gvk('ValidatingWebhookConfiguration'), 'Webhooks that may reject requests after mutation.', {
  webhooks: { ...arr(ref(`${A}.ValidatingWebhook`), 'The webhooks.'), 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
});
const mwcV1 = kindSchema(`${A}.MutatingWebhookConfiguration`, gvk('MutatingWebhookConfiguration'), 'Webhooks that may change objects before validation.', {
  webhooks: { ...arr(ref(`${A}.MutatingWebhook`), 'The webhooks.'), 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
});

// ---- ValidatingAdmissionPolicy ----

define(`${A}.ParamKind`, obj({ apiVersion: str('Group/version of the parameter resource.'), kind: str('Kind of the parameter resource.') }, 'The kind of object that parameterizes a policy.', { 'x-kubernetes-map-type': 'atomic' } as any));
define(`${A}.NamedRuleWithOperations`, obj({
  resourceNames: arr(str(), 'Object names the rule is limited to.', atomic),
  operations: arr(str(), 'CREATE, UPDATE, DELETE, CONNECT or "*".', atomic),
  apiGroups: arr(str(), 'API groups.', atomic),
  apiVersions: arr(str(), 'API versions.', atomic),
  resources: arr(str(), 'Resources.', atomic),
  scope: str('Cluster, Namespaced or "*".'),
}, 'A rule, optionally limited to named objects.', { 'x-kubernetes-map-type': 'atomic' } as any));
define(`${A}.MatchResources`, obj({
  namespaceSelector: labelSelectorRef('Namespaces whose objects are matched.'),
  objectSelector: labelSelectorRef('Objects matched by label.'),
  resourceRules: arr(ref(`${A}.NamedRuleWithOperations`), 'Requests matched.', atomic),
  excludeResourceRules: arr(ref(`${A}.NamedRuleWithOperations`), 'Requests excluded.', atomic),
  matchPolicy: str('Exact or Equivalent (default).'),
}, 'Which requests a policy or binding applies to.', { 'x-kubernetes-map-type': 'atomic' } as any));
define(`${A}.Validation`, obj({
  expression: str('CEL expression that must evaluate to true.'),
  message: str('Message returned when the expression is false.'),
  reason: str('Reason returned on failure: Unauthorized, Forbidden (default), Invalid or RequestEntityTooLarge.'),
  messageExpression: str('CEL expression producing the failure message.'),
}, 'One CEL check.', { required: ['expression'] }));
define(`${A}.AuditAnnotation`, obj({ key: str('Annotation key (prefixed with the policy name).'), valueExpression: str('CEL expression producing the value.') }, 'An audit annotation computed by CEL.', { required: ['key', 'valueExpression'] }));
define(`${A}.Variable`, obj({ name: str('Variable name, used as variables.<name>.'), expression: str('CEL expression.') }, 'A named CEL expression.', { required: ['name', 'expression'], 'x-kubernetes-map-type': 'atomic' } as any));
define(`${A}.ValidatingAdmissionPolicySpec`, obj({
  paramKind: ref(`${A}.ParamKind`, 'Kind of the parameter objects, if any.'),
  matchConstraints: ref(`${A}.MatchResources`, 'Requests the policy can apply to.'),
  validations: arr(ref(`${A}.Validation`), 'CEL checks.', atomic),
  failurePolicy: str('Ignore or Fail (default).'),
  auditAnnotations: arr(ref(`${A}.AuditAnnotation`), 'Audit annotations.', atomic),
  matchConditions: { ...arr(ref(`${A}.MatchCondition`), 'CEL preconditions.'), 'x-kubernetes-list-type': 'map' as const, 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
  variables: arr(ref(`${A}.Variable`), 'Named expressions.', atomic),
}, 'Desired state of a policy.'));
define(`${A}.ExpressionWarning`, obj({ fieldRef: str('Path of the expression.'), warning: str('Type-checking message.') }, 'A type-checking warning.', { required: ['fieldRef', 'warning'] }));
define(`${A}.TypeChecking`, obj({ expressionWarnings: arr(ref(`${A}.ExpressionWarning`), 'Warnings.', atomic) }, 'Type-checking results.'));
define(`${A}.ValidatingAdmissionPolicyStatus`, obj({
  observedGeneration: int64('Generation the status describes.'),
  typeChecking: ref(`${A}.TypeChecking`, 'Type-checking results.'),
  conditions: { ...arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition'), 'Conditions.'), 'x-kubernetes-list-type': 'map' as const, 'x-kubernetes-list-map-keys': ['type'] },
}, 'Observed state of a policy.'));
const vapV1 = kindSchema(`${A}.ValidatingAdmissionPolicy`, gvk('ValidatingAdmissionPolicy'), 'CEL validation applied to requests in-process, without a webhook.', {
  spec: ref(`${A}.ValidatingAdmissionPolicySpec`, 'Desired state.'),
  status: ref(`${A}.ValidatingAdmissionPolicyStatus`, 'Observed state.'),
});
define(`${A}.ParamRef`, obj({
  name: str('Name of the parameter object.'),
  namespace: str('Namespace of the parameter object.'),
  selector: labelSelectorRef('Selects several parameter objects.'),
  parameterNotFoundAction: str('Allow or Deny: what happens when no parameter object is found.'),
}, 'Parameter objects of a binding.', { 'x-kubernetes-map-type': 'atomic' } as any));
define(`${A}.ValidatingAdmissionPolicyBindingSpec`, obj({
  policyName: str('Name of the bound policy.'),
  paramRef: ref(`${A}.ParamRef`, 'Parameters for the policy.'),
  matchResources: ref(`${A}.MatchResources`, 'Further limits which requests are checked.'),
  validationActions: arr(str(), 'Deny, Warn and/or Audit: what happens when a check fails.', { listType: 'set' }),
}, 'Desired state of a binding.'));
const vapbV1 = kindSchema(`${A}.ValidatingAdmissionPolicyBinding`, gvk('ValidatingAdmissionPolicyBinding'), 'Applies a ValidatingAdmissionPolicy to some requests with some parameters.', {
  spec: ref(`${A}.ValidatingAdmissionPolicyBindingSpec`, 'Desired state.'),
});

// ---- defaults ----

function ruleDefaults(r: any) {
  if (isObj(r) && !isSet(r.scope)) r.scope = '*';
}

function webhookDefaults(mutating: boolean) {
  return (o: KubeObject) => {
    for (const w of list(o.webhooks)) {
      if (!isObj(w)) continue;
      if (!isSet(w.failurePolicy)) w.failurePolicy = 'Fail';
      if (!isSet(w.matchPolicy)) w.matchPolicy = 'Equivalent';
      if (!isSet(w.namespaceSelector)) w.namespaceSelector = {};
      if (!isSet(w.objectSelector)) w.objectSelector = {};
      if (!isSet(w.timeoutSeconds)) w.timeoutSeconds = 10;
      if (mutating && !isSet(w.reinvocationPolicy)) w.reinvocationPolicy = 'Never';
      if (isObj(w.clientConfig?.service) && !isSet(w.clientConfig.service.port)) w.clientConfig.service.port = 443;
      list(w.rules).forEach(ruleDefaults);
    }
  };
}

function matchResourcesDefaults(m: any) {
  if (!isObj(m)) return;
  if (!isSet(m.namespaceSelector)) m.namespaceSelector = {};
  if (!isSet(m.objectSelector)) m.objectSelector = {};
  if (!isSet(m.matchPolicy)) m.matchPolicy = 'Equivalent';
  list(m.resourceRules).forEach(ruleDefaults);
  list(m.excludeResourceRules).forEach(ruleDefaults);
}

// ---- validation ----

function isFullyQualifiedName(f: string, v: string): FieldError[] {
  if (!v) return [required(f)];
  const sub = isDNS1123Subdomain(v);
  if (sub.length) return [invalid(f, v, sub.join(','))];
  if (v.split('.').length < 3) return [invalid(f, v, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateWebhooks(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(o.webhooks).forEach((w: any, i: number) => {
    const f = `webhooks[${i}]`;
    errs.push(...isFullyQualifiedName(`${f}.name`, w?.name ?? ''));
    if (names.has(w?.name)) errs.push(duplicate(`${f}.name`, w?.name));
    names.add(w?.name);
    const versions = list(w?.admissionReviewVersions);
    if (versions.length === 0) errs.push(required(`${f}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
    else if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(invalid(`${f}.admissionReviewVersions`, versions, 'must include at least one of v1, v1beta1'));
    if (!isSet(w?.sideEffects)) errs.push(required(`${f}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
    else if (!['None', 'NoneOnDryRun'].includes(w.sideEffects)) errs.push(notSupported(`${f}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']));
    if (isSet(w?.failurePolicy) && !['Fail', 'Ignore'].includes(w.failurePolicy)) errs.push(notSupported(`${f}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']));
    if (isSet(w?.matchPolicy) && !['Equivalent', 'Exact'].includes(w.matchPolicy)) errs.push(notSupported(`${f}.matchPolicy`, w.matchPolicy, ['Equivalent', 'Exact']));
    if (isSet(w?.reinvocationPolicy) && !['IfNeeded', 'Never'].includes(w.reinvocationPolicy)) errs.push(notSupported(`${f}.reinvocationPolicy`, w.reinvocationPolicy, ['IfNeeded', 'Never']));
    if (isSet(w?.timeoutSeconds) && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) errs.push(invalid(`${f}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    errs.push(...validateLabelSelector(w?.namespaceSelector, `${f}.namespaceSelector`));
    errs.push(...validateLabelSelector(w?.objectSelector, `${f}.objectSelector`));
    const cc = w?.clientConfig ?? {};
    const hasURL = isSet(cc.url);
    const hasSvc = isSet(cc.service);
    if (hasURL === hasSvc) errs.push(required(`${f}.clientConfig`, 'exactly one of url or service is required'));
    else if (hasURL) {
      let u: URL | undefined;
      try {
        u = new URL(cc.url);
      } catch {
        errs.push(invalid(`${f}.clientConfig.url`, cc.url, 'host must be specified'));
      }
      if (u && u.protocol !== 'https:') errs.push(invalid(`${f}.clientConfig.url`, u.protocol.replace(/:$/, ''), "'https' is the only allowed URL scheme"));
    } else {
      if (!cc.service.name) errs.push(required(`${f}.clientConfig.service.name`, 'service name is required'));
      if (!cc.service.namespace) errs.push(required(`${f}.clientConfig.service.namespace`, 'service namespace is required'));
      if (isSet(cc.service.port) && (cc.service.port < 1 || cc.service.port > 65535)) errs.push(invalid(`${f}.clientConfig.service.port`, cc.service.port, 'port is not valid: must be between 1 and 65535, inclusive'));
    }
    list(w?.rules).forEach((r: any, j: number) => errs.push(...validateRule(r, `${f}.rules[${j}]`)));
  });
  return errs;
}

function validateRule(r: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (list(r?.operations).length === 0) errs.push(required(`${f}.operations`));
  for (const [j, op] of list(r?.operations).entries()) if (!['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)) errs.push(notSupported(`${f}.operations[${j}]`, op, ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE']));
  if (list(r?.apiGroups).length === 0) errs.push(required(`${f}.apiGroups`));
  if (list(r?.apiVersions).length === 0) errs.push(required(`${f}.apiVersions`));
  if (list(r?.resources).length === 0) errs.push(required(`${f}.resources`));
  if (isSet(r?.scope) && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(notSupported(`${f}.scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
  return errs;
}

function validateVAP(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  if (!isObj(spec.matchConstraints)) errs.push(required('spec.matchConstraints'));
  else if (list(spec.matchConstraints.resourceRules).length === 0) errs.push(required('spec.matchConstraints.resourceRules'));
  if (list(spec.validations).length === 0 && list(spec.auditAnnotations).length === 0) errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  list(spec.validations).forEach((v: any, i: number) => {
    if (!v?.expression?.trim?.()) errs.push(required(`spec.validations[${i}].expression`));
    if (isSet(v?.reason) && !['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'].includes(v.reason)) errs.push(notSupported(`spec.validations[${i}].reason`, v.reason, ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge']));
  });
  if (isSet(spec.failurePolicy) && !['Fail', 'Ignore'].includes(spec.failurePolicy)) errs.push(notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (isObj(spec.paramKind)) {
    if (!spec.paramKind.kind) errs.push(required('spec.paramKind.kind'));
    if (!spec.paramKind.apiVersion) errs.push(required('spec.paramKind.apiVersion'));
  }
  return errs;
}

function validateVAPB(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  if (!spec.policyName) errs.push(required('spec.policyName'));
  const actions = list(spec.validationActions);
  if (actions.length === 0) errs.push(required('spec.validationActions'));
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!['Audit', 'Deny', 'Warn'].includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ['Audit', 'Deny', 'Warn']));
    if (seen.has(a)) errs.push(duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) errs.push(invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  const pr = spec.paramRef;
  if (isObj(pr)) {
    if (pr.name && isSet(pr.selector)) errs.push(invalid('spec.paramRef.name', pr.name, '`name` and `selector` are mutually exclusive'));
    if (!pr.name && !isSet(pr.selector)) errs.push(required('spec.paramRef', 'one of `name` or `selector` must be specified'));
    if (!isSet(pr.parameterNotFoundAction)) errs.push(required('spec.paramRef.parameterNotFoundAction'));
    else if (!['Allow', 'Deny'].includes(pr.parameterNotFoundAction)) errs.push(notSupported('spec.paramRef.parameterNotFoundAction', pr.parameterNotFoundAction, ['Deny', 'Allow']));
  }
  return errs;
}

// ---- descriptors ----

const webhookTable = {
  columns: [nameColumn, col('Webhooks', 'Number of webhooks.', 'integer'), ageColumn],
  row: (o: KubeObject, now: Date) => [o.metadata.name, list(o.webhooks).length, age(o.metadata.creationTimestamp, now)],
};

export const validatingWebhookConfiguration: ResourceDescriptor = {
  group: G,
  kind: 'ValidatingWebhookConfiguration',
  plural: 'validatingwebhookconfigurations',
  singular: 'validatingwebhookconfiguration',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: vwcV1,
  categories: ['api-extensions'],
  defaults: webhookDefaults(false),
  validate: validateWebhooks,
  validateUpdate: validateWebhooks,
  table: webhookTable,
};

export const mutatingWebhookConfiguration: ResourceDescriptor = {
  ...validatingWebhookConfiguration,
  kind: 'MutatingWebhookConfiguration',
  plural: 'mutatingwebhookconfigurations',
  singular: 'mutatingwebhookconfiguration',
  schema: mwcV1,
  defaults: webhookDefaults(true),
};

export const validatingAdmissionPolicy: ResourceDescriptor = {
  group: G,
  kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies',
  singular: 'validatingadmissionpolicy',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: vapV1,
  categories: ['api-extensions'],
  subresources: { status: true },
  hasGeneration: true,
  defaults(o) {
    if (!isObj(o.spec)) return;
    if (!isSet(o.spec.failurePolicy)) o.spec.failurePolicy = 'Fail';
    matchResourcesDefaults(o.spec.matchConstraints);
  },
  validate: validateVAP,
  validateUpdate: (o, _old, ctx) => (ctx.subresource === 'status' ? [] : validateVAP(o)),
  table: {
    columns: [nameColumn, col('Validations', 'Number of validations.', 'integer'), col('ParamKind', 'Kind of the parameter objects.'), ageColumn],
    row(o, now) {
      const pk = o.spec?.paramKind;
      return [o.metadata.name, list(o.spec?.validations).length, isObj(pk) ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>', age(o.metadata.creationTimestamp, now)];
    },
  },
};

export const validatingAdmissionPolicyBinding: ResourceDescriptor = {
  group: G,
  kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings',
  singular: 'validatingadmissionpolicybinding',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: vapbV1,
  categories: ['api-extensions'],
  hasGeneration: true,
  defaults(o) {
    if (isObj(o.spec)) matchResourcesDefaults(o.spec.matchResources);
  },
  validate: validateVAPB,
  validateUpdate: validateVAPB,
  table: {
    columns: [nameColumn, col('PolicyName', 'The bound policy.'), col('ParamRef', 'Parameter objects.'), ageColumn],
    row(o, now) {
      const pr = o.spec?.paramRef;
      let param = '<unset>';
      if (isObj(pr)) {
        if (pr.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
        else if (isSet(pr.selector)) param = formatLabelSelector(pr.selector).replace(/^<none>$/, '');
      }
      return [o.metadata.name, o.spec?.policyName ?? '', param, age(o.metadata.creationTimestamp, now)];
    },
  },
};

export const descriptors: ResourceDescriptor[] = [validatingWebhookConfiguration, mutatingWebhookConfiguration, validatingAdmissionPolicy, validatingAdmissionPolicyBinding];
