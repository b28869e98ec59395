// Strategic merge patch (application/strategic-merge-patch+json), applied the way the Kubernetes
// API server applies it (k8s.io/apimachinery/pkg/util/strategicpatch, server side: parallel lists
// merged, unmatched nulls ignored), driven by our schemas instead of Go struct tags:
//   x-kubernetes-patch-strategy  "merge" | "replace" | "retainKeys" | "merge,retainKeys"
//   x-kubernetes-patch-merge-key the key list items are matched by
// Fields without a schema (unknown fields, preserve-unknown-fields subtrees) have no strategy,
// which gives JSON merge patch semantics: maps merge, lists replace, null deletes.
//
// Directives: `$patch: replace|delete` in maps and list items, `$retainKeys`,
// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
//
// List order follows Kubernetes: patch items are placed in patch order, items only on the server
// keep their relative order, and the two are interleaved by the server order; a new item is placed
// before the server-only items that follow the last matched item (kubectl patch docs: a container
// added by a patch comes first). `$setElementOrder/<field>` overrides the patch order.
//
// Errors carry Kubernetes' texts and codes (interpretStrategicMergePatchError): malformed directive
// lists are 400 BadRequest, lists of lists 422, anything else (missing merge key, unknown $patch
// value, "merging lists cannot yet be specified in the patch") is a plain 500 error in Kubernetes.
// Sampan answers those 400 BadRequest with the same text: a malformed patch is the client's error,
// and no bad input may produce a 5xx.
import { ApiError, badRequest } from '../errors.js';
import { resolve, type Schema } from '../schema.js';
import { cloneJson, hasOwn, isPlainObject, jsonEqual, setOwn, type JsonMap } from './mergepatch.js';

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

// ---- errors ----

const errBadPatchFormatForPrimitiveList = () => badRequest('invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = () => badRequest('invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = () => badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = () => new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
/** Kubernetes' plain Go errors (500 there), reported as the client's error. */
const errPlain = (msg: string) => new ApiError(400, 'BadRequest', msg);
const errNoMergeKey = (m: JsonMap, k: string) => errPlain(`map: ${goFmt(m)} does not contain declared merge key: ${k}`);
const errBadArgType = (expected: string, actual: unknown) => errPlain(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errBadPatchType = (t: unknown, m: JsonMap) => errPlain(`unknown patch type: ${goFmt(t)} in map: ${goFmt(m)}`);

/** Go's %v rendering of decoded JSON (maps with sorted keys), for error texts. */
function goFmt(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFmt).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as JsonMap;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goFmt(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

type Kind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return 'nil';
  }
}

function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    case 'nil':
      return '%!s(<nil>)';
    default:
      return kindOf(v);
  }
}

// ---- schema lookups ----

interface PatchMeta {
  /** Schema of the field's value (for lists: of the items). */
  schema: Schema | undefined;
  strategies: string[];
  mergeKey: string;
}

function concrete(s: Schema | undefined): Schema | undefined {
  let r = resolve(s);
  // OpenAPI v3 style `allOf: [{$ref}]` wrappers
  if (r && !r.type && !r.properties && !r.items && r.allOf && r.allOf.length === 1) r = resolve(r.allOf[0]);
  return r;
}

function fieldSchema(parent: Schema | undefined, key: string): Schema | undefined {
  if (!parent) return undefined;
  if (parent.properties && hasOwn(parent.properties, key)) return parent.properties[key];
  if (parent.additionalProperties && typeof parent.additionalProperties === 'object') return parent.additionalProperties;
  return undefined;
}

function lookupMeta(parent: Schema | undefined, key: string, forSlice: boolean): PatchMeta {
  const f = fieldSchema(parent, key);
  if (!f) return { schema: undefined, strategies: [], mergeKey: '' };
  const c = concrete(f);
  const strategy = f['x-kubernetes-patch-strategy'] ?? c?.['x-kubernetes-patch-strategy'] ?? '';
  const mergeKey = f['x-kubernetes-patch-merge-key'] ?? c?.['x-kubernetes-patch-merge-key'] ?? '';
  const strategies = strategy ? strategy.split(',') : [];
  return { schema: forSlice ? concrete(c?.items) : c, strategies, mergeKey };
}

/** extractRetainKeysPatchStrategy: returns the strategy other than retainKeys. */
function patchStrategy(strategies: string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === 'retainKeys' ? '' : strategies[0];
    case 2:
      if (strategies[0] === 'retainKeys') return strategies[1];
      if (strategies[1] === 'retainKeys') return strategies[0];
  }
  throw errPlain(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

// ---- value sanitising ----

const isDirectiveKey = (k: string) =>
  k === directiveMarker || k === retainKeysDirective || k.startsWith(setElementOrderPrefix) || k.startsWith(deleteFromPrimitiveListPrefix);

/**
 * A patch value stored as it is (Kubernetes decodes it into the typed object, which drops null
 * members and directive keys): copy without null members and directive keys.
 */
function cleanRaw(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cleanRaw);
  const o: JsonMap = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x === null || isDirectiveKey(k)) continue;
    setOwn(o, k, cleanRaw(x));
  }
  return o;
}

/**
 * removeDirectives + discardNullValuesFromPatch, for values added where the original has none:
 * maps carrying `$patch` disappear (from lists, or the whole field), null members are dropped.
 * Returns undefined when the value itself is dropped.
 */
function removeDirectives(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: any[] = [];
    for (const e of v) {
      const x = removeDirectives(e);
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  if (hasOwn(v, directiveMarker)) return undefined;
  const o: JsonMap = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x === null || isDirectiveKey(k)) continue;
    const y = removeDirectives(x);
    if (y !== undefined) setOwn(o, k, y);
  }
  return o;
}

// ---- list helpers ----

const NIL = Symbol('nil');

/** The value index() compares: the merge key's value for maps, the item itself otherwise. */
function orderKey(item: unknown, mergeKey: string, kind: Kind): unknown {
  if (kind === 'map') {
    if (!isPlainObject(item) || !hasOwn(item, mergeKey)) return NIL;
    const v = item[mergeKey];
    return v === null ? NIL : v;
  }
  return item;
}

/** First position of each order key in `list`. */
function positions(list: readonly unknown[], mergeKey: string, kind: Kind): Map<unknown, number> {
  const m = new Map<unknown, number>();
  list.forEach((item, i) => {
    const k = orderKey(item, mergeKey, kind);
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

function sliceElementType(...slices: (readonly unknown[] | undefined)[]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s ?? []) {
      const cur = kindOf(v);
      if (prev === undefined) {
        prev = cur;
        if (prev === 'slice') throw errNoListOfLists();
      } else if (prev !== cur) {
        throw errPlain(`list element types are not identical: ${goFmt(slices.map((x) => x ?? []))}`);
      }
    }
  }
  if (prev === undefined) throw errPlain('no elements in any of the given slices');
  return prev;
}

function findMapByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isPlainObject(v)) throw errPlain(`value for key ${i} is not a map`);
    if (hasOwn(v, key) && v[key] === value) return i;
  }
  return -1;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: readonly unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isPlainObject(item)) throw errBadArgType('map[string]interface {}', item);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** Stable sort of `toSort` by position in `order`; `$patch: delete` items (maps) go last. */
function normalizeSliceOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order as unknown[]);
    items = [];
    for (const v of toSort) {
      if ((v as JsonMap)[directiveMarker] === deleteDirective) toDelete.push(v);
      else items.push(v);
    }
  }
  const pos = positions(order, mergeKey, kind);
  const keyed = items.map((v, i) => ({ v, i, p: pos.get(orderKey(v, mergeKey, kind)) }));
  keyed.sort((a, b) => (a.p !== undefined && b.p !== undefined && a.p !== b.p ? a.p - b.p : a.i - b.i));
  return [...keyed.map((x) => x.v), ...toDelete];
}

/** Interleaves server-only items (left) and patch items (right) by the server order. */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  const pos = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = pos.get(orderKey(left[i], mergeKey, kind));
      const ri = pos.get(orderKey(right[j], mergeKey, kind));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/** Splits `list` into items present in `by` (patch items) and the rest (server-only items). */
function partition(list: unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (!mergeKey) {
    const set = new Set(by);
    for (const v of list) (set.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  for (const v of list) {
    if (!isPlainObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapByKey(by, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function dedupeScalars(list: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const v of list) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

// ---- merging ----

function handleDirectiveInMergeMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === replaceDirective) return cleanRaw(patch);
  if (directive === deleteDirective) return {};
  throw errBadPatchType(directive, patch);
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === deleteFromPrimitiveListPrefix ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(i + 1);
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!hasOwn(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set<unknown>(list);
  for (const k of Object.keys(patch)) {
    if (k === retainKeysDirective || patch[k] === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? patchList.filter((v) => !(isPlainObject(v) && v[directiveMarker] === deleteDirective)) : patchList;
  if (mergeKey) for (const v of patchList) if (!isPlainObject(v)) throw errBadArgType('map[string]interface {}', v);
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrder.length) {
    const item = nonDelete[pi];
    if (isPlainObject(item) && hasOwn(item, directiveMarker)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrder[si], mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrder.length)
    throw errPlain(`the order in patch list:\n${goFmt(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFmt(setOrder)}`);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right || jsonEqual(left, right);
  if (!isPlainObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isPlainObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Processes `$setElementOrder/<field>` directives; returns the patch keys it consumed. */
function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, schema: Schema | undefined, consumed: Set<string>): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    consumed.add(key);
    const setOrder = patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType('[]interface {}', setOrder);
    const field = extractKey(key, setElementOrderPrefix);
    const foundOriginal = hasOwn(original, field);
    const foundPatch = hasOwn(patch, field);
    let originalList: unknown[] | undefined;
    let patchList: unknown[] | undefined;
    if (foundOriginal) {
      if (!Array.isArray(original[field])) throw errBadArgType('[]interface {}', original[field]);
      originalList = original[field];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[field])) throw errBadArgType('[]interface {}', patch[field]);
      patchList = patch[field];
    }
    const meta = lookupMeta(schema, field, true);
    const strategy = patchStrategy(meta.strategies);
    validatePatchWithSetOrderList(patchList ?? [], setOrder, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList!;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList);
    else if (foundOriginal && foundPatch) {
      const serverOrder = originalList!.slice();
      merged = mergeSliceHandler(originalList!, patchList!, meta.schema, strategy, meta.mergeKey, false);
      originalList = serverOrder;
    } else continue;

    const [patchItems, serverOnly] = partition(merged, setOrder, meta.mergeKey);
    const kind = sliceElementType(originalList, patchList);
    original[field] = normalizeElementOrder(patchItems, serverOnly, setOrder, originalList ?? [], meta.mergeKey, kind);
    consumed.add(field);
  }
}

function mergeSliceHandler(original: unknown[], patch: unknown[], itemSchema: Schema | undefined, strategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (strategy === mergeDirective || isDeleteList) return mergeSlice(original, patch, itemSchema, mergeKey, isDeleteList);
  return cleanRaw(patch);
}

function mergeSlice(original: unknown[], patch: unknown[], itemSchema: Schema | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let merged: unknown[];
  let serverOrder = original;
  let patchOrder: readonly unknown[] = patch;
  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.filter((v) => !del.has(v));
    }
    merged = dedupeScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw errPlain('cannot merge lists without merge key for struct');
    // special elements: `$patch: delete` removes by key, `$patch: replace` replaces the list
    let base = original.slice();
    const plain: JsonMap[] = [];
    let replace = false;
    for (const v of patch as JsonMap[]) {
      if (!hasOwn(v, directiveMarker)) {
        plain.push(v);
        continue;
      }
      const d = v[directiveMarker];
      if (d === deleteDirective) {
        if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
        const mv = v[mergeKey];
        for (let i = findMapByKey(base, mergeKey, mv); i >= 0; i = findMapByKey(base, mergeKey, mv)) base.splice(i, 1);
      } else if (d === replaceDirective) {
        replace = true;
      } else if (d === mergeDirective) {
        throw errPlain('merging lists cannot yet be specified in the patch');
      } else {
        throw errBadPatchType(d, v);
      }
    }
    if (replace) {
      base = plain.map(cleanRaw);
      serverOrder = base.slice();
      patchOrder = [];
    } else {
      serverOrder = base.slice();
      patchOrder = plain;
      for (const v of plain) {
        if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
        const i = findMapByKey(base, mergeKey, v[mergeKey]);
        if (i >= 0) base[i] = mergeMap(base[i] as JsonMap, v, itemSchema);
        else base.push(cleanRaw(v));
      }
    }
    merged = base;
  }
  const [patchItems, serverOnly] = partition(merged, patchOrder, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, kind === 'map' ? mergeKey : '', kind);
}

function mergeMap(original: JsonMap | null, patch: JsonMap, schema: Schema | undefined): JsonMap {
  if (hasOwn(patch, directiveMarker)) return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  const out: JsonMap = original ?? {};
  applyRetainKeys(out, patch);
  const consumed = new Set<string>();
  mergePatchIntoOriginal(out, patch, schema, consumed);

  const deleteLists: string[] = [];
  for (const k of Object.keys(patch)) {
    if (k === retainKeysDirective || consumed.has(k) || k.startsWith(setElementOrderPrefix)) continue;
    if (k.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteLists.push(k);
      continue;
    }
    mergeField(out, k, patch[k], schema, false);
  }
  for (const k of deleteLists) mergeField(out, extractKey(k, deleteFromPrimitiveListPrefix), patch[k], schema, true);
  return out;
}

function mergeField(out: JsonMap, k: string, patchV: any, schema: Schema | undefined, isDeleteList: boolean): void {
  if (patchV === null) {
    delete out[k];
    return;
  }
  const has = hasOwn(out, k);
  const ov = has ? out[k] : undefined;
  const okind = kindOf(ov);
  const pkind = kindOf(patchV);
  if (!has || okind !== pkind) {
    if (isDeleteList) return;
    const v = removeDirectives(patchV);
    if (v === undefined) delete out[k];
    else setOwn(out, k, v);
    return;
  }
  if (okind === 'map') {
    const meta = lookupMeta(schema, k, false);
    const strategy = patchStrategy(meta.strategies);
    setOwn(out, k, strategy === replaceDirective ? cleanRaw(patchV) : mergeMap(ov, patchV, meta.schema));
  } else if (okind === 'slice') {
    const meta = lookupMeta(schema, k, true);
    const strategy = patchStrategy(meta.strategies);
    setOwn(out, k, mergeSliceHandler(ov, patchV, meta.schema, strategy, meta.mergeKey, isDeleteList));
  } else {
    setOwn(out, k, patchV);
  }
}

/**
 * Applies a strategic merge patch to `doc` (a JSON object) using `schema` (the kind's schema, or a
 * $ref to it) for patch strategies and merge keys. Returns a new document; inputs are not modified.
 * A null patch changes nothing; a patch that is not a JSON object is a 400 like Kubernetes' decoder.
 */
export function applyStrategicMergePatch(doc: any, patch: any, schema: Schema | undefined): any {
  if (patch === null || patch === undefined) return cloneJson(doc);
  if (!isPlainObject(patch)) {
    const kind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  const original = isPlainObject(doc) ? cloneJson(doc) : {};
  return mergeMap(original, patch, concrete(schema));
}
