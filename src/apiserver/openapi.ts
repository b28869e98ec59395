// OpenAPI documents generated from the one source of truth: the KindRegistry's descriptors and
// the schema definitions (src/api/schema.ts). Served as
//   /openapi/v2                       Swagger 2.0, JSON or gnostic protobuf (what client-go asks for)
//   /openapi/v3                       index of group-version documents, each with a content hash
//   /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>   OpenAPI 3.0 per group-version
// kubectl uses them for `explain`, client-side apply's strategic merge patch metadata and for
// deciding whether the server validates fields itself (the `fieldValidation` query parameter on
// PATCH operations). Documents are rendered lazily and cached until the registry changes.
import { createHash } from 'node:crypto';
import { ALL_VERBS, listKindOf, type ResourceDescriptor } from '../api/descriptor.js';
import type { KindRegistry } from '../api/registry.js';
import { allDefinitions, type Schema } from '../api/schema.js';
import { coreVersions, orderedGroups, parseAccept, resourcesIn, subresourcesOf, type Reply } from './discovery.js';
import { encodeOpenAPIV2Document } from './protobuf.js';

export type { Reply } from './discovery.js';

type J = any;
interface GVK {
  group: string;
  version: string;
  kind: string;
}

export interface OpenAPIOptions {
  /** The request's If-None-Match header; a matching ETag answers 304. */
  ifNoneMatch?: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const MIME_PB_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const MIME_PB_V2_ALT = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const MIME_PB_V2_RETURNED = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

// ---- definitions the operations need, used when no kind module registered them ----

const s = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const i64 = (description: string): Schema => ({ type: 'integer', format: 'int64', description });
const i32 = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
const ref = (name: string, description?: string): Schema => ({ $ref: name, description });
const TYPE_META = {
  apiVersion: s('The versioned schema of this representation of an object.'),
  kind: s('The REST resource this object represents, in CamelCase.'),
};

const SUPPLEMENTARY: Record<string, Schema> = {
  [`${META}.Status`]: {
    type: 'object',
    description: 'The result of an operation that does not return an object, and the body of every error.',
    properties: {
      ...TYPE_META,
      code: i32('The HTTP status code of this result.'),
      details: ref(`${META}.StatusDetails`, 'More data about the result, depending on the reason.'),
      message: s('A human-readable description of the result.'),
      metadata: ref(`${META}.ListMeta`, 'Standard list metadata.'),
      reason: s('A machine-readable, CamelCase reason for a failure (NotFound, AlreadyExists, Invalid, ...).'),
      status: s('Success or Failure.'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  },
  [`${META}.StatusDetails`]: {
    type: 'object',
    description: 'Extra information about a Status: which object it concerns and why it failed.',
    properties: {
      causes: { type: 'array', items: ref(`${META}.StatusCause`), description: 'The individual problems behind a failure, e.g. one per invalid field.' },
      group: s('API group of the object concerned.'),
      kind: s('Kind (or resource) of the object concerned.'),
      name: s('Name of the object concerned.'),
      retryAfterSeconds: i32('Seconds a client should wait before retrying.'),
      uid: s('UID of the object concerned.'),
    },
  },
  [`${META}.StatusCause`]: {
    type: 'object',
    description: 'One reason an operation failed.',
    properties: {
      field: s('Path of the field that caused the error, e.g. spec.containers[0].image.'),
      message: s('A human-readable description of the cause.'),
      reason: s('A machine-readable description of the cause.'),
    },
  },
  [`${META}.ListMeta`]: {
    type: 'object',
    description: 'Metadata of a list.',
    properties: {
      continue: s('Token for fetching the next page when the list was limited.'),
      remainingItemCount: i64('Approximate number of items after this page.'),
      resourceVersion: s('Version of the list, to watch from.'),
      selfLink: s('Deprecated; not set.'),
    },
  },
  [`${META}.Preconditions`]: {
    type: 'object',
    description: 'Conditions that must hold for a delete to proceed.',
    properties: { resourceVersion: s('The object must have this resourceVersion.'), uid: s('The object must have this UID.') },
  },
  [`${META}.DeleteOptions`]: {
    type: 'object',
    description: 'Options for a delete request.',
    properties: {
      ...TYPE_META,
      dryRun: { type: 'array', items: { type: 'string' }, description: 'When set to All, nothing is persisted.' },
      gracePeriodSeconds: i64('Seconds before the object is deleted; 0 deletes immediately.'),
      ignoreStoreReadErrorWithClusterBreakingPotential: { type: 'boolean', description: 'Delete an object whose stored data cannot be read. Dangerous.' },
      orphanDependents: { type: 'boolean', description: 'Deprecated: use propagationPolicy Orphan.' },
      preconditions: ref(`${META}.Preconditions`, 'Must be fulfilled before the delete proceeds.'),
      propagationPolicy: s('How dependents are garbage collected: Orphan, Background or Foreground.'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'DeleteOptions' }],
  },
  [`${META}.Patch`]: { type: 'object', description: 'The body of a PATCH request, in the format its Content-Type names.' },
  [`${META}.WatchEvent`]: {
    type: 'object',
    description: 'One event of a watch stream.',
    required: ['type', 'object'],
    properties: {
      object: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The object: for ADDED and MODIFIED its new state, for DELETED its last state, for BOOKMARK only its resourceVersion, for ERROR a Status.'),
      type: s('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'WatchEvent' }],
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object', description: 'An embedded object, serialized as JSON.' },
  'io.k8s.api.autoscaling.v1.ScaleSpec': { type: 'object', description: 'Desired state of a scale subresource.', properties: { replicas: i32('Desired number of instances.') } },
  'io.k8s.api.autoscaling.v1.ScaleStatus': {
    type: 'object',
    description: 'Observed state of a scale subresource.',
    required: ['replicas'],
    properties: {
      replicas: i32('Observed number of instances.'),
      selector: s('Label selector of the pods counted, in string form (e.g. app=web,tier in (a,b)).'),
    },
  },
  'io.k8s.api.autoscaling.v1.Scale': {
    type: 'object',
    description: 'The scale subresource of a workload: how many replicas it should and does run.',
    properties: {
      ...TYPE_META,
      metadata: ref(`${META}.ObjectMeta`, 'Standard object metadata.'),
      spec: ref('io.k8s.api.autoscaling.v1.ScaleSpec', 'Desired number of replicas.'),
      status: ref('io.k8s.api.autoscaling.v1.ScaleStatus', 'Current number of replicas and the selector that counts them. Read-only.'),
    },
    'x-kubernetes-group-version-kind': [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
  },
};

// ---- naming ----

/** Definition-name prefix for a group, used for definitions this module synthesizes. */
function groupPrefix(group: string): string {
  if (!group) return 'io.k8s.api.core';
  if (!group.includes('.')) return `io.k8s.api.${group}`;
  if (group.endsWith('.k8s.io')) return `io.k8s.api.${group.split('.')[0]}`;
  return group.split('.').reverse().join('.');
}

/** The group part of Kubernetes operation ids: '' → Core, rbac.authorization.k8s.io → RbacAuthorization. */
function opGroup(group: string): string {
  if (!group) return 'Core';
  const g = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return g
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}
const cap = (v: string) => v[0].toUpperCase() + v.slice(1);

// ---- the model: definitions plus per-kind names ----

interface KindNames {
  d: ResourceDescriptor;
  version: string;
  kindDef: string;
  listDef: string;
}

interface Model {
  defs: Map<string, Schema>;
  kinds: KindNames[];
  /** Definition name for a GVK (kinds, lists, Scale, Status, ...). */
  byGVK: Map<string, string>;
}

const gvkKey = (g: GVK) => `${g.group}/${g.version}/${g.kind}`;

function gvkList(sch: Schema | undefined): GVK[] {
  const x = sch?.['x-kubernetes-group-version-kind'];
  return Array.isArray(x) ? x : [];
}

function buildModel(reg: KindRegistry): Model {
  const defs = new Map<string, Schema>();
  for (const [k, v] of Object.entries(SUPPLEMENTARY)) defs.set(k, v);
  for (const [k, v] of allDefinitions()) defs.set(k, v);

  const kinds: KindNames[] = [];
  const descriptors = reg.all();
  for (const d of descriptors) {
    for (const vi of d.versions) {
      if (vi.served === false) continue;
      const version = vi.version;
      const gvk = { group: d.group, version, kind: d.kind };
      const sch = vi.schema ?? d.schema;
      let kindDef: string;
      const target = sch.$ref ? defs.get(sch.$ref) : undefined;
      if (sch.$ref && target && (gvkList(target).some((g) => gvkKey(g) === gvkKey(gvk)) || (gvkList(target).length === 0 && !vi.schema && version === d.storageVersion))) {
        kindDef = sch.$ref;
        if (gvkList(target).length === 0) defs.set(kindDef, { ...target, 'x-kubernetes-group-version-kind': [gvk] });
      } else {
        // Inline schema (CRDs) or a shared schema served under another version: give this
        // version its own named definition carrying its own GVK.
        kindDef = `${groupPrefix(d.group)}.${version}.${d.kind}`;
        const base: Schema = target ?? sch;
        const existing = defs.get(kindDef);
        if (!(existing && gvkList(existing).some((g) => gvkKey(g) === gvkKey(gvk)))) {
          const props: Record<string, Schema> = { ...TYPE_META, metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."), ...(base.properties ?? {}) };
          const def: Schema = { ...base, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [gvk] };
          delete def.$ref;
          if (!def.description) def.description = `${d.kind} (${d.group ? `${d.group}/` : ''}${version}).`;
          defs.set(kindDef, def);
        }
      }
      // List kind: use a registered one when its GVK fits, otherwise synthesize it.
      const listGVK = { group: d.group, version, kind: listKindOf(d) };
      let listDef = `${kindDef.slice(0, kindDef.lastIndexOf('.') + 1)}${listKindOf(d)}`;
      const existingList = defs.get(listDef);
      if (!existingList || !gvkList(existingList).some((g) => gvkKey(g) === gvkKey(listGVK))) {
        if (existingList) listDef = `${groupPrefix(d.group)}.${version}.${listKindOf(d)}`;
        if (!defs.get(listDef) || !gvkList(defs.get(listDef)).some((g) => gvkKey(g) === gvkKey(listGVK)))
          defs.set(listDef, {
            type: 'object',
            description: `A list of ${d.kind} objects.`,
            required: ['items'],
            properties: {
              apiVersion: TYPE_META.apiVersion,
              items: { type: 'array', items: { $ref: kindDef }, description: `The ${d.plural}.` },
              kind: TYPE_META.kind,
              metadata: ref(`${META}.ListMeta`, 'Standard list metadata.'),
            },
            'x-kubernetes-group-version-kind': [listGVK],
          });
      }
      kinds.push({ d, version, kindDef, listDef });
    }
  }
  const byGVK = new Map<string, string>();
  for (const [name, def] of defs) for (const g of gvkList(def)) if (!byGVK.has(gvkKey(g))) byGVK.set(gvkKey(g), name);
  for (const k of kinds) {
    byGVK.set(gvkKey({ group: k.d.group, version: k.version, kind: k.d.kind }), k.kindDef);
    byGVK.set(gvkKey({ group: k.d.group, version: k.version, kind: listKindOf(k.d) }), k.listDef);
  }
  return { defs, kinds, byGVK };
}

// ---- schema rendering ----

type Flavor = 'v2' | 'v3';
const refPrefix = (f: Flavor) => (f === 'v2' ? '#/definitions/' : '#/components/schemas/');

const ORDER: (keyof Schema)[] = [
  'description',
  'type',
  'format',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'enum',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
];

/**
 * Renders one of our schemas in OpenAPI v2 or v3 form. `name` is set for top-level definitions.
 * With `defs`, a $ref to a definition that does not exist is published as an open object
 * instead: kubectl rejects a whole v2 document over one dangling reference.
 */
export function renderSchema(sch: Schema, flavor: Flavor, name?: string, defs?: ReadonlyMap<string, Schema>): J {
  if (sch.$ref && defs && !defs.has(sch.$ref)) {
    const out: J = { type: 'object' };
    if (sch.description) out.description = sch.description;
    out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }
  if (sch.$ref) {
    const target = refPrefix(flavor) + sch.$ref;
    const siblings: J = {};
    if (sch.description) siblings.description = sch.description;
    if (sch.default !== undefined) siblings.default = sch.default;
    if (flavor === 'v3' && sch.nullable) siblings.nullable = true;
    if (Object.keys(siblings).length === 0) return { $ref: target };
    // v2 clients read a description next to $ref; v3 (as Kubernetes publishes it) wraps the ref in allOf.
    return flavor === 'v2' ? { $ref: target, ...siblings } : { allOf: [{ $ref: target }], ...siblings };
  }
  const out: J = {};
  if (flavor === 'v3' && (name === QUANTITY || name === INT_OR_STRING)) {
    if (sch.description) out.description = sch.description;
    if (name === INT_OR_STRING) out.format = 'int-or-string';
    out.oneOf = name === QUANTITY ? [{ type: 'string' }, { type: 'number' }] : [{ type: 'integer' }, { type: 'string' }];
    return out;
  }
  for (const k of ORDER) {
    const v = (sch as J)[k];
    if (v === undefined) continue;
    switch (k) {
      case 'properties': {
        const props: J = {};
        for (const [pk, pv] of Object.entries(v as Record<string, Schema>)) props[pk] = renderSchema(pv, flavor, undefined, defs);
        out.properties = props;
        break;
      }
      case 'additionalProperties':
        out.additionalProperties = typeof v === 'boolean' ? v : renderSchema(v, flavor, undefined, defs);
        break;
      case 'items':
        out.items = renderSchema(v, flavor, undefined, defs);
        break;
      case 'allOf':
        out.allOf = (v as Schema[]).map((x) => renderSchema(x, flavor, undefined, defs));
        break;
      case 'oneOf':
      case 'anyOf':
        if (flavor === 'v3') out[k] = (v as Schema[]).map((x) => renderSchema(x, flavor, undefined, defs));
        break;
      case 'not':
        if (flavor === 'v3') out.not = renderSchema(v, flavor, undefined, defs);
        break;
      case 'nullable':
        if (flavor === 'v3' && v) out.nullable = true;
        break;
      case 'required':
        if ((v as string[]).length) out.required = [...(v as string[])];
        break;
      default:
        out[k] = v;
    }
  }
  for (const k of Object.keys(sch).sort()) {
    if (!k.startsWith('x-')) continue;
    const v = (sch as J)[k];
    if (v === undefined) continue;
    // Swagger 2.0 has no int-or-string: such values are published as strings (kubectl's
    // client-side checks accept numbers for string fields).
    if (flavor === 'v2' && k === 'x-kubernetes-int-or-string') {
      if (!out.type) out.type = 'string';
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** Every definition name `sch` refers to, directly or not. */
function collectRefs(sch: Schema | undefined, defs: Map<string, Schema>, into: Set<string>) {
  if (!sch || typeof sch !== 'object') return;
  if (sch.$ref) {
    if (!into.has(sch.$ref)) {
      into.add(sch.$ref);
      collectRefs(defs.get(sch.$ref), defs, into);
    }
  }
  for (const p of Object.values(sch.properties ?? {})) collectRefs(p, defs, into);
  if (sch.additionalProperties && typeof sch.additionalProperties === 'object') collectRefs(sch.additionalProperties, defs, into);
  collectRefs(sch.items, defs, into);
  for (const l of [sch.allOf, sch.oneOf, sch.anyOf]) for (const x of l ?? []) collectRefs(x, defs, into);
  collectRefs(sch.not, defs, into);
}

// ---- operations ----

interface Param {
  name: string;
  in: 'query' | 'path' | 'body';
  description: string;
  type?: string;
  format?: string;
  required?: boolean;
  uniqueItems?: boolean;
  schema?: J;
}

const qp = (name: string, type: string, description: string, format?: string): Param => ({ name, in: 'query', description, type, uniqueItems: true, ...(format ? { format } : {}) });

const P = {
  allowWatchBookmarks: qp('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch; the server may send them or not.'),
  continue: qp('continue', 'string', 'The token from a previous limited list, to fetch the next page.'),
  dryRun: qp('dryRun', 'string', 'When set to All, the request is processed (admission, validation, defaults) but nothing is persisted.'),
  fieldManager: qp('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields. At most 128 printable characters.'),
  fieldManagerApply: qp('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields. Required for apply patches. At most 128 printable characters.'),
  fieldSelector: qp('fieldSelector', 'string', 'Restrict the result to objects whose fields match, e.g. metadata.name=web. Defaults to everything.'),
  fieldValidation: qp(
    'fieldValidation',
    'string',
    'How the server treats unknown or duplicate fields in the body: Ignore drops them silently, Warn drops them and returns a warning per field, Strict rejects the request. Clients that send nothing get Warn.',
  ),
  force: qp('force', 'boolean', 'For apply patches only: take ownership of fields that conflict with other managers.'),
  gracePeriodSeconds: qp('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted. 0 deletes immediately; unset uses the kind\'s default.'),
  ignoreStoreReadError: qp('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete an object even though its stored data cannot be read. Can break the cluster; requires extra permission.'),
  labelSelector: qp('labelSelector', 'string', 'Restrict the result to objects whose labels match, e.g. app=web,tier!=cache. Defaults to everything.'),
  limit: qp('limit', 'integer', 'Maximum number of items in one response; the rest is fetched with the returned continue token.'),
  orphanDependents: qp('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. When true, dependents are orphaned.'),
  pretty: qp('pretty', 'string', 'When true, the output is indented.'),
  propagationPolicy: qp('propagationPolicy', 'string', 'What happens to dependents: Orphan leaves them, Background deletes them after the owner, Foreground deletes them before the owner.'),
  resourceVersion: qp('resourceVersion', 'string', 'Which version of the data may be served: unset means the latest, "0" any cached version, another value that version or newer (see resourceVersionMatch).'),
  resourceVersionMatch: qp('resourceVersionMatch', 'string', 'How resourceVersion is applied to list calls: NotOlderThan or Exact.'),
  sendInitialEvents: qp('sendInitialEvents', 'boolean', 'For watches: start with synthetic ADDED events for the current state, then a BOOKMARK marking the end of it.'),
  timeoutSeconds: qp('timeoutSeconds', 'integer', 'Ends the list or watch call after this many seconds, whether or not anything happened.'),
  watch: qp('watch', 'boolean', 'Stream changes instead of returning a list: ADDED, MODIFIED and DELETED events. Use resourceVersion to start from a point in time.'),
};
P.gracePeriodSeconds.format = 'int32';
P.limit.format = 'int32';
P.timeoutSeconds.format = 'int32';

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManagerApply, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];

const pathParam = (name: 'name' | 'namespace' | 'path', description: string): Param => ({ name, in: 'path', description, required: true, type: 'string', uniqueItems: true });

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PRODUCES_STREAM = [...PRODUCES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES_BUILTIN = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const PATCH_TYPES_CUSTOM = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

type Action = 'get' | 'list' | 'put' | 'patch' | 'post' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';

interface Op {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';
  operationId: string;
  description: string;
  action: Action;
  gvk?: GVK;
  params: Param[];
  body?: { def: string; required: boolean };
  /** status code → definition name, or 'string' for plain text. */
  responses: Record<string, string>;
  produces: string[];
  consumes: string[];
}

interface PathEntry {
  path: string;
  params: Param[];
  ops: Op[];
}

/** Every path and operation of the served resources of one group-version (or of all). */
function buildPaths(model: Model, only?: { group: string; version: string }): PathEntry[] {
  const entries = new Map<string, PathEntry>();
  const add = (path: string, params: Param[], op: Op) => {
    let e = entries.get(path);
    if (!e) entries.set(path, (e = { path, params, ops: [] }));
    if (!e.ops.some((o) => o.method === op.method)) e.ops.push(op);
  };
  const nsParam = pathParam('namespace', 'The namespace of the objects.');

  for (const k of model.kinds) {
    const { d, version } = k;
    if (only && (only.group !== d.group || only.version !== version)) continue;
    const root = d.group ? `/apis/${d.group}/${version}` : `/api/${version}`;
    const idBase = `${opGroup(d.group)}${cap(version)}`;
    const verbs = new Set<string>(d.verbs ?? ALL_VERBS);
    const gvk: GVK = { group: d.group, version, kind: d.kind };
    const nsd = d.namespaced ? 'Namespaced' : '';
    const coll = d.namespaced ? `${root}/namespaces/{namespace}/${d.plural}` : `${root}/${d.plural}`;
    const item = `${coll}/{name}`;
    const nameParam = pathParam('name', `Name of the ${d.kind}.`);
    const collParams = d.namespaced ? [nsParam, P.pretty] : [P.pretty];
    const itemParams = d.namespaced ? [nameParam, nsParam, P.pretty] : [nameParam, P.pretty];
    const patchTypes = d.custom ? PATCH_TYPES_CUSTOM : PATCH_TYPES_BUILTIN;
    const base = { gvk, produces: PRODUCES, consumes: ['*/*'] };

    if (verbs.has('list'))
      add(coll, collParams, { ...base, method: 'get', operationId: `list${idBase}${nsd}${d.kind}`, description: `list or watch objects of kind ${d.kind}`, action: 'list', params: LIST_PARAMS, responses: { '200': k.listDef }, produces: PRODUCES_STREAM });
    if (verbs.has('create'))
      add(coll, collParams, { ...base, method: 'post', operationId: `create${idBase}${nsd}${d.kind}`, description: `create a ${d.kind}`, action: 'post', params: WRITE_PARAMS, body: { def: k.kindDef, required: true }, responses: { '200': k.kindDef, '201': k.kindDef, '202': k.kindDef } });
    if (verbs.has('deletecollection'))
      add(coll, collParams, { ...base, method: 'delete', operationId: `delete${idBase}Collection${nsd}${d.kind}`, description: `delete collection of ${d.kind}`, action: 'deletecollection', params: DELETECOLLECTION_PARAMS, body: { def: `${META}.DeleteOptions`, required: false }, responses: { '200': `${META}.Status` } });
    if (verbs.has('get'))
      add(item, itemParams, { ...base, method: 'get', operationId: `read${idBase}${nsd}${d.kind}`, description: `read the specified ${d.kind}`, action: 'get', params: [], responses: { '200': k.kindDef } });
    if (verbs.has('update'))
      add(item, itemParams, { ...base, method: 'put', operationId: `replace${idBase}${nsd}${d.kind}`, description: `replace the specified ${d.kind}`, action: 'put', params: WRITE_PARAMS, body: { def: k.kindDef, required: true }, responses: { '200': k.kindDef, '201': k.kindDef } });
    if (verbs.has('patch'))
      add(item, itemParams, { ...base, method: 'patch', operationId: `patch${idBase}${nsd}${d.kind}`, description: `partially update the specified ${d.kind}`, action: 'patch', params: PATCH_PARAMS, body: { def: `${META}.Patch`, required: true }, responses: { '200': k.kindDef, '201': k.kindDef }, consumes: patchTypes });
    if (verbs.has('delete'))
      add(item, itemParams, { ...base, method: 'delete', operationId: `delete${idBase}${nsd}${d.kind}`, description: `delete a ${d.kind}`, action: 'delete', params: DELETE_PARAMS, body: { def: `${META}.DeleteOptions`, required: false }, responses: { '200': k.kindDef, '202': k.kindDef } });
    if (d.namespaced && verbs.has('list'))
      add(`${root}/${d.plural}`, [P.pretty], { ...base, method: 'get', operationId: `list${idBase}${d.kind}ForAllNamespaces`, description: `list or watch objects of kind ${d.kind}`, action: 'list', params: LIST_PARAMS, responses: { '200': k.listDef }, produces: PRODUCES_STREAM });
    if (verbs.has('watch')) {
      const wcoll = d.namespaced ? `${root}/watch/namespaces/{namespace}/${d.plural}` : `${root}/watch/${d.plural}`;
      const watchResp = { '200': `${META}.WatchEvent` };
      add(wcoll, [...LIST_PARAMS.slice(0, 5), ...(d.namespaced ? [nsParam] : []), P.pretty, ...LIST_PARAMS.slice(5)], { ...base, method: 'get', operationId: `watch${idBase}${nsd}${d.kind}List`, description: `watch individual changes to a list of ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, action: 'watchlist', params: [], responses: watchResp, produces: PRODUCES_STREAM });
      add(`${wcoll}/{name}`, [...LIST_PARAMS.slice(0, 5), nameParam, ...(d.namespaced ? [nsParam] : []), P.pretty, ...LIST_PARAMS.slice(5)], { ...base, method: 'get', operationId: `watch${idBase}${nsd}${d.kind}`, description: `watch changes to an object of kind ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, action: 'watch', params: [], responses: watchResp, produces: PRODUCES_STREAM });
      if (d.namespaced)
        add(`${root}/watch/${d.plural}`, [...LIST_PARAMS.slice(0, 5), P.pretty, ...LIST_PARAMS.slice(5)], { ...base, method: 'get', operationId: `watch${idBase}${d.kind}ListForAllNamespaces`, description: `watch individual changes to a list of ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, action: 'watchlist', params: [], responses: watchResp, produces: PRODUCES_STREAM });
    }

    for (const sub of subresourcesOf(d, version)) {
      const subPath = `${item}/${sub.name}`;
      const subId = sub.name
        .split(/[^a-zA-Z0-9]/)
        .filter(Boolean)
        .map(cap)
        .join('');
      const subGVK: GVK = { group: sub.group, version: sub.version, kind: sub.kind };
      const subDef = model.byGVK.get(gvkKey(subGVK));
      const sverbs = new Set(sub.verbs);
      const connect = !subDef || sub.kind.endsWith('Options');
      const id = (verb: string) => `${verb}${idBase}${nsd}${d.kind}${subId}`;
      const sbase = { gvk: subGVK, produces: PRODUCES, consumes: ['*/*'] };
      if (sub.name === 'log' && sverbs.has('get')) {
        add(subPath, itemParams, { ...sbase, method: 'get', operationId: id('read'), description: `read log of the specified ${d.kind}`, action: 'get', params: [], responses: { '200': 'string' }, produces: ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] });
        continue;
      }
      if (connect) {
        const methods: [string, Op['method']][] = [];
        if (sverbs.has('get')) methods.push(['Get', 'get'], ['Head', 'head'], ['Options', 'options']);
        if (sverbs.has('create')) methods.push(['Post', 'post']);
        if (sverbs.has('update')) methods.push(['Put', 'put']);
        if (sverbs.has('patch')) methods.push(['Patch', 'patch']);
        if (sverbs.has('delete')) methods.push(['Delete', 'delete']);
        for (const [label, method] of methods)
          add(subPath, itemParams.filter((p) => p.name !== 'pretty'), { ...sbase, method, operationId: `connect${idBase}${label}${nsd}${d.kind}${subId}`, description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${d.kind}`, action: 'connect', params: [], responses: { '200': 'string' }, produces: ['*/*'] });
        continue;
      }
      if (sverbs.has('get'))
        add(subPath, itemParams, { ...sbase, method: 'get', operationId: id('read'), description: `read ${sub.name} of the specified ${d.kind}`, action: 'get', params: [], responses: { '200': subDef } });
      if (sverbs.has('create'))
        add(subPath, itemParams, { ...sbase, method: 'post', operationId: id('create'), description: `create ${sub.name} of a ${d.kind}`, action: 'post', params: WRITE_PARAMS, body: { def: subDef, required: true }, responses: { '200': subDef, '201': subDef, '202': subDef } });
      if (sverbs.has('update'))
        add(subPath, itemParams, { ...sbase, method: 'put', operationId: id('replace'), description: `replace ${sub.name} of the specified ${d.kind}`, action: 'put', params: WRITE_PARAMS, body: { def: subDef, required: true }, responses: { '200': subDef, '201': subDef } });
      if (sverbs.has('patch'))
        add(subPath, itemParams, { ...sbase, method: 'patch', operationId: id('patch'), description: `partially update ${sub.name} of the specified ${d.kind}`, action: 'patch', params: PATCH_PARAMS, body: { def: `${META}.Patch`, required: true }, responses: { '200': subDef, '201': subDef }, consumes: patchTypes });
    }
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---- v2 document ----

function v2Param(p: Param): J {
  if (p.in === 'body') return { name: 'body', in: 'body', required: p.required, schema: p.schema };
  const out: J = { uniqueItems: p.uniqueItems, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.format) out.format = p.format;
  if (p.required) out.required = true;
  return out;
}

function v2Op(op: Op): J {
  const params = op.params.map(v2Param);
  if (op.body) params.unshift(v2Param({ name: 'body', in: 'body', description: '', required: op.body.required, schema: { $ref: `#/definitions/${op.body.def}` } }));
  const responses: J = {};
  for (const [code, def] of Object.entries(op.responses))
    responses[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', schema: def === 'string' ? { type: 'string' } : { $ref: `#/definitions/${def}` } };
  responses['401'] = { description: 'Unauthorized' };
  const out: J = { description: op.description, consumes: op.consumes, produces: op.produces, schemes: ['https'], operationId: op.operationId };
  if (params.length) out.parameters = params;
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

function buildV2(model: Model): J {
  const paths: J = {};
  for (const e of buildPaths(model)) {
    const item: J = {};
    for (const op of sortOps(e.ops)) item[op.method] = v2Op(op);
    item.parameters = e.params.map(v2Param);
    paths[e.path] = item;
  }
  const definitions: J = {};
  for (const name of [...model.defs.keys()].sort()) definitions[name] = renderSchema(model.defs.get(name)!, 'v2', name, model.defs);
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions, securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } }, security: [{ BearerToken: [] }] };
}

const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const sortOps = (ops: Op[]) => [...ops].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));

// ---- v3 documents ----

function v3Param(p: Param): J {
  const schema: J = { type: p.type, uniqueItems: true };
  if (p.format) schema.format = p.format;
  const out: J = { name: p.name, in: p.in, description: p.description, schema };
  if (p.required) out.required = true;
  return out;
}

function v3Op(op: Op): J {
  const out: J = { description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(v3Param);
  if (op.body) {
    const sch = { $ref: `#/components/schemas/${op.body.def}` };
    const types = op.method === 'patch' ? op.consumes : ['*/*'];
    const content: J = {};
    for (const t of types) content[t] = { schema: sch };
    out.requestBody = { content, ...(op.body.required ? { required: true } : {}) };
  }
  const responses: J = {};
  for (const [code, def] of Object.entries(op.responses)) {
    const content: J = {};
    const sch = def === 'string' ? { type: 'string' } : { $ref: `#/components/schemas/${def}` };
    for (const t of op.produces) content[t] = { schema: sch };
    responses[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

function buildV3(model: Model, group: string, version: string): J {
  const paths: J = {};
  const used = new Set<string>();
  const defs = model.defs;
  for (const e of buildPaths(model, { group, version })) {
    const item: J = {};
    for (const op of sortOps(e.ops)) {
      item[op.method] = v3Op(op);
      for (const d of Object.values(op.responses)) if (d !== 'string') collectRefs({ $ref: d }, defs, used);
      if (op.body) collectRefs({ $ref: op.body.def }, defs, used);
    }
    item.parameters = e.params.map(v3Param);
    paths[e.path] = item;
  }
  const schemas: J = {};
  for (const name of [...used].sort()) {
    const def = defs.get(name);
    if (def) schemas[name] = renderSchema(def, 'v3', name, defs);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
}

// ---- cache ----

interface Rendered {
  body: string;
  hash: string; // uppercase hex sha512, as Kubernetes publishes
}

interface Cache {
  model?: Model;
  v2?: Rendered;
  v2pb?: Buffer;
  v3: Map<string, Rendered>;
  v3index?: string;
}
const caches = new WeakMap<KindRegistry, Cache>();

function cacheFor(reg: KindRegistry): Cache {
  let c = caches.get(reg);
  if (!c) {
    const fresh: Cache = { v3: new Map() };
    c = fresh;
    caches.set(reg, fresh);
    reg.onChange(() => {
      fresh.model = undefined;
      fresh.v2 = undefined;
      fresh.v2pb = undefined;
      fresh.v3.clear();
      fresh.v3index = undefined;
    });
  }
  return c;
}

const rendered = (doc: J): Rendered => {
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
};

function model(reg: KindRegistry): Model {
  const c = cacheFor(reg);
  return (c.model ??= buildModel(reg));
}

/** The Swagger 2.0 document as a JSON value. */
export function openapiV2(reg: KindRegistry): J {
  return JSON.parse(v2(reg).body);
}
function v2(reg: KindRegistry): Rendered {
  const c = cacheFor(reg);
  return (c.v2 ??= rendered(buildV2(model(reg))));
}

/** Group-version paths served under /openapi/v3 ('api/v1', 'apis/apps/v1', ...). */
export function openapiV3Paths(reg: KindRegistry): string[] {
  const out: string[] = [];
  for (const v of coreVersions(reg)) out.push(`api/${v}`);
  for (const g of orderedGroups(reg)) for (const v of g.versions) out.push(`apis/${g.group}/${v}`);
  return out;
}

function v3Doc(reg: KindRegistry, gvPath: string): Rendered | undefined {
  if (!openapiV3Paths(reg).includes(gvPath)) return undefined;
  const c = cacheFor(reg);
  let r = c.v3.get(gvPath);
  if (!r) {
    const parts = gvPath.split('/');
    const [group, version] = parts[0] === 'api' ? ['', parts[1]] : [parts[1], parts[2]];
    if (!resourcesIn(reg, group, version).length) return undefined;
    r = rendered(buildV3(model(reg), group, version));
    c.v3.set(gvPath, r);
  }
  return r;
}

/** The OpenAPI v3 document of one group-version ('' group for the core API), as a JSON value. */
export function openapiV3(reg: KindRegistry, group: string, version: string): J | undefined {
  const r = v3Doc(reg, group ? `apis/${group}/${version}` : `api/${version}`);
  return r && JSON.parse(r.body);
}

function v3Index(reg: KindRegistry): string {
  const c = cacheFor(reg);
  if (!c.v3index) {
    const paths: J = {};
    for (const p of openapiV3Paths(reg)) {
      const r = v3Doc(reg, p);
      if (r) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${r.hash}` };
    }
    c.v3index = JSON.stringify({ paths });
  }
  return c.v3index;
}

// ---- HTTP ----

function status(code: number, reason: string, message: string): Reply {
  return { status: code, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }) };
}

const etagMatches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => {
    const x = t.trim();
    return x === '*' || x === etag || x === `W/${etag}`;
  });

function pick(accept: string | undefined, offers: string[]): string | undefined {
  for (const m of parseAccept(accept)) {
    if (m.type === '*/*') return offers[0];
    if (m.type === 'application/*') return offers.find((o) => o.startsWith('application/'));
    const hit = offers.find((o) => o === m.type);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Answers /openapi/v2, /openapi/v3 and /openapi/v3/<api/v1 | apis/<group>/<version>>; undefined
 * for other paths and unknown group-versions (the caller answers 404). `path` may carry the query.
 */
export function openapiReply(reg: KindRegistry, path: string, accept: string | undefined, opts: OpenAPIOptions = {}): Reply | undefined {
  const q = path.indexOf('?');
  const p = (q >= 0 ? path.slice(0, q) : path).replace(/\/+$/, '');
  const query = new URLSearchParams(q >= 0 ? path.slice(q + 1) : '');

  if (p === '/openapi/v2') {
    const kind = pick(accept, ['application/json', MIME_PB_V2, MIME_PB_V2_ALT]);
    if (!kind) return status(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${MIME_PB_V2}`);
    const r = v2(reg);
    const etag = `"${r.hash}"`;
    const pb = kind !== 'application/json';
    const headers: Record<string, string> = { 'Content-Type': pb ? MIME_PB_V2_RETURNED : 'application/json', ETag: etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private' };
    if (etagMatches(opts.ifNoneMatch, etag)) return { status: 304, headers, body: '' };
    if (!pb) return { status: 200, headers, body: r.body };
    const c = cacheFor(reg);
    c.v2pb ??= encodeOpenAPIV2Document(JSON.parse(r.body));
    return { status: 200, headers, body: c.v2pb };
  }

  if (p === '/openapi/v3') {
    if (!pick(accept, ['application/json'])) return status(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
    const body = v3Index(reg);
    const etag = `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;
    const headers = { 'Content-Type': 'application/json', ETag: etag, 'Cache-Control': 'no-cache, private' };
    if (etagMatches(opts.ifNoneMatch, etag)) return { status: 304, headers, body: '' };
    return { status: 200, headers, body };
  }

  if (p.startsWith('/openapi/v3/')) {
    const gvPath = p.slice('/openapi/v3/'.length);
    const r = v3Doc(reg, gvPath);
    if (!r) return undefined;
    // The protobuf form of v3 (application/com.github.proto-openapi.spec.v3@v1.0+protobuf) is not offered; kubectl and client-go ask for JSON.
    if (!pick(accept, ['application/json'])) return status(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
    const etag = `"${r.hash}"`;
    const wanted = query.get('hash');
    if (wanted !== null && wanted !== r.hash) {
      // Kubernetes redirects an outdated hash to the current document.
      return { status: 301, headers: { Location: `/openapi/v3/${gvPath}?hash=${r.hash}`, 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain' }, body: '' };
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: etag, Vary: 'Accept' };
    if (wanted !== null) {
      headers['Cache-Control'] = 'public, immutable';
      headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    } else headers['Cache-Control'] = 'no-cache, private';
    if (etagMatches(opts.ifNoneMatch, etag)) return { status: 304, headers, body: '' };
    return { status: 200, headers, body: r.body };
  }
  return undefined;
}
