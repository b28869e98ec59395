// rbac.authorization.k8s.io: Role, ClusterRole, RoleBinding, ClusterRoleBinding (v1, with v1beta1
// served in the same shape).
import { define, str, obj, arr, ref, kindSchema, type Schema } from '../schema.js';
import type { ResourceDescriptor, VersionInfo } from '../descriptor.js';
import { type FieldError, GoValue, invalid, required, notSupported } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../validation.js';
import { labelSelectorRef } from './meta.js';
import { asVersion, isObj, list, goStrings, validateLabelSelector, nameColumn, ageColumn, col, age } from './misc-helpers.js';
import { createdAtColumn } from '../table.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function rbacSchemas(P: string, version: string) {
  const gvk = (kind: string) => [{ group: RBAC_GROUP, version, kind }];
  define(`${P}.PolicyRule`, obj({
    verbs: arr(str(), 'Verbs the rule allows ("*" for all).', { listType: 'atomic' }),
    apiGroups: arr(str(), 'API groups of the resources ("" is the core group, "*" all groups).', { listType: 'atomic' }),
    resources: arr(str(), 'Resources the rule applies to, such as "pods" or "pods/log" ("*" for all).', { listType: 'atomic' }),
    resourceNames: arr(str(), 'Restricts the rule to objects with these names.', { listType: 'atomic' }),
    nonResourceURLs: arr(str(), 'Non-resource paths such as "/healthz" (a trailing "*" matches a prefix). Only meaningful in ClusterRoles.', { listType: 'atomic' }),
  }, 'Actions allowed on some resources or non-resource URLs.', { required: ['verbs'] }));
  define(`${P}.AggregationRule`, obj({
    clusterRoleSelectors: arr(labelSelectorRef(), "ClusterRoles whose rules are combined into this role's rules.", { listType: 'atomic' }),
  }, 'How a ClusterRole is assembled from other ClusterRoles.'));
  define(`${P}.RoleRef`, obj({
    apiGroup: str('API group of the referenced role (rbac.authorization.k8s.io).'),
    kind: str('Role or ClusterRole.'),
    name: str('Name of the referenced role.'),
  }, 'The role a binding grants.', { required: ['apiGroup', 'kind', 'name'], 'x-kubernetes-map-type': 'atomic' } as any));
  define(`${P}.Subject`, obj({
    kind: str('User, Group or ServiceAccount.'),
    apiGroup: str('"" for ServiceAccount subjects, rbac.authorization.k8s.io for User and Group.'),
    name: str('Name of the subject.'),
    namespace: str('Namespace of a ServiceAccount subject.'),
  }, 'Who a binding applies to.', { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' } as any));
  const rules = arr(ref(`${P}.PolicyRule`), 'Everything the role allows.', { listType: 'atomic' });
  const subjects = arr(ref(`${P}.Subject`), 'Users, groups and service accounts the role is granted to.', { listType: 'atomic' });
  return {
    role: kindSchema(`${P}.Role`, gvk('Role'), 'A namespaced set of permissions, granted through RoleBindings.', { rules }),
    clusterRole: kindSchema(`${P}.ClusterRole`, gvk('ClusterRole'), 'A cluster-wide set of permissions, granted through RoleBindings (in one namespace) or ClusterRoleBindings (everywhere).', {
      rules,
      aggregationRule: ref(`${P}.AggregationRule`, 'When set, the controller fills rules from the selected ClusterRoles.'),
    }),
    roleBinding: kindSchema(`${P}.RoleBinding`, gvk('RoleBinding'), 'Grants a Role or ClusterRole to subjects within one namespace.', {
      subjects,
      roleRef: ref(`${P}.RoleRef`, 'The role granted. Cannot be changed after creation.'),
    }, { required: ['roleRef'] }),
    clusterRoleBinding: kindSchema(`${P}.ClusterRoleBinding`, gvk('ClusterRoleBinding'), 'Grants a ClusterRole to subjects across the whole cluster.', {
      subjects,
      roleRef: ref(`${P}.RoleRef`, 'The ClusterRole granted. Cannot be changed after creation.'),
    }, { required: ['roleRef'] }),
  };
}

const v1 = rbacSchemas('io.k8s.api.rbac.v1', 'v1');
const v1beta1 = rbacSchemas('io.k8s.api.rbac.v1beta1', 'v1beta1');

// ---------------------------------------------------------------- defaults

function defaultSubjects(o: KubeObject) {
  for (const s of list(o.subjects)) {
    if (!isObj(s) || s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

export function bindingDefaults(o: KubeObject): void {
  if (isObj(o.roleRef) && !o.roleRef.apiGroup) o.roleRef.apiGroup = RBAC_GROUP;
  defaultSubjects(o);
}

// ---------------------------------------------------------------- validation

export function validatePolicyRule(rule: any, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (list(rule?.verbs).length === 0) errs.push(required(`${f}.verbs`, 'verbs must contain at least one value'));
  const urls = list(rule?.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${f}.nonResourceURLs`, goStrings(urls), 'namespaced rules cannot apply to non-resource URLs'));
    if (list(rule?.apiGroups).length > 0 || list(rule?.resources).length > 0 || list(rule?.resourceNames).length > 0)
      errs.push(invalid(`${f}.nonResourceURLs`, goStrings(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (list(rule?.apiGroups).length === 0) errs.push(required(`${f}.apiGroups`, 'resource rules must supply at least one api group'));
  if (list(rule?.resources).length === 0) errs.push(required(`${f}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRole(o: KubeObject): FieldError[] {
  return list(o.rules).flatMap((r, i) => validatePolicyRule(r, true, `rules[${i}]`));
}

function validateClusterRole(o: KubeObject): FieldError[] {
  const errs = list(o.rules).flatMap((r, i) => validatePolicyRule(r, false, `rules[${i}]`));
  if (isObj(o.aggregationRule)) {
    const sels = list(o.aggregationRule.clusterRoleSelectors);
    if (sels.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

export function validateSubject(s: any, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const name: string = s?.name ?? '';
  const apiGroup: string = s?.apiGroup ?? '';
  if (!name) errs.push(required(`${f}.name`));
  switch (s?.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(`${f}.name`, name, m));
      if (apiGroup) errs.push(notSupported(`${f}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !s?.namespace) errs.push(required(`${f}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(`${f}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${f}.kind`, s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rr = isObj(o.roleRef) ? o.roleRef : {};
  if ((rr.apiGroup ?? '') !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', rr.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(rr.kind)) errs.push(notSupported('roleRef.kind', rr.kind ?? '', kinds));
  if (!rr.name) errs.push(required('roleRef.name'));
  else for (const m of isValidPathSegmentName(rr.name)) errs.push(invalid('roleRef.name', rr.name, m));
  list(o.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

/** %#v of rbac.RoleRef, as the `cannot change roleRef` error prints it. */
export function goRoleRef(rr: any): GoValue {
  const q = (v: unknown) => JSON.stringify(String(v ?? ''));
  return new GoValue(`rbac.RoleRef{APIGroup:${q(rr?.apiGroup)}, Kind:${q(rr?.kind)}, Name:${q(rr?.name)}}`);
}

function validateBindingUpdate(o: KubeObject, old: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateBinding(o, namespaced);
  const a = o.roleRef ?? {};
  const b = old.roleRef ?? {};
  if ((a.apiGroup ?? '') !== (b.apiGroup ?? '') || (a.kind ?? '') !== (b.kind ?? '') || (a.name ?? '') !== (b.name ?? '')) errs.push(invalid('roleRef', goRoleRef(a), 'cannot change roleRef'));
  return errs;
}

// ---------------------------------------------------------------- tables

const roleTable = {
  columns: [nameColumn, createdAtColumn],
  row: (o: KubeObject) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};

/** Users, groups and service accounts of a binding, as the wide table columns show them. */
export function subjectsStrings(subjects: any[]): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects) {
    if (s?.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s?.kind === 'User') users.push(s.name ?? '');
    else if (s?.kind === 'Group') groups.push(s.name ?? '');
  }
  return { users, groups, serviceAccounts };
}

const bindingTable = {
  columns: [
    nameColumn,
    col('Role', 'The role the binding grants.'),
    ageColumn,
    { ...col('Users', 'Users in the binding.'), priority: 1 },
    { ...col('Groups', 'Groups in the binding.'), priority: 1 },
    { ...col('ServiceAccounts', 'Service accounts in the binding.'), priority: 1 },
  ],
  row(o: KubeObject, now: Date) {
    const s = subjectsStrings(list(o.subjects));
    return [o.metadata.name, `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, age(o.metadata.creationTimestamp, now), s.users.join(', '), s.groups.join(', '), s.serviceAccounts.join(', ')];
  },
};

// ---------------------------------------------------------------- descriptors

const beta = (kind: string, schema: Schema): VersionInfo => ({
  version: 'v1beta1',
  schema,
  deprecationWarning: `rbac.authorization.k8s.io/v1beta1 ${kind} is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 ${kind}`,
  toStorage: asVersion(`${RBAC_GROUP}/v1`),
  fromStorage: asVersion(`${RBAC_GROUP}/v1beta1`),
});

export const role: ResourceDescriptor = {
  group: RBAC_GROUP,
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1', schema: v1.role }, beta('Role', v1beta1.role)],
  schema: v1.role,
  nameValidation: 'path',
  validate: validateRole,
  validateUpdate: validateRole,
  table: roleTable,
};

export const clusterRole: ResourceDescriptor = {
  group: RBAC_GROUP,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1', schema: v1.clusterRole }, beta('ClusterRole', v1beta1.clusterRole)],
  schema: v1.clusterRole,
  nameValidation: 'path',
  validate: validateClusterRole,
  validateUpdate: validateClusterRole,
  table: roleTable,
};

export const roleBinding: ResourceDescriptor = {
  group: RBAC_GROUP,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1', schema: v1.roleBinding }, beta('RoleBinding', v1beta1.roleBinding)],
  schema: v1.roleBinding,
  nameValidation: 'path',
  defaults: bindingDefaults,
  validate: (o) => validateBinding(o, true),
  validateUpdate: (o, old) => validateBindingUpdate(o, old, true),
  table: bindingTable,
};

export const clusterRoleBinding: ResourceDescriptor = {
  group: RBAC_GROUP,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1', schema: v1.clusterRoleBinding }, beta('ClusterRoleBinding', v1beta1.clusterRoleBinding)],
  schema: v1.clusterRoleBinding,
  nameValidation: 'path',
  defaults: bindingDefaults,
  validate: (o) => validateBinding(o, false),
  validateUpdate: (o, old) => validateBindingUpdate(o, old, false),
  table: bindingTable,
};

export const descriptors: ResourceDescriptor[] = [role, clusterRole, roleBinding, clusterRoleBinding];
