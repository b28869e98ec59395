// API discovery: what groups, versions and resources this server serves, in the two forms
// clients ask for. Legacy discovery is one document per level (/api, /apis, /apis/<group>,
// /api/v1, /apis/<group>/<version>); aggregated discovery (apidiscovery.k8s.io v2 and v2beta1)
// answers /api and /apis with every resource in one document, which is what kubectl 1.30+
// asks for first. Everything is computed from the KindRegistry and cached until it changes.
import { createHash } from 'node:crypto';
import { ALL_VERBS, type ResourceDescriptor } from '../api/descriptor.js';
import type { KindRegistry } from '../api/registry.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface DiscoveryOptions {
  /** host:port clients should use, advertised in /api's serverAddressByClientCIDRs. */
  serverAddress?: string;
  /** The request's If-None-Match header (aggregated discovery answers 304 when it matches). */
  ifNoneMatch?: string;
}

const JSON_TYPE = 'application/json';
const AGGREGATED_KIND = 'APIGroupDiscoveryList';
const AGGREGATED_GROUP = 'apidiscovery.k8s.io';
const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const;

/**
 * Kubernetes lists named groups in this order (kube-aggregator's group priorities); kubectl
 * resolves an ambiguous resource name to the first group that serves it. Groups not listed
 * here (CRDs, legacy-only groups such as extensions) follow in alphabetical order.
 */
const GROUP_ORDER = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'metrics.k8s.io',
];
/** Groups that only exist for old manifests: listed after everything else so they never win a name. */
const LEGACY_ONLY_GROUPS = new Set(['extensions', 'settings.k8s.io']);

export interface GroupInfo {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  preferred: string;
}

/** Named groups (not the core group) in discovery order. */
export function orderedGroups(reg: KindRegistry): GroupInfo[] {
  const groups = reg.groupVersions().filter((g) => g.group !== '' && g.versions.length > 0);
  const rank = (g: string) => {
    const i = GROUP_ORDER.indexOf(g);
    if (i >= 0) return i;
    return LEGACY_ONLY_GROUPS.has(g) ? GROUP_ORDER.length + 2 : GROUP_ORDER.length + 1;
  };
  return groups
    .sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group))
    .map((g) => ({ group: g.group, versions: g.versions, preferred: g.preferred }));
}

export function coreVersions(reg: KindRegistry): string[] {
  return reg.groupVersions().find((g) => g.group === '')?.versions ?? [];
}

const gvString = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** Descriptors serving group/version, sorted by plural name. */
export function resourcesIn(reg: KindRegistry, group: string, version: string): ResourceDescriptor[] {
  return reg
    .all()
    .filter((d) => d.group === group && d.versions.some((v) => v.version === version && v.served !== false))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

const sortedVerbs = (d: ResourceDescriptor) => [...new Set(d.verbs ?? ALL_VERBS)].sort();

/** Kubernetes' storageVersionHash: the first 8 bytes of sha256("<group>/<version>/<kind>"), base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** The hash of the storage a resource really lives in (events.k8s.io events are stored as core v1 Events). */
function hashFor(reg: KindRegistry, d: ResourceDescriptor): string {
  const target = d.storedAs ? reg.byGroupResource(d.storedAs.group, d.storedAs.resource) : undefined;
  const s = target ?? d;
  return storageVersionHash(s.group, s.storageVersion, s.kind);
}

interface Sub {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** Subresources of a kind served at `version`, sorted by name. */
export function subresourcesOf(d: ResourceDescriptor, version: string): Sub[] {
  const subs: Sub[] = [];
  const s = d.subresources;
  if (s?.status) subs.push({ name: 'status', group: d.group, version, kind: d.kind, verbs: ['get', 'patch', 'update'] });
  if (s?.scale) subs.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  for (const e of s?.extra ?? []) {
    if (subs.some((x) => x.name === e.name)) continue;
    subs.push({ name: e.name, group: e.group ?? d.group, version: e.version ?? version, kind: e.kind, verbs: [...e.verbs] });
  }
  return subs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const isStored = (d: ResourceDescriptor) => !d.virtual && !d.createOnly;

/**
 * Short names and categories a resource advertises. A legacy-only group (extensions) serving a
 * resource that a current group also serves (deployments.apps) does not claim them: kubectl
 * would warn that `deploy` is ambiguous and `get all` would list every such object twice.
 */
function aliases(reg: KindRegistry, d: ResourceDescriptor): { shortNames?: string[]; categories?: string[] } {
  if (LEGACY_ONLY_GROUPS.has(d.group) && reg.all().some((o) => o.plural === d.plural && o.group !== d.group && !LEGACY_ONLY_GROUPS.has(o.group))) return {};
  const out: { shortNames?: string[]; categories?: string[] } = {};
  if (d.shortNames?.length) out.shortNames = [...d.shortNames];
  if (d.categories?.length) out.categories = [...d.categories];
  return out;
}

// ---- legacy documents ----

function apiResourceList(reg: KindRegistry, group: string, version: string) {
  const resources: Record<string, unknown>[] = [];
  for (const d of resourcesIn(reg, group, version)) {
    const r: Record<string, unknown> = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: sortedVerbs(d), ...aliases(reg, d) };
    if (isStored(d)) r.storageVersionHash = hashFor(reg, d);
    resources.push(r);
    for (const s of subresourcesOf(d, version)) {
      const sr: Record<string, unknown> = { name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.namespaced };
      if (s.group !== d.group) sr.group = s.group;
      if (s.group !== d.group || s.version !== version) sr.version = s.version;
      sr.kind = s.kind;
      sr.verbs = s.verbs;
      resources.push(sr);
    }
  }
  resources.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : (a.name as string) > (b.name as string) ? 1 : 0));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(group, version), resources };
}

function apiGroup(g: GroupInfo) {
  return {
    name: g.group,
    versions: g.versions.map((v) => ({ groupVersion: gvString(g.group, v), version: v })),
    preferredVersion: { groupVersion: gvString(g.group, g.preferred), version: g.preferred },
  };
}

// ---- aggregated documents ----

function aggregatedResources(reg: KindRegistry, group: string, version: string) {
  return resourcesIn(reg, group, version).map((d) => {
    const r: Record<string, unknown> = {
      resource: d.plural,
      responseKind: { group: d.group, version, kind: d.kind },
      scope: d.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: d.singular,
      verbs: sortedVerbs(d),
      ...aliases(reg, d),
    };
    const subs = subresourcesOf(d, version);
    if (subs.length)
      r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
    return r;
  });
}

function aggregatedGroup(reg: KindRegistry, group: string, versions: string[]) {
  return {
    metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
    versions: versions.map((v) => ({ version: v, resources: aggregatedResources(reg, group, v), freshness: 'Current' })),
  };
}

function aggregatedList(reg: KindRegistry, core: boolean, apiVersion: string) {
  const items = core
    ? coreVersions(reg).length
      ? [aggregatedGroup(reg, '', coreVersions(reg))]
      : []
    : orderedGroups(reg).map((g) => aggregatedGroup(reg, g.group, g.versions));
  return { kind: AGGREGATED_KIND, apiVersion, metadata: {}, items };
}

// ---- content negotiation ----

interface MediaRange {
  type: string; // 'application/json', '*/*', ...
  params: Record<string, string>;
  q: number;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept || !accept.trim()) return [{ type: '*/*', params: {}, q: 1 }];
  const out: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [typ, ...rest] = part.split(';').map((s) => s.trim());
    if (!typ) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') q = Number(v);
      else params[k] = v;
    }
    if (q > 0 && !Number.isNaN(q)) out.push({ type: typ.toLowerCase(), params, q });
  }
  // Stable sort by quality, keeping the client's order among equals.
  return out.map((m, i) => ({ m, i })).sort((a, b) => b.m.q - a.m.q || a.i - b.i).map((x) => x.m);
}

const acceptsJson = (m: MediaRange) => m.type === '*/*' || m.type === 'application/*' || m.type === JSON_TYPE;

type Negotiated = { aggregated: (typeof AGGREGATED_VERSIONS)[number] | undefined } | undefined;

/** Picks the aggregated form the client prefers, plain JSON, or undefined when nothing we serve is acceptable. */
function negotiate(accept: string | undefined, allowAggregated: boolean): Negotiated {
  for (const m of parseAccept(accept)) {
    if (m.type === JSON_TYPE && (m.params.g || m.params.v || m.params.as)) {
      if (!allowAggregated) continue;
      const v = AGGREGATED_VERSIONS.find((x) => x === m.params.v);
      if (m.params.g === AGGREGATED_GROUP && m.params.as === AGGREGATED_KIND && v && (!m.params.profile || m.params.profile === 'nopeer')) return { aggregated: v };
      continue;
    }
    if (acceptsJson(m)) return { aggregated: undefined };
  }
  return undefined;
}

function notAcceptable(): Reply {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'only the following media types are accepted: application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
    reason: 'NotAcceptable',
    code: 406,
  });
  return { status: 406, headers: { 'Content-Type': JSON_TYPE }, body };
}

// ---- cache ----

interface Cache {
  docs: Map<string, { body: string; etag: string }>;
}
const caches = new WeakMap<KindRegistry, Cache>();

function cacheFor(reg: KindRegistry): Cache {
  let c = caches.get(reg);
  if (!c) {
    const fresh: Cache = { docs: new Map() };
    c = fresh;
    caches.set(reg, fresh);
    reg.onChange(() => fresh.docs.clear());
  }
  return c;
}

function cached(reg: KindRegistry, key: string, build: () => unknown): { body: string; etag: string } {
  const c = cacheFor(reg);
  let e = c.docs.get(key);
  if (!e) {
    const body = JSON.stringify(build());
    e = { body, etag: `"${createHash('sha256').update(body).digest('hex').toUpperCase()}"` };
    c.docs.set(key, e);
  }
  return e;
}

const etagMatches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => {
    const s = t.trim();
    return s === '*' || s === etag || s === `W/${etag}`;
  });

function jsonReply(body: string): Reply {
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body };
}

// ---- entry point ----

/**
 * Answers a discovery request, or returns undefined when `path` is not a discovery path or names
 * a group/version this server does not serve (the caller answers 404).
 * `path` may carry a query string; it is ignored.
 */
export function discoveryReply(reg: KindRegistry, path: string, accept: string | undefined, opts: DiscoveryOptions | string = {}): Reply | undefined {
  const o: DiscoveryOptions = typeof opts === 'string' ? { serverAddress: opts } : opts;
  const p = path.split('?')[0].replace(/\/+$/, '') || '/';
  const parts = p.split('/').filter(Boolean);

  if (p === '/api' || p === '/apis') {
    const core = p === '/api';
    const n = negotiate(accept, true);
    if (!n) return notAcceptable();
    if (n.aggregated) {
      const apiVersion = `${AGGREGATED_GROUP}/${n.aggregated}`;
      const e = cached(reg, `agg:${p}:${n.aggregated}`, () => aggregatedList(reg, core, apiVersion));
      const contentType = `${JSON_TYPE};g=${AGGREGATED_GROUP};v=${n.aggregated};as=${AGGREGATED_KIND}`;
      const headers = { 'Content-Type': contentType, ETag: e.etag, Vary: 'Accept' };
      if (etagMatches(o.ifNoneMatch, e.etag)) return { status: 304, headers, body: '' };
      return { status: 200, headers, body: e.body };
    }
    if (core) {
      const versions = coreVersions(reg);
      const doc = {
        kind: 'APIVersions',
        versions,
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: o.serverAddress ?? '127.0.0.1:6443' }],
      };
      return jsonReply(JSON.stringify(doc));
    }
    return jsonReply(cached(reg, 'apis', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: orderedGroups(reg).map(apiGroup) })).body);
  }

  if (parts[0] === 'api' && parts.length === 2) {
    const version = parts[1];
    if (!coreVersions(reg).includes(version)) return undefined;
    if (!negotiate(accept, false)) return notAcceptable();
    return jsonReply(cached(reg, `rl::${version}`, () => apiResourceList(reg, '', version)).body);
  }

  if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
    const g = orderedGroups(reg).find((x) => x.group === parts[1]);
    if (!g) return undefined;
    if (parts.length === 2) {
      if (!negotiate(accept, false)) return notAcceptable();
      return jsonReply(JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) }));
    }
    const version = parts[2];
    if (!g.versions.includes(version)) return undefined;
    if (!negotiate(accept, false)) return notAcceptable();
    return jsonReply(cached(reg, `rl:${g.group}:${version}`, () => apiResourceList(reg, g.group, version)).body);
  }
  return undefined;
}

// ---- /version ----

const PLATFORM_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The /version document (k8s.io/apimachinery version.Info). */
export function versionInfo(): object {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0+sampan',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'gc',
    platform: `${process.platform}/${PLATFORM_ARCH[process.arch] ?? process.arch}`,
  };
}
