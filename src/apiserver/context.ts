// What a request handler needs from the server: kinds, storage, config, admission and authorization.
import type { KindRegistry } from '../api/registry.js';
import type { ResourceDescriptor, ServerConfig, RequestContext, Verb } from '../api/descriptor.js';
import type { KubeObject, UserInfo } from '../api/types.js';
import type { Backend } from './objectstore.js';

export interface Attributes {
  user: UserInfo;
  verb: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  resourceRequest: boolean;
  path: string;
}

export type Authorizer = (a: Attributes) => { allowed: boolean; reason?: string };

export type AdmissionOp = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
/** An admission plugin: mutate obj in place or throw an ApiError. */
export type AdmissionPlugin = (op: AdmissionOp, d: ResourceDescriptor, obj: KubeObject | undefined, old: KubeObject | undefined, ctx: RequestContext) => void;

export interface ServerContext extends Backend {
  registry: KindRegistry;
  config: ServerConfig;
  authorize: Authorizer;
  admission: AdmissionPlugin[];
}

export type { Verb };
