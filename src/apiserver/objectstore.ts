// Object persistence for the generic REST path: keys, encoding, and the reads/writes every
// kind shares (k8s.io/apiserver's generic registry store, minus the strategy, which is in rest.ts).
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import type { KV, Store } from '../storage/store.js';
import type { WatchCache } from '../storage/cache.js';

export const keyPrefix = (d: Pick<ResourceDescriptor, 'group' | 'plural'>) => `/registry/${d.group ? `${d.group}/` : ''}${d.plural}/`;

/** Prefix for a list: the whole resource, or one namespace of it. */
export function listPrefix(d: ResourceDescriptor, namespace: string | undefined): string {
  return d.namespaced && namespace ? `${keyPrefix(d)}${namespace}/` : keyPrefix(d);
}

export function objectKey(d: ResourceDescriptor, namespace: string | undefined, name: string): string {
  return d.namespaced ? `${keyPrefix(d)}${namespace}/${name}` : `${keyPrefix(d)}${name}`;
}

/** Stored JSON carries no resourceVersion: it is the modRevision. */
export function encode(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    obj.metadata.resourceVersion = rv;
  }
}

export function decode(kv: KV): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

export interface Backend {
  store: Store;
  cache: WatchCache;
}

/** A consistent read from the cache: waits until the cache holds every acknowledged write. */
export async function consistentRevision(b: Backend): Promise<number> {
  const rev = b.store.currentRevision();
  if (b.cache.revision() < rev) await b.cache.waitForRevision(rev, 10_000);
  return rev;
}
