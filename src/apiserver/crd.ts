// Custom resources: a ResourceDescriptor built from a CustomResourceDefinition, so custom objects
// go through the same generic REST path as built-in kinds. The CRD's openAPIV3Schema drives
// unknown-field detection (fieldValidation), pruning, defaulting and value validation; printer
// columns become the Table; status/scale subresources come from the storage version.
import type { ResourceDescriptor, TableColumn, TableDef, VersionInfo, RequestContext } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import type { Schema } from '../api/schema.js';
import { ApiError, type FieldError } from '../api/errors.js';
import { applyDefaults, validateValues, walk } from '../api/structural.js';
import { nameColumn, humanDuration } from '../api/table.js';
import { sortVersions } from '../api/registry.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CRDVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: any };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }[];
  selectableFields?: { jsonPath: string }[];
}

export interface CRDNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

// ---------------------------------------------------------------- schemas

/**
 * The schema custom objects of one version are decoded with: the CRD's schema with
 * apiVersion/kind/metadata of every Kubernetes object, objects without declared fields (and not
 * preserving unknown ones) made explicitly empty so unknown fields are found, and a free-form
 * object when the CRD has no schema or preserves unknown fields.
 */
export function servedSchema(openAPIV3Schema: unknown, preserveUnknownFields: boolean): Schema {
  const copy = isObj(openAPIV3Schema) ? (structuredClone(openAPIV3Schema) as Schema) : undefined;
  const base: Schema = copy ? (preserveUnknownFields ? preserveEverywhere(copy) : closeObjects(copy)) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if (preserveUnknownFields) base['x-kubernetes-preserve-unknown-fields'] = true;
  base.type = 'object';
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = base.properties ?? {};
  base.properties = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { $ref: OBJECT_META, description: "Standard object's metadata." },
    ...rest,
  };
  return base;
}

/** spec.preserveUnknownFields (legacy): nothing is pruned or reported as unknown. */
function preserveEverywhere(s: Schema): Schema {
  if (!isObj(s)) return s;
  if (s.type === 'object' || s.properties || s.additionalProperties !== undefined || s.type === undefined) s['x-kubernetes-preserve-unknown-fields'] = true;
  if (s.properties) for (const k of Object.keys(s.properties)) s.properties[k] = preserveEverywhere(s.properties[k]);
  if (isObj(s.additionalProperties)) s.additionalProperties = preserveEverywhere(s.additionalProperties as Schema);
  if (isObj(s.items)) s.items = preserveEverywhere(s.items);
  return s;
}

function closeObjects(s: Schema): Schema {
  if (!isObj(s)) return s;
  if (s.type === 'object' && !s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.properties = {};
  if (s.properties) for (const k of Object.keys(s.properties)) s.properties[k] = closeObjects(s.properties[k]);
  if (isObj(s.additionalProperties)) s.additionalProperties = closeObjects(s.additionalProperties as Schema);
  if (isObj(s.items)) s.items = closeObjects(s.items);
  return s;
}

/** Drops fields the structural schema does not declare (Kubernetes' pruning), in place. */
export function prune(value: unknown, s: Schema | undefined, root = true): void {
  if (!s) return;
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) prune(item, s.items, false);
    return;
  }
  if (!isObj(value)) return;
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  const meta = root || embedded;
  for (const key of Object.keys(value)) {
    if (meta && (key === 'apiVersion' || key === 'kind')) continue;
    if (meta && key === 'metadata') {
      if (isObj(value.metadata)) walk(value.metadata, { $ref: OBJECT_META }, true);
      continue;
    }
    const child = s.properties?.[key];
    if (child) prune(value[key], child, false);
    else if (isObj(s.additionalProperties)) prune(value[key], s.additionalProperties as Schema, false);
    else if (s.additionalProperties === true || preserve) continue;
    else if (s.type === 'object' || s.properties || embedded) delete value[key];
  }
}

// ---------------------------------------------------------------- JSONPath for printer columns

type Seg = { k: 'field'; name: string } | { k: 'index'; i: number } | { k: 'all' } | { k: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export function parseJSONPath(p: string): Seg[] {
  let src = p.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1);
  const segs: Seg[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '.') {
      let j = i + 1;
      while (j < src.length && src[j] !== '.' && src[j] !== '[') j++;
      const name = src.slice(i + 1, j);
      if (name) segs.push(name === '*' ? { k: 'all' } : { k: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = src.indexOf(']', i);
      if (end < 0) throw new Error(`unterminated [ in ${p}`);
      let inner = src.slice(i + 1, end);
      if (inner.startsWith('?(')) {
        // a filter may contain ']' inside quotes; find the closing ')]'
        const close = src.indexOf(')]', i);
        if (close < 0) throw new Error(`unterminated filter in ${p}`);
        inner = src.slice(i + 3, close);
        const m = /^@((?:\.[\w-]+)+)\s*(==|!=)\s*(.+)$/.exec(inner.trim());
        if (!m) throw new Error(`unsupported filter in ${p}`);
        const raw = m[3].trim();
        let value: unknown;
        if (/^".*"$|^'.*'$/.test(raw)) value = raw.slice(1, -1);
        else if (raw === 'true' || raw === 'false') value = raw === 'true';
        else if (!Number.isNaN(Number(raw))) value = Number(raw);
        else value = raw;
        segs.push({ k: 'filter', path: m[1].split('.').filter(Boolean), op: m[2] as '==' | '!=', value });
        i = close + 2;
        continue;
      }
      if (inner === '*') segs.push({ k: 'all' });
      else if (/^-?\d+$/.test(inner)) segs.push({ k: 'index', i: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) segs.push({ k: 'field', name: inner.slice(1, -1) });
      else throw new Error(`unsupported subscript [${inner}] in ${p}`);
      i = end + 1;
    } else {
      throw new Error(`unexpected ${JSON.stringify(c)} in ${p}`);
    }
  }
  return segs;
}

/** Every value the path selects (missing keys select nothing). */
export function evalJSONPath(root: unknown, segs: Seg[]): unknown[] {
  let cur: unknown[] = [root];
  for (const s of segs) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.k === 'field') {
        if (isObj(v) && s.name in v) next.push(v[s.name]);
      } else if (s.k === 'index') {
        if (Array.isArray(v)) {
          const i = s.i < 0 ? v.length + s.i : s.i;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (s.k === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (isObj(v)) next.push(...Object.keys(v).sort().map((k) => v[k]));
      } else {
        if (!Array.isArray(v)) continue;
        for (const item of v) {
          let x: unknown = item;
          for (const k of s.path) x = isObj(x) ? x[k] : undefined;
          if (x === undefined) continue;
          const eq = x === s.value || (typeof x === 'number' && typeof s.value === 'string' && String(x) === s.value);
          if (s.op === '==' ? eq : !eq) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Go's fmt %v of an unstructured JSON value, as kubectl's JSONPath printer writes it. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (isObj(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goPrint(v[k])}`)
      .join(' ')}]`;
  return String(v);
}

/** A cell of a custom column, as Kubernetes' CRD table convertor renders it. */
export function cellFor(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return goPrint(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return '<invalid>';
      return humanDuration(now.getTime() - t);
    }
  }
  return null;
}

const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.';

export function tableFor(columns: CRDVersion['additionalPrinterColumns']): TableDef {
  const cols = columns?.length ? columns : [{ name: 'Age', type: 'date', description: AGE_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' }];
  const compiled = cols.map((c) => {
    let segs: Seg[] | undefined;
    try {
      segs = parseJSONPath(c.jsonPath);
    } catch {
      segs = undefined;
    }
    return { c, segs };
  });
  const defs: TableColumn[] = [
    nameColumn,
    ...cols.map((c) => {
      const def: TableColumn = { name: c.name, type: c.type as TableColumn['type'], description: c.description ?? '', priority: c.priority ?? 0 };
      if (c.format) def.format = c.format;
      return def;
    }),
  ];
  return {
    columns: defs,
    row(obj, now) {
      return [obj.metadata.name, ...compiled.map(({ c, segs }) => (segs ? cellFor(c.type, evalJSONPath(obj, segs)[0], now) : null))];
    },
  };
}

// ---------------------------------------------------------------- descriptor

function deprecationWarning(group: string, kind: string, v: CRDVersion, all: CRDVersion[]): string | undefined {
  if (!v.deprecated) return undefined;
  if (typeof v.deprecationWarning === 'string') return v.deprecationWarning;
  let msg = `${group}/${v.name} ${kind} is deprecated`;
  const newer = all.filter((x) => x.served && !x.deprecated && x.name !== v.name && sortVersions([v.name, x.name])[0] === x.name).map((x) => x.name);
  if (newer.length) msg += `; use ${group}/${sortVersions(newer)[0]} ${kind}`;
  return msg;
}

export interface CustomDescriptorOptions {
  /** The CRD is being deleted: creates are refused. */
  terminating?: boolean;
}

/** The descriptor serving a CRD's custom resources (names from status.acceptedNames when set). */
export function descriptorFromCRD(crd: KubeObject, o: CustomDescriptorOptions = {}): ResourceDescriptor {
  const spec = crd.spec;
  const accepted = crd.status?.acceptedNames as CRDNames | undefined;
  const names: CRDNames = accepted?.plural && accepted.kind ? accepted : spec.names;
  const group: string = spec.group;
  const versions: CRDVersion[] = spec.versions ?? [];
  const storage = versions.find((v) => v.storage) ?? versions[0];
  const preserveAll = spec.preserveUnknownFields === true;
  const schemas = new Map<string, Schema>();
  for (const v of versions) schemas.set(v.name, servedSchema(v.schema?.openAPIV3Schema, preserveAll));
  const storageSchema = schemas.get(storage.name)!;
  const hasSchema = isObj(storage.schema?.openAPIV3Schema);

  const versionInfos: VersionInfo[] = versions.map((v) => {
    const vi: VersionInfo = { version: v.name, served: v.served !== false, schema: schemas.get(v.name) };
    const warn = deprecationWarning(group, names.kind, v, versions);
    if (warn) vi.deprecationWarning = warn;
    if (v.name !== storage.name) {
      // conversion strategy None: only apiVersion changes (set by the REST layer)
      vi.toStorage = (x) => x;
      vi.fromStorage = (x) => x;
    }
    return vi;
  });

  const subs = storage.subresources;
  const d: ResourceDescriptor = {
    group,
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    storageVersion: storage.name,
    versions: versionInfos,
    schema: storageSchema,
    custom: true,
    hasGeneration: true,
    table: tableFor(storage.additionalPrinterColumns),
    defaults(obj: KubeObject) {
      if (hasSchema && !preserveAll) prune(obj, storageSchema);
      applyDefaults(obj, storageSchema);
    },
    validate(obj: KubeObject): FieldError[] {
      return hasSchema ? validateValues(obj, storageSchema, '') : [];
    },
  };
  if (names.shortNames?.length) d.shortNames = [...names.shortNames];
  if (names.categories?.length) d.categories = [...names.categories];
  if (subs && (subs.status || subs.scale)) {
    d.subresources = {};
    if (subs.status) d.subresources.status = true;
    if (subs.scale) d.subresources.scale = { specReplicasPath: subs.scale.specReplicasPath, statusReplicasPath: subs.scale.statusReplicasPath, ...(subs.scale.labelSelectorPath ? { labelSelectorPath: subs.scale.labelSelectorPath } : {}) };
  }
  const selectable = storage.selectableFields ?? [];
  if (selectable.length) {
    d.fieldSelectors = {};
    for (const f of selectable) {
      let segs: Seg[];
      try {
        segs = parseJSONPath(f.jsonPath);
      } catch {
        continue;
      }
      d.fieldSelectors[f.jsonPath.replace(/^\./, '')] = (obj) => {
        const v = evalJSONPath(obj, segs)[0];
        return v === undefined || v === null ? undefined : goPrint(v);
      };
    }
  }
  if (o.terminating) {
    d.prepareCreate = (_obj: KubeObject, _ctx: RequestContext) => {
      throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group, kind: names.plural });
    };
  }
  return d;
}
