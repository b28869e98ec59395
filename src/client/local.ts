// An in-process API client: builds the same requests kubectl would send and runs them through
// the server's request path (authorization, admission, validation), with no network hop.
// Controllers use it when they run inside `sampan server`. Objects it returns may be the
// server's cached instances, shared and immutable: copy before changing anything.
import type { KubeObject, UserInfo } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import type { WatchEventOut } from '../apiserver/watch.js';

export interface ApiCaller {
  (method: string, path: string, o?: { body?: unknown; contentType?: string; user?: UserInfo; accept?: string }): Promise<{ status: number; body?: unknown; watch?: { start(send: (ev: WatchEventOut) => void, end: () => void, o?: { lines?: boolean }): () => void } }>;
}

export interface Client {
  get<T = KubeObject>(path: string): Promise<T>;
  getOrNull<T = KubeObject>(path: string): Promise<T | null>;
  list<T = KubeObject>(path: string): Promise<{ items: T[]; metadata: { resourceVersion: string } }>;
  create<T = KubeObject>(path: string, body: unknown): Promise<T>;
  update<T = KubeObject>(path: string, body: unknown): Promise<T>;
  patch<T = KubeObject>(path: string, body: unknown, type?: 'merge' | 'json' | 'strategic' | 'apply'): Promise<T>;
  delete(path: string, options?: unknown): Promise<unknown>;
  watch(path: string, onEvent: (ev: WatchEventOut) => void, onEnd: () => void): Promise<() => void>;
}

const patchTypes = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function localClient(call: ApiCaller, user: UserInfo): Client {
  const req = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const res = await call(method, path, { body, contentType, user });
    return res.body as any;
  };
  return {
    get: (p) => req('GET', p),
    async getOrNull(p) {
      try {
        return await req('GET', p);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return null;
        throw e;
      }
    },
    list: (p) => req('GET', p),
    create: (p, b) => req('POST', p, b),
    update: (p, b) => req('PUT', p, b),
    patch: (p, b, t = 'merge') => req('PATCH', p, b, patchTypes[t]),
    delete: (p, o) => req('DELETE', p, o),
    async watch(p, onEvent, onEnd) {
      const res = await call('GET', p.includes('?') ? `${p}&watch=true` : `${p}?watch=true`, { user });
      if (!res.watch) throw new Error(`not a watch: ${p}`);
      return res.watch.start(onEvent, onEnd, { lines: false });
    },
  };
}
