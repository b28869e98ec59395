// Walks an object against its schema: finds unknown fields (strict field validation), drops them
// (pruning, fieldValidation=Ignore and CRDs), reports type mismatches, and, for CRDs, validates
// value constraints and applies schema defaults.
import { resolve, type Schema } from './schema.js';
import { type FieldError, invalid, notSupported, required, tooLong } from './errors.js';

export interface WalkResult {
  /** Paths of fields not in the schema, like `spec.bogus` or `spec.containers[0].bogus`. */
  unknown: string[];
  /** Type mismatches, as messages Kubernetes' decoder prints. */
  typeErrors: FieldError[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Finds unknown fields and type mismatches. With prune=true, unknown fields are deleted in place.
 * Fields under x-kubernetes-preserve-unknown-fields are never reported; embedded resources keep
 * apiVersion/kind/metadata.
 */
export function walk(value: unknown, schema: Schema | undefined, prune: boolean, path = ''): WalkResult {
  const out: WalkResult = { unknown: [], typeErrors: [] };
  visit(value, schema, prune, path, out);
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function visit(value: unknown, s0: Schema | undefined, prune: boolean, path: string, out: WalkResult): void {
  const s = resolve(s0);
  if (!s || value === null || value === undefined) return;
  if (s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeof value !== 'number') out.typeErrors.push(invalid(path, value, 'must be an integer or a string'));
    return;
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') out.typeErrors.push(invalid(path, value, `expected string, got ${typeName(value)}`));
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) out.typeErrors.push(invalid(path, value, `expected integer, got ${typeName(value)}`));
      return;
    case 'number':
      if (typeof value !== 'number') out.typeErrors.push(invalid(path, value, `expected number, got ${typeName(value)}`));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.typeErrors.push(invalid(path, value, `expected boolean, got ${typeName(value)}`));
      return;
    case 'array':
      if (!Array.isArray(value)) {
        out.typeErrors.push(invalid(path, value, `expected array, got ${typeName(value)}`));
        return;
      }
      value.forEach((item, i) => visit(item, s.items, prune, `${path}[${i}]`, out));
      return;
  }
  // object (or untyped with properties)
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    if (!isObj(value)) {
      if (s.type === 'object') out.typeErrors.push(invalid(path, value, `expected object, got ${typeName(value)}`));
      return;
    }
    const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
    const embedded = !!s['x-kubernetes-embedded-resource'];
    for (const key of Object.keys(value)) {
      const child = s.properties?.[key];
      if (child) {
        visit(value[key], child, prune, join(path, key), out);
      } else if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
        if (typeof s.additionalProperties === 'object') visit(value[key], s.additionalProperties, prune, join(path, key), out);
      } else if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
        // kept as is
      } else if (!preserve && (s.properties || s.type === 'object')) {
        if (!s.properties && !s.additionalProperties) {
          // an object with no declared shape: free-form
          continue;
        }
        out.unknown.push(join(path, key));
        if (prune) delete value[key];
      }
    }
  }
}

/** Applies `default` values from a structural schema (CRDs) in place. */
export function applyDefaults(value: unknown, s0: Schema | undefined): void {
  const s = resolve(s0);
  if (!s) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, s.items);
    return;
  }
  if (!isObj(value)) return;
  if (s.properties) {
    for (const [k, child] of Object.entries(s.properties)) {
      const cs = resolve(child);
      if (value[k] === undefined && cs && cs.default !== undefined) value[k] = structuredClone(cs.default);
      if (value[k] !== undefined) applyDefaults(value[k], child);
    }
  }
  if (typeof s.additionalProperties === 'object') for (const k of Object.keys(value)) applyDefaults(value[k], s.additionalProperties);
}

/** Value validation of an OpenAPI v3 schema (CRDs): required, enum, ranges, lengths, patterns, items. */
export function validateValues(value: unknown, s0: Schema | undefined, path: string, errs: FieldError[] = []): FieldError[] {
  const s = resolve(s0);
  if (!s) return errs;
  if (value === null) {
    if (!s.nullable && s.type) errs.push(invalid(path, value, `${path} in body must be of type ${s.type}: "null"`));
    return errs;
  }
  if (value === undefined) return errs;
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errs.push(notSupported(path, value, s.enum.map(String)));
  if (typeof value === 'string') {
    if (s.maxLength !== undefined && value.length > s.maxLength) errs.push(tooLong(path, value, s.maxLength));
    if (s.minLength !== undefined && value.length < s.minLength) errs.push(invalid(path, value, `${path} in body should be at least ${s.minLength} chars long`));
    if (s.pattern && !new RegExp(s.pattern).test(value)) errs.push(invalid(path, value, `${path} in body should match '${s.pattern}'`));
  }
  if (typeof value === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum))
      errs.push(invalid(path, value, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum))
      errs.push(invalid(path, value, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    if (s.multipleOf && value % s.multipleOf !== 0) errs.push(invalid(path, value, `${path} in body should be a multiple of ${s.multipleOf}`));
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) errs.push({ type: 'FieldValueTooMany', field: path, value, detail: `must have at most ${s.maxItems} items` });
    if (s.minItems !== undefined && value.length < s.minItems) errs.push(invalid(path, value, `${path} in body should have at least ${s.minItems} items`));
    value.forEach((v, i) => validateValues(v, s.items, `${path}[${i}]`, errs));
  } else if (isObj(value)) {
    for (const r of s.required ?? []) if (value[r] === undefined) errs.push(required(join(path, r)));
    if (s.properties) for (const [k, child] of Object.entries(s.properties)) validateValues(value[k], child, join(path, k), errs);
    if (typeof s.additionalProperties === 'object') for (const k of Object.keys(value)) validateValues(value[k], s.additionalProperties, join(path, k), errs);
  }
  return errs;
}
