// apiextensions.k8s.io: the CustomResourceDefinition kind itself (v1, plus the legacy v1beta1
// shape converted to and from v1). Custom resources are served by src/apiserver/crd.ts from the
// descriptors the CRD controller (src/controllers/crd/) registers.
import type { ResourceDescriptor, RequestContext } from '../descriptor.js';
import type { KubeObject } from '../types.js';
import { define, ref, str, bool, int32, int64, num, obj, arr, setList, mapOf, kindSchema, time, type Schema } from '../schema.js';
import { type FieldError, invalid, required, notSupported, forbiddenField, immutable, GoValue } from '../errors.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation.js';
import { isObj } from './core/util.js';

export const GROUP = 'apiextensions.k8s.io';
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const V1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const V1BETA1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1beta1';

// ---------------------------------------------------------------- schema

const freeForm = (description: string): Schema => ({ description, 'x-kubernetes-preserve-unknown-fields': true });

function defineJSONSchemaProps(p: string): void {
  const self = ref(`${p}.JSONSchemaProps`);
  const selfList = (d: string): Schema => ({ type: 'array', items: self, description: d });
  const selfMap = (d: string): Schema => mapOf(self, d);
  define(`${p}.ExternalDocumentation`, obj({ description: str(), url: str() }, 'A pointer to documentation kept outside the schema.'));
  define(`${p}.ValidationRule`, obj(
    {
      rule: str('A CEL expression evaluated against the value at this point of the schema (self), and oldSelf on updates.'),
      message: str('Message returned when the rule evaluates to false.'),
      messageExpression: str('A CEL expression producing the failure message.'),
      reason: str('Machine-readable reason for a failure: FieldValueInvalid (default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.'),
      fieldPath: str('Path of the field reported when the rule fails, relative to where the rule is declared.'),
      optionalOldSelf: bool('Evaluate the rule on create too, with oldSelf as an optional value.'),
    },
    'A validation rule in the Common Expression Language.',
    { required: ['rule'] },
  ));
  define(`${p}.JSONSchemaProps`, obj(
    {
      id: str(),
      $schema: str(),
      $ref: str(),
      description: str(),
      type: str(),
      format: str('An OpenAPI v3 format. Known formats (int32, int64, date-time, byte, uri, email, hostname, ipv4, ipv6, cidr, mac, uuid, duration, date, ...) are validated; others are ignored.'),
      title: str(),
      default: freeForm('Value used for an absent field when objects are read or written. Not allowed when preserveUnknownFields is true; must itself validate against the schema.'),
      maximum: num(),
      exclusiveMaximum: bool(),
      minimum: num(),
      exclusiveMinimum: bool(),
      maxLength: int64(),
      minLength: int64(),
      pattern: str(),
      maxItems: int64(),
      minItems: int64(),
      uniqueItems: bool(),
      multipleOf: num(),
      enum: { type: 'array', items: freeForm('Any JSON value.') },
      maxProperties: int64(),
      minProperties: int64(),
      required: { type: 'array', items: { type: 'string' } },
      items: freeForm('A schema for every item, or a list of schemas by position.'),
      allOf: selfList(''),
      oneOf: selfList(''),
      anyOf: selfList(''),
      not: self,
      properties: selfMap(''),
      additionalProperties: freeForm('A schema for properties not listed in properties, or a boolean allowing or forbidding them.'),
      patternProperties: selfMap(''),
      dependencies: mapOf(freeForm('A schema or a list of property names.')),
      additionalItems: freeForm('A schema or a boolean.'),
      definitions: selfMap(''),
      externalDocs: ref(`${p}.ExternalDocumentation`),
      example: freeForm('An example value.'),
      nullable: bool(),
      'x-kubernetes-preserve-unknown-fields': bool('Keep fields the schema does not declare instead of pruning them. Applies recursively until nested properties or additionalProperties are declared. Only true or absent.'),
      'x-kubernetes-embedded-resource': bool('The value is a whole Kubernetes object with apiVersion, kind and metadata, which are validated automatically. The type must be object.'),
      'x-kubernetes-int-or-string': bool('The value is an integer or a string.'),
      'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'The keys identifying items of a list whose x-kubernetes-list-type is map.' },
      'x-kubernetes-list-type': str('How a list merges: atomic (replaced as a whole), set (scalar items, unique) or map (items identified by x-kubernetes-list-map-keys).'),
      'x-kubernetes-map-type': str('How an object merges: granular (field by field, the default) or atomic (replaced as a whole).'),
      'x-kubernetes-validations': { type: 'array', items: ref(`${p}.ValidationRule`), description: 'CEL validation rules.', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-patch-merge-key': 'rule', 'x-kubernetes-patch-strategy': 'merge' },
    },
    'A JSON Schema (draft 4 subset) with Kubernetes extensions, describing the shape of custom resources.',
  ));
}

function defineCommon(p: string): void {
  define(`${p}.ServiceReference`, obj(
    {
      namespace: str('Namespace of the Service.'),
      name: str('Name of the Service.'),
      path: str('URL path sent to the Service.'),
      port: int32('Service port to call; defaults to 443.'),
    },
    'A Service in the cluster.',
    { required: ['namespace', 'name'] },
  ));
  define(`${p}.WebhookClientConfig`, obj(
    {
      url: str('Location of the webhook as a https URL.'),
      service: ref(`${p}.ServiceReference`, 'A Service that serves the webhook.'),
      caBundle: { type: 'string', format: 'byte', description: 'PEM CA bundle used to verify the webhook serving certificate.' },
    },
    'How to reach a webhook.',
  ));
  define(`${p}.CustomResourceDefinitionNames`, obj(
    {
      plural: str('The resource name in URLs (/apis/<group>/<version>/.../<plural>). Lowercase; the CRD must be named <plural>.<group>.'),
      singular: str('Lowercase singular name; defaults to the lowercased kind.'),
      shortNames: { type: 'array', items: { type: 'string' }, description: 'Lowercase abbreviations clients accept in place of the plural.', 'x-kubernetes-list-type': 'atomic' },
      kind: str('The CamelCase kind of the custom objects.'),
      listKind: str('The kind of lists of the custom objects; defaults to <kind>List.'),
      categories: { type: 'array', items: { type: 'string' }, description: "Groups of resources this one belongs to, such as 'all' for `kubectl get all`.", 'x-kubernetes-list-type': 'atomic' },
    },
    'Names under which custom resources are served.',
    { required: ['plural', 'kind'] },
  ));
  define(`${p}.CustomResourceDefinitionCondition`, obj(
    {
      type: str('Established, NamesAccepted or Terminating.'),
      status: str('True, False or Unknown.'),
      lastTransitionTime: time('When the status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    'One aspect of the state of a CustomResourceDefinition.',
    { required: ['type', 'status'] },
  ));
  define(`${p}.CustomResourceDefinitionStatus`, obj(
    {
      conditions: { ...arr(ref(`${p}.CustomResourceDefinitionCondition`), 'The current state of the definition.'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
      acceptedNames: ref(`${p}.CustomResourceDefinitionNames`, 'The names actually being served; they may differ from spec.names while a name conflicts.'),
      storedVersions: { type: 'array', items: { type: 'string' }, description: 'Every version custom resources have ever been persisted in. Versions listed here may not be removed from spec.versions.', 'x-kubernetes-list-type': 'atomic' },
    },
    'Observed state of a CustomResourceDefinition.',
  ));
  define(`${p}.CustomResourceSubresourceStatus`, { type: 'object', description: 'Enables the /status subresource: the main resource ignores status changes and /status changes only status.' });
  define(`${p}.CustomResourceValidation`, obj({ openAPIV3Schema: ref(`${p}.JSONSchemaProps`, 'The OpenAPI v3 schema custom objects are validated, pruned and defaulted with.') }, 'Validation of custom resources.'));
}

function defineColumn(p: string, jsonPathField: string): void {
  define(`${p}.CustomResourceColumnDefinition`, obj(
    {
      name: str('Column header.'),
      type: str('OpenAPI type of the cells: integer, number, string, boolean or date.'),
      format: str("Optional OpenAPI format of the cells; 'name' marks the primary identifier."),
      description: str('Human-readable description of the column.'),
      priority: int32('0 shows the column by default; higher values only with -o wide.'),
      [jsonPathField]: str('Simple JSONPath (with array notation) evaluated against each object to fill the column.'),
    },
    'An additional column of `kubectl get` output.',
    { required: ['name', 'type', jsonPathField] },
  ));
}

function defineSubresources(p: string): void {
  define(`${p}.CustomResourceSubresourceScale`, obj(
    {
      specReplicasPath: str('JSON path under .spec read and written as Scale spec.replicas.'),
      statusReplicasPath: str('JSON path under .status read as Scale status.replicas (0 when absent).'),
      labelSelectorPath: str('JSON path under .spec or .status holding a label selector in string form, read as Scale status.selector.'),
    },
    'Serves the /scale subresource.',
    { required: ['specReplicasPath', 'statusReplicasPath'] },
  ));
  define(`${p}.CustomResourceSubresources`, obj(
    {
      status: ref(`${p}.CustomResourceSubresourceStatus`, 'Enables the status subresource.'),
      scale: ref(`${p}.CustomResourceSubresourceScale`, 'Enables the scale subresource.'),
    },
    'Subresources served for custom resources.',
  ));
}

// v1
defineJSONSchemaProps(V1);
defineCommon(V1);
defineColumn(V1, 'jsonPath');
defineSubresources(V1);
define(`${V1}.WebhookConversion`, obj(
  {
    clientConfig: ref(`${V1}.WebhookClientConfig`, 'How to call the conversion webhook.'),
    conversionReviewVersions: { type: 'array', items: { type: 'string' }, description: 'ConversionReview versions the webhook understands, in order of preference.', 'x-kubernetes-list-type': 'atomic' },
  },
  'A conversion webhook.',
  { required: ['conversionReviewVersions'] },
));
define(`${V1}.CustomResourceConversion`, obj(
  {
    strategy: str('None (only apiVersion changes) or Webhook.'),
    webhook: ref(`${V1}.WebhookConversion`, 'The webhook, when strategy is Webhook.'),
  },
  'How custom resources are converted between versions.',
  { required: ['strategy'] },
));
define(`${V1}.CustomResourceDefinitionVersion`, obj(
  {
    name: str('Version name, e.g. v1 or v2beta1.'),
    served: bool('Whether this version is served by the REST API.'),
    storage: bool('Whether objects are persisted in this version; exactly one version has it.'),
    deprecated: bool('Requests to this version get a deprecation warning.'),
    deprecationWarning: str('Replaces the default deprecation warning; only with deprecated: true.'),
    schema: ref(`${V1}.CustomResourceValidation`, 'Schema of this version.'),
    subresources: ref(`${V1}.CustomResourceSubresources`, 'Subresources of this version.'),
    additionalPrinterColumns: { ...arr(ref(`${V1}.CustomResourceColumnDefinition`), 'Extra columns of Table output. Without any, an Age column is shown.'), 'x-kubernetes-list-type': 'atomic' },
    selectableFields: { type: 'array', items: obj({ jsonPath: str('Path of a field usable in field selectors.') }, '', { required: ['jsonPath'] }), 'x-kubernetes-list-type': 'atomic', description: 'Fields usable in field selectors.' },
  },
  'One version of a custom resource.',
  { required: ['name', 'served', 'storage'] },
));
define(`${V1}.CustomResourceDefinitionSpec`, obj(
  {
    group: str('API group of the custom resources (/apis/<group>/...). The CRD must be named <names.plural>.<group>.'),
    names: ref(`${V1}.CustomResourceDefinitionNames`, 'Names of the custom resources.'),
    scope: str('Namespaced or Cluster.'),
    versions: { ...arr(ref(`${V1}.CustomResourceDefinitionVersion`), 'Every version of the custom resources. Discovery lists them GA first, then beta, then alpha, newest first.'), 'x-kubernetes-list-type': 'atomic' },
    conversion: ref(`${V1}.CustomResourceConversion`, 'How objects are converted between versions.'),
    preserveUnknownFields: bool('Deprecated: keep fields the schema does not declare. Use x-kubernetes-preserve-unknown-fields in the schema instead.'),
  },
  'How custom resources appear in the API.',
  { required: ['group', 'names', 'scope', 'versions'] },
));
kindSchema(
  `${V1}.CustomResourceDefinition`,
  [{ group: GROUP, version: 'v1', kind: 'CustomResourceDefinition' }],
  'Declares a new resource served by the API server. The object must be named <spec.names.plural>.<spec.group>.',
  {
    spec: ref(`${V1}.CustomResourceDefinitionSpec`, 'How the custom resources appear.'),
    status: ref(`${V1}.CustomResourceDefinitionStatus`, 'State of the definition as observed by the server.'),
  },
  { required: ['spec'] },
);

// v1beta1 (legacy: top-level version/validation/subresources/additionalPrinterColumns)
defineJSONSchemaProps(V1BETA1);
defineCommon(V1BETA1);
defineColumn(V1BETA1, 'JSONPath');
defineSubresources(V1BETA1);
define(`${V1BETA1}.CustomResourceConversion`, obj(
  {
    strategy: str('None or Webhook.'),
    webhookClientConfig: ref(`${V1BETA1}.WebhookClientConfig`, 'How to call the conversion webhook.'),
    conversionReviewVersions: { type: 'array', items: { type: 'string' }, description: 'ConversionReview versions the webhook understands.', 'x-kubernetes-list-type': 'atomic' },
  },
  'How custom resources are converted between versions.',
  { required: ['strategy'] },
));
define(`${V1BETA1}.CustomResourceDefinitionVersion`, obj(
  {
    name: str('Version name.'),
    served: bool('Whether this version is served.'),
    storage: bool('Whether objects are persisted in this version.'),
    deprecated: bool('Requests to this version get a deprecation warning.'),
    deprecationWarning: str('Replaces the default deprecation warning.'),
    schema: ref(`${V1BETA1}.CustomResourceValidation`, 'Schema of this version (when it differs between versions).'),
    subresources: ref(`${V1BETA1}.CustomResourceSubresources`, 'Subresources of this version.'),
    additionalPrinterColumns: { ...arr(ref(`${V1BETA1}.CustomResourceColumnDefinition`), 'Extra columns of this version.'), 'x-kubernetes-list-type': 'atomic' },
  },
  'One version of a custom resource.',
  { required: ['name', 'served', 'storage'] },
));
define(`${V1BETA1}.CustomResourceDefinitionSpec`, obj(
  {
    group: str('API group of the custom resources.'),
    version: str('Deprecated: the first version; use versions.'),
    names: ref(`${V1BETA1}.CustomResourceDefinitionNames`, 'Names of the custom resources.'),
    scope: str('Namespaced (default) or Cluster.'),
    validation: ref(`${V1BETA1}.CustomResourceValidation`, 'Schema shared by every version.'),
    subresources: ref(`${V1BETA1}.CustomResourceSubresources`, 'Subresources shared by every version.'),
    versions: { ...arr(ref(`${V1BETA1}.CustomResourceDefinitionVersion`), 'Every version of the custom resources.'), 'x-kubernetes-list-type': 'atomic' },
    additionalPrinterColumns: { ...arr(ref(`${V1BETA1}.CustomResourceColumnDefinition`), 'Extra columns shared by every version.'), 'x-kubernetes-list-type': 'atomic' },
    conversion: ref(`${V1BETA1}.CustomResourceConversion`, 'How objects are converted between versions.'),
    preserveUnknownFields: bool('Keep fields the schema does not declare (defaults to true in v1beta1).'),
  },
  'How custom resources appear in the API.',
  { required: ['group', 'names'] },
));
const v1beta1Schema = kindSchema(
  `${V1BETA1}.CustomResourceDefinition`,
  [{ group: GROUP, version: 'v1beta1', kind: 'CustomResourceDefinition' }],
  'Declares a new resource served by the API server (legacy version).',
  {
    spec: ref(`${V1BETA1}.CustomResourceDefinitionSpec`, 'How the custom resources appear.'),
    status: ref(`${V1BETA1}.CustomResourceDefinitionStatus`, 'State of the definition.'),
  },
  { required: ['spec'] },
);

// ---------------------------------------------------------------- helpers shared with the controller

export interface CRDCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

const nowISO = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function findCondition(crd: KubeObject, type: string): CRDCondition | undefined {
  return (crd.status?.conditions as CRDCondition[] | undefined)?.find((c) => c.type === type);
}

export function isConditionTrue(crd: KubeObject, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** Sets a condition like Kubernetes' SetCRDCondition: the transition time only moves when the status changes. */
export function setCondition(crd: KubeObject, c: CRDCondition, now = new Date()): void {
  crd.status ??= {};
  const list: CRDCondition[] = (crd.status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  const next: CRDCondition = { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? nowISO(now), reason: c.reason, message: c.message };
  if (i < 0) {
    list.push(next);
    return;
  }
  const old = list[i];
  if (old.status === next.status && old.lastTransitionTime) next.lastTransitionTime = old.lastTransitionTime;
  list[i] = next;
}

export function storageVersionOf(crd: KubeObject): string | undefined {
  return (crd.spec?.versions as { name: string; storage?: boolean }[] | undefined)?.find((v) => v.storage)?.name;
}

// ---------------------------------------------------------------- defaults

function defaultsV1(o: KubeObject): void {
  const spec = (o.spec ??= {});
  const names = spec.names;
  if (names && typeof names === 'object') {
    if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
  const svc = spec.conversion?.webhook?.clientConfig?.service;
  if (svc && typeof svc === 'object' && svc.port === undefined) svc.port = 443;
  // Like the strategy's PrepareForCreate/PrepareForUpdate: the storage version is always recorded.
  const storage = storageVersionOf(o);
  if (storage) {
    o.status ??= {};
    const stored: string[] = Array.isArray(o.status.storedVersions) ? o.status.storedVersions : [];
    if (!stored.includes(storage)) stored.push(storage);
    o.status.storedVersions = stored;
  }
  if (o.status && typeof o.status === 'object') o.status.acceptedNames ??= { plural: '', kind: '' };
}

/** v1beta1's own defaults (scope, version ↔ versions, preserveUnknownFields true), before conversion to v1. */
function defaultsV1beta1(o: KubeObject): void {
  const spec = (o.spec ??= {});
  if (!spec.scope) spec.scope = 'Namespaced';
  if ((!Array.isArray(spec.versions) || spec.versions.length === 0) && spec.version) spec.versions = [{ name: spec.version, served: true, storage: true }];
  if (!spec.version && Array.isArray(spec.versions) && spec.versions.length) spec.version = spec.versions[0].name;
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
  if (spec.conversion.strategy === 'Webhook' && !spec.conversion.conversionReviewVersions?.length) spec.conversion.conversionReviewVersions = ['v1beta1'];
  if (spec.preserveUnknownFields === undefined) spec.preserveUnknownFields = true;
}

// ---------------------------------------------------------------- v1beta1 ↔ v1

/** Objects converted from a v1beta1 request: validated with v1beta1's rules (schemas optional). */
const fromLegacy = new WeakSet<object>();

const colToV1 = (c: any) => {
  if (!c || typeof c !== 'object') return c;
  const { JSONPath, ...rest } = c;
  return JSONPath === undefined ? rest : { ...rest, jsonPath: JSONPath };
};
const colToV1beta1 = (c: any) => {
  if (!c || typeof c !== 'object') return c;
  const { jsonPath, ...rest } = c;
  return jsonPath === undefined ? rest : { ...rest, JSONPath: jsonPath };
};

export function v1beta1ToV1(o: KubeObject): KubeObject {
  const out = structuredClone(o);
  const spec = out.spec ?? {};
  const { validation, subresources, additionalPrinterColumns, version: _version, conversion, ...rest } = spec;
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  rest.versions = versions.map((v: any) => {
    const nv = { ...v };
    if (nv.schema === undefined && validation !== undefined) nv.schema = structuredClone(validation);
    if (nv.subresources === undefined && subresources !== undefined) nv.subresources = structuredClone(subresources);
    if (nv.additionalPrinterColumns === undefined && additionalPrinterColumns !== undefined) nv.additionalPrinterColumns = structuredClone(additionalPrinterColumns);
    if (Array.isArray(nv.additionalPrinterColumns)) nv.additionalPrinterColumns = nv.additionalPrinterColumns.map(colToV1);
    return nv;
  });
  if (conversion) {
    const { webhookClientConfig, conversionReviewVersions, ...c } = conversion;
    if (webhookClientConfig || conversionReviewVersions) c.webhook = { clientConfig: webhookClientConfig, conversionReviewVersions };
    if (c.webhook && c.webhook.clientConfig === undefined) delete c.webhook.clientConfig;
    rest.conversion = c;
  }
  out.spec = rest;
  fromLegacy.add(out);
  return out;
}

const same = (xs: unknown[]) => xs.every((x) => JSON.stringify(x) === JSON.stringify(xs[0]));

export function v1ToV1beta1(o: KubeObject): KubeObject {
  const out = structuredClone(o);
  const spec = out.spec ?? {};
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions.map((v: any) => ({ ...v })) : [];
  const nspec: any = { group: spec.group, names: spec.names, scope: spec.scope };
  if (versions.length) nspec.version = versions[0].name;
  // Identical per-version settings are lifted to the top level, as Kubernetes' conversion does.
  for (const [field, top] of [['schema', 'validation'], ['subresources', 'subresources'], ['additionalPrinterColumns', 'additionalPrinterColumns']] as const) {
    const vals = versions.map((v) => v[field]);
    if (versions.length && vals[0] !== undefined && same(vals)) {
      nspec[top] = field === 'additionalPrinterColumns' ? vals[0].map(colToV1beta1) : vals[0];
      for (const v of versions) delete v[field];
    } else {
      for (const v of versions) if (Array.isArray(v.additionalPrinterColumns)) v.additionalPrinterColumns = v.additionalPrinterColumns.map(colToV1beta1);
    }
  }
  nspec.versions = versions;
  if (spec.conversion) {
    const { webhook, ...c } = spec.conversion;
    if (webhook?.clientConfig) c.webhookClientConfig = webhook.clientConfig;
    if (webhook?.conversionReviewVersions) c.conversionReviewVersions = webhook.conversionReviewVersions;
    nspec.conversion = c;
  }
  if (spec.preserveUnknownFields !== undefined) nspec.preserveUnknownFields = spec.preserveUnknownFields;
  for (const [k, v] of Object.entries(spec)) if (!(k in nspec) && !['versions', 'conversion'].includes(k)) nspec[k] = v;
  out.spec = nspec;
  return out;
}

// ---------------------------------------------------------------- validation

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function validateNames(names: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(names)) return [required(path, '')];
  const dns1035 = (v: unknown, f: string, prefix = '', lower = false) => {
    if (typeof v !== 'string' || v === '') return;
    const msgs = isDNS1035Label(lower ? v.toLowerCase() : v);
    if (msgs.length) errs.push(invalid(f, v, prefix + msgs.join(',')));
  };
  if (!names.plural) errs.push(required(`${path}.plural`, ''));
  dns1035(names.plural, `${path}.plural`);
  dns1035(names.singular, `${path}.singular`);
  if (!names.kind) errs.push(required(`${path}.kind`, ''));
  dns1035(names.kind, `${path}.kind`, 'may have mixed case, but should otherwise match: ', true);
  if (!names.listKind) errs.push(required(`${path}.listKind`, ''));
  dns1035(names.listKind, `${path}.listKind`, 'may have mixed case, but should otherwise match: ', true);
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: unknown, i: number) => dns1035(s, `${path}.shortNames[${i}]`));
  if (names.kind && names.kind === names.listKind) errs.push(invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.categories) ? names.categories : []).forEach((s: unknown, i: number) => dns1035(s, `${path}.categories[${i}]`));
  return errs;
}

/** Evaluable simple JSON paths for printer columns: .a.b, .a[0], .a[*], ['x'], [?(@.k=="v")]. */
export function isSimpleJSONPath(p: string): boolean {
  if (!p.startsWith('.') && !p.startsWith('[')) return false;
  return /^(\.[^.[\]]+|\[\d+\]|\[\*\]|\['[^']*'\]|\[\?\(@\.[\w.-]+\s*(==|!=)\s*("[^"]*"|'[^']*'|[\w.-]+)\)\])+$/.test(p);
}

function validateScalePath(p: unknown, f: string, allowed: ('.spec' | '.status')[], msg: string): FieldError[] {
  if (typeof p !== 'string' || p === '') return [required(f, '')];
  if (!/^(\.[A-Za-z0-9_-]+)+$/.test(p)) return [invalid(f, p, 'must be a simple json path (without array notation)')];
  if (!allowed.some((a) => p.startsWith(`${a}.`))) return [invalid(f, p, msg)];
  return [];
}

function validateVersionExtras(v: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sub = v.subresources;
  if (isObj(sub) && isObj(sub.scale)) {
    const sp = `${path}.subresources.scale`;
    errs.push(...validateScalePath(sub.scale.specReplicasPath, `${sp}.specReplicasPath`, ['.spec'], 'should be a json path under .spec'));
    errs.push(...validateScalePath(sub.scale.statusReplicasPath, `${sp}.statusReplicasPath`, ['.status'], 'should be a json path under .status'));
    if (sub.scale.labelSelectorPath !== undefined && sub.scale.labelSelectorPath !== '')
      errs.push(...validateScalePath(sub.scale.labelSelectorPath, `${sp}.labelSelectorPath`, ['.spec', '.status'], 'should be a json path under either .spec or .status'));
  }
  (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach((c: any, i: number) => {
    const cp = `${path}.additionalPrinterColumns[${i}]`;
    if (!c?.name) errs.push(required(`${cp}.name`, ''));
    if (!c?.type) errs.push(required(`${cp}.type`, ''));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
    if (c?.format && !['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'].includes(c.format) && c.format !== 'name')
      errs.push(notSupported(`${cp}.format`, c.format, ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password']));
    if (typeof c?.priority === 'number' && c.priority < 0) errs.push(invalid(`${cp}.priority`, c.priority, 'must be greater than or equal to 0'));
    if (!c?.jsonPath) errs.push(required(`${cp}.jsonPath`, ''));
    else if (!isSimpleJSONPath(c.jsonPath)) errs.push(invalid(`${cp}.jsonPath`, c.jsonPath, 'must be a simple json path'));
  });
  if (v.deprecationWarning !== undefined && v.deprecated !== true) errs.push(invalid(`${path}.deprecationWarning`, v.deprecationWarning, 'can only be set for deprecated versions'));
  return errs;
}

/**
 * The structural-schema rules that are cheap to check: every specified field has a type, arrays
 * have items, the root is an object, metadata only restricts name/generateName,
 * x-kubernetes-preserve-unknown-fields is never false, properties and additionalProperties are
 * exclusive, enums and defaults fit simple types.
 */
export function validateStructural(s: any, path: string, root = true, inCombinator = false): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(s)) return errs;
  if (s.$ref !== undefined) errs.push(forbiddenField(`${path}.$ref`, '$ref is not supported'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s.type !== undefined && !SCHEMA_TYPES.includes(s.type)) errs.push(notSupported(`${path}.type`, s.type, SCHEMA_TYPES));
  if (!inCombinator && s.type === undefined && !s['x-kubernetes-preserve-unknown-fields'] && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-embedded-resource'])
    errs.push(required(`${path}.type`, root ? 'must not be empty at the root' : 'must not be empty for specified object fields'));
  if (root && s.type !== undefined && s.type !== 'object') errs.push(invalid(`${path}.type`, s.type, 'must be object at the root'));
  if (s.type === 'array' && s.items === undefined && !inCombinator) errs.push(required(`${path}.items`, 'must be specified'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') errs.push(required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
  if (s['x-kubernetes-int-or-string'] && s.type !== undefined) errs.push(invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (isObj(s.properties) && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(forbiddenField(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  if (s.additionalProperties === false && !inCombinator) errs.push(forbiddenField(`${path}.additionalProperties`, 'must not be false'));
  if (s['x-kubernetes-list-type'] !== undefined && !['atomic', 'set', 'map'].includes(s['x-kubernetes-list-type']))
    errs.push(notSupported(`${path}.x-kubernetes-list-type`, s['x-kubernetes-list-type'], ['atomic', 'set', 'map']));
  if (s['x-kubernetes-list-type'] === 'map' && !(Array.isArray(s['x-kubernetes-list-map-keys']) && s['x-kubernetes-list-map-keys'].length))
    errs.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  if (root && isObj(s.properties) && isObj(s.properties.metadata)) {
    const m = s.properties.metadata;
    const keys = Object.keys(m).filter((k) => !['type', 'description', 'properties'].includes(k));
    const props = isObj(m.properties) ? Object.keys(m.properties) : [];
    if (keys.length || props.some((p) => p !== 'name' && p !== 'generateName') || (m.type !== undefined && m.type !== 'object'))
      errs.push(forbiddenField(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  if (root && isObj(s.properties) && isObj(s.properties.kind) && s.properties.kind.type !== undefined && s.properties.kind.type !== 'string')
    errs.push(invalid(`${path}.properties[kind].type`, s.properties.kind.type, 'must be string'));
  if (root && isObj(s.properties) && isObj(s.properties.apiVersion) && s.properties.apiVersion.type !== undefined && s.properties.apiVersion.type !== 'string')
    errs.push(invalid(`${path}.properties[apiVersion].type`, s.properties.apiVersion.type, 'must be string'));
  if (isObj(s.properties)) for (const [k, c] of Object.entries(s.properties)) if (!(root && k === 'metadata')) errs.push(...validateStructural(c, `${path}.properties[${k}]`, false, inCombinator));
  if (isObj(s.additionalProperties)) errs.push(...validateStructural(s.additionalProperties, `${path}.additionalProperties`, false, inCombinator));
  if (isObj(s.items)) errs.push(...validateStructural(s.items, `${path}.items`, false, inCombinator));
  else if (Array.isArray(s.items)) errs.push(forbiddenField(`${path}.items`, 'items must be a schema object and not an array'));
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const)
    if (Array.isArray(s[k])) s[k].forEach((c: unknown, i: number) => errs.push(...validateStructural(c, `${path}.${k}[${i}]`, false, true)));
  if (isObj(s.not)) errs.push(...validateStructural(s.not, `${path}.not`, false, true));
  return errs;
}

function validateSchema(schema: any, path: string, requireSchema: boolean, requireStructural: boolean): FieldError[] {
  const s = isObj(schema) ? schema.openAPIV3Schema : undefined;
  if (s === undefined || s === null) return requireSchema ? [required(`${path}.openAPIV3Schema`, 'schemas are required')] : [];
  if (!isObj(s)) return [invalid(`${path}.openAPIV3Schema`, s, 'must be an object')];
  // v1beta1 with preserveUnknownFields accepted non-structural schemas (Kubernetes reports them in a NonStructuralSchema condition)
  return requireStructural ? validateStructural(s, `${path}.openAPIV3Schema`) : [];
}

/** Status writes validate only the status (Kubernetes' CRD status strategy). */
function validateStatus(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const versions: any[] = Array.isArray(o.spec?.versions) ? o.spec.versions : [];
  const stored: string[] = Array.isArray(o.status?.storedVersions) ? o.status.storedVersions : [];
  if (stored.length === 0) return [invalid('status.storedVersions', new GoValue('[]string{}'), 'must have at least one stored version')];
  const names = new Set(versions.map((v) => v?.name));
  for (const v of versions) if (v?.storage && !stored.includes(v.name)) errs.push(invalid('status.storedVersions', v.name, `must have the storage version ${v.name}`));
  stored.forEach((s, i) => {
    if (!names.has(s)) errs.push(invalid(`status.storedVersions[${i}]`, s, 'must appear in spec.versions'));
  });
  return errs;
}

function validateCRD(o: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = o.spec;
  const name = o.metadata?.name;
  if (!isObj(spec)) return [required('spec', '')];
  const plural = spec.names?.plural ?? '';
  if (name && name !== `${plural}.${spec.group ?? ''}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  const legacy = fromLegacy.has(o);
  // group
  if (!spec.group) errs.push(required('spec.group', ''));
  else {
    const msgs = isDNS1123Subdomain(spec.group);
    if (msgs.length) errs.push(invalid('spec.group', spec.group, msgs.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
    else if (/(^|\.)(k8s\.io|kubernetes\.io)$/.test(spec.group) && !o.metadata.annotations?.['api-approved.kubernetes.io'])
      errs.push(required('metadata.annotations[api-approved.kubernetes.io]', 'protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'));
  }
  if (!spec.scope) errs.push(required('spec.scope', ''));
  else if (!['Cluster', 'Namespaced'].includes(spec.scope)) errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(spec.names, 'spec.names'));
  // versions
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  // v1 requires schemas; an update keeps accepting a CRD stored without them (as v1beta1 allowed)
  const oldHadAllSchemas = !old || (old.spec?.versions ?? []).every((v: any) => isObj(v?.schema?.openAPIV3Schema));
  const requireSchema = !legacy && oldHadAllSchemas && spec.preserveUnknownFields !== true;
  const requireStructural = !(spec.preserveUnknownFields === true && (legacy || old?.spec?.preserveUnknownFields === true));
  versions.forEach((v, i) => {
    const vp = `spec.versions[${i}]`;
    if (!isObj(v)) {
      errs.push(invalid(vp, v, 'must be an object'));
      return;
    }
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    if (!v.name) errs.push(required(`${vp}.name`, ''));
    else {
      const msgs = isDNS1035Label(v.name);
      if (msgs.length) errs.push(invalid(`${vp}.name`, v.name, msgs.join(',')));
    }
    errs.push(...validateSchema(v.schema, `${vp}.schema`, requireSchema, requireStructural));
    errs.push(...validateVersionExtras(v, vp));
  });
  const goVersions = () => new GoValue(`[]apiextensions.CustomResourceDefinitionVersion{${versions.map((v) => `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v?.name ?? '')}, Served:${!!v?.served}, Storage:${!!v?.storage}, ...}`).join(', ')}}`);
  if (!unique) errs.push(invalid('spec.versions', goVersions(), 'must contain unique version names'));
  if (versions.length && storage !== 1) errs.push(invalid('spec.versions', goVersions(), 'must have exactly one version marked as storage version'));
  // conversion
  const conv = spec.conversion;
  if (isObj(conv)) {
    if (!['None', 'Webhook'].includes(conv.strategy)) errs.push(notSupported('spec.conversion.strategy', conv.strategy, ['None', 'Webhook']));
    if (conv.strategy === 'None' && conv.webhook !== undefined) errs.push(forbiddenField('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'));
    if (conv.strategy === 'Webhook') {
      if (!isObj(conv.webhook)) errs.push(required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
      else if (!isObj(conv.webhook.clientConfig)) errs.push(required('spec.conversion.webhook.clientConfig', 'required when strategy is set to Webhook'));
      if (spec.preserveUnknownFields === true) errs.push(invalid('spec.conversion.strategy', conv.strategy, 'must be None if spec.preserveUnknownFields is true'));
    }
  }
  if (spec.preserveUnknownFields === true && !legacy && !old) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  // stored versions (status)
  if (old) {
    errs.push(...validateStatus(o));
    // storage-affecting fields
    const os = old.spec ?? {};
    if (isConditionTrue(old, 'Established')) {
      if (spec.scope !== os.scope) errs.push(immutable('spec.scope', spec.scope));
      if (spec.names?.kind !== os.names?.kind) errs.push(immutable('spec.names.kind', spec.names?.kind));
    }
    if (spec.group !== os.group) errs.push(immutable('spec.group', spec.group));
    if (spec.names?.plural !== os.names?.plural) errs.push(immutable('spec.names.plural', spec.names?.plural));
  }
  return errs;
}

// ---------------------------------------------------------------- descriptor

export type CRDDescriptor = ResourceDescriptor & {
  /** Called by the REST layer when deletion starts (see src/apiserver/rest.ts). */
  onDeleting(o: KubeObject): void;
};

export const customResourceDefinitions: CRDDescriptor = {
  group: GROUP,
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta1',
      deprecationWarning: 'apiextensions.k8s.io/v1beta1 CustomResourceDefinition is deprecated in v1.16+, unavailable in v1.22+; use apiextensions.k8s.io/v1 CustomResourceDefinition',
      schema: v1beta1Schema,
      defaults: defaultsV1beta1,
      toStorage: v1beta1ToV1,
      fromStorage: v1ToV1beta1,
    },
  ],
  schema: { $ref: `${V1}.CustomResourceDefinition` },
  subresources: { status: true },
  hasGeneration: true,
  defaults: (o: KubeObject, _ctx: RequestContext) => defaultsV1(o),
  validate: (o: KubeObject) => validateCRD(o, undefined),
  validateUpdate: (o: KubeObject, old: KubeObject, ctx: RequestContext) => (ctx.subresource === 'status' ? validateStatus(o) : validateCRD(o, old)),
  onDeleting(o: KubeObject) {
    // Kubernetes' CRD storage: the first delete adds the cleanup finalizer and marks the CRD Terminating.
    const fin = (o.metadata.finalizers ??= []);
    if (!fin.includes(CLEANUP_FINALIZER)) fin.push(CLEANUP_FINALIZER);
    setCondition(o, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' });
  },
};

export const descriptors: ResourceDescriptor[] = [customResourceDefinitions];
