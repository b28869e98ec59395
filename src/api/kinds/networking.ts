// networking.k8s.io: Ingress (v1, plus networking.k8s.io/v1beta1 and extensions/v1beta1 with
// conversion), IngressClass and NetworkPolicy (plus extensions/v1beta1).
import { define, str, int32, obj, arr, ref, kindSchema, intOrString, type Schema } from '../schema.js';
import type { ResourceDescriptor, VersionInfo } from '../descriptor.js';
import { type FieldError, GoValue, invalid, required, notSupported, forbiddenField, tooLong } from '../errors.js';
import type { KubeObject } from '../types.js';
import { deepClone } from '../types.js';
import { isDNS1035Label, isDNS1123Subdomain, isDNS1123Label, isValidPortName, isValidPortNum, isValidPathSegmentName } from '../validation.js';
import { labelSelectorRef } from './meta.js';
import { asVersion, isObj, list, isSet, parseIP, parseCIDR, cidrContains, validateLabelSelector, formatLabelSelector, immutableField, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const N = 'io.k8s.api.networking.v1';
const B = 'io.k8s.api.networking.v1beta1';
const X = 'io.k8s.api.extensions.v1beta1';
const atomic = { listType: 'atomic' as const };

// ---------------------------------------------------------------- schemas: networking.k8s.io/v1

define(`${N}.ServiceBackendPort`, obj({ name: str('Name of the Service port (mutually exclusive with number).'), number: int32('Numeric Service port (mutually exclusive with name).') }, 'A port of the referenced Service, by name or number.', { 'x-kubernetes-map-type': 'atomic' } as any));
define(`${N}.IngressServiceBackend`, obj({ name: str('Name of the Service, in the Ingress namespace.'), port: ref(`${N}.ServiceBackendPort`, 'Port of the Service to send traffic to.') }, 'A Service that receives the traffic.', { required: ['name'] }));
define(`${N}.IngressBackend`, obj({ service: ref(`${N}.IngressServiceBackend`, 'A Service backend (mutually exclusive with resource).'), resource: ref('io.k8s.api.core.v1.TypedLocalObjectReference', 'Another object in the Ingress namespace that serves the traffic (mutually exclusive with service).') }, 'Where matching traffic is sent.'));
define(`${N}.HTTPIngressPath`, obj({
  path: str("Path matched against the request path; must begin with '/' for Prefix and Exact."),
  pathType: str('How path is matched: Exact, Prefix (per path element) or ImplementationSpecific (up to the controller).'),
  backend: ref(`${N}.IngressBackend`, 'Where requests matching this path go.'),
}, 'One path and the backend its requests go to.', { required: ['pathType', 'backend'] }));
define(`${N}.HTTPIngressRuleValue`, obj({ paths: arr(ref(`${N}.HTTPIngressPath`), 'Paths and their backends.', atomic) }, 'HTTP routing by path.', { required: ['paths'] }));
define(`${N}.IngressRule`, obj({
  host: str('Fully qualified domain name of the host the rule applies to, optionally with a leading "*." wildcard label. Empty means every host.'),
  http: ref(`${N}.HTTPIngressRuleValue`, 'HTTP paths for this host.'),
}, 'Maps a host and its paths to backends.'));
define(`${N}.IngressTLS`, obj({ hosts: arr(str(), 'Hosts covered by the certificate.', atomic), secretName: str('Secret holding the TLS certificate and key.') }, 'TLS settings for some hosts.'));
define(`${N}.IngressSpec`, obj({
  ingressClassName: str('Name of the IngressClass that implements this Ingress.'),
  defaultBackend: ref(`${N}.IngressBackend`, 'Backend for requests that match no rule.'),
  tls: arr(ref(`${N}.IngressTLS`), 'TLS termination settings.', atomic),
  rules: arr(ref(`${N}.IngressRule`), 'Host rules; requests matching none go to the default backend.', atomic),
}, 'Desired state of an Ingress.'));
define(`${N}.IngressPortStatus`, obj({ port: int32('Port number.'), protocol: str('TCP, UDP or SCTP.'), error: str('Problem with this port, if any.') }, 'Status of one port.', { required: ['port', 'protocol'] }));
define(`${N}.IngressLoadBalancerIngress`, obj({ ip: str('IP address of an ingress point.'), hostname: str('DNS name of an ingress point.'), ports: arr(ref(`${N}.IngressPortStatus`), 'Ports of this ingress point.', atomic) }, 'One ingress point of the load balancer.'));
define(`${N}.IngressLoadBalancerStatus`, obj({ ingress: arr(ref(`${N}.IngressLoadBalancerIngress`), 'Ingress points.', atomic) }, 'Load balancer status.'));
define(`${N}.IngressStatus`, obj({ loadBalancer: ref(`${N}.IngressLoadBalancerStatus`, 'Where the Ingress is reachable.') }, 'Observed state of an Ingress.'));
const ingressV1 = kindSchema(`${N}.Ingress`, [{ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }], 'Routes external HTTP(S) traffic to Services by host and path.', {
  spec: ref(`${N}.IngressSpec`, 'Desired state.'),
  status: ref(`${N}.IngressStatus`, 'Observed state.'),
});

define(`${N}.IngressClassParametersReference`, obj({
  apiGroup: str('API group of the parameters object.'),
  kind: str('Kind of the parameters object.'),
  name: str('Name of the parameters object.'),
  namespace: str('Namespace of the parameters object; required when scope is Namespace.'),
  scope: str('Cluster or Namespace.'),
}, 'An object that holds controller-specific settings.', { required: ['kind', 'name'] }));
define(`${N}.IngressClassSpec`, obj({
  controller: str('Name of the controller that implements this class, as a domain-prefixed path such as "example.com/ingress-controller". Immutable.'),
  parameters: ref(`${N}.IngressClassParametersReference`, 'Extra settings for the controller.'),
}, 'Desired state of an IngressClass.'));
const ingressClassV1 = kindSchema(`${N}.IngressClass`, [{ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' }], 'A kind of Ingress and the controller that implements it. The annotation ingressclass.kubernetes.io/is-default-class marks the default class.', {
  spec: ref(`${N}.IngressClassSpec`, 'Desired state.'),
});

define(`${N}.IPBlock`, obj({ cidr: str('CIDR the peer addresses fall in, such as "192.168.1.0/24".'), except: arr(str(), 'CIDRs inside cidr that are excluded.', atomic) }, 'A range of IP addresses.', { required: ['cidr'] }));
define(`${N}.NetworkPolicyPeer`, obj({
  podSelector: labelSelectorRef('Pods selected by label (in the namespaces chosen by namespaceSelector, or the policy namespace).'),
  namespaceSelector: labelSelectorRef('Namespaces selected by label.'),
  ipBlock: ref(`${N}.IPBlock`, 'An IP range (exclusive with the selectors).'),
}, 'Who traffic may come from or go to.'));
define(`${N}.NetworkPolicyPort`, obj({
  protocol: str('TCP (default), UDP or SCTP.'),
  port: intOrString('Port number or named port; all ports when unset.'),
  endPort: int32('Last port of a range starting at port.'),
}, 'A port (or range) traffic may use.'));
define(`${N}.NetworkPolicyIngressRule`, obj({ ports: arr(ref(`${N}.NetworkPolicyPort`), 'Allowed destination ports; all when empty.', atomic), from: arr(ref(`${N}.NetworkPolicyPeer`), 'Allowed sources; everyone when empty.', atomic) }, 'Incoming traffic that is allowed.'));
define(`${N}.NetworkPolicyEgressRule`, obj({ ports: arr(ref(`${N}.NetworkPolicyPort`), 'Allowed destination ports; all when empty.', atomic), to: arr(ref(`${N}.NetworkPolicyPeer`), 'Allowed destinations; everyone when empty.', atomic) }, 'Outgoing traffic that is allowed.'));
define(`${N}.NetworkPolicySpec`, obj({
  podSelector: labelSelectorRef('Pods the policy applies to; empty selects every pod in the namespace.'),
  ingress: arr(ref(`${N}.NetworkPolicyIngressRule`), 'Allowed incoming traffic.', atomic),
  egress: arr(ref(`${N}.NetworkPolicyEgressRule`), 'Allowed outgoing traffic.', atomic),
  policyTypes: arr(str(), 'Ingress, Egress or both: which directions the policy isolates.', atomic),
}, 'Desired state of a NetworkPolicy.', { required: ['podSelector'] }));
const networkPolicyV1 = kindSchema(`${N}.NetworkPolicy`, [{ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' }], 'Which network traffic is allowed to and from a set of pods.', {
  spec: ref(`${N}.NetworkPolicySpec`, 'Desired state.'),
});

// ---------------------------------------------------------------- schemas: legacy Ingress

function legacyIngressSchemas(P: string, group: string): Schema {
  define(`${P}.IngressBackend`, obj({
    serviceName: str('Name of the Service.'),
    servicePort: intOrString('Port of the Service, by number or name.'),
    resource: ref('io.k8s.api.core.v1.TypedLocalObjectReference', 'Another object that serves the traffic (exclusive with serviceName/servicePort).'),
  }, 'Where matching traffic is sent.'));
  define(`${P}.HTTPIngressPath`, obj({ path: str('Path matched against the request path.'), pathType: str('Exact, Prefix or ImplementationSpecific (the default in this version).'), backend: ref(`${P}.IngressBackend`, 'Where matching requests go.') }, 'One path and its backend.', { required: ['backend'] }));
  define(`${P}.HTTPIngressRuleValue`, obj({ paths: arr(ref(`${P}.HTTPIngressPath`), 'Paths and their backends.', atomic) }, 'HTTP routing by path.', { required: ['paths'] }));
  define(`${P}.IngressRule`, obj({ host: str('Host the rule applies to.'), http: ref(`${P}.HTTPIngressRuleValue`, 'HTTP paths.') }, 'Maps a host and its paths to backends.'));
  define(`${P}.IngressTLS`, obj({ hosts: arr(str(), 'Hosts covered by the certificate.', atomic), secretName: str('Secret holding the certificate and key.') }, 'TLS settings.'));
  define(`${P}.IngressSpec`, obj({
    ingressClassName: str('Name of the IngressClass.'),
    backend: ref(`${P}.IngressBackend`, 'Backend for requests that match no rule.'),
    tls: arr(ref(`${P}.IngressTLS`), 'TLS settings.', atomic),
    rules: arr(ref(`${P}.IngressRule`), 'Host rules.', atomic),
  }, 'Desired state of an Ingress.'));
  return kindSchema(`${P}.Ingress`, [{ group, version: 'v1beta1', kind: 'Ingress' }], 'Deprecated Ingress version; use networking.k8s.io/v1.', {
    spec: ref(`${P}.IngressSpec`, 'Desired state.'),
    status: ref(`${N}.IngressStatus`, 'Observed state.'),
  });
}
const ingressBeta = legacyIngressSchemas(B, 'networking.k8s.io');
const ingressExt = legacyIngressSchemas(X, 'extensions');

define(`${X}.IPBlock`, obj({ cidr: str('CIDR of the range.'), except: arr(str(), 'Excluded CIDRs.', atomic) }, 'A range of IP addresses.', { required: ['cidr'] }));
define(`${X}.NetworkPolicyPeer`, obj({ podSelector: labelSelectorRef('Pods by label.'), namespaceSelector: labelSelectorRef('Namespaces by label.'), ipBlock: ref(`${X}.IPBlock`, 'An IP range.') }, 'A traffic peer.'));
define(`${X}.NetworkPolicyPort`, obj({ protocol: str('TCP, UDP or SCTP.'), port: intOrString('Port number or name.'), endPort: int32('Last port of a range.') }, 'A port.'));
define(`${X}.NetworkPolicyIngressRule`, obj({ ports: arr(ref(`${X}.NetworkPolicyPort`), 'Ports.', atomic), from: arr(ref(`${X}.NetworkPolicyPeer`), 'Sources.', atomic) }, 'Allowed incoming traffic.'));
define(`${X}.NetworkPolicyEgressRule`, obj({ ports: arr(ref(`${X}.NetworkPolicyPort`), 'Ports.', atomic), to: arr(ref(`${X}.NetworkPolicyPeer`), 'Destinations.', atomic) }, 'Allowed outgoing traffic.'));
define(`${X}.NetworkPolicySpec`, obj({
  podSelector: labelSelectorRef('Pods the policy applies to.'),
  ingress: arr(ref(`${X}.NetworkPolicyIngressRule`), 'Allowed incoming traffic.', atomic),
  egress: arr(ref(`${X}.NetworkPolicyEgressRule`), 'Allowed outgoing traffic.', atomic),
  policyTypes: arr(str(), 'Ingress, Egress or both.', atomic),
}, 'Desired state.', { required: ['podSelector'] }));
const networkPolicyExt = kindSchema(`${X}.NetworkPolicy`, [{ group: 'extensions', version: 'v1beta1', kind: 'NetworkPolicy' }], 'Deprecated NetworkPolicy version; use networking.k8s.io/v1.', {
  spec: ref(`${X}.NetworkPolicySpec`, 'Desired state.'),
});

// ---------------------------------------------------------------- Ingress conversion

function backendToV1(b: any): any {
  if (!isObj(b)) return b;
  const out: any = {};
  if (isSet(b.resource)) out.resource = b.resource;
  if (isSet(b.serviceName) || isSet(b.servicePort)) {
    const svc: any = { name: b.serviceName ?? '' };
    const p = b.servicePort;
    if (typeof p === 'number') svc.port = { number: p };
    else if (typeof p === 'string') svc.port = { name: p };
    else svc.port = {};
    out.service = svc;
  }
  return out;
}

function backendFromV1(b: any): any {
  if (!isObj(b)) return b;
  const out: any = {};
  if (isObj(b.service)) {
    out.serviceName = b.service.name ?? '';
    const port = b.service.port ?? {};
    if (port.name) out.servicePort = port.name;
    else out.servicePort = port.number ?? 0;
  }
  if (isSet(b.resource)) out.resource = b.resource;
  return out;
}

function mapRules(rules: any, f: (b: any) => any): any {
  if (!Array.isArray(rules)) return rules;
  return rules.map((r) => {
    if (!isObj(r) || !isObj(r.http)) return r;
    const paths = Array.isArray(r.http.paths) ? r.http.paths.map((p: any) => (isObj(p) && isSet(p.backend) ? { ...p, backend: f(p.backend) } : p)) : r.http.paths;
    return { ...r, http: { ...r.http, paths } };
  });
}

/** networking.k8s.io/v1beta1 or extensions/v1beta1 Ingress → networking.k8s.io/v1. */
export function ingressLegacyToV1(o: KubeObject): KubeObject {
  const out = deepClone(o);
  out.apiVersion = 'networking.k8s.io/v1';
  out.kind = 'Ingress';
  const spec = out.spec;
  if (isObj(spec)) {
    if ('backend' in spec) {
      if (isSet(spec.backend)) spec.defaultBackend = backendToV1(spec.backend);
      delete spec.backend;
    }
    spec.rules = mapRules(spec.rules, backendToV1);
    if (spec.rules === undefined) delete spec.rules;
  }
  return out;
}

/** networking.k8s.io/v1 Ingress → a legacy v1beta1 form (apiVersion as given). */
export function ingressV1ToLegacy(o: KubeObject, apiVersion: string): KubeObject {
  const out = deepClone(o);
  out.apiVersion = apiVersion;
  out.kind = 'Ingress';
  const spec = out.spec;
  if (isObj(spec)) {
    if ('defaultBackend' in spec) {
      if (isSet(spec.defaultBackend)) spec.backend = backendFromV1(spec.defaultBackend);
      delete spec.defaultBackend;
    }
    spec.rules = mapRules(spec.rules, backendFromV1);
    if (spec.rules === undefined) delete spec.rules;
  }
  return out;
}

function legacyIngressDefaults(o: KubeObject): void {
  for (const r of list(o.spec?.rules)) for (const p of list(r?.http?.paths)) if (isObj(p) && !p.pathType) p.pathType = 'ImplementationSpecific';
}

// ---------------------------------------------------------------- Ingress validation

const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];
const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^${wildcardFmt}$`);
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!wildcardRe.test(v))
    errs.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${wildcardFmt}')`);
  return errs;
}

function validateTypedLocalRef(r: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(r)) return errs;
  if (isSet(r.apiGroup)) for (const m of isDNS1123Subdomain(r.apiGroup)) errs.push(invalid(`${f}.apiGroup`, r.apiGroup, m));
  if (!r.kind) errs.push(required(`${f}.kind`, 'kind is required'));
  else for (const m of isValidPathSegmentName(r.kind)) errs.push(invalid(`${f}.kind`, r.kind, m));
  if (!r.name) errs.push(required(`${f}.name`, 'name is required'));
  else for (const m of isValidPathSegmentName(r.name)) errs.push(invalid(`${f}.name`, r.name, m));
  return errs;
}

function validateIngressBackend(b: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasResource = isSet(b?.resource);
  const hasService = isSet(b?.service);
  if (hasResource && hasService) return [invalid(f, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalRef(b.resource, `${f}.resource`);
  if (!hasService) return [invalid(f, '', 'resource or service backend is required')];
  const svc = b.service;
  if (!svc.name) errs.push(required(`${f}.service.name`));
  else for (const m of isDNS1035Label(svc.name)) errs.push(invalid(`${f}.service.name`, svc.name, m));
  const portName: string = svc.port?.name ?? '';
  const portNumber: number = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalid(f, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalid(`${f}.service.port.name`, portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalid(`${f}.service.port.number`, portNumber, m));
  else errs.push(required(f, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!p?.pathType) return [required(`${f}.pathType`, 'pathType must be specified')];
  const path: string = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!path.startsWith('/')) errs.push(invalid(`${f}.path`, path, 'must be an absolute path'));
      if (path.length > 0) {
        for (const s of invalidPathSequences) if (path.includes(s)) errs.push(invalid(`${f}.path`, path, `must not contain '${s}'`));
        for (const s of invalidPathSuffixes) if (path.endsWith(s)) errs.push(invalid(`${f}.path`, path, `cannot end with '${s}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (path.length > 0 && !path.startsWith('/')) errs.push(invalid(`${f}.path`, path, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${f}.pathType`, p.pathType, pathTypes));
  }
  errs.push(...validateIngressBackend(p.backend ?? {}, `${f}.backend`));
  return errs;
}

export function validateIngressSpec(spec: any, f = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  spec = isObj(spec) ? spec : {};
  const rules = spec.rules;
  if (list(rules).length === 0 && !isSet(spec.defaultBackend)) {
    errs.push(invalid(f, new GoValue(Array.isArray(rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isSet(spec.defaultBackend)) errs.push(...validateIngressBackend(spec.defaultBackend, `${f}.defaultBackend`));
  list(rules).forEach((r: any, i: number) => {
    const rf = `${f}.rules[${i}]`;
    const host: string = r?.host ?? '';
    if (host) {
      if (parseIP(host)) errs.push(invalid(`${rf}.host`, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) for (const m of isWildcardDNS1123Subdomain(host)) errs.push(invalid(`${rf}.host`, host, m));
      else for (const m of isDNS1123Subdomain(host)) errs.push(invalid(`${rf}.host`, host, m));
    }
    if (isObj(r?.http)) {
      const paths = list(r.http.paths);
      if (paths.length === 0) errs.push(required(`${rf}.http.paths`));
      paths.forEach((p: any, j: number) => errs.push(...validateHTTPPath(p, `${rf}.http.paths[${j}]`)));
    }
  });
  list(spec.tls).forEach((t: any, i: number) => {
    list(t?.hosts).forEach((h: string, j: number) => {
      const hf = `${f}.tls[${i}].hosts[${j}]`;
      const msgs = h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      for (const m of msgs) errs.push(invalid(hf, h, m));
    });
    if (t?.secretName) for (const m of isDNS1123Subdomain(t.secretName)) errs.push(invalid(`${f}.tls[${i}].secretName`, t.secretName, m));
  });
  if (isSet(spec.ingressClassName)) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(invalid(`${f}.ingressClassName`, spec.ingressClassName, m));
  return errs;
}

function validateIngressStatus(status: any): FieldError[] {
  const errs: FieldError[] = [];
  list(status?.loadBalancer?.ingress).forEach((ing: any, i: number) => {
    const f = `status.loadBalancer.ingress[${i}]`;
    if (ing?.ip && !parseIP(ing.ip)) errs.push(invalid(`${f}.ip`, ing.ip, 'must be a valid IP address'));
    if (ing?.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(invalid(`${f}.hostname`, ing.hostname, m));
      if (parseIP(ing.hostname)) errs.push(invalid(`${f}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// ---------------------------------------------------------------- Ingress table

function ingressHosts(rules: any[]): string {
  const out: string[] = [];
  const max = 4;
  let more = false;
  for (const r of rules) {
    if (out.length === max) more = true;
    if (!more && r?.host) out.push(r.host);
  }
  if (out.length === 0) return '*';
  const s = out.join(',');
  return more ? `${s} + ${rules.length - max} more...` : s;
}

function ingressAddress(status: any): string {
  const set = new Set<string>();
  for (const i of list(status?.loadBalancer?.ingress)) {
    if (i?.ip) set.add(i.ip);
    else if (i?.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

const ingressVersionWarning = (group: string, since: string) => `${group}/v1beta1 Ingress is deprecated in ${since}+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress`;

const ingressTable = {
  columns: [
    nameColumn,
    col('Class', 'Name of the IngressClass that implements the Ingress.'),
    col('Hosts', 'Hosts incoming requests are matched against.'),
    col('Address', 'Addresses where the load balancer accepts traffic.'),
    col('Ports', 'Ports the Ingress listens on (443 when TLS is configured).'),
    ageColumn,
  ],
  row: (o: KubeObject, now: Date) => [
    o.metadata.name,
    o.spec?.ingressClassName ?? '<none>',
    ingressHosts(list(o.spec?.rules)),
    ingressAddress(o.status),
    list(o.spec?.tls).length ? '80, 443' : '80',
    age(o.metadata.creationTimestamp, now),
  ],
};

const legacyIngressVersion = (apiVersion: string, schema: Schema, warning: string): VersionInfo => ({
  version: 'v1beta1',
  deprecationWarning: warning,
  schema,
  defaults: legacyIngressDefaults,
  toStorage: ingressLegacyToV1,
  fromStorage: (o) => ingressV1ToLegacy(o, apiVersion),
});

const ingressCommon = {
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  shortNames: ['ing'],
  namespaced: true,
  storageVersion: 'v1',
  schema: ingressV1,
  subresources: { status: true },
  hasGeneration: true,
  validate: (o: KubeObject) => validateIngressSpec(o.spec),
  validateUpdate: (o: KubeObject, _old: KubeObject, ctx: { subresource?: string }) => (ctx.subresource === 'status' ? validateIngressStatus(o.status) : validateIngressSpec(o.spec)),
  table: ingressTable,
};

export const ingress: ResourceDescriptor = {
  group: 'networking.k8s.io',
  ...ingressCommon,
  versions: [{ version: 'v1', schema: ingressV1 }, legacyIngressVersion('networking.k8s.io/v1beta1', ingressBeta, ingressVersionWarning('networking.k8s.io', 'v1.19'))],
};

/** extensions/v1beta1 Ingress: served from networking.k8s.io ingresses' storage. */
export const extensionsIngress: ResourceDescriptor = {
  group: 'extensions',
  ...ingressCommon,
  versions: [{ version: 'v1', served: false, schema: ingressV1 }, legacyIngressVersion('extensions/v1beta1', ingressExt, ingressVersionWarning('extensions', 'v1.14'))],
  storedAs: { group: 'networking.k8s.io', resource: 'ingresses' },
};

// ---------------------------------------------------------------- IngressClass

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

export function isDomainPrefixedPath(f: string, v: string): FieldError[] {
  if (!v) return [required(f)];
  const i = v.indexOf('/');
  if (i <= 0 || i === v.length - 1) return [invalid(f, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = v.slice(0, i);
  const path = v.slice(i + 1);
  const errs = isDNS1123Subdomain(host).map((m) => invalid(f, host, m));
  if (!httpPathRe.test(path)) errs.push(invalid(f, path, `Invalid path (regex used for validation is '${httpPathFmt}')`));
  return errs;
}

function validateIngressClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = o.spec ?? {};
  const controller: string = spec.controller ?? '';
  if (controller.length > 250) errs.push(tooLong('spec.controller', controller, 250));
  errs.push(...isDomainPrefixedPath('spec.controller', controller));
  const p = spec.parameters;
  if (isObj(p)) {
    const f = 'spec.parameters';
    errs.push(...validateTypedLocalRef(p, f));
    if (!isSet(p.scope)) errs.push(required(`${f}.scope`));
    else if (p.scope !== 'Cluster' && p.scope !== 'Namespace') errs.push(notSupported(`${f}.scope`, p.scope, ['Cluster', 'Namespace']));
    else {
      if (p.scope === 'Namespace') {
        if (!isSet(p.namespace)) errs.push(required(`${f}.namespace`, "`parameters.scope` is set to 'Namespace'"));
        else for (const m of isDNS1123Label(p.namespace)) errs.push(invalid(`${f}.namespace`, p.namespace, m));
      }
      if (p.scope === 'Cluster' && isSet(p.namespace)) errs.push(forbiddenField(`${f}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export const ingressClass: ResourceDescriptor = {
  group: 'networking.k8s.io',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: ingressClassV1,
  hasGeneration: true,
  defaults(o) {
    const p = o.spec?.parameters;
    if (isObj(p) && !isSet(p.scope)) p.scope = 'Cluster';
  },
  validate: validateIngressClass,
  validateUpdate: (o, old) => [...validateIngressClass(o), ...immutableField(o.spec?.controller ?? '', old.spec?.controller ?? '', 'spec.controller')],
  table: {
    columns: [nameColumn, col('Controller', 'Controller that implements the class.'), col('Parameters', 'Object holding extra settings for the controller.'), ageColumn],
    row(o, now) {
      const p = o.spec?.parameters;
      let params = '<none>';
      if (isObj(p)) params = `${p.kind ?? ''}${isSet(p.apiGroup) ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
      return [o.metadata.name, o.spec?.controller ?? '', params, age(o.metadata.creationTimestamp, now)];
    },
  },
};

// ---------------------------------------------------------------- NetworkPolicy

function validateNetworkPolicyPort(p: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(p?.protocol) && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']));
  if (isSet(p?.port)) {
    if (typeof p.port === 'number') {
      for (const m of isValidPortNum(p.port)) errs.push(invalid(`${f}.port`, p.port, m));
      if (isSet(p.endPort)) {
        if (p.endPort < p.port) errs.push(invalid(`${f}.endPort`, p.port, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(p.endPort)) errs.push(invalid(`${f}.endPort`, p.endPort, m));
      }
    } else {
      if (isSet(p.endPort)) errs.push(invalid(`${f}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(String(p.port))) errs.push(invalid(`${f}.port`, p.port, m));
    }
  } else if (isSet(p?.endPort)) {
    errs.push(invalid(`${f}.endPort`, p.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(b: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!b?.cidr) return [required(`${f}.cidr`)];
  const cidr = parseCIDR(b.cidr);
  if (!cidr) return [invalid(`${f}.cidr`, b.cidr, 'not a valid CIDR')];
  const except = list(b.except);
  for (let i = 0; i < except.length; i++) {
    const ef = `${f}.except[${i}]`;
    const e = parseCIDR(String(except[i]));
    if (!e) {
      errs.push(invalid(ef, except[i], 'not a valid CIDR'));
      return errs;
    }
    if (!cidrContains(cidr, e.family, e.base) || cidr.bits >= e.bits) errs.push(invalid(ef, except[i], 'must be a strict subset of `cidr`'));
  }
  return errs;
}

function validateNetworkPolicyPeer(p: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (isSet(p?.podSelector)) {
    n++;
    errs.push(...validateLabelSelector(p.podSelector, `${f}.podSelector`));
  }
  if (isSet(p?.namespaceSelector)) {
    n++;
    errs.push(...validateLabelSelector(p.namespaceSelector, `${f}.namespaceSelector`));
  }
  if (isSet(p?.ipBlock)) {
    n++;
    errs.push(...validateIPBlock(p.ipBlock, `${f}.ipBlock`));
  }
  if (n === 0) errs.push(required(f, 'must specify a peer'));
  else if (n > 1 && isSet(p?.ipBlock)) errs.push(forbiddenField(f, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicySpec(spec: any, f = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  spec = isObj(spec) ? spec : {};
  errs.push(...validateLabelSelector(spec.podSelector, `${f}.podSelector`));
  list(spec.ingress).forEach((r: any, i: number) => {
    list(r?.ports).forEach((p: any, j: number) => errs.push(...validateNetworkPolicyPort(p, `${f}.ingress[${i}].ports[${j}]`)));
    list(r?.from).forEach((p: any, j: number) => errs.push(...validateNetworkPolicyPeer(p, `${f}.ingress[${i}].from[${j}]`)));
  });
  list(spec.egress).forEach((r: any, i: number) => {
    list(r?.ports).forEach((p: any, j: number) => errs.push(...validateNetworkPolicyPort(p, `${f}.egress[${i}].ports[${j}]`)));
    list(r?.to).forEach((p: any, j: number) => errs.push(...validateNetworkPolicyPeer(p, `${f}.egress[${i}].to[${j}]`)));
  });
  const types = list(spec.policyTypes);
  if (types.length > 2) {
    errs.push(invalid(`${f}.policyTypes`, new GoValue(`&[]networking.PolicyType{${types.map((t) => JSON.stringify(String(t))).join(', ')}}`), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`${f}.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

export function networkPolicyDefaults(o: KubeObject): void {
  const spec = o.spec;
  if (!isObj(spec)) return;
  for (const rules of [spec.ingress, spec.egress]) for (const r of list(rules)) for (const p of list(r?.ports)) if (isObj(p) && !isSet(p.protocol)) p.protocol = 'TCP';
  if (list(spec.policyTypes).length === 0) {
    spec.policyTypes = ['Ingress'];
    if (list(spec.egress).length !== 0) spec.policyTypes.push('Egress');
  }
}

const networkPolicyTable = {
  columns: [nameColumn, col('Pod-Selector', 'Pods the policy applies to.'), ageColumn],
  row: (o: KubeObject, now: Date) => [o.metadata.name, formatLabelSelector(o.spec?.podSelector ?? {}), age(o.metadata.creationTimestamp, now)],
};

const networkPolicyCommon = {
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  shortNames: ['netpol'],
  namespaced: true,
  storageVersion: 'v1',
  schema: networkPolicyV1,
  hasGeneration: true,
  defaults: networkPolicyDefaults,
  validate: (o: KubeObject) => validateNetworkPolicySpec(o.spec),
  validateUpdate: (o: KubeObject) => validateNetworkPolicySpec(o.spec),
  table: networkPolicyTable,
};

export const networkPolicy: ResourceDescriptor = { group: 'networking.k8s.io', ...networkPolicyCommon, versions: [{ version: 'v1' }] };


/** extensions/v1beta1 NetworkPolicy: same shape, served from networking.k8s.io networkpolicies' storage. */
export const extensionsNetworkPolicy: ResourceDescriptor = {
  group: 'extensions',
  ...networkPolicyCommon,
  versions: [
    { version: 'v1', served: false },
    {
      version: 'v1beta1',
      schema: networkPolicyExt,
      deprecationWarning: 'extensions/v1beta1 NetworkPolicy is deprecated in v1.9+, unavailable in v1.16+; use networking.k8s.io/v1 NetworkPolicy',
      toStorage: asVersion('networking.k8s.io/v1'),
      fromStorage: asVersion('extensions/v1beta1'),
    },
  ],
  storedAs: { group: 'networking.k8s.io', resource: 'networkpolicies' },
};

export const descriptors: ResourceDescriptor[] = [ingress, extensionsIngress, ingressClass, networkPolicy, extensionsNetworkPolicy];
