// Server-side apply (application/apply-patch+yaml) and managedFields bookkeeping for every write.
//
// The model is Kubernetes' structured-merge-diff: each manager owns a set of fields
// (fieldset.ts). An apply merges the applied configuration into the live object by the
// schema's list and map types, makes the applier own exactly the fields it applied, removes
// fields it applied before but no longer applies (unless someone else owns them), and refuses
// to change fields another manager owns unless forced. Ordinary create/update/patch requests
// record the fields they changed under an "Update" entry of their manager.
import { ApiError, badRequest, internal } from '../errors.js';
import type { KubeObject, ManagedFieldsEntry, StatusCause } from '../types.js';
import { deepClone } from '../types.js';
import type { Schema } from '../schema.js';
import {
  FieldPathError,
  FieldSet,
  type Path,
  type PathElement,
  type Shape,
  difference,
  ensureNamedFieldsAreMembers,
  fieldSchema,
  fieldSetOf,
  fromFieldsV1,
  goJson,
  intersection,
  isDeclared,
  isLeafShape,
  isObj,
  itemPE,
  pathString,
  peKey,
  recursiveDifference,
  setOfPaths,
  shapeFor,
  shapeOf,
  toFieldsV1,
  union,
} from './fieldset.js';
import { resolve } from '../schema.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Owner of every field of an object that had no managedFields when it was first applied. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';
/** Bucket the oldest Update entries are merged into once there are more than MAX_UPDATE_MANAGERS. */
export const ANCIENT_CHANGES = 'ancient-changes';
export const MAX_UPDATE_MANAGERS = 10;

export interface ApplyOptions {
  manager: string;
  force: boolean;
  /** group/version of the request, e.g. "apps/v1" or "v1" */
  apiVersion: string;
  schema: Schema;
  /** RFC 3339 timestamp (seconds) recorded on entries this request changes */
  now: string;
  subresource?: string;
  /** Fields the endpoint resets and therefore never records (e.g. [['status']] on the main resource). */
  resetFields?: string[][];
}

export interface UpdateOptions {
  manager: string;
  operation: 'Update';
  apiVersion: string;
  subresource?: string;
  schema: Schema;
  now: string;
  /** Fields the endpoint resets and therefore never records (e.g. [['status']] on the main resource). */
  resetFields?: string[][];
}

// ---------------------------------------------------------------------------------------------
// Managers

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}
type Managers = Map<string, Manager>;

/** Identity of an entry: manager, operation, subresource, and apiVersion for Update entries (Go JSON, as Kubernetes builds it). */
function managerId(manager: string, operation: string, apiVersion: string, subresource?: string): string {
  const parts: string[] = [];
  if (manager) parts.push(`"manager":${goJson(manager)}`);
  if (operation) parts.push(`"operation":${goJson(operation)}`);
  if (operation !== 'Apply' && apiVersion) parts.push(`"apiVersion":${goJson(apiVersion)}`);
  if (subresource) parts.push(`"subresource":${goJson(subresource)}`);
  return '{' + parts.join(',') + '}';
}

const idOf = (m: Manager) => managerId(m.manager, m.operation, m.apiVersion, m.subresource);

/** A single empty entry asks for managedFields to be cleared. */
function isResetRequest(entries: ManagedFieldsEntry[] | undefined): boolean {
  return Array.isArray(entries) && entries.length === 1 && isObj(entries[0]) && Object.values(entries[0]).every((v) => v === undefined);
}

function decodeManagers(entries: ManagedFieldsEntry[] | undefined): Managers {
  const out: Managers = new Map();
  if (!entries) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObj(raw)) throw new Error(`invalid managed fields entry ${i}`);
    const e = raw as ManagedFieldsEntry;
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const m: Manager = {
      manager: e.manager ?? '',
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time ?? undefined,
      set: fromFieldsV1(e.fieldsV1 ?? {}),
    };
    if (e.operation && e.operation !== 'Apply' && e.operation !== 'Update') m.operation = e.operation as 'Update';
    out.set(managerId(m.manager, e.operation ?? '', m.apiVersion, m.subresource), m);
  });
  return out;
}

const seconds = (t: string | undefined) => {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};

/** managedFields in Kubernetes' order: Apply before Update, then by time, manager, apiVersion, subresource. */
function encodeManagers(ms: Managers): ManagedFieldsEntry[] {
  const list = [...ms.values()].filter((m) => !m.set.isEmpty());
  list.sort(
    (p, q) =>
      cmpStr(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmpStr(p.manager, q.manager) ||
      cmpStr(p.apiVersion, q.apiVersion) ||
      cmpStr(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => {
    const e: ManagedFieldsEntry = {};
    if (m.manager) e.manager = m.manager;
    e.operation = m.operation;
    if (m.apiVersion) e.apiVersion = m.apiVersion;
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = toFieldsV1(m.set);
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function cloneManagers(ms: Managers): Managers {
  const out: Managers = new Map();
  for (const [k, m] of ms) out.set(k, { ...m });
  return out;
}

/** Merges the oldest Update entries into per-version "ancient-changes" entries beyond the cap. */
function capUpdateManagers(ms: Managers): void {
  const updaters = [...ms.keys()].filter((k) => ms.get(k)!.operation !== 'Apply');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort((a, b) => seconds(ms.get(a)!.time) - seconds(ms.get(b)!.time) || cmpStr(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i];
    const m = ms.get(id)!;
    const bucket = managerId(ANCIENT_CHANGES, 'Update', m.apiVersion);
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    if (!ms.has(bucket)) {
      const f = ms.get(first)!;
      ms.delete(first);
      ms.set(bucket, { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: m.apiVersion, time: f.time, set: f.set });
    }
    const b = ms.get(bucket)!;
    ms.set(bucket, { ...b, set: union(m.set, b.set), time: m.time });
    ms.delete(id);
    length--;
  }
}

// ---------------------------------------------------------------------------------------------
// Fields that are never tracked

const STRIP = setOfPaths([
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
]);

const resetSet = (reset: string[][] | undefined) => setOfPaths((reset ?? []).map((p) => p.map((field) => ({ field }))));

function withoutManagedFields(o: KubeObject): KubeObject {
  if (!o.metadata || o.metadata.managedFields === undefined) return o;
  const { managedFields: _drop, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

// ---------------------------------------------------------------------------------------------
// Value helpers

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    nx++;
    if (!deepEqual(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (y[k] !== undefined) ny++;
  return nx === ny;
}

type Kind = 'leaf' | 'map' | 'list';

/** How a pair of values at one schema node is walked: as a leaf, a granular map, or a granular list. */
function kindOf(sh: Shape, a: unknown, b: unknown): { kind: Kind; sh: Shape } {
  if (sh.k === 'deduced') {
    const okA = a === undefined || isObj(a);
    const okB = b === undefined || isObj(b);
    return okA && okB ? { kind: 'map', sh: shapeFor(sh, {}) } : { kind: 'leaf', sh };
  }
  if (isLeafShape(sh) || sh.k === 'scalar') return { kind: 'leaf', sh };
  if (sh.k === 'map') {
    const ok = (v: unknown) => v === undefined || v === null || isObj(v);
    return ok(a) && ok(b) ? { kind: 'map', sh } : { kind: 'leaf', sh };
  }
  const ok = (v: unknown) => v === undefined || v === null || Array.isArray(v);
  return ok(a) && ok(b) ? { kind: 'list', sh } : { kind: 'leaf', sh };
}

const isEmptyContainer = (v: unknown) => v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0);

interface IndexedList {
  keys: string[];
  pes: PathElement[];
  /** item by key; undefined when the key occurs more than once */
  byKey: Map<string, unknown>;
  dups: Set<string>;
}

function indexList(sh: Shape & { k: 'list' }, list: unknown[], path: Path, allowDuplicates: boolean): IndexedList {
  const r: IndexedList = { keys: [], pes: [], byKey: new Map(), dups: new Set() };
  for (let i = 0; i < list.length; i++) {
    const pe = itemPE(sh, list[i], i, () => pathString(path));
    const k = peKey(pe);
    if (r.byKey.has(k) || r.dups.has(k)) {
      if (!allowDuplicates) throw new FieldPathError(pathString(path), `duplicate entries for key ${pathString([pe])}`);
      r.dups.add(k);
      r.byKey.set(k, undefined);
    } else r.byKey.set(k, list[i]);
    r.keys.push(k);
    r.pes.push(pe);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Compare: which fields an update added, modified or removed

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Field-level difference between two versions of an object (undefined = absent). */
export function compareObjects(lhs: unknown, rhs: unknown, schema: Schema | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  cmp(lhs, rhs, shapeOf(schema), [], c);
  return c;
}

function cmpLeaf(l: unknown, r: unknown, path: Path, c: Comparison) {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function cmp(l: unknown, r: unknown, sh0: Shape, path: Path, c: Comparison): void {
  const { kind, sh } = kindOf(sh0, l, r);
  if (kind === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
    cmpLeaf(l, r, path, c);
    return;
  }
  if (kind === 'map') {
    const ms = sh as Shape & { k: 'map' };
    const lo = (isObj(l) ? l : {}) as Record<string, unknown>;
    const ro = (isObj(r) ? r : {}) as Record<string, unknown>;
    for (const k in lo) {
      if (lo[k] === undefined) continue;
      path.push({ field: k });
      cmp(lo[k], ro[k], shapeOf(fieldSchema(ms, k)), path, c);
      path.pop();
    }
    for (const k in ro) {
      if (ro[k] === undefined || (k in lo && lo[k] !== undefined)) continue;
      path.push({ field: k });
      cmp(undefined, ro[k], shapeOf(fieldSchema(ms, k)), path, c);
      path.pop();
    }
  } else {
    const ls = sh as Shape & { k: 'list' };
    const li = indexList(ls, Array.isArray(l) ? l : [], path, true);
    const ri = indexList(ls, Array.isArray(r) ? r : [], path, true);
    const itemShape = shapeOf(ls.item);
    const visit = (k: string, pe: PathElement) => {
      path.push(pe);
      if (li.dups.has(k) || ri.dups.has(k)) {
        const pick = (ix: IndexedList, list: unknown) => (Array.isArray(list) ? list.filter((_, i) => ix.keys[i] === k) : []);
        const a = pick(li, l);
        const b = pick(ri, r);
        cmpLeaf(a.length ? a : undefined, b.length ? b : undefined, path, c);
      } else cmp(li.byKey.get(k), ri.byKey.get(k), itemShape, path, c);
      path.pop();
    };
    const seen = new Set<string>();
    li.keys.forEach((k, i) => {
      if (!seen.has(k)) (seen.add(k), visit(k, li.pes[i]));
    });
    ri.keys.forEach((k, i) => {
      if (!seen.has(k)) (seen.add(k), visit(k, ri.pes[i]));
    });
  }
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

// ---------------------------------------------------------------------------------------------
// Merge: the applied configuration into the live object

function nullable(s: Schema | undefined): boolean {
  return !!(s && (s.nullable || resolve(s)?.nullable));
}

function merge(l: unknown, r: unknown, sh0: Shape, path: Path): unknown {
  if (r === undefined) return l;
  if (l === undefined) return r;
  const { kind, sh } = kindOf(sh0, l, r);
  if (kind === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) return r;
  if (kind === 'map') {
    const ms = sh as Shape & { k: 'map' };
    const lo = (isObj(l) ? l : {}) as Record<string, unknown>;
    const ro = (isObj(r) ? r : {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const set = (k: string, v: unknown) => {
      if (v === undefined) return;
      if (v === null && !nullable(fieldSchema(ms, k))) return;
      out[k] = v;
    };
    for (const k in lo) {
      if (k in ro) {
        path.push({ field: k });
        set(k, merge(lo[k], ro[k], shapeOf(fieldSchema(ms, k)), path));
        path.pop();
      } else set(k, lo[k]);
    }
    for (const k in ro) if (!(k in lo)) set(k, ro[k]);
    return Object.keys(out).length ? out : undefined;
  }
  return mergeList(Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], sh as Shape & { k: 'list' }, path);
}

/** Keyed/set list merge, ordered as structured-merge-diff orders it. */
function mergeList(l: unknown[], r: unknown[], sh: Shape & { k: 'list' }, path: Path): unknown[] | undefined {
  const ri = indexList(sh, r, path, false);
  const li = indexList(sh, l, path, true);
  const itemShape = shapeOf(sh.item);
  const shared = ri.keys.filter((k) => li.byKey.has(k));
  let si = 0;
  let nextShared: string | undefined = shared[si++];
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (k: string, pe: PathElement, lc: unknown, rc: unknown) => {
    path.push(pe);
    const v = rc === undefined ? lc : merge(lc, rc, itemShape, path);
    path.pop();
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < l.length || rI < r.length) {
    if (lI < l.length && rI < r.length) {
      const k = li.keys[lI];
      if (k === ri.keys[rI]) {
        mergedR.add(k);
        mergeItem(k, li.pes[lI], li.byKey.get(k), ri.byKey.get(k));
        lI++;
        rI++;
        nextShared = shared[si++];
        continue;
      }
      if (ri.byKey.has(k) && nextShared !== undefined && nextShared !== k) {
        lI++;
        continue;
      }
    }
    if (lI < l.length) {
      const k = li.keys[lI];
      if (!ri.byKey.has(k)) {
        mergeItem(k, li.pes[lI], l[lI], undefined);
        lI++;
        continue;
      } else if (mergedR.has(k)) {
        lI++;
        continue;
      }
    }
    if (rI < r.length) {
      const k = ri.keys[rI];
      mergedR.add(k);
      mergeItem(k, ri.pes[rI], li.byKey.get(k), ri.byKey.get(k));
      rI++;
      if (nextShared !== undefined && nextShared === k) nextShared = shared[si++];
    }
  }
  return out.length ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// Remove: drop the fields and items of a set from a value

function removeItems(v: unknown, set: FieldSet, sh0: Shape, path: Path): unknown {
  const sh = shapeFor(sh0, v);
  if (isLeafShape(sh) || set.isEmpty()) return v;
  if (sh.k === 'map') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k in o) {
      if (o[k] === undefined) continue;
      const pe: PathElement = { field: k };
      const n = set.nodes.get(peKey(pe));
      if (n?.member) continue;
      if (n?.sub) {
        path.push(pe);
        out[k] = removeItems(o[k], n.sub, shapeOf(fieldSchema(sh, k)), path);
        path.pop();
      } else out[k] = o[k];
    }
    return out;
  }
  if (sh.k === 'list') {
    const list = v as unknown[];
    const out: unknown[] = [];
    const itemShape = shapeOf(sh.item);
    for (let i = 0; i < list.length; i++) {
      const pe = itemPE(sh, list[i], i, () => pathString(path));
      const n = set.nodes.get(peKey(pe));
      if (n?.member) continue;
      if (n?.sub) {
        path.push(pe);
        out.push(removeItems(list[i], n.sub, itemShape, path));
        path.pop();
      } else out.push(list[i]);
    }
    return out;
  }
  return v;
}

const remove = (v: unknown, set: FieldSet, schema: Schema) => removeItems(v, set, shapeOf(schema), []);

/**
 * Removes what the applier applied last time but not this time, unless another manager (or
 * this apply) owns it, following structured-merge-diff's prune / add-back steps.
 */
function prune(merged: unknown, managers: Managers, applyId: string, lastSet: FieldSet | undefined, schema: Schema): unknown {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, schema);
  const last = named(lastSet);
  // Nothing was dropped from the applier's configuration: every path it owned (and each of its
  // ancestors) is still applied, so nothing can be pruned.
  const current = managers.get(applyId);
  if (current && difference(last, named(current.set)).isEmpty()) return merged;
  let pruned = remove(merged, last, schema);
  let managed = new FieldSet();
  for (const m of managers.values()) managed = union(managed, m.set);
  const mergedSet = named(fieldSetOf(merged, schema));
  const prunedSet = named(fieldSetOf(pruned, schema));
  pruned = remove(merged, difference(mergedSet, union(prunedSet, named(managed))), schema);
  const prunedSet2 = named(fieldSetOf(pruned, schema));
  return remove(merged, intersection(difference(mergedSet, prunedSet2), last), schema);
}

// ---------------------------------------------------------------------------------------------
// Ownership changes and conflicts

interface Conflict {
  id: string;
  path: Path;
}

/**
 * Takes the fields changed between live and next away from every manager but self (conflicts
 * when not forced) and drops removed fields from every manager's set.
 */
function transferOwnership(live: unknown, next: unknown, ms: Managers, selfId: string, force: boolean, schema: Schema, reset: FieldSet): Conflict[] {
  const c = compareObjects(live, next, schema);
  const changed = recursiveDifference(union(c.modified, c.added), reset);
  const removed = recursiveDifference(c.removed, reset);
  const conflicts: Conflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const id of [...ms.keys()].sort()) {
    if (id === selfId) continue;
    const cs = intersection(ms.get(id)!.set, changed);
    if (cs.isEmpty()) continue;
    taken.set(id, cs);
    for (const p of cs.paths()) conflicts.push({ id, path: p });
  }
  if (conflicts.length && !force) return conflicts;
  for (const [id, m] of ms) {
    if (id === selfId) continue;
    let s = m.set;
    const cs = taken.get(id);
    if (cs) s = difference(s, cs);
    if (!removed.isEmpty()) s = difference(s, removed);
    if (s.isEmpty()) ms.delete(id);
    else m.set = s;
  }
  return [];
}

function printManager(id: string): string {
  let e: ManagedFieldsEntry;
  try {
    e = JSON.parse(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** 409 Conflict with Kubernetes' message and one FieldManagerConflict cause per field. */
function conflictError(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.id)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].id)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) {
      const l = byManager.get(c.id) ?? [];
      l.push(c.path);
      byManager.set(c.id, l);
    }
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(id)}:`);
      for (const p of byManager.get(id)!) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

// ---------------------------------------------------------------------------------------------
// Creates: what an empty object of the kind already has

// Kubernetes compares a create against the Go zero value of the kind, in which non-pointer
// structs (spec, status, a pod template, ...) already exist and so are not recorded as added
// themselves, while maps, optional structs and lists are. These names are the struct fields
// that are values (not pointers) in the built-in types.
const VALUE_STRUCTS = new Set(['metadata', 'spec', 'status', 'template', 'strategy', 'updateStrategy', 'jobTemplate', 'loadBalancer', 'resources']);
const VALUE_LISTS = new Set(['containers']);

function zeroOf(v: unknown, sh0: Shape): Record<string, unknown> {
  const z: Record<string, unknown> = {};
  const sh = shapeFor(sh0, v);
  if (sh.k !== 'map' || sh.atomic || !isObj(v)) return z;
  for (const k of Object.keys(v)) {
    if (!isDeclared(sh, k)) continue;
    const cs = shapeFor(shapeOf(fieldSchema(sh, k)), v[k]);
    if (VALUE_STRUCTS.has(k) && cs.k === 'map' && !cs.atomic) z[k] = zeroOf(v[k], cs);
    else if (VALUE_LISTS.has(k) && Array.isArray(v[k])) z[k] = null;
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Update (create, update, patch)

/** Fields an update changed, as owned by the updater (already stripped of untracked fields). */
function recordUpdate(old: unknown, obj: unknown, ms: Managers, entry: Omit<Manager, 'set' | 'time'>, now: string, schema: Schema, reset: FieldSet): void {
  const c = compareObjects(old, obj, schema);
  const changed = recursiveDifference(union(c.modified, c.added), reset);
  const removed = recursiveDifference(c.removed, reset);
  for (const [id, m] of ms) {
    let s = difference(m.set, changed);
    if (!removed.isEmpty()) s = difference(s, removed);
    if (s.isEmpty()) ms.delete(id);
    else m.set = s;
  }
  const mine = difference(changed, STRIP);
  if (mine.isEmpty()) return;
  const id = managerId(entry.manager, entry.operation, entry.apiVersion, entry.subresource);
  const prev = ms.get(id);
  ms.set(id, { ...entry, time: now, set: prev ? union(mine, prev.set) : mine });
}

/**
 * Records the fields a create/update/patch changed as owned by o.manager (operation Update)
 * and writes obj.metadata.managedFields. old is the stored object (undefined for a create).
 * Managed fields sent by the client are used when they decode and are non-empty (a single
 * empty entry clears them); otherwise the stored ones are kept.
 */
export function updateManagedFields(old: KubeObject | undefined, obj: KubeObject, o: UpdateOptions): void {
  obj.metadata ??= {};
  const sent = obj.metadata.managedFields;
  let ms: Managers | undefined;
  if (isResetRequest(sent)) ms = new Map();
  else {
    try {
      ms = decodeManagers(sent);
    } catch {
      ms = undefined;
    }
    if (!ms || ms.size === 0 || o.subresource) {
      try {
        ms = decodeManagers(old?.metadata?.managedFields);
      } catch {
        delete obj.metadata.managedFields;
        return;
      }
    }
  }
  delete obj.metadata.managedFields;
  // An existing object without managedFields stays untracked until it is applied.
  if (ms.size === 0 && old && old.metadata?.uid) return;
  try {
    const base = old ? withoutManagedFields(old) : zeroOf(obj, shapeOf(o.schema));
    recordUpdate(base, obj, ms, { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, subresource: o.subresource }, o.now, o.schema, resetSet(o.resetFields));
  } catch (e) {
    if (e instanceof FieldPathError) return; // untyped garbage: leave the object without managedFields, as Kubernetes does
    throw e;
  }
  capUpdateManagers(ms);
  const entries = encodeManagers(ms);
  if (entries.length) obj.metadata.managedFields = entries;
}

// ---------------------------------------------------------------------------------------------
// Apply

function groupVersionKind(obj: KubeObject): string {
  const av = obj.apiVersion ?? '';
  const gv = av.includes('/') ? av : '/' + av;
  return `${gv}, Kind=${obj.kind ?? ''}`;
}

/** Fields of the last client-side applied configuration whose values live still has. */
function allowedFromLastApplied(live: KubeObject, schema: Schema): FieldSet | undefined {
  const raw = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const last = JSON.parse(raw);
    if (!isObj(last)) return undefined;
    const lastSet = fieldSetOf(last, schema);
    const c = compareObjects(last, live, schema);
    return difference(intersection(lastSet, fieldSetOf(live, schema)), c.modified);
  } catch {
    return undefined;
  }
}

/**
 * Server-side apply of `applied` onto `live` (undefined: the object is created from the
 * applied configuration). Returns the new object with metadata.managedFields updated; throws
 * ApiError 409 Conflict when fields owned by other managers would change and o.force is false,
 * 400 for an invalid applied configuration.
 */
export function applyPatch(live: KubeObject | undefined, applied: KubeObject, o: ApplyOptions): KubeObject {
  if (!isObj(applied)) throw badRequest('the body of the request must be a single object');
  if ((applied.apiVersion ?? '') !== o.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion ?? ''}, expected: ${o.apiVersion}`);
  }
  if (applied.metadata?.managedFields != null) throw badRequest('metadata.managedFields must be nil');
  const schema = o.schema;
  const reset = resetSet(o.resetFields);

  let configSet: FieldSet;
  try {
    configSet = recursiveDifference(difference(fieldSetOf(applied, schema, false), STRIP), reset);
  } catch (e) {
    if (e instanceof FieldPathError) {
      const m = applied.metadata ?? {};
      throw badRequest(`failed to create typed patch object (${groupVersionKind(applied)}) ${m.namespace ?? ''}/${m.name ?? ''}: ${e.message}`);
    }
    throw e;
  }

  let managers: Managers;
  try {
    managers = decodeManagers(live?.metadata?.managedFields);
  } catch (e) {
    throw internal(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const base: KubeObject = live ? withoutManagedFields(live) : ({} as KubeObject);
  // The configuration was checked above, so list items without keys or with duplicate keys
  // found from here on are in the stored object.
  const typedLive = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FieldPathError) {
        const m = base.metadata ?? {};
        throw internal(`failed to create typed live object (${groupVersionKind(base)}) ${m.namespace ?? ''}/${m.name ?? ''}: ${e.message}`);
      }
      throw e;
    }
  };
  if (live && managers.size === 0) {
    typedLive(() => recordUpdate(zeroOf(base, shapeOf(schema)), base, managers, { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: o.apiVersion }, o.now, schema, reset));
  }
  const applyId = managerId(o.manager, 'Apply', o.apiVersion, o.subresource);

  const attempt = (force: boolean): { obj: KubeObject; ms: Managers } | Conflict[] => {
    const ms = cloneManagers(managers);
    let merged: unknown = typedLive(() => merge(base, applied, shapeOf(schema), []));
    const prev = ms.get(applyId);
    ms.set(applyId, { manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource: o.subresource, time: prev?.time, set: configSet });
    merged = typedLive(() => prune(merged, ms, applyId, prev?.set, schema));
    const conflicts = typedLive(() => transferOwnership(base, merged, ms, applyId, force, schema, reset));
    if (conflicts.length) return conflicts;
    const unchanged = !!live && deepEqual(base, merged);
    if (!unchanged) ms.get(applyId)!.time = o.now;
    return { obj: (unchanged ? base : merged) as KubeObject, ms };
  };

  let r = attempt(o.force);
  if (Array.isArray(r)) {
    // Objects last applied client-side by kubectl move to server-side apply without conflicts
    // on the fields the last-applied configuration still matches.
    const allowed = o.manager === 'kubectl' && live ? allowedFromLastApplied(base, schema) : undefined;
    const remaining = allowed ? r.filter((c) => !allowed.has(c.path)) : r;
    if (remaining.length) throw conflictError(remaining);
    r = attempt(true);
    if (Array.isArray(r)) throw conflictError(r);
  }

  const out = deepClone(r.obj);
  out.metadata ??= {};
  if (o.manager === 'kubectl' && live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
    const cfg = deepClone(applied);
    if (cfg.metadata?.annotations) {
      delete cfg.metadata.annotations[LAST_APPLIED_ANNOTATION];
    }
    out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: goJson(cfg) + '\n' };
  }
  capUpdateManagers(r.ms);
  const entries = encodeManagers(r.ms);
  if (entries.length) out.metadata.managedFields = entries;
  else delete out.metadata.managedFields;
  return out;
}
