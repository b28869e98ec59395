// discovery.k8s.io: EndpointSlice.
import { define, str, int32, bool, obj, arr, ref, kindSchema, stringMap } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required, notSupported, duplicate } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue, isValidPortNum, validateLabels } from '../validation.js';
import { isObj, list, isSet, parseIP, validateQualifiedName, validateDNS1123Label, immutableField, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const D = 'io.k8s.api.discovery.v1';

define(`${D}.EndpointConditions`, obj({
  ready: bool('Whether the endpoint is ready for traffic; unknown when unset.'),
  serving: bool('Like ready, but also true while the endpoint is terminating.'),
  terminating: bool('Whether the endpoint is shutting down.'),
}, 'Current state of an endpoint.'));
define(`${D}.ForZone`, obj({ name: str('Zone name.') }, 'A zone that should use this endpoint.', { required: ['name'] }));
define(`${D}.EndpointHints`, obj({ forZones: arr(ref(`${D}.ForZone`), 'Zones that should consume this endpoint (topology aware routing).', { listType: 'atomic' }) }, 'Hints for consumers of the endpoint.'));
define(`${D}.Endpoint`, obj({
  addresses: setList(str(), 'Addresses of the endpoint, of the slice addressType. Consumers use the first one.'),
  conditions: ref(`${D}.EndpointConditions`, 'Current state of the endpoint.'),
  hostname: str('Hostname of the endpoint, for DNS records.'),
  targetRef: ref('io.k8s.api.core.v1.ObjectReference', 'The object (usually a pod) behind the endpoint.'),
  deprecatedTopology: stringMap('Deprecated topology labels; use nodeName and zone.'),
  nodeName: str('Node hosting the endpoint.'),
  zone: str('Zone the endpoint is in.'),
  hints: ref(`${D}.EndpointHints`, 'Routing hints.'),
}, 'One backend of a Service.', { required: ['addresses'] }));
define(`${D}.EndpointPort`, obj({
  name: str('Port name; must match a Service port name.'),
  protocol: str('TCP (default), UDP or SCTP.'),
  port: int32('Port number; every port when unset.'),
  appProtocol: str('Application protocol of the port, such as a IANA service name or a domain-prefixed name.'),
}, 'A port served by the endpoints.', { 'x-kubernetes-map-type': 'atomic' } as any));

function setList(items: any, description: string) {
  return arr(items, description, { listType: 'set' });
}

const endpointSliceV1 = kindSchema(`${D}.EndpointSlice`, [{ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }], 'A subset of the endpoints of a Service. The label kubernetes.io/service-name names the Service.', {
  addressType: str('IPv4, IPv6 or FQDN: the kind of every address in the slice. Immutable.'),
  endpoints: arr(ref(`${D}.Endpoint`), 'The endpoints (at most 1000).', { listType: 'atomic' }),
  ports: arr(ref(`${D}.EndpointPort`), 'Ports every endpoint serves (at most 100).', { listType: 'atomic' }),
}, { required: ['addressType', 'endpoints'] });

const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field, detail: `${actual}: must have at most ${max} items` });

function isFQDN(f: string, v: string): FieldError[] {
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (name.length === 0) return [required(f)];
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [invalid(f, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [invalid(f, name, 'should be a domain with at least two segments separated by dots')];
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length) return [invalid(f, l, e.join(','))];
  }
  return [];
}

export function validateEndpointSlice(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = o.addressType;
  if (!at) errs.push(required('addressType'));
  else if (!['FQDN', 'IPv4', 'IPv6'].includes(at)) errs.push(notSupported('addressType', at, ['FQDN', 'IPv4', 'IPv6']));
  const eps = list(o.endpoints);
  if (eps.length > 1000) errs.push(tooMany('endpoints', eps.length, 1000));
  else
    eps.forEach((ep: any, i: number) => {
      const f = `endpoints[${i}]`;
      const addrs = list(ep?.addresses);
      if (addrs.length === 0) errs.push(required(`${f}.addresses`, 'must contain at least 1 address'));
      else if (addrs.length > 100) errs.push(tooMany(`${f}.addresses`, addrs.length, 100));
      addrs.forEach((a: string, j: number) => {
        const af = `${f}.addresses[${j}]`;
        if (at === 'IPv4' && parseIP(a)?.family !== 4) errs.push(invalid(af, a, 'must be a valid IPv4 address'));
        if (at === 'IPv6' && parseIP(a)?.family !== 6) errs.push(invalid(af, a, 'must be a valid IPv6 address'));
        if (at === 'FQDN') errs.push(...isFQDN(af, a));
      });
      if (isSet(ep?.nodeName)) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(`${f}.nodeName`, ep.nodeName, m));
      const topo = isObj(ep?.deprecatedTopology) ? ep.deprecatedTopology : {};
      if (Object.keys(topo).length > 16) errs.push(tooMany(`${f}.deprecatedTopology`, Object.keys(topo).length, 16));
      errs.push(...validateLabels(ep?.deprecatedTopology, `${f}.deprecatedTopology`));
      if (isSet(ep?.zone)) for (const m of isValidLabelValue(ep.zone)) errs.push(invalid(`${f}.zone`, ep.zone, m));
      if (isSet(ep?.hostname)) errs.push(...validateDNS1123Label(ep.hostname, `${f}.hostname`));
      if (isObj(ep?.hints)) {
        const zones = list(ep.hints.forZones);
        if (zones.length > 8) errs.push(tooMany(`${f}.hints.forZones`, zones.length, 8));
        const seen = new Set<string>();
        zones.forEach((z: any, k: number) => {
          const zf = `${f}.hints.forZones[${k}].name`;
          if (seen.has(z?.name)) errs.push(duplicate(zf, z?.name));
          else {
            seen.add(z?.name);
            for (const m of isValidLabelValue(z?.name ?? '')) errs.push(invalid(zf, z?.name ?? '', m));
          }
        });
      }
    });
  const ports = list(o.ports);
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  else {
    const names = new Set<string>();
    ports.forEach((p: any, i: number) => {
      const f = `ports[${i}]`;
      const name: string = p?.name ?? '';
      if (name.length > 0) errs.push(...validateDNS1123Label(name, `${f}.name`));
      if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
      else names.add(name);
      if (!isSet(p?.protocol)) errs.push(required(`${f}.protocol`));
      else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
      if (isSet(p?.appProtocol)) errs.push(...validateQualifiedName(p.appProtocol, `${f}.appProtocol`));
      if (isSet(p?.port)) for (const m of isValidPortNum(p.port)) errs.push(invalid(`${f}.port`, p.port, m));
    });
  }
  return errs;
}

export function endpointSliceDefaults(o: KubeObject): void {
  for (const p of list(o.ports)) {
    if (!isObj(p)) continue;
    if (!isSet(p.name)) p.name = '';
    if (!isSet(p.protocol)) p.protocol = 'TCP';
  }
}

function listWithMore(items: string[], more: boolean, count: number, max: number): string {
  const s = items.join(',');
  if (more) return `${s} + ${count - max} more...`;
  return s === '' ? '<unset>' : s;
}

export function formatSlicePorts(ports: any[]): string {
  const out: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports) {
    if (out.length < 3) out.push(isSet(p?.port) ? String(p.port) : isSet(p?.name) ? p.name : '*');
    else if (out.length === 3) more = true;
    count++;
  }
  return listWithMore(out, more, count, 3);
}

export function formatSliceEndpoints(eps: any[]): string {
  const out: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of eps)
    for (const a of list(ep?.addresses)) {
      if (out.length < 3) out.push(a);
      else if (out.length === 3) more = true;
      count++;
    }
  return listWithMore(out, more, count, 3);
}

export const endpointSlice: ResourceDescriptor = {
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: endpointSliceV1,
  hasGeneration: true,
  defaults: endpointSliceDefaults,
  validate: validateEndpointSlice,
  validateUpdate: (o, old) => [...validateEndpointSlice(o), ...immutableField(o.addressType, old.addressType, 'addressType')],
  table: {
    columns: [nameColumn, col('AddressType', 'Kind of the addresses in the slice.'), col('Ports', 'Ports of the endpoints.'), col('Endpoints', 'Addresses of the endpoints.'), ageColumn],
    row: (o, now) => [o.metadata.name, o.addressType ?? '', formatSlicePorts(list(o.ports)), formatSliceEndpoints(list(o.endpoints)), age(o.metadata.creationTimestamp, now)],
  },
};

export const descriptors: ResourceDescriptor[] = [endpointSlice];
