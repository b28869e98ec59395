// Version conversion and output shapes (object, Table, PartialObjectMetadata).
import type { ResourceDescriptor, VersionInfo } from '../api/descriptor.js';
import { apiVersionOf, listKindOf } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import { deepClone } from '../api/types.js';
import { badRequest } from '../api/errors.js';

const requestGroup = (d: ResourceDescriptor) => d.requestGroup ?? d.group;
/** True when objects of this request version need no conversion. */
const isStorageVersion = (d: ResourceDescriptor, version: string) => requestGroup(d) === d.group && version === d.storageVersion;

export function versionInfo(d: ResourceDescriptor, version: string): VersionInfo {
  return d.versions.find((v) => v.version === version) ?? { version };
}

/** Request version → storage version (applies the old release's defaults first). */
export function toStorage(d: ResourceDescriptor, version: string, obj: KubeObject): KubeObject {
  let out = obj;
  if (!isStorageVersion(d, version)) {
    const vi = versionInfo(d, version);
    vi.defaults?.(out);
    if (vi.toStorage) out = vi.toStorage(out);
  }
  out.apiVersion = apiVersionOf(d.group, d.storageVersion);
  out.kind = d.kind;
  return out;
}

/** Storage version → the version the client asked for. Never mutates obj. */
export function fromStorage(d: ResourceDescriptor, version: string, obj: KubeObject): KubeObject {
  if (!version || isStorageVersion(d, version)) {
    if (obj.apiVersion === apiVersionOf(d.group, d.storageVersion) && obj.kind === d.kind) return obj;
    return { ...obj, apiVersion: apiVersionOf(d.group, d.storageVersion), kind: d.kind };
  }
  const vi = versionInfo(d, version);
  const out = vi.fromStorage ? vi.fromStorage(deepClone(obj)) : { ...obj };
  out.apiVersion = apiVersionOf(requestGroup(d), version);
  out.kind = d.kind;
  return out;
}

/** Checks apiVersion/kind in a body against the URL and fills them when missing. */
export function checkTypeMeta(d: ResourceDescriptor, version: string, obj: KubeObject): void {
  const expected = apiVersionOf(requestGroup(d), version);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = expected;
  if (obj.kind === undefined || obj.kind === '') obj.kind = d.kind;
  if (obj.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== d.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${d.kind})`);
  }
}

export interface AcceptInfo {
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
}

/** Reads `Accept: application/json;as=Table;v=v1;g=meta.k8s.io, application/json` (first supported wins). */
export function parseAccept(accept: string | undefined): AcceptInfo {
  if (!accept) return {};
  for (const part of accept.split(',')) {
    const params = new Map<string, string>();
    const [type, ...rest] = part.trim().split(';');
    for (const p of rest) {
      const [k, v] = p.split('=').map((s) => s.trim());
      params.set(k, v);
    }
    const as = params.get('as');
    if (as && (params.get('g') === 'meta.k8s.io') && (params.get('v') === 'v1' || params.get('v') === 'v1beta1')) {
      if (as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as };
      continue;
    }
    if (!as && (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/yaml')) return {};
  }
  return {};
}

/**
 * A kind served in one group but stored in another (storedAs): requests run against the storage
 * kind's keys and rules, with this group's versions for conversion and its table.
 */
export function storageView(d: ResourceDescriptor, target: ResourceDescriptor): ResourceDescriptor {
  return {
    ...target,
    requestGroup: d.group,
    versions: d.versions,
    table: d.table ?? target.table,
    fieldSelectors: { ...(target.fieldSelectors ?? {}), ...(d.fieldSelectors ?? {}) },
    verbs: d.verbs ?? target.verbs,
    subresources: d.subresources ?? target.subresources,
    storedAs: undefined,
  };
}

export function listOf(d: ResourceDescriptor, version: string, items: KubeObject[], rv: string, cont?: string, remaining?: number) {
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (cont) metadata.continue = cont;
  if (remaining !== undefined && remaining > 0) metadata.remainingItemCount = remaining;
  return { kind: listKindOf(d), apiVersion: apiVersionOf(requestGroup(d), version), metadata, items };
}

export function partialMetadata(obj: KubeObject, apiVersion = 'meta.k8s.io/v1') {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
}
