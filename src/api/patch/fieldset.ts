// Field sets for server-side apply: which fields of an object a manager owns.
//
// A set is a trie of path elements. Each element is one of
//   f:<name>            a field of a struct or an entry of a map
//   k:{"a":1,"b":"x"}   an item of a keyed list (x-kubernetes-list-type map), by its key fields
//   v:<json>            an item of a set (x-kubernetes-list-type set), by its value
//   i:<n>               an item of a list by position (never produced for our schemas)
// A node is a "member" when the path itself is in the set (a leaf, a list item, a map entry);
// it has children when paths below it are in the set. In the FieldsV1 serialisation a member
// with children carries a "." key. Ordering and encoding follow Kubernetes'
// structured-merge-diff so that managedFields are byte-for-byte what a real API server writes.
import { resolve, type Schema } from '../schema.js';

// ---------------------------------------------------------------------------------------------
// Path elements

export type KeyField = [name: string, value: unknown];
export type PathElement = { field: string } | { key: KeyField[] } | { value: unknown } | { index: number };
export type Path = PathElement[];

/** JSON encoding as Go's encoding/json writes it (HTML-safe escaping, sorted map keys). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
  }
  if (Array.isArray(v)) return '[' + v.map(goJson).join(',') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort(byteCompare);
    return '{' + keys.map((k) => goString(k) + ':' + goJson((v as Record<string, unknown>)[k])).join(',') + '}';
  }
  return 'null';
}

function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

/** Go's strings.Compare on UTF-8 bytes; equal to UTF-16 order outside the astral planes. */
function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The FieldsV1 key of a path element: `f:name`, `k:{...}`, `v:...`, `i:n`. */
export function peKey(pe: PathElement): string {
  if ('field' in pe) return 'f:' + pe.field;
  if ('key' in pe) return 'k:{' + pe.key.map(([n, v]) => goString(n) + ':' + goJson(v)).join(',') + '}';
  if ('value' in pe) return 'v:' + goJson(pe.value);
  return 'i:' + pe.index;
}

/** Parses a FieldsV1 key back into a path element. */
export function parsePeKey(s: string): PathElement {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const o = JSON.parse(rest);
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error(`invalid key path element ${JSON.stringify(s)}`);
      return { key: sortKey(Object.entries(o) as KeyField[]) };
    }
    case 'v:':
      return { value: JSON.parse(rest) };
    case 'i:': {
      const n = Number(rest);
      if (!Number.isInteger(n)) throw new Error(`invalid index path element ${JSON.stringify(s)}`);
      return { index: n };
    }
  }
  throw new Error(`unknown path element kind in ${JSON.stringify(s)}`);
}

export const sortKey = (k: KeyField[]): KeyField[] => k.sort((a, b) => byteCompare(a[0], b[0]));

/** Total order of JSON values: numbers < strings < booleans < lists < maps < null. */
export function compareValue(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return byteCompare(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareValue(x[i], y[i]);
        if (c) return c;
      }
      return x.length - y.length;
    }
    case 4: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort(byteCompare);
      const ky = Object.keys(y).sort(byteCompare);
      for (let i = 0; i < kx.length && i < ky.length; i++) {
        const c = byteCompare(kx[i], ky[i]) || compareValue(x[kx[i]], y[ky[i]]);
        if (c) return c;
      }
      return kx.length - ky.length;
    }
  }
  return 0;
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

/** Order of path elements: field names, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const ra = peRank(a);
  const rb = peRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a) return byteCompare(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const x = a.key;
    const y = (b as { key: KeyField[] }).key;
    for (let i = 0; i < x.length && i < y.length; i++) {
      const c = byteCompare(x[i][0], y[i][0]) || compareValue(x[i][1], y[i][1]);
      if (c) return c;
    }
    return x.length - y.length;
  }
  if ('value' in a) return compareValue(a.value, (b as { value: unknown }).value);
  return a.index - (b as { index: number }).index;
}

const peRank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(valueString).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort(byteCompare).map((k) => `${k}=${valueString(o[k])}`).join(';') + '}';
}

/** Renders a path for messages: `.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`. */
export function pathString(path: Path): string {
  let s = '';
  for (const pe of path) {
    if ('field' in pe) s += '.' + pe.field;
    else if ('key' in pe) s += '[' + pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',') + ']';
    else if ('value' in pe) s += `[=${valueString(pe.value)}]`;
    else s += `[${pe.index}]`;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Sets

export interface FieldNode {
  pe: PathElement;
  /** the path ending here is itself in the set */
  member: boolean;
  /** paths below this one */
  sub: FieldSet | undefined;
}

export class FieldSet {
  readonly nodes = new Map<string, FieldNode>();

  isEmpty(): boolean {
    return this.nodes.size === 0;
  }

  /** Adds a path (the empty path is ignored). */
  insert(path: Path): this {
    let cur: FieldSet = this;
    for (let i = 0; i < path.length; i++) {
      const n = cur.node(path[i]);
      if (i === path.length - 1) n.member = true;
      else cur = n.sub ??= new FieldSet();
    }
    return this;
  }

  /** The node for pe, created (as a non-member without children) when absent. */
  node(pe: PathElement): FieldNode {
    const k = peKey(pe);
    let n = this.nodes.get(k);
    if (!n) {
      n = { pe, member: false, sub: undefined };
      this.nodes.set(k, n);
    }
    return n;
  }

  has(path: Path): boolean {
    let cur: FieldSet | undefined = this;
    for (let i = 0; i < path.length; i++) {
      const n: FieldNode | undefined = cur?.nodes.get(peKey(path[i]));
      if (!n) return false;
      if (i === path.length - 1) return n.member;
      cur = n.sub;
    }
    return false;
  }

  /** The subset below pe (paths relative to pe), or undefined. */
  withPrefix(pe: PathElement): FieldSet | undefined {
    return this.nodes.get(peKey(pe))?.sub;
  }

  /** Nodes in Kubernetes' order. */
  sorted(): FieldNode[] {
    return [...this.nodes.values()].sort((a, b) => comparePE(a.pe, b.pe));
  }

  /** Every path, in the order Kubernetes iterates: members of a level first, then each child subtree. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    const nodes = this.sorted();
    for (const n of nodes) if (n.member) out.push([...prefix, n.pe]);
    for (const n of nodes) if (n.sub && !n.sub.isEmpty()) out.push(...n.sub.paths([...prefix, n.pe]));
    return out;
  }

  /** Number of paths in the set. */
  size(): number {
    let c = 0;
    for (const n of this.nodes.values()) c += (n.member ? 1 : 0) + (n.sub ? n.sub.size() : 0);
    return c;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    for (const [k, n] of this.nodes) s.nodes.set(k, { pe: n.pe, member: n.member, sub: n.sub?.clone() });
    return s;
  }

  equals(o: FieldSet): boolean {
    if (this.nodes.size !== o.nodes.size) return false;
    for (const [k, n] of this.nodes) {
      const m = o.nodes.get(k);
      if (!m || m.member !== n.member) return false;
      const a = n.sub && !n.sub.isEmpty() ? n.sub : undefined;
      const b = m.sub && !m.sub.isEmpty() ? m.sub : undefined;
      if (!a !== !b || (a && b && !a.equals(b))) return false;
    }
    return true;
  }
}

const nonEmpty = (s: FieldSet | undefined) => (s && !s.isEmpty() ? s : undefined);

function put(out: FieldSet, k: string, pe: PathElement, member: boolean, sub: FieldSet | undefined) {
  const s = nonEmpty(sub);
  if (member || s) out.nodes.set(k, { pe, member, sub: s });
}

// Operations never modify their inputs; results may share unchanged subtrees with them, so sets
// are treated as immutable once built.

export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (b.isEmpty()) return a;
  if (a.isEmpty()) return b;
  const out = new FieldSet();
  for (const [k, n] of a.nodes) {
    const m = b.nodes.get(k);
    if (!m) out.nodes.set(k, n);
    else put(out, k, n.pe, n.member || m.member, n.sub && m.sub ? union(n.sub, m.sub) : (n.sub ?? m.sub));
  }
  for (const [k, m] of b.nodes) if (!a.nodes.has(k)) out.nodes.set(k, m);
  return out;
}

/** Paths in a that are not in b (exact paths: a member of b does not remove a's children). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (b.isEmpty() || a.isEmpty()) return a;
  const out = new FieldSet();
  for (const [k, n] of a.nodes) {
    const m = b.nodes.get(k);
    if (!m) out.nodes.set(k, n);
    else put(out, k, n.pe, n.member && !m.member, n.sub ? (m.sub ? difference(n.sub, m.sub) : n.sub) : undefined);
  }
  return out;
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const [k, n] of a.nodes) {
    const m = b.nodes.get(k);
    if (m) put(out, k, n.pe, n.member && m.member, n.sub && m.sub ? intersection(n.sub, m.sub) : undefined);
  }
  return out;
}

/** Paths in a that are neither in b nor below a member of b. */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  if (b.isEmpty() || a.isEmpty()) return a;
  const out = new FieldSet();
  for (const [k, n] of a.nodes) {
    const m = b.nodes.get(k);
    if (!m) out.nodes.set(k, n);
    else if (!m.member) put(out, k, n.pe, n.member, n.sub ? (m.sub ? recursiveDifference(n.sub, m.sub) : n.sub) : undefined);
  }
  return out;
}

export function setOfPaths(paths: Path[]): FieldSet {
  const s = new FieldSet();
  for (const p of paths) s.insert(p);
  return s;
}

/** Builds a path from field names, e.g. fieldPath('metadata', 'name'). */
export const fieldPath = (...names: string[]): Path => names.map((field) => ({ field }));

// ---------------------------------------------------------------------------------------------
// FieldsV1 encoding

/** Serialises a set as FieldsV1 JSON, ordered as Kubernetes orders it. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  return emit(set, false);
}

function emit(set: FieldSet | undefined, self: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (self && set && !set.isEmpty()) o['.'] = {};
  if (!set) return o;
  for (const n of set.sorted()) {
    const sub = nonEmpty(n.sub);
    if (!n.member && !sub) continue;
    o[peKey(n.pe)] = sub ? emit(sub, n.member) : {};
  }
  return o;
}

const parsed = new WeakMap<object, FieldSet>();

/** Parses FieldsV1 JSON (throws on malformed input). The result must not be modified. */
export function fromFieldsV1(json: unknown): FieldSet {
  const cached = json !== null && typeof json === 'object' ? parsed.get(json) : undefined;
  if (cached) return cached;
  const set = new FieldSet();
  read(json, set);
  if (json !== null && typeof json === 'object') parsed.set(json, set);
  return set;
}

function read(json: unknown, into: FieldSet) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('FieldsV1 must be a JSON object');
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (k === '.') continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`FieldsV1 entry ${JSON.stringify(k)} must be an object`);
    const n = into.node(parsePeKey(k));
    const entries = Object.keys(v as object);
    if (entries.length === 0) {
      n.member = true;
      continue;
    }
    if ('.' in (v as object)) n.member = true;
    const sub = n.sub ?? new FieldSet();
    read(v, sub);
    if (!sub.isEmpty()) n.sub = sub;
    else if (!n.member) into.nodes.delete(peKey(n.pe));
  }
}

// ---------------------------------------------------------------------------------------------
// Schema shapes, as server-side apply sees them

export type Shape =
  | { k: 'scalar' }
  | { k: 'deduced' }
  | { k: 'map'; atomic: boolean; props: Record<string, Schema> | undefined; elem: Schema | undefined }
  | { k: 'list'; rel: 'atomic' | 'set' | 'map'; keys: string[]; item: Schema | undefined };

const SCALAR: Shape = { k: 'scalar' };
const DEDUCED: Shape = { k: 'deduced' };
const DEDUCED_MAP: Shape = { k: 'map', atomic: false, props: undefined, elem: undefined };
const ATOMIC_LIST: Shape = { k: 'list', rel: 'atomic', keys: [], item: undefined };
const shapeCache = new WeakMap<Schema, Shape>();

/** How a schema node merges: scalar, map/struct (granular or atomic), list (atomic/set/map) or deduced from the value. */
export function shapeOf(s: Schema | undefined): Shape {
  if (!s) return DEDUCED;
  let sh = shapeCache.get(s);
  if (!sh) {
    sh = computeShape(s);
    shapeCache.set(s, sh);
  }
  return sh;
}

function computeShape(s0: Schema): Shape {
  const s = resolve(s0);
  if (!s) return DEDUCED;
  if (s['x-kubernetes-int-or-string']) return SCALAR;
  if (s.type === 'array' || s.items) {
    const lt = s['x-kubernetes-list-type'];
    const keys = s['x-kubernetes-list-map-keys'];
    const mergeKey = s['x-kubernetes-patch-merge-key'];
    if (lt === 'map' && keys && keys.length) return { k: 'list', rel: 'map', keys, item: s.items };
    if (lt === 'map' && mergeKey) return { k: 'list', rel: 'map', keys: [mergeKey], item: s.items };
    if (lt === 'set') return { k: 'list', rel: 'set', keys: [], item: s.items };
    if (lt) return { k: 'list', rel: 'atomic', keys: [], item: s.items };
    if (mergeKey) return { k: 'list', rel: 'map', keys: [mergeKey], item: s.items };
    if ((s['x-kubernetes-patch-strategy'] ?? '').split(',').includes('merge') && shapeOf(s.items).k === 'scalar') return { k: 'list', rel: 'set', keys: [], item: s.items };
    return { k: 'list', rel: 'atomic', keys: [], item: s.items };
  }
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    const atomic = s['x-kubernetes-map-type'] === 'atomic';
    const elem = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    if (!s.properties && !elem && !atomic) return DEDUCED_MAP;
    return { k: 'map', atomic, props: s.properties, elem };
  }
  if (s.type) return SCALAR;
  if (s['x-kubernetes-preserve-unknown-fields']) return DEDUCED;
  return DEDUCED;
}

export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The shape used for a concrete value: deduced shapes follow the value; mismatches are leaves. */
export function shapeFor(sh: Shape, v: unknown): Shape {
  if (sh.k === 'deduced') return isObj(v) ? DEDUCED_MAP : Array.isArray(v) ? ATOMIC_LIST : SCALAR;
  if (sh.k === 'map' && !isObj(v)) return SCALAR;
  if (sh.k === 'list' && !Array.isArray(v)) return SCALAR;
  return sh;
}

/** Schema of a struct field or map entry. */
export function fieldSchema(sh: Shape & { k: 'map' }, name: string): Schema | undefined {
  if (sh.props && Object.prototype.hasOwnProperty.call(sh.props, name)) return sh.props[name];
  return sh.elem;
}

export const isDeclared = (sh: Shape, name: string): boolean => sh.k === 'map' && !!sh.props && Object.prototype.hasOwnProperty.call(sh.props, name);

/** Schema below a path element. */
export function childSchema(sh: Shape, pe: PathElement): Schema | undefined {
  if ('field' in pe) return sh.k === 'map' ? fieldSchema(sh, pe.field) : undefined;
  return sh.k === 'list' ? sh.item : undefined;
}

/** Error for an invalid object (duplicate or key-less list items), with the path it was found at. */
export class FieldPathError extends Error {
  constructor(
    public path: string,
    public detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** The path element of a list item, or throws FieldPathError. */
export function itemPE(sh: Shape & { k: 'list' }, item: unknown, index: number, at: () => string): PathElement {
  if (sh.rel === 'set') return { value: item };
  if (sh.rel === 'atomic') return { index };
  if (item === null) throw new FieldPathError(at(), `element ${index}: associative list with keys may not have a null element`);
  if (!isObj(item)) throw new FieldPathError(at(), `element ${index}: associative list with keys may not have non-map elements`);
  const key: KeyField[] = [];
  for (const name of sh.keys) {
    let v = item[name];
    if (v === undefined) {
      v = keyDefault(sh.item, name);
      if (v === undefined) throw new FieldPathError(at(), `element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`);
    }
    key.push([name, v]);
  }
  return { key: sortKey(key) };
}

function keyDefault(item: Schema | undefined, name: string): unknown {
  const r = resolve(item);
  const p = r?.properties?.[name];
  if (!p) return undefined;
  return p.default ?? resolve(p)?.default;
}

// ---------------------------------------------------------------------------------------------
// The set of fields an object sets

/**
 * Every field set in obj: scalars, atomic lists and maps, list items (with their fields),
 * map entries, and empty or null struct fields. Duplicate list items are rejected unless
 * allowDuplicates (live objects), in which case the item is recorded once.
 */
export function fieldSetOf(obj: unknown, schema: Schema | undefined, allowDuplicates = true): FieldSet {
  const root = new FieldSet();
  walkSet(obj, shapeOf(schema), root, [], allowDuplicates);
  return root;
}

function walkSet(v: unknown, sh0: Shape, into: FieldSet, path: Path, dups: boolean): void {
  const sh = shapeFor(sh0, v);
  if (sh.k === 'map') {
    if (sh.atomic) return; // the caller records the path itself
    for (const [key, val] of Object.entries(v as Record<string, unknown>)) {
      if (val === undefined) continue;
      const pe: PathElement = { field: key };
      const n = into.node(pe);
      const childShape = shapeFor(shapeOf(fieldSchema(sh, key)), val);
      if (isLeafShape(childShape)) n.member = true;
      else {
        const sub = n.sub ?? new FieldSet();
        path.push(pe);
        walkSet(val, childShape, sub, path, dups);
        path.pop();
        n.sub = sub.isEmpty() ? undefined : sub;
        if (val === null || (isObj(val) && Object.keys(val).length === 0) || !isDeclared(sh, key)) n.member = true;
      }
      if (!n.member && !n.sub) into.nodes.delete(peKey(pe));
    }
    return;
  }
  if (sh.k === 'list') {
    if (sh.rel === 'atomic') return;
    const list = v as unknown[];
    const seen = new Set<string>();
    const itemShape = shapeOf(sh.item);
    for (let i = 0; i < list.length; i++) {
      const pe = itemPE(sh, list[i], i, () => pathString(path));
      const k = peKey(pe);
      if (seen.has(k)) {
        if (!dups) throw new FieldPathError(pathString(path), `duplicate entries for key ${pathString([pe])}`);
        continue;
      }
      seen.add(k);
      const n = into.node(pe);
      n.member = true;
      const cs = shapeFor(itemShape, list[i]);
      if (!isLeafShape(cs)) {
        const sub = n.sub ?? new FieldSet();
        path.push(pe);
        walkSet(list[i], cs, sub, path, dups);
        path.pop();
        n.sub = sub.isEmpty() ? undefined : sub;
      }
    }
  }
}

/** Scalars, atomic maps and atomic lists are leaves. */
export const isLeafShape = (sh: Shape): boolean => sh.k === 'scalar' || (sh.k === 'map' && sh.atomic) || (sh.k === 'list' && sh.rel === 'atomic');

/**
 * Adds, as members, every child of a set that is a declared field of a struct (so a set owning
 * `.spec.replicas` also owns `.spec`). Map entries and list items are not added.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: Schema | undefined): FieldSet {
  const sh = shapeOf(schema);
  const out = new FieldSet();
  for (const [k, n] of set.nodes) {
    const declared = 'field' in n.pe && isDeclared(sh, n.pe.field);
    const sub = n.sub ? ensureNamedFieldsAreMembers(n.sub, childSchema(sh, n.pe)) : undefined;
    put(out, k, n.pe, n.member || (declared && !!sub), sub);
  }
  return out;
}
