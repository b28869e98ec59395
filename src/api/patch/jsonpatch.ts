// JSON patch (RFC 6902, application/json-patch+json) as the Kubernetes API server applies it
// (evanphx/json-patch v4 semantics: negative array indices count from the end, a missing "value"
// is null, a "test" of a missing member against null passes).
//
// Errors are those the API server returns:
//  - a body that is not a list of operation objects: 400 BadRequest with the JSON decoder's text;
//  - more than 10000 operations: 413;
//  - an operation that cannot be applied: 422 Invalid with the generic message
//    "the server rejected our request due to an error in our request" (Kubernetes does not pass
//    the library's reason on; it is kept in `JsonPatchApplyError.detail` for logs and tests).
import { ApiError, badRequest, tooLarge } from '../errors.js';
import { cloneJson, hasOwn, isPlainObject, jsonEqual, setOwn } from './mergepatch.js';

export const MAX_JSON_PATCH_OPERATIONS = 10000;

export class JsonPatchApplyError extends ApiError {
  constructor(public detail: string) {
    super(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}

/** Go's name for a JSON value's kind in "json: cannot unmarshal X into Go value of type Y". */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

function parsePointer(path: string, what: string): string[] {
  if (path === '') return [];
  if (path[0] !== '/') throw new JsonPatchApplyError(`${what} operation does not apply: doc is missing path: "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Array index as the library reads it (decimal, optional sign; negative counts from the end). */
function parseIndex(key: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(key)) return undefined;
  return Number(key);
}

type Container = JsonMap | any[];
type JsonMap = Record<string, any>;

/** Walks to the parent container of the last token. */
function findParent(doc: any, tokens: string[]): Container | undefined {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    cur = getChild(cur, tokens[i]);
    if (cur === undefined) return undefined;
  }
  return cur !== null && typeof cur === 'object' ? cur : undefined;
}

function arrayIndex(arr: any[], key: string): number | undefined {
  let idx = parseIndex(key);
  if (idx === undefined) return undefined;
  if (idx < 0) {
    if (idx < -arr.length) return undefined;
    idx += arr.length;
  }
  return idx < arr.length ? idx : undefined;
}

function getChild(cur: any, key: string): any {
  if (Array.isArray(cur)) {
    const idx = arrayIndex(cur, key);
    return idx === undefined ? undefined : cur[idx];
  }
  if (isPlainObject(cur)) return hasOwn(cur, key) ? cur[key] : undefined;
  return undefined;
}

function getPath(doc: any, tokens: string[]): any {
  let cur = doc;
  for (const t of tokens) {
    cur = getChild(cur, t);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Returns the new document (only differs from `doc` when the root is replaced). */
function add(doc: any, path: string, tokens: string[], value: any, what = 'add'): any {
  if (tokens.length === 0) return value;
  const parent = findParent(doc, tokens);
  if (!parent) throw new JsonPatchApplyError(`${what} operation does not apply: doc is missing path: "${path}"`);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (key === '-') {
      parent.push(value);
      return doc;
    }
    let idx = parseIndex(key);
    if (idx === undefined) throw new JsonPatchApplyError(`value was not a proper array index: '${key}'`);
    const size = parent.length + 1;
    if (idx >= size || idx < -size) throw new JsonPatchApplyError(`Unable to access invalid index: ${idx}: invalid index referenced`);
    if (idx < 0) idx += size;
    parent.splice(idx, 0, value);
    return doc;
  }
  setOwn(parent, key, value);
  return doc;
}

function remove(doc: any, path: string, tokens: string[], what = 'remove'): any {
  if (tokens.length === 0) throw new JsonPatchApplyError(`${what} operation does not apply: doc is missing path: "${path}"`);
  const parent = findParent(doc, tokens);
  if (!parent) throw new JsonPatchApplyError(`${what} operation does not apply: doc is missing path: "${path}"`);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = arrayIndex(parent, key);
    if (idx === undefined) throw new JsonPatchApplyError(`Unable to access invalid index: ${key}: invalid index referenced`);
    parent.splice(idx, 1);
    return doc;
  }
  if (!hasOwn(parent, key)) throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
  delete parent[key];
  return doc;
}

function replace(doc: any, path: string, tokens: string[], value: any): any {
  if (tokens.length === 0) return value;
  const parent = findParent(doc, tokens);
  if (!parent) throw new JsonPatchApplyError(`replace operation does not apply: doc is missing path: ${path}`);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = arrayIndex(parent, key);
    if (idx === undefined) throw new JsonPatchApplyError(`Unable to access invalid index: ${key}: invalid index referenced`);
    parent[idx] = value;
    return doc;
  }
  if (!hasOwn(parent, key)) throw new JsonPatchApplyError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  setOwn(parent, key, value);
  return doc;
}

function strField(op: JsonMap, name: string, kind: string): string {
  const v = op[name];
  if (typeof v !== 'string') throw new JsonPatchApplyError(`${kind} operation missing ${name} field`);
  return v;
}

/**
 * Applies an RFC 6902 patch (already parsed JSON) and returns the new document.
 * The input document and the operations are never modified.
 */
export function applyJsonPatch(doc: any, ops: unknown): any {
  if (ops === null) return cloneJson(doc);
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  for (const o of ops) {
    if (o !== null && !isPlainObject(o)) throw badRequest(`json: cannot unmarshal ${jsonKind(o)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS)
    throw tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);

  let out = cloneJson(doc);
  for (const raw of ops as (JsonMap | null)[]) {
    const op: JsonMap = raw ?? {};
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const value = () => (hasOwn(op, 'value') ? cloneJson(op.value) : null);
    switch (kind) {
      case 'add': {
        const path = strField(op, 'path', kind);
        out = add(out, path, parsePointer(path, kind), value());
        break;
      }
      case 'remove': {
        const path = strField(op, 'path', kind);
        out = remove(out, path, parsePointer(path, kind));
        break;
      }
      case 'replace': {
        const path = strField(op, 'path', kind);
        out = replace(out, path, parsePointer(path, kind), value());
        break;
      }
      case 'move': {
        const from = strField(op, 'from', kind);
        const path = strField(op, 'path', kind);
        const ft = parsePointer(from, kind);
        const pt = parsePointer(path, kind);
        const v = getPath(out, ft);
        if (v === undefined) throw new JsonPatchApplyError(`move operation does not apply: doc is missing from path: ${from}`);
        if (from === path) break;
        if (pt.length > ft.length && ft.every((t, i) => pt[i] === t))
          throw new JsonPatchApplyError(`move operation does not apply: "${path}" is a child of "${from}"`);
        out = remove(out, from, ft, kind);
        out = add(out, path, pt, v, kind);
        break;
      }
      case 'copy': {
        const from = strField(op, 'from', kind);
        const path = strField(op, 'path', kind);
        const v = getPath(out, parsePointer(from, kind));
        if (v === undefined) throw new JsonPatchApplyError(`copy operation does not apply: doc is missing from path: ${from}`);
        out = add(out, path, parsePointer(path, kind), cloneJson(v), kind);
        break;
      }
      case 'test': {
        const path = strField(op, 'path', kind);
        const cur = getPath(out, parsePointer(path, kind));
        const want = hasOwn(op, 'value') ? op.value : null;
        if (cur === undefined || cur === null) {
          if (want === null) break;
          throw new JsonPatchApplyError(`testing value ${path} failed: test failed`);
        }
        if (!jsonEqual(cur, want)) throw new JsonPatchApplyError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchApplyError(`Unexpected kind: ${kind}`);
    }
  }
  return out;
}
