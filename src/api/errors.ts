// Errors a user can see, as Kubernetes Status objects with the reason, code and message kubectl prints.
import type { Status, StatusCause, StatusDetails } from './types.js';

export class ApiError extends Error {
  constructor(
    public code: number,
    public reason: string,
    message: string,
    public details?: StatusDetails,
    public headers?: Record<string, string>,
  ) {
    super(message);
  }
  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    if (!this.reason) delete s.reason;
    return s;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** "pods" or "deployments.apps": how Kubernetes names a resource in messages. */
export const qualifiedResource = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
}
export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}
export function conflict(resource: string, group: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
}
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}
export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}
export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}
export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}
export function tooLarge(message = 'Request entity too large: limit is 3145728'): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', message);
}
export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}
export function internal(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}
export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

/**
 * A bad value that Go prints with %#v (structs, slices, nil slices), kept as the exact text
 * Kubernetes shows, e.g. `rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"r"}`.
 */
export class GoValue {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** %#v of a []string: `[]string{"a", "b"}`, or `[]string(nil)` when absent. */
export function goStringSlice(v: unknown): GoValue {
  if (!Array.isArray(v)) return new GoValue('[]string(nil)');
  return new GoValue(`[]string{${v.map((x) => JSON.stringify(String(x))).join(', ')}}`);
}

/** %#v of a map[string]string: `map[string]string{"a":"b", "c":"d"}` with sorted keys, or `map[string]string(nil)`. */
export function goStringMap(m: unknown): GoValue {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return new GoValue('map[string]string(nil)');
  const o = m as Record<string, unknown>;
  return new GoValue(`map[string]string{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(o[k]))}`).join(', ')}}`);
}

/** Renders a value the way Go's field.Error does (%v-ish, strings quoted). */
export function renderValue(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function fieldErrorText(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return `${e.field}: Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueInvalid':
      return `${e.field}: Invalid value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueNotSupported':
      return `${e.field}: Unsupported value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueDuplicate':
      return `${e.field}: Duplicate value: ${renderValue(e.value)}`;
    case 'FieldValueForbidden':
      return `${e.field}: Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTooLong':
      return `${e.field}: Too long: ${e.detail ?? ''}`;
    case 'FieldValueTooMany':
      return `${e.field}: Too many: ${e.detail ?? ''}`;
    case 'FieldValueNotFound':
      return `${e.field}: Not found: ${renderValue(e.value)}`;
    case 'FieldValueTypeInvalid':
      return `${e.field}: Invalid value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

export const required = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalid = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : undefined,
});
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value });
export const forbiddenField = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({ type: 'FieldValueTooLong', field, value, detail: `may not be more than ${max} bytes` });
export const tooLongBytes = (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, detail: `must have at most ${max} bytes` });
export const immutable = (field: string, value: unknown): FieldError => invalid(field, value, 'field is immutable');
export const fieldNotFound = (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, value });

/** 422 Invalid: `Pod "x" is invalid: spec.containers[0].image: Required value` (several joined as [a, b]). */
export function invalidObject(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const texts = errs.map(fieldErrorText);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const qkind = group ? `${kind}.${group}` : kind;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorText(e).slice(e.field.length + 2), field: e.field }));
  return new ApiError(422, 'Invalid', `${qkind} "${name}" is invalid: ${joined}`, { name, group: group || undefined, kind, causes });
}
