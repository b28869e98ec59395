// The one source of truth for a kind's shape. Schemas are a subset of OpenAPI v3 / CRD
// JSONSchemaProps, so built-in kinds and CustomResourceDefinitions share one validator, one
// pruner, one strategic-merge engine and one OpenAPI generator.
//
// Built-in types are registered as named definitions (`io.k8s.api.core.v1.PodSpec`, the names
// Kubernetes uses, so kubectl explain and client-side tooling find them) and refer to each
// other with `$ref`.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string; // int32, int64, double, date-time, byte, int-or-string
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  multipleOf?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
  /** Name of a registered definition (no '#/definitions/' prefix). */
  $ref?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

const definitions = new Map<string, Schema>();

/** Registers a named definition (idempotent for the same name: later registration wins). */
export function define(name: string, schema: Schema): Schema {
  definitions.set(name, schema);
  return { $ref: name };
}

export function definition(name: string): Schema | undefined {
  return definitions.get(name);
}

export function allDefinitions(): ReadonlyMap<string, Schema> {
  return definitions;
}

/** Follows $ref chains to the concrete schema. */
export function resolve(s: Schema | undefined): Schema | undefined {
  let cur = s;
  let guard = 0;
  while (cur && cur.$ref) {
    const next = definitions.get(cur.$ref);
    if (!next) return undefined;
    // A $ref with a local description (as OpenAPI allows) keeps the target's shape.
    cur = next;
    if (++guard > 64) return undefined;
  }
  return cur;
}

// ---- compact builders for authoring built-in schemas ----

type Extra = Omit<Schema, 'type' | 'properties' | 'items' | 'additionalProperties'>;

export const str = (description?: string, extra: Extra = {}): Schema => ({ type: 'string', description, ...extra });
export const int32 = (description?: string, extra: Extra = {}): Schema => ({ type: 'integer', format: 'int32', description, ...extra });
export const int64 = (description?: string, extra: Extra = {}): Schema => ({ type: 'integer', format: 'int64', description, ...extra });
export const num = (description?: string, extra: Extra = {}): Schema => ({ type: 'number', format: 'double', description, ...extra });
export const bool = (description?: string, extra: Extra = {}): Schema => ({ type: 'boolean', description, ...extra });
export const bytes = (description?: string): Schema => ({ type: 'string', format: 'byte', description });
export const time = (description?: string): Schema => ({ $ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time', description });
export const microTime = (description?: string): Schema => ({ $ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', description });
export const quantity = (description?: string): Schema => ({ $ref: 'io.k8s.apimachinery.pkg.api.resource.Quantity', description });
export const intOrString = (description?: string): Schema => ({ $ref: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString', description });
export const ref = (name: string, description?: string): Schema => ({ $ref: name, description });
export const any = (description?: string): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description });
export const stringMap = (description?: string): Schema => ({ type: 'object', additionalProperties: { type: 'string' }, description });
export const mapOf = (values: Schema, description?: string): Schema => ({ type: 'object', additionalProperties: values, description });
export const obj = (properties: Record<string, Schema>, description?: string, extra: Extra = {}): Schema => ({ type: 'object', properties, description, ...extra });

export interface ListOpts {
  /** strategic-merge key (x-kubernetes-patch-merge-key) */
  mergeKey?: string;
  /** strategic-merge strategy: 'merge' | 'replace' | 'merge,retainKeys' */
  strategy?: string;
  /** server-side-apply list type */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}
export const arr = (items: Schema, description?: string, o: ListOpts = {}): Schema => {
  const s: Schema = { type: 'array', items, description };
  if (o.mergeKey) s['x-kubernetes-patch-merge-key'] = o.mergeKey;
  if (o.strategy) s['x-kubernetes-patch-strategy'] = o.strategy;
  if (o.listType) s['x-kubernetes-list-type'] = o.listType;
  if (o.mapKeys) s['x-kubernetes-list-map-keys'] = o.mapKeys;
  return s;
};
/** A list merged by key in both strategic merge and server-side apply (e.g. containers by name). */
export const keyedList = (items: Schema, key: string | string[], description?: string): Schema => {
  const keys = Array.isArray(key) ? key : [key];
  return arr(items, description, { mergeKey: keys[0], strategy: 'merge', listType: 'map', mapKeys: keys });
};
/** A list of scalars merged as a set (e.g. finalizers). */
export const setList = (items: Schema, description?: string): Schema => arr(items, description, { strategy: 'merge', listType: 'set' });

/** Top-level schema of a kind: adds apiVersion/kind/metadata and the GVK extension. */
export function kindSchema(
  name: string,
  gvk: { group: string; version: string; kind: string }[],
  description: string,
  properties: Record<string, Schema>,
  extra: Extra = {},
): Schema {
  return define(name, {
    type: 'object',
    description,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object. Servers convert recognized schemas to the latest internal value.'),
      kind: str('Kind is a string value naming the REST resource this object represents, in CamelCase. It cannot be updated.'),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', "Standard object's metadata: name, namespace, labels, annotations and the fields the server maintains."),
      ...properties,
    },
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
}
