// A kind is a descriptor, not a handler. The generic REST path (src/apiserver/rest.ts) reads
// everything it needs from here: names, scope, versions and conversions, schema, defaulting,
// validation, create/update strategy, table columns and field selectors.
import type { FieldError } from './errors.js';
import type { Schema } from './schema.js';
import type { KubeObject, UserInfo } from './types.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface GroupResource {
  group: string;
  resource: string;
}

/** Read access to the current state of other objects (served from the watch caches). */
export interface ObjectLookup {
  get(gr: GroupResource, namespace: string | undefined, name: string): KubeObject | undefined;
  list(gr: GroupResource, namespace?: string): KubeObject[];
}

export interface ServerConfig {
  serviceCIDR: string; // default 10.96.0.0/12
  nodePortRange: [number, number]; // default [30000, 32767]
  clusterDomain: string; // cluster.local
}

export interface RequestContext {
  user: UserInfo;
  verb: Verb | string;
  namespace?: string;
  subresource?: string;
  dryRun: boolean;
  now: Date;
  /** Warnings returned to the client as `Warning: 299 - "..."` headers. */
  warnings: string[];
  lookup: ObjectLookup;
  config: ServerConfig;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string; // 'name' for the NAME column
  description: string;
  /** 0: always shown; 1: only with -o wide */
  priority: number;
}

export interface TableDef {
  columns: TableColumn[];
  /** One row of cells, same order as columns. Dates are rendered by the table (AGE): return strings. */
  row(obj: KubeObject, now: Date): unknown[];
}

export interface ScaleDescriptor {
  specReplicasPath: string; // '.spec.replicas'
  statusReplicasPath: string; // '.status.replicas'
  labelSelectorPath?: string; // '.status.selector' (string form)
}

/** One served version of a kind. The storage version needs no conversion functions. */
export interface VersionInfo {
  version: string;
  served?: boolean; // default true
  /** Shown as a Warning header when this version is used. */
  deprecationWarning?: string;
  /** Schema of this version's object, when it differs from the storage schema (OpenAPI, strict decoding). */
  schema?: Schema;
  /** Defaults this version applied in its own release (run before conversion to storage). */
  defaults?(obj: KubeObject): void;
  /** Converts an object in this version into the storage version (apiVersion is set by the caller). */
  toStorage?(obj: KubeObject): KubeObject;
  /** Converts a storage-version object into this version. */
  fromStorage?(obj: KubeObject): KubeObject;
}

export interface SubresourceInfo {
  status?: boolean;
  scale?: ScaleDescriptor;
  /** Other subresources advertised in discovery (log, exec, binding, eviction, proxy, token, approval ...). */
  extra?: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
}

export interface ResourceDescriptor {
  group: string; // '' for the core group
  kind: string;
  listKind?: string; // default `${kind}List`
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  /** The version objects are stored (and preferred) in. */
  storageVersion: string;
  /** Every served version including the storage version. */
  versions: VersionInfo[];
  verbs?: Verb[]; // default ALL_VERBS
  /** Schema of the storage version (usually { $ref: 'io.k8s.api.core.v1.Pod' }). */
  schema: Schema;
  /** Rule for metadata.name. Default 'subdomain'. */
  nameValidation?: 'subdomain' | 'label' | 'path' | 'none';
  subresources?: SubresourceInfo;
  /**
   * Bump metadata.generation on changes outside metadata and status; 'spec+annotations' also on
   * annotation changes (Deployments: their annotations are copied to ReplicaSets).
   */
  hasGeneration?: boolean | 'spec+annotations';
  /** Kubernetes' default for DELETE's propagationPolicy when the client sends none. */
  defaultPropagation?: 'Background' | 'Orphan';
  defaults?(obj: KubeObject, ctx: RequestContext): void;
  validate?(obj: KubeObject, ctx: RequestContext): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  /** Allocation and other preparation before storing a new object (e.g. Service cluster IPs). Throw ApiError to reject. */
  prepareCreate?(obj: KubeObject, ctx: RequestContext): void;
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Grace period used when a DELETE gives none (pods: spec.terminationGracePeriodSeconds once scheduled). 0 = immediate. */
  defaultGracePeriod?(obj: KubeObject): number;
  table?: TableDef;
  /** Field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /** True for kinds served from a CustomResourceDefinition. */
  custom?: boolean;
  /** Read-only kinds computed on the fly (componentstatuses): list/get answered here, never stored. */
  virtual?: { list(ctx: RequestContext): KubeObject[] };
  /**
   * Objects of this kind live in another resource's storage (events.k8s.io events are core
   * events). The REST layer reads and writes that resource's store, in that descriptor's storage
   * version; this descriptor's versions' toStorage/fromStorage convert to and from that form.
   */
  storedAs?: GroupResource;
  /** Whether a create keeps the status it was sent (nodes) or resets it (default when status is a subresource). */
  statusOnCreate?: 'reset' | 'keep';
  /** Status writes also take metadata.annotations (Deployments: the controller records its revision annotation with the status). */
  statusUpdatesAnnotations?: boolean;
  /**
   * What still holds a deleting object besides metadata.finalizers (a Namespace's
   * spec.finalizers). Such an object is marked deleted and kept until this returns [].
   */
  deletionBlockers?(obj: KubeObject): string[];
  /** Called once when deletion starts (a Namespace turns Terminating). */
  onDeleting?(obj: KubeObject): void;
  /**
   * Set on the per-request view of a kind served in another group than it is stored in
   * (extensions/v1beta1 Deployment stored as apps deployments): the group the client used.
   */
  requestGroup?: string;
  /** Objects that are not stored at all but processed (reviews, bindings): create returns the result. */
  createOnly?(obj: KubeObject, ctx: RequestContext): KubeObject;
}

export const listKindOf = (d: ResourceDescriptor) => d.listKind ?? `${d.kind}List`;
export const apiVersionOf = (group: string, version: string) => (group ? `${group}/${version}` : version);
