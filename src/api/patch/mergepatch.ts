// JSON merge patch (RFC 7386, application/merge-patch+json) with the behaviour of the library the
// Kubernetes API server uses (evanphx/json-patch MergePatch): null deletes, objects merge
// recursively, everything else replaces, and nulls inside newly inserted objects are dropped.
// Also the small JSON helpers the other patch engines share.
import { badRequest } from '../errors.js';

export type JsonMap = Record<string, any>;

export const isPlainObject = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sets an own property, also for the key "__proto__" (which plain assignment would turn into a prototype change). */
export function setOwn(o: JsonMap, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Deep copy of JSON data (faster than structuredClone for the small objects patches work on). */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = cloneJson(v[i]);
    return a as T;
  }
  const o: JsonMap = {};
  for (const k of Object.keys(v as JsonMap)) setOwn(o, k, cloneJson((v as JsonMap)[k]));
  return o as T;
}

/** Semantic JSON equality (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as JsonMap);
  const kb = Object.keys(b as JsonMap);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!hasOwn(b as JsonMap, k) || !jsonEqual((a as JsonMap)[k], (b as JsonMap)[k])) return false;
  return true;
}

/** Copy of `v` with null-valued object members removed at every depth (null array elements stay). */
export function pruneNulls(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((e) => pruneNulls(e));
  const o: JsonMap = {};
  for (const k of Object.keys(v)) if (v[k] !== null) setOwn(o, k, pruneNulls(v[k]));
  return o;
}

function mergeDocs(doc: JsonMap, patch: JsonMap): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = hasOwn(doc, k) ? doc[k] : undefined;
    if (cur === undefined || cur === null) setOwn(doc, k, pruneNulls(v));
    else setOwn(doc, k, mergeValue(cur, v));
  }
}

function mergeValue(cur: any, patch: any): any {
  if (!isPlainObject(cur)) return pruneNulls(patch);
  // evanphx/json-patch keeps a non-object patch value as it is (nulls inside included)
  if (!isPlainObject(patch)) return cloneJson(patch);
  mergeDocs(cur, patch);
  return cur;
}

/**
 * Applies a JSON merge patch and returns a new document; the inputs are not modified.
 * A null or scalar patch is rejected like Kubernetes does (400 "Invalid JSON Patch"); an array patch
 * replaces the document (the caller rejects a non-object result when decoding it).
 */
export function applyMergePatch(doc: any, patch: any): any {
  if (patch === null || typeof patch !== 'object') throw badRequest('Invalid JSON Patch');
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isPlainObject(doc)) return pruneNulls(patch);
  const out = cloneJson(doc);
  mergeDocs(out, patch);
  return out;
}

/**
 * Creates a merge patch that turns `original` into `modified`: removed members become null,
 * changed objects are diffed recursively, anything else that differs is replaced whole.
 * (A member whose new value is null cannot be expressed in a merge patch.)
 */
export function createMergePatch(original: any, modified: any): any {
  if (!isPlainObject(original) || !isPlainObject(modified)) return cloneJson(modified);
  return diffObjects(original, modified);
}

function diffObjects(o: JsonMap, m: JsonMap): JsonMap {
  const patch: JsonMap = {};
  for (const k of Object.keys(o)) if (!hasOwn(m, k)) setOwn(patch, k, null);
  for (const k of Object.keys(m)) {
    const mv = m[k];
    if (!hasOwn(o, k)) {
      setOwn(patch, k, cloneJson(mv));
      continue;
    }
    const ov = o[k];
    if (isPlainObject(ov) && isPlainObject(mv)) {
      const d = diffObjects(ov, mv);
      if (Object.keys(d).length) setOwn(patch, k, d);
    } else if (!jsonEqual(ov, mv)) {
      setOwn(patch, k, cloneJson(mv));
    }
  }
  return patch;
}
