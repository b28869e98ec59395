// authentication.k8s.io/v1 and authorization.k8s.io/v1: the review kinds. They are create-only:
// nothing is stored, the answer comes back in status.
import { define, str, bool, obj, arr, ref, kindSchema, mapOf } from '../schema.js';
import type { ResourceDescriptor, RequestContext } from '../descriptor.js';
import { type FieldError, invalid } from '../errors.js';
import type { KubeObject, UserInfo } from '../types.js';
import { deepClone } from '../types.js';
import { isObj, isSet, list } from './misc-helpers.js';

const AN = 'io.k8s.api.authentication.v1';
const AZ = 'io.k8s.api.authorization.v1';
const atomic = { listType: 'atomic' as const };

// ---------------------------------------------------------------- authentication.k8s.io

define(`${AN}.UserInfo`, obj({
  username: str('Name of the user.'),
  uid: str('Unique id of the user across time.'),
  groups: arr(str(), 'Groups the user belongs to.', atomic),
  extra: mapOf(arr(str()), 'Extra attributes from the authenticator.'),
}, 'Who a user is, as the authenticator saw them.'));
define(`${AN}.TokenReviewSpec`, obj({
  token: str('The bearer token to check.'),
  audiences: arr(str(), 'Audiences the token must be valid for; the API server audiences when empty.', atomic),
}, 'The token to check.'));
define(`${AN}.TokenReviewStatus`, obj({
  authenticated: bool('Whether the token is valid.'),
  user: ref(`${AN}.UserInfo`, 'The user the token belongs to.'),
  audiences: arr(str(), 'Audiences the token is valid for.', atomic),
  error: str('Why the token could not be checked.'),
}, 'Result of a token check.'));
const tokenReviewV1 = kindSchema(`${AN}.TokenReview`, [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview' }], 'Checks a token and says which user it belongs to. Not stored.', {
  spec: ref(`${AN}.TokenReviewSpec`, 'The token to check.'),
  status: ref(`${AN}.TokenReviewStatus`, 'The answer.'),
}, { required: ['spec'] });

define(`${AN}.SelfSubjectReviewStatus`, obj({ userInfo: ref(`${AN}.UserInfo`, 'The calling user.') }, 'The calling user.'));
const selfSubjectReviewV1 = kindSchema(`${AN}.SelfSubjectReview`, [{ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' }], 'Returns the identity of the caller (kubectl auth whoami). Not stored.', {
  status: ref(`${AN}.SelfSubjectReviewStatus`, 'The calling user.'),
});

// ---------------------------------------------------------------- authorization.k8s.io

define(`${AZ}.FieldSelectorRequirement`, obj({ key: str('Field selector key.'), operator: str('In, NotIn, Exists or DoesNotExist.'), values: arr(str(), 'Values for In and NotIn.', atomic) }, 'A field selector requirement.', { required: ['key', 'operator'] }));
define(`${AZ}.FieldSelectorAttributes`, obj({ rawSelector: str('The field selector as given in a query.'), requirements: arr(ref(`${AZ}.FieldSelectorRequirement`), 'The parsed selector.', atomic) }, 'A field selector limiting the request.'));
define(`${AZ}.LabelSelectorAttributes`, obj({ rawSelector: str('The label selector as given in a query.'), requirements: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement'), 'The parsed selector.', atomic) }, 'A label selector limiting the request.'));
define(`${AZ}.ResourceAttributes`, obj({
  namespace: str('Namespace of the request; empty for cluster-scoped resources or all namespaces.'),
  verb: str('API verb, such as get, list, watch, create, update, delete, or "*".'),
  group: str('API group; "*" for all.'),
  version: str('API version; "*" for all.'),
  resource: str('Resource; "*" for all.'),
  subresource: str('Subresource, if any.'),
  name: str('Object name; empty for all.'),
  fieldSelector: ref(`${AZ}.FieldSelectorAttributes`, 'Field selector of a list or watch.'),
  labelSelector: ref(`${AZ}.LabelSelectorAttributes`, 'Label selector of a list or watch.'),
}, 'A resource request to authorize.'));
define(`${AZ}.NonResourceAttributes`, obj({ path: str('URL path.'), verb: str('HTTP verb in lower case.') }, 'A non-resource request to authorize.'));
define(`${AZ}.SubjectAccessReviewSpec`, obj({
  resourceAttributes: ref(`${AZ}.ResourceAttributes`, 'A resource request (exclusive with nonResourceAttributes).'),
  nonResourceAttributes: ref(`${AZ}.NonResourceAttributes`, 'A non-resource request (exclusive with resourceAttributes).'),
  user: str('User to check.'),
  groups: arr(str(), 'Groups to check.', atomic),
  extra: mapOf(arr(str()), 'Extra attributes of the user.'),
  uid: str('UID of the user.'),
}, 'A request and the user making it.'));
define(`${AZ}.SelfSubjectAccessReviewSpec`, obj({
  resourceAttributes: ref(`${AZ}.ResourceAttributes`, 'A resource request (exclusive with nonResourceAttributes).'),
  nonResourceAttributes: ref(`${AZ}.NonResourceAttributes`, 'A non-resource request (exclusive with resourceAttributes).'),
}, 'A request by the calling user.'));
define(`${AZ}.SubjectAccessReviewStatus`, obj({
  allowed: bool('Whether the request is allowed.'),
  denied: bool('Whether the request is explicitly denied (no further authorizers are asked).'),
  reason: str('Why the request was allowed or denied.'),
  evaluationError: str('Errors met while deciding; the answer may still be set.'),
}, 'Whether the request is allowed.', { required: ['allowed'] }));
const sarStatus = ref(`${AZ}.SubjectAccessReviewStatus`, 'The answer.');
const sarV1 = kindSchema(`${AZ}.SubjectAccessReview`, [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview' }], 'Asks whether a given user may perform a request. Not stored.', {
  spec: ref(`${AZ}.SubjectAccessReviewSpec`, 'The request and user.'),
  status: sarStatus,
}, { required: ['spec'] });
const lsarV1 = kindSchema(`${AZ}.LocalSubjectAccessReview`, [{ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview' }], 'Asks whether a given user may perform a request in this namespace. Not stored.', {
  spec: ref(`${AZ}.SubjectAccessReviewSpec`, 'The request and user.'),
  status: sarStatus,
}, { required: ['spec'] });
const ssarV1 = kindSchema(`${AZ}.SelfSubjectAccessReview`, [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' }], 'Asks whether the caller may perform a request (kubectl auth can-i). Not stored.', {
  spec: ref(`${AZ}.SelfSubjectAccessReviewSpec`, 'The request.'),
  status: sarStatus,
}, { required: ['spec'] });

define(`${AZ}.ResourceRule`, obj({
  verbs: arr(str(), 'Allowed verbs.', atomic),
  apiGroups: arr(str(), 'API groups.', atomic),
  resources: arr(str(), 'Resources.', atomic),
  resourceNames: arr(str(), 'Object names; all when empty.', atomic),
}, 'Resource requests the caller may make.', { required: ['verbs'] }));
define(`${AZ}.NonResourceRule`, obj({ verbs: arr(str(), 'Allowed verbs.', atomic), nonResourceURLs: arr(str(), 'Allowed paths.', atomic) }, 'Non-resource requests the caller may make.', { required: ['verbs'] }));
define(`${AZ}.SelfSubjectRulesReviewSpec`, obj({ namespace: str('Namespace to list the rules for.') }, 'Where to list rules.'));
define(`${AZ}.SubjectRulesReviewStatus`, obj({
  resourceRules: arr(ref(`${AZ}.ResourceRule`), 'Resource rules.', atomic),
  nonResourceRules: arr(ref(`${AZ}.NonResourceRule`), 'Non-resource rules.', atomic),
  incomplete: bool('True when the list may be incomplete (some authorizer cannot list rules).'),
  evaluationError: str('Errors met while listing.'),
}, 'What the caller may do.', { required: ['resourceRules', 'nonResourceRules', 'incomplete'] }));
const ssrrV1 = kindSchema(`${AZ}.SelfSubjectRulesReview`, [{ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview' }], 'Lists what the caller may do in a namespace. Not stored.', {
  spec: ref(`${AZ}.SelfSubjectRulesReviewSpec`, 'Where to list rules.'),
  status: ref(`${AZ}.SubjectRulesReviewStatus`, 'The rules.'),
}, { required: ['spec'] });

// ---------------------------------------------------------------- validation

function validateAttributes(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const hasR = isSet(spec?.resourceAttributes);
  const hasN = isSet(spec?.nonResourceAttributes);
  if (hasR && hasN) errs.push(invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!hasR && !hasN) errs.push(invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  return errs;
}

function validateSAR(o: KubeObject): FieldError[] {
  const errs = validateAttributes(o.spec);
  if (!o.spec?.user && list(o.spec?.groups).length === 0) errs.push(invalid('spec.user', o.spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

function validateLSAR(o: KubeObject, ctx: RequestContext): FieldError[] {
  const errs = validateSAR(o);
  if (isSet(o.spec?.nonResourceAttributes)) errs.push(invalid('spec.nonResourceAttributes', o.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  const ns = ctx.namespace ?? o.metadata.namespace ?? '';
  const ra = o.spec?.resourceAttributes;
  if (isObj(ra) && ra.namespace !== ns) errs.push(invalid('spec.resourceAttributes.namespace', ra.namespace ?? '', `must match metadata.namespace`));
  return errs;
}

// ---------------------------------------------------------------- answers

/** Until RBAC lands: members of system:masters may do anything, everyone else nothing. */
function decide(groups: string[]): { allowed: boolean; reason?: string } {
  return groups.includes('system:masters') ? { allowed: true } : { allowed: false, reason: '' };
}

function answer(o: KubeObject, status: Record<string, unknown>): KubeObject {
  const out = deepClone(o);
  out.metadata = { ...(out.metadata ?? {}), creationTimestamp: null as unknown as string };
  out.status = status;
  return out;
}

export function userInfoOf(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: u.name };
  if (u.uid) out.uid = u.uid;
  out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = deepClone(u.extra);
  return out;
}

const review = (group: string, kind: string, plural: string, schema: any, namespaced = false): ResourceDescriptor => ({
  group,
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  verbs: ['create'],
  schema,
  nameValidation: 'none',
});

export const tokenReview: ResourceDescriptor = review('authentication.k8s.io', 'TokenReview', 'tokenreviews', tokenReviewV1);

export const selfSubjectReview: ResourceDescriptor = {
  ...review('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', selfSubjectReviewV1),
  createOnly: (o, ctx) => answer(o, { userInfo: userInfoOf(ctx.user) }),
};

export const subjectAccessReview: ResourceDescriptor = {
  ...review('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews', sarV1),
  validate: validateSAR,
  createOnly: (o) => answer(o, decide(list(o.spec?.groups))),
};

export const localSubjectAccessReview: ResourceDescriptor = {
  ...review('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', lsarV1, true),
  validate: validateLSAR,
  createOnly: (o) => answer(o, decide(list(o.spec?.groups))),
};

export const selfSubjectAccessReview: ResourceDescriptor = {
  ...review('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', ssarV1),
  validate: (o) => validateAttributes(o.spec),
  createOnly: (o, ctx) => answer(o, decide(ctx.user.groups)),
};

export const selfSubjectRulesReview: ResourceDescriptor = review('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', ssrrV1);

export const descriptors: ResourceDescriptor[] = [tokenReview, selfSubjectReview, subjectAccessReview, localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview];
