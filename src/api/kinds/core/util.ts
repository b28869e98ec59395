// Small helpers shared by the core/v1 kinds: field-error shorthands, IP/CIDR parsing, label
// formatting and the Kubernetes validation primitives the core kinds need beyond validation.ts.
import { type FieldError, GoValue, invalid, required, notSupported, goStringMap, goStringSlice } from '../../errors.js';
import { isQualifiedName, isValidPortNum, validateQualifiedName, validateLabelValue, validateNonnegative } from '../../validation.js';
import { canonicalizeResourceList, formatQuantity, parseQuantity, QUANTITY_REGEX_MSG } from '../../quantity.js';
import { resolve, type Schema } from '../../schema.js';
import { formatLabels, labelSelectorFromMap, matchesLabels } from '../../selectors.js';

export type Obj = Record<string, any>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const keys = (v: unknown): string[] => (isObj(v) ? Object.keys(v) : []);

export const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** IPv4 dotted quad to a number, or null. */
export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const p = m[i];
    if (p.length > 1 && p[0] === '0') return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}
export const formatIPv4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function isIPv6(s: string): boolean {
  if (!s.includes(':') || s.includes(':::')) return false;
  let rest = s;
  let groupsAllowed = 8;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (parseIPv4(tail) === null) return false;
    rest = s.slice(0, lastColon + 1) + '0';
    groupsAllowed = 7;
  }
  const dbl = rest.split('::');
  if (dbl.length > 2) return false;
  const part = (x: string) => (x === '' ? [] : x.split(':'));
  const groups = [...part(dbl[0]), ...(dbl.length === 2 ? part(dbl[1]) : [])];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return dbl.length === 2 ? groups.length < groupsAllowed : groups.length === groupsAllowed;
}
export const isIP = (s: unknown): s is string => typeof s === 'string' && (parseIPv4(s) !== null || isIPv6(s));

export interface Cidr4 {
  base: number;
  bits: number;
  size: number;
  text: string;
}
/** Parses an IPv4 CIDR, normalising host bits away. */
export function parseCidr4(s: string): Cidr4 | null {
  const [ip, b] = s.split('/');
  const n = parseIPv4(ip ?? '');
  const bits = Number(b);
  if (n === null || b === undefined || !/^\d+$/.test(b) || bits > 32) return null;
  const size = 2 ** (32 - bits);
  const base = n - (n % size);
  return { base, bits, size, text: `${formatIPv4(base)}/${bits}` };
}
export function isCIDR(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const [ip, b] = s.split('/');
  if (b === undefined || !/^\d+$/.test(b)) return false;
  if (parseIPv4(ip) !== null) return Number(b) <= 32;
  return isIPv6(ip) && Number(b) <= 128;
}

export { formatLabels };

/** Equality selector (map) matches labels. An empty selector matches everything. */
export function mapSelectorMatches(selector: unknown, labels: unknown): boolean {
  return matchesLabels(labelSelectorFromMap(isObj(selector) ? selector : null), isObj(labels) ? labels : {});
}

export const strOr = (v: unknown, d = '') => (typeof v === 'string' ? v : d);

export { validateQualifiedName, validateLabelValue };

export function validatePortNumOrZero(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null || v === 0) return [];
  return validatePortNum(v, field);
}
export function validatePortNum(v: unknown, field: string): FieldError[] {
  // a missing or non-numeric port fails the range check like an out-of-range one
  return isValidPortNum(typeof v === 'number' ? v : NaN).map((m) => invalid(field, v ?? 0, m));
}

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
export function validateProtocol(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null || v === '') return [required(field, '')];
  if (!PROTOCOLS.includes(v as string)) return [notSupported(field, v, PROTOCOLS)];
  return [];
}

export const validateNonNegative = validateNonnegative;

const standardResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers', 'requests.cpu', 'requests.memory', 'requests.storage',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
export function isStandardOrQualifiedResource(name: string): boolean {
  if (standardResources.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-') || name.startsWith('count/')) return true;
  return name.includes('/') && isQualifiedName(name).length === 0;
}

/**
 * Validates a map of quantities at `field` (errors at field[key]); canonical strings are kept.
 * Returns errors for invalid quantities and negative values.
 */
export function validateResourceList(rl: unknown, field: string, checkNames = true): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(rl)) return errs;
  for (const [k, v] of Object.entries(rl)) {
    const f = `${field}[${k}]`;
    if (checkNames && !isStandardOrQualifiedResource(k)) errs.push(invalid(f, k, 'must be a standard resource type or fully qualified'));
    const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
    if (!q) {
      errs.push(invalid(f, v, QUANTITY_REGEX_MSG));
      continue;
    }
    if (q.nanos < 0n) errs.push(invalid(f, String(v), 'must be greater than or equal to 0'));
  }
  return errs;
}

export { canonicalizeResourceList };

/** Path of the first Quantity-typed field (per the schema) holding an invalid quantity, if any. */
export function findInvalidQuantity(value: unknown, schema: Schema | undefined, path = ''): string | undefined {
  if (value === undefined || value === null || !schema) return undefined;
  if (schema.$ref === QUANTITY_REF) return typeof value === 'string' || typeof value === 'number' ? (parseQuantity(value) ? undefined : path || '.') : undefined;
  const s = resolve(schema);
  if (!s) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = findInvalidQuantity(value[i], s.items, `${path}[${i}]`);
      if (r) return r;
    }
    return undefined;
  }
  if (!isObj(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    const r = findInvalidQuantity(v, child, path ? `${path}.${k}` : k);
    if (r) return r;
  }
  return undefined;
}
const QUANTITY_REF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Deep equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined), bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

/** JSON with object keys sorted, for order-insensitive comparison. */
export const stable = (v: unknown): string => JSON.stringify(v, (_k, x) => (isObj(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));

/**
 * A field-level diff of two specs, shaped like the one Kubernetes appends to "spec is immutable"
 * errors (changed top-level fields only, `-` old and `+` new).
 */
export function specDiff(typeName: string, oldSpec: Obj, newSpec: Obj): string {
  const lines = [`  ${typeName}{`];
  const ks = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])];
  for (const k of ks) {
    const a = oldSpec[k];
    const b = newSpec[k];
    if (stable(a) === stable(b)) continue;
    const name = k[0].toUpperCase() + k.slice(1);
    if (a !== undefined) lines.push(`- \t${name}: ${JSON.stringify(a)},`);
    if (b !== undefined) lines.push(`+ \t${name}: ${JSON.stringify(b)},`);
  }
  lines.push('  }');
  return lines.join('\n') + '\n';
}

// ---- Go %#v renderings of bad values (Kubernetes prints these in some field errors)

export { goStringMap, goStringSlice };

/** A resource.Quantity as %#v prints it (Quantity's String has a pointer receiver, so errors show the struct). */
export function goQuantity(v: unknown): GoValue | unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  const input = String(v);
  const q = parseQuantity(v);
  if (!q) return v;
  // int64Amount{value, scale}: the written digits and their decimal exponent (binary suffixes are multiplied out)
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(input)!;
  const frac = m[3] ?? '';
  let value = BigInt((m[2] || '0') + frac);
  let scale = -frac.length;
  const suffix = m[4];
  const dec: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
  const bin: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
  if (suffix in dec) scale += dec[suffix];
  else if (suffix in bin) value *= 1n << BigInt(bin[suffix]);
  else scale += Number(suffix.slice(1));
  if (scale < 0 && suffix in bin) {
    // binary fractions: Kubernetes keeps the exact decimal amount
    while (scale < 0 && value % 10n === 0n) {
      value /= 10n;
      scale++;
    }
  }
  if (m[1] === '-') value = -value;
  const canonical = formatQuantity(q);
  const s = canonical === input ? input : '';
  return new GoValue(`resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${JSON.stringify(s)}, Format:${JSON.stringify(q.format)}}`);
}
