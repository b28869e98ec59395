// The one generic REST path every kind goes through: get, list, watch, create, update, patch,
// delete and deletecollection, plus the status, scale and finalize subresources. Everything
// kind-specific comes from the ResourceDescriptor.
import { deepClone } from '../api/types.js';
import { randomUUID, randomInt } from 'node:crypto';
import type { ResourceDescriptor, RequestContext, ObjectLookup, GroupResource } from '../api/descriptor.js';
import { ALL_VERBS, apiVersionOf } from '../api/descriptor.js';
import type { KubeObject, UserInfo } from '../api/types.js';
import { ApiError, badRequest, conflict, alreadyExists, notFound, invalidObject, methodNotAllowed, gone, unsupportedMediaType, type FieldError, invalid, qualifiedResource } from '../api/errors.js';
import { validateObjectMeta } from '../api/kinds/meta.js';
import { walk } from '../api/structural.js';
import type { Schema } from '../api/schema.js';
import { parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields, labelSelectorToString } from '../api/selectors.js';
import { applyJsonPatch } from '../api/patch/jsonpatch.js';
import { applyMergePatch } from '../api/patch/mergepatch.js';
import { applyStrategicMergePatch } from '../api/patch/strategic.js';
import { applyPatch as serverSideApply, updateManagedFields } from '../api/patch/apply.js';
import { CompactedError, FutureRevisionError } from '../storage/store.js';
import { decodeBody, requireMedia, mediaKind } from './body.js';
import { checkTypeMeta, fromStorage, toStorage, parseAccept, listOf, partialMetadata, versionInfo, storageView } from './convert.js';
import { encode, decode, objectKey, listPrefix, consistentRevision } from './objectstore.js';
import { table, type IncludeObject } from './tables.js';
import type { RequestInfo } from './request.js';
import type { ServerContext, AdmissionOp } from './context.js';
import { startWatch, type WatchSource } from './watch.js';

export interface ApiRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  user: UserInfo;
  /** In-process callers take response bodies as objects, never as pre-serialized JSON text. */
  internal?: boolean;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  watch?: WatchSource;
  warnings?: string[];
}

const header = (req: ApiRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = deepClone;
const nowISO = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function notFoundResource(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function makeLookup(sc: ServerContext): ObjectLookup {
  return {
    get(gr: GroupResource, namespace: string | undefined, name: string) {
      const d = sc.registry.byGroupResource(gr.group, gr.resource);
      return d ? sc.cache.get(objectKey(d, namespace, name)) : undefined;
    },
    list(gr: GroupResource, namespace?: string) {
      const d = sc.registry.byGroupResource(gr.group, gr.resource);
      return d ? sc.cache.list(listPrefix(d, namespace)).items.map((i) => i.obj) : [];
    },
  };
}

function requestContext(sc: ServerContext, info: RequestInfo, user: UserInfo): RequestContext {
  const dry = info.query.getAll('dryRun');
  return {
    user,
    verb: info.verb,
    namespace: info.namespace || undefined,
    subresource: info.subresource || undefined,
    dryRun: dry.length > 0,
    now: new Date(),
    warnings: [],
    lookup: makeLookup(sc),
    config: sc.config,
  };
}

/** Entry point for /api/v1/... and /apis/g/v/... resource requests. */
export async function handleResource(sc: ServerContext, info: RequestInfo, req: ApiRequest): Promise<ApiResponse> {
  let d = sc.registry.lookup(info.group, info.version, info.resource);
  if (!d) throw notFoundResource();
  if (d.storedAs) {
    const target = sc.registry.byGroupResource(d.storedAs.group, d.storedAs.resource);
    if (!target) throw notFoundResource();
    d = storageView(d, target);
  }
  if (!d.namespaced && info.namespace) throw notFoundResource();
  const ctx = requestContext(sc, info, req.user);
  const dryRun = info.query.getAll('dryRun');
  for (const v of dryRun) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}. Valid values: [All]`);
  const vi = versionInfo(d, info.version);
  if (vi.deprecationWarning) ctx.warnings.push(vi.deprecationWarning);

  const authz = sc.authorize({
    user: req.user,
    verb: info.verb,
    namespace: info.namespace,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    resourceRequest: true,
    path: info.path,
  });
  if (!authz.allowed) {
    const who = `User "${req.user.name}"`;
    const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
    const where = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
    const qual = qualifiedResource(info.resource, info.group);
    const msg = `${info.name ? `${qual} "${info.name}"` : qual} is forbidden: ${who} cannot ${info.verb} resource "${res}" in API group "${info.group}"${where}${authz.reason ? `: ${authz.reason}` : ''}`;
    throw new ApiError(403, 'Forbidden', msg, { name: info.name || undefined, group: info.group || undefined, kind: info.resource });
  }

  const verbs = d.verbs ?? ALL_VERBS;
  const res = await dispatch(sc, d, info, req, ctx, verbs);
  res.warnings = [...(res.warnings ?? []), ...ctx.warnings];
  return res;
}

async function dispatch(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext, verbs: string[]): Promise<ApiResponse> {
  const sub = info.subresource;
  if (info.parts.length > 3) throw notFoundResource();
  if (sub) return handleSubresource(sc, d, info, req, ctx);
  const createHandler = sc.createHandlers?.[`${d.group}/${d.plural}`];
  if (createHandler) {
    if (info.verb !== 'create') throw methodNotAllowed();
    return createHandler(sc, info, req, ctx);
  }
  if (d.createOnly) {
    if (info.verb !== 'create') throw methodNotAllowed();
    const obj = decodeObject(d, info, req, ctx).obj;
    return { status: 201, body: fromStorage(d, info.version, d.createOnly(toStorage(d, info.version, obj), ctx)) };
  }
  if (!verbs.includes(info.verb)) throw methodNotAllowed();
  switch (info.verb) {
    case 'get':
      return getObject(sc, d, info, req, ctx);
    case 'list':
      return listObjects(sc, d, info, req, ctx);
    case 'watch':
      return watchObjects(sc, d, info, req);
    case 'create':
      return createObject(sc, d, info, req, ctx);
    case 'update':
      return updateFromBody(sc, d, info, req, ctx, '');
    case 'patch':
      return patchObject(sc, d, info, req, ctx, '');
    case 'delete':
      return deleteObject(sc, d, info, req, ctx);
    case 'deletecollection':
      return deleteCollection(sc, d, info, req, ctx);
    default:
      throw methodNotAllowed();
  }
}

// ---------------------------------------------------------------- reads

function outputOne(d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, obj: KubeObject, ctx: RequestContext): unknown {
  const accept = parseAccept(header(req, 'accept'));
  if (accept.as === 'Table') {
    const include = (info.query.get('includeObject') as IncludeObject) || 'Metadata';
    return table(d, [obj], { include, now: ctx.now, rv: obj.metadata.resourceVersion, convert: (o) => fromStorage(d, info.version, o) });
  }
  if (accept.as === 'PartialObjectMetadata') return partialMetadata(obj);
  return fromStorage(d, info.version, obj);
}

async function getObject(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  if (d.virtual) {
    const obj = d.virtual.list(ctx).find((o) => o.metadata.name === info.name);
    if (!obj) throw notFound(d.plural, d.group, info.name);
    return { status: 200, body: outputOne(d, info, req, obj, ctx) };
  }
  const rv = info.query.get('resourceVersion') ?? '';
  if (rv === '') await consistentRevision(sc);
  else if (rv !== '0') await waitNotOlder(sc, rv);
  const obj = sc.cache.get(objectKey(d, info.namespace, info.name));
  if (!obj) throw notFound(d.plural, d.group, info.name);
  return { status: 200, body: outputOne(d, info, req, obj, ctx) };
}

function parseRV(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  return Number(rv);
}

async function waitNotOlder(sc: ServerContext, rvText: string): Promise<void> {
  const rv = parseRV(rvText);
  if (sc.cache.revision() >= rv) return;
  if (rv > sc.store.currentRevision()) {
    // Kubernetes waits up to 3 s for the cache, then answers 504 "Too large resource version".
    try {
      await sc.cache.waitForRevision(rv, 3000);
      return;
    } catch {
      throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${sc.cache.revision()}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
    }
  }
  await sc.cache.waitForRevision(rv, 10_000);
}

export interface Filter {
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
  namespace?: string;
}

export function buildFilter(d: ResourceDescriptor, info: RequestInfo): Filter {
  const labels = parseLabelSelector(info.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(info.query.get('fieldSelector') ?? '');
  for (const f of fields) {
    if (f.field === 'metadata.name' || f.field === 'metadata.namespace') continue;
    if (!d.fieldSelectors?.[f.field]) {
      throw badRequest(`"${f.field}" is not a known field selector: only "metadata.name", "metadata.namespace"${d.fieldSelectors ? Object.keys(d.fieldSelectors).map((k) => `, "${k}"`).join('') : ''}`);
    }
  }
  return { labels, fields, namespace: info.namespace || undefined };
}

export function matchesFilter(d: ResourceDescriptor, f: Filter, obj: KubeObject): boolean {
  if (f.labels.length && !matchesLabels(f.labels, obj.metadata.labels ?? {})) return false;
  if (f.fields.length) {
    const get = (field: string) => {
      if (field === 'metadata.name') return obj.metadata.name ?? '';
      if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
      return d.fieldSelectors?.[field]?.(obj) ?? '';
    };
    if (!matchesFields(f.fields, get)) return false;
  }
  return true;
}

interface ContinueToken {
  rv: number;
  start: string; // last key returned
}
const encodeContinue = (t: ContinueToken) => Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest(`continue key is not valid: illegal base64 data at input byte 0`);
  }
}

async function listObjects(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const filter = buildFilter(d, info);
  const limit = Number(info.query.get('limit') ?? 0) || 0;
  const cont = info.query.get('continue') ?? '';
  const rvParam = info.query.get('resourceVersion') ?? '';
  const rvMatch = info.query.get('resourceVersionMatch') ?? '';
  if (rvMatch && rvMatch !== 'Exact' && rvMatch !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${rvMatch}": supported values: "Exact", "NotOlderThan"`);
  if (rvMatch && rvParam === '') throw invalidObject('ListOptions', 'meta.k8s.io', '', [invalid('resourceVersionMatch', rvMatch, 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  if (cont && rvParam && rvParam !== '0') throw invalidObject('ListOptions', 'meta.k8s.io', '', [invalid('resourceVersion', rvParam, 'specifying resource version is not allowed when using continue')]);

  let items: KubeObject[];
  let listRV: number;
  let nextToken: string | undefined;
  let remaining: number | undefined;
  const prefix = listPrefix(d, filter.namespace);
  const match = (o: KubeObject) => matchesFilter(d, filter, o);

  if (d.virtual) {
    items = d.virtual.list(ctx).filter(match);
    listRV = sc.store.currentRevision();
  } else if (cont || (rvMatch === 'Exact' && rvParam)) {
    // Historical reads come from the store (MVCC), like Kubernetes reads them from etcd.
    const tok = cont ? decodeContinue(cont) : { rv: parseRV(rvParam), start: '' };
    const useCache = sc.cache.revision() === tok.rv;
    if (useCache && limit > 0) {
      ({ items, nextToken, remaining } = cachePage(sc, prefix, tok.start || undefined, limit, filter, match, tok.rv));
    } else if (useCache) {
      const all = sc.cache.list(prefix).items;
      const startIdx = tok.start ? upperBound(all, tok.start) : 0;
      ({ items, nextToken, remaining } = page(all.slice(startIdx), limit, match, tok.rv, filter));
    } else {
      try {
        ({ items, nextToken, remaining } = await pageFromStore(sc, prefix, tok, limit, match, filter));
      } catch (e) {
        if (e instanceof CompactedError) {
          if (cont) throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
          throw gone(`too old resource version: ${tok.rv} (${e.compacted})`);
        }
        if (e instanceof FutureRevisionError) throw new ApiError(504, 'Timeout', `Too large resource version: ${tok.rv}, current: ${e.current}`);
        throw e;
      }
    }
    listRV = tok.rv;
  } else {
    if (rvParam === '') await consistentRevision(sc);
    else if (rvParam !== '0') await waitNotOlder(sc, rvParam);
    if (limit > 0) {
      listRV = sc.cache.revision();
      ({ items, nextToken, remaining } = cachePage(sc, prefix, undefined, limit, filter, match, listRV));
    } else {
      const snap = sc.cache.list(prefix);
      listRV = snap.rv;
      ({ items, nextToken, remaining } = page(snap.items, limit, match, snap.rv, filter));
    }
  }

  const rvText = String(listRV);
  const accept = parseAccept(header(req, 'accept'));
  if (accept.as === 'Table') {
    const include = (info.query.get('includeObject') as IncludeObject) || 'Metadata';
    return { status: 200, body: table(d, items, { include, now: ctx.now, rv: rvText, cont: nextToken, remaining, convert: (o) => fromStorage(d, info.version, o) }) };
  }
  if (accept.as === 'PartialObjectMetadataList' || accept.as === 'PartialObjectMetadata') {
    return { status: 200, body: { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: rvText, ...(nextToken ? { continue: nextToken } : {}) }, items: items.map((o) => partialMetadata(o)) } };
  }
  const converted = items.map((o) => fromStorage(d, info.version, o));
  if (req.internal) return { status: 200, body: listOf(d, info.version, converted, rvText, nextToken, remaining) };
  return { status: 200, body: listJson(listOf(d, info.version, [], rvText, nextToken, remaining), converted), headers: { 'content-type': 'application/json' } };
}

/**
 * JSON text of each cached object, made once: cached objects are immutable, so a list of 10,000
 * pods is mostly a concatenation of strings already made for earlier lists and watch events.
 */
const objectJson = new WeakMap<object, string>();
export function jsonOf(o: object): string {
  let s = objectJson.get(o);
  if (s === undefined) objectJson.set(o, (s = JSON.stringify(o)));
  return s;
}

/** A JSON body sent as a sequence of parts, so a large list is never one big string. */
export class JsonParts {
  constructor(public parts: string[]) {}
}

/** A list's JSON with its items spliced in from jsonOf, as parts. */
function listJson(shell: { items: unknown[] }, items: KubeObject[]): JsonParts {
  const head = JSON.stringify(shell);
  // the shell ends with "items":[]} — put the items between the brackets
  const cut = head.lastIndexOf('[]');
  const parts: string[] = [head.slice(0, cut + 1)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(',');
    parts.push(jsonOf(items[i]));
  }
  parts.push(head.slice(cut + 1));
  return new JsonParts(parts);
}

function upperBound(all: { key: string }[], key: string): number {
  let lo = 0, hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].key <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page from the watch cache, visiting only what the page needs when nothing filters. */
function cachePage(sc: ServerContext, prefix: string, after: string | undefined, limit: number, filter: Filter, match: (o: KubeObject) => boolean, rv: number) {
  const unfiltered = filter.labels.length === 0 && filter.fields.length === 0;
  const r = sc.cache.listPage(prefix, { after, limit, match: unfiltered ? undefined : match });
  const items = r.items.map((i) => i.obj);
  const last = r.items[r.items.length - 1]?.key ?? after;
  const nextToken = r.more && last !== undefined ? encodeContinue({ rv, start: last }) : undefined;
  return { items, nextToken, remaining: nextToken && unfiltered ? r.remaining : undefined };
}

function page(all: { key: string; obj: KubeObject }[], limit: number, match: (o: KubeObject) => boolean, rv: number, filter: Filter) {
  const items: KubeObject[] = [];
  let nextToken: string | undefined;
  let remaining: number | undefined;
  const unfiltered = filter.labels.length === 0 && filter.fields.length === 0;
  for (let i = 0; i < all.length; i++) {
    const { key, obj } = all[i];
    if (!match(obj)) continue;
    items.push(obj);
    if (limit > 0 && items.length >= limit) {
      const rest = all.slice(i + 1);
      if (rest.length > 0 && (unfiltered || rest.some((r) => match(r.obj)))) {
        nextToken = encodeContinue({ rv, start: key });
        if (unfiltered) remaining = rest.length;
      }
      break;
    }
  }
  return { items, nextToken, remaining };
}

async function pageFromStore(sc: ServerContext, prefix: string, tok: ContinueToken, limit: number, match: (o: KubeObject) => boolean, filter: Filter) {
  const items: KubeObject[] = [];
  let after = tok.start || undefined;
  let nextToken: string | undefined;
  const batch = limit > 0 ? Math.max(limit, 100) : 0;
  for (;;) {
    const res = await sc.store.list(prefix, { revision: tok.rv, after, limit: batch || undefined });
    for (let i = 0; i < res.kvs.length; i++) {
      const obj = decode(res.kvs[i]);
      if (!match(obj)) continue;
      items.push(obj);
      if (limit > 0 && items.length >= limit) {
        const more = i < res.kvs.length - 1 || res.more;
        if (more) nextToken = encodeContinue({ rv: tok.rv, start: res.kvs[i].key });
        return { items, nextToken, remaining: undefined as number | undefined };
      }
    }
    if (!res.more || res.kvs.length === 0) break;
    after = res.kvs[res.kvs.length - 1].key;
  }
  void filter;
  return { items, nextToken, remaining: undefined as number | undefined };
}

async function watchObjects(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest): Promise<ApiResponse> {
  if (d.virtual) throw methodNotAllowed();
  const filter = buildFilter(d, info);
  if (info.name) filter.fields.push({ field: 'metadata.name', op: '=', value: info.name });
  const accept = parseAccept(header(req, 'accept'));
  const src = await startWatch(sc, d, info, filter, accept.as === 'Table' ? 'Table' : accept.as ? 'Partial' : 'Object');
  return { status: 200, watch: src };
}

// ---------------------------------------------------------------- writes: decoding

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidationMode(info: RequestInfo): FieldValidation {
  const v = info.query.get('fieldValidation') ?? '';
  if (v === '' || v === 'Ignore') return 'Ignore';
  if (v === 'Strict' || v === 'Warn') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

function schemaFor(d: ResourceDescriptor, version: string): Schema {
  return versionInfo(d, version).schema ?? d.schema;
}

/** Unknown and duplicate fields per fieldValidation; type mismatches are always 400. */
function checkFields(d: ResourceDescriptor, version: string, obj: unknown, duplicates: string[], mode: FieldValidation, ctx: RequestContext): void {
  const { unknown, typeErrors } = walk(obj, schemaFor(d, version), mode === 'Ignore');
  // custom resources are decoded untyped; their schema validation reports type errors as 422
  if (typeErrors.length && !d.custom) {
    const e = typeErrors[0];
    const name = isObj(obj) && isObj(obj.metadata) ? String(obj.metadata.name ?? '') : '';
    throw new ApiError(400, 'BadRequest', `${d.kind} in version "${version}" cannot be handled as a ${d.kind}: ${e.field}: ${(e.detail ?? '').replace(/^expected /, 'expected ')}`, { name, kind: d.kind });
  }
  const problems = [...duplicates.map((p) => `duplicate field "${p}"`), ...unknown.map((p) => `unknown field "${p}"`)];
  if (!problems.length) return;
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
  if (mode === 'Warn') for (const p of problems) ctx.warnings.push(p);
}

function decodeObject(d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): { obj: KubeObject } {
  const media = requireMedia(header(req, 'content-type'), ['json', 'yaml', 'protobuf'], ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  const { value, duplicates } = decodeBody(req.body ?? Buffer.alloc(0), media);
  if (!isObj(value)) throw badRequest(`Object '${'Kind'}' is missing in '${JSON.stringify(value)?.slice(0, 200)}'`);
  const obj = value as KubeObject;
  checkTypeMeta(d, info.version, obj);
  if (obj.metadata !== undefined && !isObj(obj.metadata)) throw badRequest(`${d.kind} in version "${info.version}" cannot be handled as a ${d.kind}: metadata: expected object`);
  checkFields(d, info.version, obj, duplicates, fieldValidationMode(info), ctx);
  obj.metadata = obj.metadata ?? {};
  return { obj };
}

export function fieldManager(info: RequestInfo, req: ApiRequest): string {
  const fm = info.query.get('fieldManager');
  if (fm) {
    if (fm.length > 128) throw badRequest(`fieldManager: Too long: may not be longer than 128`);
    return fm;
  }
  const ua = header(req, 'user-agent') ?? '';
  const name = ua.split('/')[0];
  return name || 'unknown';
}

// ---------------------------------------------------------------- writes: strategy

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function generateName(prefix: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[randomInt(GENERATE_CHARS.length)];
  return `${prefix.slice(0, 253 - 5)}${s}`;
}

function admit(sc: ServerContext, op: AdmissionOp, d: ResourceDescriptor, obj: KubeObject | undefined, old: KubeObject | undefined, ctx: RequestContext) {
  for (const plugin of sc.admission) plugin(op, d, obj, old, ctx);
}

function validationErrors(d: ResourceDescriptor, obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, d.namespaced, d.nameValidation ?? 'subdomain');
  if (old) {
    if (d.validateUpdate) errs.push(...d.validateUpdate(obj, old, ctx));
    else if (d.validate) errs.push(...d.validate(obj, ctx));
  } else if (d.validate) errs.push(...d.validate(obj, ctx));
  return errs;
}

const specOf = (o: KubeObject) => {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
};

function statusOnCreate(d: ResourceDescriptor): 'reset' | 'keep' {
  return d.statusOnCreate ?? (d.subresources?.status ? 'reset' : 'keep');
}

/** Prepares and validates a new object, then stores it (or returns it, for dry runs). */
export async function createStored(sc: ServerContext, d: ResourceDescriptor, obj: KubeObject, ctx: RequestContext, manager: string, version: string, alreadyManaged = false): Promise<KubeObject> {
  const meta = obj.metadata;
  if (d.namespaced) {
    if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = ctx.namespace ?? meta.namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  if (meta.resourceVersion) {
    // Kubernetes: "resourceVersion should not be set on objects to be created"
    throw new ApiError(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
  }
  if (statusOnCreate(d) === 'reset' && obj.status !== undefined) delete obj.status;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowISO(ctx.now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (d.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  d.defaults?.(obj, ctx);
  admit(sc, 'CREATE', d, obj, undefined, ctx);
  const errs = validationErrors(d, obj, undefined, ctx);
  if (errs.length) throw invalidObject(d.kind, d.group, meta.name ?? meta.generateName ?? '', errs);
  d.prepareCreate?.(obj, ctx);
  if (!alreadyManaged) {
    delete meta.managedFields;
    updateManagedFields(undefined, obj, { manager, operation: 'Update', apiVersion: apiVersionOf(d.requestGroup ?? d.group, version), schema: d.schema, now: nowISO(ctx.now), resetFields: resetFieldsFor(d, '') });
  }
  if (ctx.dryRun) return obj;
  const key = objectKey(d, meta.namespace, meta.name!);
  const kv = await sc.store.create(key, encode(obj));
  if (!kv) throw alreadyExists(d.plural, d.group, meta.name!);
  meta.resourceVersion = String(kv.modRevision);
  return obj;
}

async function createObject(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  if (info.name) throw methodNotAllowed();
  const { obj: raw } = decodeObject(d, info, req, ctx);
  const obj = toStorage(d, info.version, raw);
  const created = await createStored(sc, d, obj, ctx, fieldManager(info, req), info.version);
  return { status: 201, body: fromStorage(d, info.version, created) };
}

interface UpdateOptions {
  subresource: '' | 'status' | 'scale' | 'finalize' | string;
  /** resourceVersion precondition from the request body (no retry on conflict). */
  preconditionRV?: string;
  /** Kinds/operations that create when missing (apply, and update for kinds allowing it). */
  createIfMissing?: () => Promise<KubeObject> | KubeObject;
  manager: string;
  version: string;
  /** Set when tryUpdate already computed managedFields (server-side apply). */
  managedByCaller?: boolean;
}

/**
 * Read-modify-write with compare-and-swap, retried on conflicts when the client gave no
 * resourceVersion (Kubernetes' GuaranteedUpdate). tryUpdate receives the shared cached object and must not mutate it.
 */
export async function updateStored(
  sc: ServerContext,
  d: ResourceDescriptor,
  namespace: string | undefined,
  name: string,
  ctx: RequestContext,
  tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  o: UpdateOptions,
): Promise<{ obj: KubeObject; created: boolean }> {
  const key = objectKey(d, namespace, name);
  for (let attempt = 0; ; attempt++) {
    // The watch cache holds every acknowledged write (the store delivers before it acknowledges),
    // and compare-and-swap below catches anything newer. Cached objects are shared and immutable:
    // tryUpdate must not mutate `current`.
    const current = await currentObject(sc, key);
    if (!current) {
      if (o.createIfMissing) return { obj: await o.createIfMissing(), created: true };
      throw notFound(d.plural, d.group, name);
    }
    const kv = { modRevision: Number(current.metadata.resourceVersion) };
    const next = await tryUpdate(current);
    const pre = o.preconditionRV ?? next.metadata?.resourceVersion;
    if (pre && pre !== current.metadata.resourceVersion) throw conflict(d.plural, d.group, name);
    const obj = prepareUpdate(sc, d, next, current, ctx, o);
    if (obj === current) return { obj: current, created: false };
    if (ctx.dryRun) return { obj, created: false };
    // an object being deleted whose last finalizer is gone is removed
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !deletionBlocked(d, obj)) {
      const res = await sc.store.delete(key, kv.modRevision);
      if (!res.ok) {
        if (pre) throw conflict(d.plural, d.group, name);
        continue;
      }
      obj.metadata.resourceVersion = String(res.revision);
      return { obj, created: false };
    }
    const res = await sc.store.update(key, encode(obj), kv.modRevision);
    if (res.ok) {
      obj.metadata.resourceVersion = String(res.kv.modRevision);
      return { obj, created: false };
    }
    if (pre || attempt > 20) throw conflict(d.plural, d.group, name);
  }
}

/** The current object at key: from the watch cache, or the store if the cache has not seen it. */
async function currentObject(sc: ServerContext, key: string): Promise<KubeObject | undefined> {
  const cached = sc.cache.get(key);
  if (cached) return cached;
  const kv = await sc.store.get(key);
  return kv ? decode(kv) : undefined;
}

/** Applies the update strategy; returns `current` itself when nothing changed. */
function prepareUpdate(sc: ServerContext, d: ResourceDescriptor, next: KubeObject, current: KubeObject, ctx: RequestContext, o: UpdateOptions): KubeObject {
  if (!isObj(next.metadata)) next.metadata = {};
  const nm = next.metadata;
  const cm = current.metadata;
  if (nm.name !== undefined && nm.name !== cm.name) {
    throw badRequest(`the name of the object (${nm.name}) does not match the name on the URL (${cm.name})`);
  }
  if (d.namespaced && nm.namespace !== undefined && nm.namespace !== '' && nm.namespace !== cm.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  let obj: KubeObject;
  if (o.subresource === 'status') {
    // status writes change status only: the rest is shared with the cached object, and
    // nothing below mutates it in place (metadata is copied, managedFields cloned below)
    obj = { ...current, metadata: { ...current.metadata } };
    if (next.status === undefined) delete obj.status;
    else obj.status = next.status;
    if (d.statusUpdatesAnnotations) {
      if (next.metadata.annotations === undefined) delete obj.metadata.annotations;
      else obj.metadata.annotations = next.metadata.annotations;
    }
    if (o.managedByCaller) obj.metadata.managedFields = next.metadata.managedFields;
  } else if (o.subresource === 'finalize') {
    obj = clone(current);
    obj.spec = { ...(obj.spec ?? {}), finalizers: next.spec?.finalizers ?? [] };
  } else if (o.subresource === 'binding') {
    // binding sets spec.nodeName and the PodScheduled condition in one write
    obj = next;
  } else {
    obj = next;
    if (d.subresources?.status) {
      if (current.status === undefined) delete obj.status;
      else obj.status = clone(current.status);
    }
  }
  const m = obj.metadata;
  m.name = cm.name;
  if (d.namespaced) m.namespace = cm.namespace;
  else delete m.namespace;
  m.uid = cm.uid;
  m.creationTimestamp = cm.creationTimestamp;
  if (cm.deletionTimestamp) {
    m.deletionTimestamp = cm.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (cm.deletionTimestamp && m.finalizers) {
    // no new finalizers once deletion started
    const added = m.finalizers.filter((f) => !(cm.finalizers ?? []).includes(f));
    if (added.length) throw invalidObject(d.kind, d.group, cm.name!, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
  }
  delete m.selfLink;
  m.resourceVersion = cm.resourceVersion;
  if (!o.managedByCaller) m.managedFields = cm.managedFields && (o.subresource === 'binding' ? cm.managedFields : clone(cm.managedFields));
  obj.apiVersion = current.apiVersion;
  obj.kind = current.kind;
  // a binding writes only spec.nodeName and a condition: no defaulting, and like Kubernetes'
  // binding storage (a direct GuaranteedUpdate) it records no managedFields entry
  const binding = o.subresource === 'binding';
  if (o.subresource !== 'status' && o.subresource !== 'finalize' && !binding) d.defaults?.(obj, ctx);
  if (d.hasGeneration) {
    m.generation = cm.generation ?? 1;
    const changed = specOf(obj) !== specOf(current) || (d.hasGeneration === 'spec+annotations' && JSON.stringify(m.annotations ?? {}) !== JSON.stringify(cm.annotations ?? {}));
    if (o.subresource !== 'status' && o.subresource !== 'finalize' && changed) m.generation = (cm.generation ?? 0) + 1;
  } else delete m.generation;
  if (o.subresource !== 'binding') {
    admit(sc, 'UPDATE', d, obj, current, ctx);
    const errs = validationErrors(d, obj, current, ctx);
    if (errs.length) throw invalidObject(d.kind, d.group, cm.name!, errs);
  }
  d.prepareUpdate?.(obj, current, ctx);
  if (binding) return obj;
  if (!o.managedByCaller) {
    updateManagedFields(current, obj, { manager: o.manager, operation: 'Update', apiVersion: apiVersionOf(d.requestGroup ?? d.group, o.version), subresource: o.subresource || undefined, schema: d.schema, now: nowISO(ctx.now), resetFields: resetFieldsFor(d, o.subresource) });
  }
  if (o.subresource === 'status' ? sameStatus(d, obj, current) : sameStored(obj, current)) return current;
  return obj;
}

/** For status writes, which change only status (and a Deployment's annotations). */
function sameStatus(d: ResourceDescriptor, a: KubeObject, b: KubeObject): boolean {
  if (a.metadata.labels !== b.metadata.labels || a.metadata.finalizers !== b.metadata.finalizers || a.metadata.ownerReferences !== b.metadata.ownerReferences) return sameStored(a, b);
  if (d.statusUpdatesAnnotations && JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {})) return false;
  return JSON.stringify(a.status) === JSON.stringify(b.status);
}

/** Fields an endpoint resets, which managedFields therefore never record. */
function resetFieldsFor(d: ResourceDescriptor, subresource: string): string[][] | undefined {
  if (!d.subresources?.status) return undefined;
  if (subresource === 'status') return [['spec']];
  if (subresource === '' || subresource === 'scale') return [['status']];
  return undefined;
}

function sameStored(a: KubeObject, b: KubeObject): boolean {
  // managedFields timestamps change on every write; compare without them, as Kubernetes skips no-op updates.
  const strip = (o: KubeObject) => {
    const { managedFields: _mf, ...meta } = o.metadata;
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(a) === strip(b);
}

function deletionBlocked(d: ResourceDescriptor, obj: KubeObject): boolean {
  const blockers = d.deletionBlockers;
  return blockers ? blockers(obj).length > 0 : false;
}

async function updateFromBody(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext, subresource: string): Promise<ApiResponse> {
  const { obj: raw } = decodeObject(d, info, req, ctx);
  if (raw.metadata.name !== undefined && raw.metadata.name !== info.name) {
    throw badRequest(`the name of the object (${raw.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  const obj = toStorage(d, info.version, raw);
  const pre = obj.metadata.resourceVersion || undefined;
  const { obj: out } = await updateStored(sc, d, info.namespace || undefined, info.name, ctx, () => obj, { subresource, preconditionRV: pre, manager: fieldManager(info, req), version: info.version });
  return { status: 200, body: fromStorage(d, info.version, out) };
}

// ---------------------------------------------------------------- patch

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

async function patchObject(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext, subresource: string): Promise<ApiResponse> {
  const kind = mediaKind(header(req, 'content-type'));
  const allowed = d.custom ? ['json-patch', 'merge-patch', 'apply-patch'] : ['json-patch', 'merge-patch', 'strategic-merge-patch', 'apply-patch'];
  if (!kind || !allowed.includes(kind)) throw unsupportedMediaType(d.custom ? PATCH_TYPES.filter((t) => !t.includes('strategic')) : PATCH_TYPES);
  const { value: patch } = decodeBody(req.body ?? Buffer.alloc(0), kind);
  const mode = fieldValidationMode(info);
  const manager = fieldManager(info, req);
  const force = info.query.get('force') === 'true';
  if (kind === 'apply-patch') {
    if (!info.query.get('fieldManager')) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (!isObj(patch)) throw badRequest('error decoding YAML: the object provided is not a map');
    checkTypeMeta(d, info.version, patch as KubeObject);
    checkFields(d, info.version, patch, [], mode, ctx);
  } else if (info.query.get('force')) {
    throw badRequest('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  }
  const version = info.version;
  const schema = schemaFor(d, version);
  const apply = (currentStorage: KubeObject | undefined): KubeObject => {
    if (kind === 'apply-patch') {
      const live = currentStorage ? fromStorage(d, version, currentStorage) : undefined;
      const applied = clone(patch as KubeObject);
      applied.metadata = applied.metadata ?? {};
      if (applied.metadata.name && applied.metadata.name !== info.name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`);
      applied.metadata.name = info.name;
      if (d.namespaced) applied.metadata.namespace = applied.metadata.namespace || info.namespace;
      const out = serverSideApply(live ? clone(live) : undefined, applied, { manager, force, apiVersion: apiVersionOf(d.requestGroup ?? d.group, version), schema, now: nowISO(ctx.now), subresource: subresource || undefined, resetFields: resetFieldsFor(d, subresource) });
      if (live && out.metadata?.resourceVersion === live.metadata.resourceVersion && !(patch as KubeObject).metadata?.resourceVersion) delete out.metadata.resourceVersion;
      return toStorage(d, version, out);
    }
    const live = fromStorage(d, version, currentStorage!);
    let patched: unknown;
    if (kind === 'json-patch') patched = applyJsonPatch(clone(live), patch);
    else if (kind === 'merge-patch') patched = applyMergePatch(clone(live), patch);
    else patched = applyStrategicMergePatch(clone(live), patch, schema);
    if (!isObj(patched)) throw badRequest('the patched object is not an object');
    const p = patched as KubeObject;
    // the live resourceVersion is no precondition; one the patch sets is
    if (isObj(p.metadata) && p.metadata.resourceVersion === live.metadata.resourceVersion) delete p.metadata.resourceVersion;
    checkTypeMeta(d, version, p);
    checkFields(d, version, p, [], mode, ctx);
    return toStorage(d, version, p);
  };
  const ns = info.namespace || undefined;
  const { obj, created } = await updateStored(sc, d, ns, info.name, ctx, (cur) => apply(cur), {
    subresource,
    manager,
    version,
    managedByCaller: kind === 'apply-patch',
    createIfMissing:
      kind === 'apply-patch' && subresource === ''
        ? async () => {
            const fresh = apply(undefined);
            return createStored(sc, d, fresh, ctx, manager, version, true);
          }
        : undefined,
  });
  return { status: created ? 201 : 200, body: fromStorage(d, version, obj) };
}

// ---------------------------------------------------------------- delete

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

function deleteOptions(info: RequestInfo, req: ApiRequest): DeleteOptions {
  let o: DeleteOptions = {};
  if (req.body && req.body.length) {
    const dk = mediaKind(header(req, 'content-type'));
    const { value } = decodeBody(req.body, dk === 'yaml' || dk === 'protobuf' ? dk : 'json');
    if (isObj(value)) o = value as DeleteOptions;
  }
  const q = info.query;
  if (q.has('gracePeriodSeconds')) o.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) o.propagationPolicy = q.get('propagationPolicy')!;
  if (q.has('orphanDependents')) o.orphanDependents = q.get('orphanDependents') === 'true';
  const pp = o.propagationPolicy;
  if (pp !== undefined && !['Orphan', 'Background', 'Foreground'].includes(pp)) {
    throw invalidObject('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: pp, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
  }
  if (pp !== undefined && o.orphanDependents !== undefined) {
    throw invalidObject('DeleteOptions', 'meta.k8s.io', '', [invalid('propagationPolicy', pp, 'orphanDependents and deletionPropagation cannot be both set')]);
  }
  if (o.gracePeriodSeconds !== undefined && (!Number.isFinite(o.gracePeriodSeconds) || o.gracePeriodSeconds < 0)) o.gracePeriodSeconds = 0;
  return o;
}

export async function deleteStored(sc: ServerContext, d: ResourceDescriptor, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<KubeObject> {
  const key = objectKey(d, namespace, name);
  for (let attempt = 0; ; attempt++) {
    const current = await currentObject(sc, key);
    if (!current) throw notFound(d.plural, d.group, name);
    const kv = { modRevision: Number(current.metadata.resourceVersion) };
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) throw conflict(d.plural, d.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) throw conflict(d.plural, d.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    admit(sc, 'DELETE', d, undefined, current, ctx);

    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : d.defaultPropagation ?? 'Background');
    const obj = clone(current);
    const m = obj.metadata;
    let finalizers = [...(m.finalizers ?? [])];
    const alreadyDeleting = !!m.deletionTimestamp;
    if (policy === 'Orphan') {
      if (!finalizers.includes('orphan')) finalizers.push('orphan');
      finalizers = finalizers.filter((f) => f !== 'foregroundDeletion');
    } else if (policy === 'Foreground') {
      if (!finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      finalizers = finalizers.filter((f) => f !== 'orphan');
    } else if (opts.propagationPolicy === 'Background' || opts.orphanDependents === false) {
      finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    }
    // Adding GC finalizers only makes sense when there may be dependents; like Kubernetes, add them anyway.
    let grace = opts.gracePeriodSeconds ?? d.defaultGracePeriod?.(current) ?? 0;
    const onDeleting = d.onDeleting;
    const blocked = deletionBlocked(d, obj) || !!onDeleting;
    if (!alreadyDeleting && grace === 0 && finalizers.length === 0 && !blocked) {
      if (ctx.dryRun) return current;
      const res = await sc.store.delete(key, kv.modRevision);
      if (!res.ok) {
        if (attempt > 20) throw conflict(d.plural, d.group, name);
        continue;
      }
      return current;
    }
    if (alreadyDeleting) {
      // a shorter grace period can still be requested
      const remainingGrace = m.deletionGracePeriodSeconds ?? 0;
      if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < remainingGrace) grace = opts.gracePeriodSeconds;
      else grace = remainingGrace;
      if (grace === 0 && finalizers.length === 0 && !deletionBlocked(d, obj)) {
        if (ctx.dryRun) return current;
        const res = await sc.store.delete(key, kv.modRevision);
        if (!res.ok) continue;
        return current;
      }
      if (grace === remainingGrace && JSON.stringify(finalizers) === JSON.stringify(m.finalizers ?? [])) return current;
    }
    m.finalizers = finalizers.length ? finalizers : undefined;
    if (!m.finalizers) delete m.finalizers;
    m.deletionTimestamp = nowISO(new Date(ctx.now.getTime() + grace * 1000));
    m.deletionGracePeriodSeconds = grace;
    if (!alreadyDeleting) onDeleting?.(obj);
    if (ctx.dryRun) return obj;
    if (d.hasGeneration) m.generation = (m.generation ?? 0) + 1;
    const res = await sc.store.update(key, encode(obj), kv.modRevision);
    if (!res.ok) {
      if (attempt > 20) throw conflict(d.plural, d.group, name);
      continue;
    }
    m.resourceVersion = String(res.kv.modRevision);
    return obj;
  }
}

async function deleteObject(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const opts = deleteOptions(info, req);
  if (opts.dryRun?.length) ctx.dryRun = true;
  const obj = await deleteStored(sc, d, info.namespace || undefined, info.name, opts, ctx);
  const stillThere = !!obj.metadata.deletionTimestamp;
  const status = stillThere && opts.orphanDependents === false ? 202 : 200;
  return { status, body: fromStorage(d, info.version, obj) };
}

async function deleteCollection(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const opts = deleteOptions(info, req);
  if (opts.dryRun?.length) ctx.dryRun = true;
  const filter = buildFilter(d, info);
  await consistentRevision(sc);
  const snap = sc.cache.list(listPrefix(d, filter.namespace));
  const out: KubeObject[] = [];
  for (const { obj } of snap.items) {
    if (!matchesFilter(d, filter, obj)) continue;
    try {
      out.push(await deleteStored(sc, d, obj.metadata.namespace, obj.metadata.name!, opts, ctx));
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) continue;
      throw e;
    }
  }
  return { status: 200, body: listOf(d, info.version, out.map((o) => fromStorage(d, info.version, o)), String(sc.store.currentRevision())) };
}

// ---------------------------------------------------------------- subresources

async function handleSubresource(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const sub = info.subresource;
  const subs = d.subresources ?? {};
  if ((sub === 'status' && subs.status) || (sub === 'finalize' && d.group === '' && d.plural === 'namespaces')) {
    switch (info.verb) {
      case 'get':
        if (sub === 'finalize') throw methodNotAllowed();
        return getObject(sc, d, info, req, ctx);
      case 'update':
        return updateFromBody(sc, d, info, req, ctx, sub);
      case 'patch':
        return patchObject(sc, d, info, req, ctx, sub);
      default:
        throw methodNotAllowed();
    }
  }
  if (sub === 'scale' && subs.scale) return handleScale(sc, d, info, req, ctx);
  const handler = sc.subresourceHandlers?.[`${d.group}/${d.plural}/${sub}`];
  if (handler) return handler(sc, d, info, req, ctx);
  throw notFoundResource();
}

function readPath(obj: any, path: string): any {
  return path.split('.').filter(Boolean).reduce((o, k) => (o == null ? undefined : o[k]), obj);
}
function writePath(obj: any, path: string, value: unknown): void {
  const keys = path.split('.').filter(Boolean);
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}

function toScale(d: ResourceDescriptor, obj: KubeObject) {
  const s = d.subresources!.scale!;
  const status: Record<string, unknown> = { replicas: readPath(obj, s.statusReplicasPath) ?? 0 };
  if (s.labelSelectorPath) {
    const sel = readPath(obj, s.labelSelectorPath);
    // Scale.status.selector is the string form (metav1.FormatLabelSelector) of an object selector
    if (sel !== undefined && sel !== null) status.selector = typeof sel === 'string' ? sel : labelSelectorToString(sel);
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: readPath(obj, s.specReplicasPath) ?? 0 },
    status,
  };
}

async function handleScale(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const s = d.subresources!.scale!;
  const ns = info.namespace || undefined;
  if (info.verb === 'get') {
    await consistentRevision(sc);
    const obj = sc.cache.get(objectKey(d, ns, info.name));
    if (!obj) throw notFound(d.plural, d.group, info.name);
    return { status: 200, body: toScale(d, obj) };
  }
  if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed();
  const manager = fieldManager(info, req);
  const { obj } = await updateStored(
    sc,
    d,
    ns,
    info.name,
    ctx,
    (cur) => {
      const scale = toScale(d, cur) as any;
      let next: any;
      if (info.verb === 'update') {
        const media = requireMedia(header(req, 'content-type'), ['json', 'yaml', 'protobuf'], ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
        next = decodeBody(req.body ?? Buffer.alloc(0), media).value;
        if (next?.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(d.plural, d.group, info.name);
      } else {
        const kind = mediaKind(header(req, 'content-type'));
        const { value: patch } = decodeBody(req.body ?? Buffer.alloc(0), kind === 'apply-patch' ? 'apply-patch' : 'json');
        if (kind === 'json-patch') next = applyJsonPatch(scale, patch);
        else if (kind === 'merge-patch' || kind === 'strategic-merge-patch' || kind === 'apply-patch') next = applyMergePatch(scale, patch);
        else throw unsupportedMediaType(PATCH_TYPES);
        if (next?.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(d.plural, d.group, info.name);
      }
      const replicas = next?.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalidObject('Scale', 'autoscaling', info.name, [invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')]);
      }
      const out = clone(cur);
      writePath(out, s.specReplicasPath, replicas);
      delete out.metadata.resourceVersion;
      return out;
    },
    { subresource: 'scale', manager, version: d.storageVersion },
  );
  return { status: 200, body: toScale(d, obj) };
}

declare module './context.js' {
  interface ServerContext {
    /** Handlers for subresources beyond status/scale/finalize, keyed `group/plural/sub` (pods/binding, pods/eviction, ...). */
    /** Creates that need the server (the bindings resource), keyed `group/plural`. */
    createHandlers?: Record<string, (sc: ServerContext, info: RequestInfo, req: ApiRequest, ctx: RequestContext) => Promise<ApiResponse>>;
    subresourceHandlers?: Record<string, (sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext) => Promise<ApiResponse>>;
  }
}
