// Services and Endpoints: defaulting, validation, ClusterIP and NodePort allocation (from the
// service CIDR and node port range in the server config) and their `kubectl get` tables.
import type { KubeObject } from '../../types.js';
import type { RequestContext, ResourceDescriptor } from '../../descriptor.js';
import { type FieldError, GoValue, invalid, required, notSupported, duplicate, forbiddenField, invalidObject } from '../../errors.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPortName, validateLabels } from '../../validation.js';
import { age, col, nameColumn, ageColumn, wideCol } from '../../table.js';
import { coreRef } from './schemas.js';
import { type Obj, IP_MSG, isObj, list, keys, isIP, isCIDR, parseIPv4, formatIPv4, parseCidr4, formatLabels, goStringSlice, validatePortNum, validateProtocol, validateQualifiedName } from './util.js';

const DEFAULT_CIDR = '10.96.0.0/12';
const DEFAULT_NODE_PORTS: [number, number] = [30000, 32767];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

const svcType = (s: Obj): string => s.spec?.type || 'ClusterIP';
const needsClusterIP = (s: Obj) => svcType(s) !== 'ExternalName';
const needsNodePorts = (s: Obj) => svcType(s) === 'NodePort' || (svcType(s) === 'LoadBalancer' && s.spec?.allocateLoadBalancerNodePorts !== false);
const externallyAccessible = (s: Obj) => svcType(s) === 'LoadBalancer' || svcType(s) === 'NodePort' || (svcType(s) === 'ClusterIP' && list(s.spec?.externalIPs).length > 0);
const isHeadless = (s: Obj) => s.spec?.clusterIP === 'None' || list(s.spec?.clusterIPs)[0] === 'None';
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const healthCheckNeeded = (s: Obj) => svcType(s) === 'LoadBalancer' && s.spec?.externalTrafficPolicy === 'Local';

// ---------------------------------------------------------------- defaults

export function defaultService(svc: KubeObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of list(spec.ports)) {
    if (!isObj(p)) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === 'LoadBalancer') for (const ing of list(svc.status?.loadBalancer?.ingress)) if (isObj(ing) && ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
}

// ---------------------------------------------------------------- validation

function validateServiceName(meta: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (meta?.name) for (const m of isDNS1035Label(meta.name)) errs.push(invalid('metadata.name', meta.name, m));
  else if (meta?.generateName) {
    let prefix: string = meta.generateName;
    if (prefix.length > 1 && prefix.endsWith('-')) prefix = prefix.slice(0, -1);
    for (const m of isDNS1035Label(prefix)) errs.push(invalid('metadata.generateName', meta.generateName, m));
  }
  return errs;
}

function validateServiceSpec(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(svc.spec) ? svc.spec : {};
  const type = spec.type;
  const headless = isHeadless(svc);
  const ports = list(spec.ports);
  if (!SERVICE_TYPES.includes(type)) errs.push(type ? notSupported('spec.type', type, SERVICE_TYPES) : required('spec.type', ''));
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports', ''));
  if (type === 'ExternalName') {
    if (spec.clusterIP) errs.push(forbiddenField('spec.clusterIP', 'may not be set for ExternalName services'));
    if (list(spec.clusterIPs).length) errs.push(forbiddenField('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (list(spec.ipFamilies).length) errs.push(forbiddenField('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errs.push(forbiddenField('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    let cname: string = spec.externalName ?? '';
    if (cname.endsWith('.')) cname = cname.slice(0, -1);
    if (!cname) errs.push(required('spec.externalName', ''));
    else for (const m of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', spec.externalName, m));
  }
  // cluster IPs
  const ips = list(spec.clusterIPs);
  if (spec.clusterIP && ips.length && ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`'));
  ips.forEach((ip: unknown, i: number) => {
    if (ip === 'None') {
      if (i > 0 || ips.length > 1) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, or `None` alone'));
      return;
    }
    if (ip === '') return;
    if (!isIP(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_MSG));
  });
  if (spec.clusterIP && spec.clusterIP !== 'None' && !ips.length && !isIP(spec.clusterIP)) errs.push(invalid('spec.clusterIPs[0]', spec.clusterIP, IP_MSG));
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  // ports
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const f = `spec.ports[${i}]`;
    if (!isObj(p)) return;
    if (ports.length > 1 && !p.name) errs.push(required(`${f}.name`, ''));
    if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(invalid(`${f}.name`, p.name, m));
      if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...validatePortNum(p.port, `${f}.port`));
    errs.push(...validateProtocol(p.protocol, `${f}.protocol`));
    if (typeof p.targetPort === 'number') errs.push(...validatePortNum(p.targetPort, `${f}.targetPort`));
    else if (typeof p.targetPort === 'string') for (const m of isValidPortName(p.targetPort)) errs.push(invalid(`${f}.targetPort`, p.targetPort, m));
    if (p.appProtocol) errs.push(...validateQualifiedName(p.appProtocol, `${f}.appProtocol`));
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) errs.push(duplicate(f, new GoValue(`core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    seen.add(key);
    if (p.nodePort) {
      if (type === 'ClusterIP') errs.push(forbiddenField(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (type === 'ExternalName') errs.push(forbiddenField(`${f}.nodePort`, "may not be used when `type` is 'ExternalName'"));
      else errs.push(...validatePortNum(p.nodePort, `${f}.nodePort`));
    }
  });
  // selector
  if (type !== 'ExternalName') errs.push(...validateLabels(spec.selector, 'spec.selector'));
  // session affinity
  if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(spec.sessionAffinity ? notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']) : required('spec.sessionAffinity', ''));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t !== 'number' || t <= 0 || t > 86400) errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t ?? 0, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinityConfig) errs.push(invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, "must not be set when session affinity is None"));
  // external IPs / LB ranges
  list(spec.externalIPs).forEach((ip: unknown, i: number) => {
    if (!isIP(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, IP_MSG));
  });
  if (type !== 'LoadBalancer') {
    if (list(spec.loadBalancerSourceRanges).length) errs.push(forbiddenField('spec.loadBalancerSourceRanges', 'may only be used when `type` is \'LoadBalancer\''));
    if (spec.loadBalancerClass) errs.push(forbiddenField('spec.loadBalancerClass', 'may only be used when service type is LoadBalancer'));
    if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null) errs.push(forbiddenField('spec.allocateLoadBalancerNodePorts', 'may only be used when `type` is \'LoadBalancer\''));
  }
  list(spec.loadBalancerSourceRanges).forEach((r: unknown, i: number) => {
    if (!isCIDR(String(r).trim())) errs.push(invalid(`spec.loadBalancerSourceRanges[${i}]`, r, 'must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 '));
  });
  // traffic policies
  if (spec.externalTrafficPolicy) {
    if (!externallyAccessible(svc)) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  } else if (externallyAccessible(svc)) errs.push(required('spec.externalTrafficPolicy', ''));
  if (spec.healthCheckNodePort) {
    if (!healthCheckNeeded(svc)) errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
    else errs.push(...validatePortNum(spec.healthCheckNodePort, 'spec.healthCheckNodePort'));
  }
  if (spec.internalTrafficPolicy) {
    if (!['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  } else if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type)) errs.push(required('spec.internalTrafficPolicy', ''));
  if (spec.ipFamilyPolicy && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(spec.ipFamilyPolicy)) errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  list(spec.ipFamilies).forEach((f: unknown, i: number) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  if (spec.trafficDistribution && spec.trafficDistribution !== 'PreferClose') errs.push(notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  return errs;
}

function validateService(svc: KubeObject): FieldError[] {
  return [...validateServiceName(svc.metadata), ...validateServiceSpec(svc)];
}

/** The cluster IPs an update ends up with: omitted ones are kept, a changed clusterIP alone replaces clusterIPs. */
function effectiveClusterIPs(svc: KubeObject, old: KubeObject): string[] {
  const spec: Obj = svc.spec ?? {};
  const ospec: Obj = old.spec ?? {};
  let ips = list(spec.clusterIPs);
  if (!spec.clusterIP && !ips.length && needsClusterIP(old) && needsClusterIP(svc)) return list(ospec.clusterIPs);
  if ((spec.clusterIP ?? '') !== (ospec.clusterIP ?? '') && same(spec.clusterIPs, ospec.clusterIPs)) ips = spec.clusterIP ? [spec.clusterIP] : [];
  return ips;
}

function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (svcType(svc) !== 'ExternalName' && svcType(old) !== 'ExternalName' && !(isHeadless(svc) && isHeadless(old))) {
    const o = list(old.spec?.clusterIPs);
    const n = effectiveClusterIPs(svc, old);
    if (o.length && !n.length) errs.push(invalid('spec.clusterIPs[0]', goStringSlice(n.length ? n : undefined), 'primary clusterIP can not be unset'));
    else if (o.length && n.length && o[0] !== n[0]) errs.push(invalid('spec.clusterIPs[0]', goStringSlice(n), 'may not change once set'));
  }
  if (old.spec?.loadBalancerClass && svcType(old) === 'LoadBalancer' && svcType(svc) === 'LoadBalancer' && svc.spec?.loadBalancerClass !== old.spec.loadBalancerClass)
    errs.push(invalid('spec.loadBalancerClass', svc.spec?.loadBalancerClass ?? null, 'may not change once set'));
  errs.push(...validateServiceSpec(svc));
  return errs;
}

// ---------------------------------------------------------------- allocation

interface Allocations {
  ips: Set<number>;
  ports: Set<number>;
}

function existingAllocations(ctx: RequestContext, self: KubeObject): Allocations {
  const ips = new Set<number>();
  const ports = new Set<number>();
  for (const s of ctx.lookup.list({ group: '', resource: 'services' })) {
    if (s.metadata?.namespace === self.metadata.namespace && s.metadata?.name === self.metadata.name) continue;
    for (const ip of [s.spec?.clusterIP, ...list(s.spec?.clusterIPs)]) {
      const n = typeof ip === 'string' ? parseIPv4(ip) : null;
      if (n !== null) ips.add(n);
    }
    for (const p of list(s.spec?.ports)) if (typeof p?.nodePort === 'number' && p.nodePort > 0) ports.add(p.nodePort);
    if (typeof s.spec?.healthCheckNodePort === 'number' && s.spec.healthCheckNodePort > 0) ports.add(s.spec.healthCheckNodePort);
  }
  return { ips, ports };
}

const reject = (svc: KubeObject, errs: FieldError[]) => {
  throw invalidObject('Service', '', svc.metadata.name ?? '', errs);
};

function allocateClusterIP(svc: KubeObject, ctx: RequestContext, alloc: Allocations): void {
  const spec = svc.spec;
  const cidrText = ctx.config?.serviceCIDR || DEFAULT_CIDR;
  const cidr = parseCidr4(cidrText);
  if (!cidr) return;
  const requested: string | undefined = spec.clusterIP || list(spec.clusterIPs)[0] || undefined;
  if (requested === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    if (!list(spec.ipFamilies).length) spec.ipFamilies = ['IPv4'];
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = keys(spec.selector).length ? 'SingleStack' : 'RequireDualStack';
    return;
  }
  // Single-stack IPv4 cluster: dual-stack requirements and IPv6 cannot be met.
  const famErrs: FieldError[] = [];
  list(spec.ipFamilies).forEach((f: unknown, i: number) => {
    if (f === 'IPv6') famErrs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (spec.ipFamilyPolicy === 'RequireDualStack') famErrs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  if (famErrs.length) reject(svc, famErrs);
  const first = cidr.base + 1;
  const last = cidr.base + cidr.size - 2; // network and broadcast addresses are never handed out
  if (requested) {
    const n = parseIPv4(requested);
    if (n === null) return; // validation reports the malformed address
    if (n < first || n > last)
      reject(svc, [invalid('spec.clusterIPs', goStringSlice([requested]), `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr.text}`)]);
    if (alloc.ips.has(n)) reject(svc, [invalid('spec.clusterIPs', goStringSlice([requested]), `failed to allocate IP ${requested}: provided IP is already allocated`)]);
    spec.clusterIP = requested;
  } else {
    // Dynamic allocation prefers the upper part of the range and never hands out .1 (the
    // `kubernetes` Service's address) unless asked for, like Kubernetes' bitmap allocator.
    const total = last - first + 1;
    const reserved = Math.min(Math.max(16, Math.floor(cidr.size / 16)), 256);
    const pick = (lo: number, hi: number): number | undefined => {
      const span = hi - lo + 1;
      if (span <= 0) return undefined;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        const n = lo + ((start + i) % span);
        if (n !== first && !alloc.ips.has(n)) return n;
      }
      return undefined;
    };
    const n = total > reserved ? pick(first + reserved, last) ?? pick(first, first + reserved - 1) : pick(first, last);
    if (n === undefined) throw invalidObject('Service', '', svc.metadata.name ?? '', [invalid('spec.clusterIPs', [], 'failed to allocate a serviceIP: range is full')]);
    spec.clusterIP = formatIPv4(n);
  }
  spec.clusterIPs = [spec.clusterIP];
  if (!list(spec.ipFamilies).length) spec.ipFamilies = ['IPv4'];
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
}

function allocateNodePorts(svc: KubeObject, ctx: RequestContext, alloc: Allocations, old?: KubeObject): void {
  const [lo, hi] = ctx.config?.nodePortRange ?? DEFAULT_NODE_PORTS;
  const spec = svc.spec;
  const mine = new Map<number, string>(); // nodePort -> protocol set within this service
  const oldPorts = new Set<number>(list(old?.spec?.ports).map((p: any) => p?.nodePort).filter((n: unknown) => typeof n === 'number' && n > 0));
  if (typeof old?.spec?.healthCheckNodePort === 'number') oldPorts.add(old.spec.healthCheckNodePort);
  const errs: FieldError[] = [];
  const claim = (n: number, field: string, protocol: string) => {
    if (n < lo || n > hi) {
      errs.push(invalid(field, n, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`));
      return;
    }
    const prev = mine.get(n);
    if ((prev !== undefined && prev.split(',').includes(protocol)) || (prev === undefined && alloc.ports.has(n) && !oldPorts.has(n))) {
      errs.push(invalid(field, n, 'provided port is already allocated'));
      return;
    }
    mine.set(n, prev === undefined ? protocol : `${prev},${protocol}`);
  };
  const ports = list(spec.ports);
  ports.forEach((p: any, i: number) => {
    if (isObj(p) && typeof p.nodePort === 'number' && p.nodePort > 0) claim(p.nodePort, `spec.ports[${i}].nodePort`, p.protocol ?? 'TCP');
  });
  if (errs.length) reject(svc, errs);
  const next = (): number => {
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const n = lo + ((start + i) % span);
      if (!mine.has(n) && !alloc.ports.has(n)) return n;
    }
    throw invalidObject('Service', '', svc.metadata.name ?? '', [invalid('spec.ports', [], 'failed to allocate a nodePort: range is full')]);
  };
  // Ports that share a port number (TCP and UDP of the same port) share one node port.
  const byNumber = new Map<number, number>();
  ports.forEach((p: any) => {
    if (!isObj(p) || (typeof p.nodePort === 'number' && p.nodePort > 0)) return;
    let n = byNumber.get(p.port);
    if (n === undefined || (mine.get(n) ?? '').split(',').includes(p.protocol)) {
      n = next();
      byNumber.set(p.port, n);
    }
    mine.set(n, mine.has(n) ? `${mine.get(n)},${p.protocol}` : p.protocol);
    p.nodePort = n;
  });
  if (healthCheckNeeded(svc)) {
    if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) {
      claim(spec.healthCheckNodePort, 'spec.healthCheckNodePort', 'TCP');
      if (errs.length) reject(svc, errs);
    } else {
      const n = next();
      mine.set(n, 'TCP');
      spec.healthCheckNodePort = n;
    }
  }
}

function prepareServiceCreate(svc: KubeObject, ctx: RequestContext): void {
  svc.spec ??= {};
  const alloc = existingAllocations(ctx, svc);
  if (needsClusterIP(svc)) allocateClusterIP(svc, ctx, alloc);
  if (needsNodePorts(svc)) allocateNodePorts(svc, ctx, alloc);
  svc.status = { loadBalancer: {} };
}

/**
 * What Kubernetes' service strategy does to an update before validation: allocated values the
 * client left out are kept, and fields the new type no longer uses are dropped when the client
 * left them unchanged. Idempotent; mutates svc.
 */
export function normalizeServiceUpdate(svc: KubeObject, old: KubeObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  const ospec: Obj = old.spec ?? {};
  // Keep what was allocated when the client left it out (patchAllocatedValues).
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    const ips = effectiveClusterIPs(svc, old);
    if (ips.length) {
      spec.clusterIPs = structuredClone(ips);
      spec.clusterIP = ips[0];
    }
    if (!list(spec.ipFamilies).length && list(ospec.ipFamilies).length) spec.ipFamilies = structuredClone(ospec.ipFamilies);
    if (!spec.ipFamilyPolicy && ospec.ipFamilyPolicy) spec.ipFamilyPolicy = ospec.ipFamilyPolicy;
  }
  if (needsNodePorts(old) && needsNodePorts(svc)) {
    for (const p of list(spec.ports)) {
      if (!isObj(p) || p.nodePort) continue;
      const match = list(ospec.ports).find((o: any) => o?.port === p.port && (o?.protocol ?? 'TCP') === p.protocol) ?? (list(spec.ports).length === 1 && list(ospec.ports).length === 1 ? list(ospec.ports)[0] : undefined);
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (healthCheckNeeded(old) && healthCheckNeeded(svc) && !spec.healthCheckNodePort && ospec.healthCheckNodePort) spec.healthCheckNodePort = ospec.healthCheckNodePort;
  // Drop fields the new type does not use, when the client left them as they were (dropTypeDependentFields).
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(spec.clusterIP, ospec.clusterIP) && same(spec.clusterIPs, ospec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(spec.ipFamilies, ospec.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, ospec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(svc)) {
    const oldPorts = list(ospec.ports);
    for (const p of list(spec.ports)) {
      const o = oldPorts.find((x: any) => x?.port === p?.port && x?.protocol === p?.protocol);
      if (isObj(p) && o && p.nodePort === o.nodePort) delete p.nodePort;
    }
  }
  if (healthCheckNeeded(old) && !healthCheckNeeded(svc) && spec.healthCheckNodePort === ospec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (!externallyAccessible(svc) && spec.externalTrafficPolicy === ospec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (svcType(svc) !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === ospec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === ospec.loadBalancerClass) delete spec.loadBalancerClass;
    if (svcType(old) === 'LoadBalancer' && isObj(svc.status)) svc.status.loadBalancer = {};
  }
  if (svcType(svc) === 'ExternalName' && spec.internalTrafficPolicy === ospec.internalTrafficPolicy) delete spec.internalTrafficPolicy;
}

function prepareServiceUpdate(svc: KubeObject, old: KubeObject, ctx: RequestContext): void {
  if (ctx.subresource) return;
  normalizeServiceUpdate(svc, old);
  const spec = svc.spec;
  // Allocate what the new type needs and does not have yet.
  const alloc = existingAllocations(ctx, svc);
  if (needsClusterIP(svc) && !spec.clusterIP && !list(spec.clusterIPs).length) allocateClusterIP(svc, ctx, alloc);
  else if (needsClusterIP(svc) && spec.clusterIP && !needsClusterIP(old)) allocateClusterIP(svc, ctx, alloc);
  else if (needsClusterIP(svc) && spec.clusterIP && !list(spec.clusterIPs).length) spec.clusterIPs = [spec.clusterIP];
  if (needsNodePorts(svc)) allocateNodePorts(svc, ctx, alloc, old);
}

// ---------------------------------------------------------------- table

function lbIngress(status: unknown, wide: boolean): string {
  const ing = list(isObj(status) ? status.ingress : undefined);
  const r = ing.map((i: any) => i?.ip || i?.hostname).filter(Boolean).join(',');
  if (!wide && r.length > 16) return `${r.slice(0, 13)}...`;
  return r;
}

export function serviceExternalIP(svc: KubeObject, wide = true): string {
  const spec: Obj = svc.spec ?? {};
  const ext = list(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = lbIngress(svc.status?.loadBalancer, wide);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

export function servicePorts(ports: unknown): string {
  return list(ports)
    .map((p: any) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`))
    .join(',');
}

function serviceRow(svc: KubeObject, now: Date): unknown[] {
  const spec: Obj = svc.spec ?? {};
  return [svc.metadata.name, spec.type ?? '', list(spec.clusterIPs)[0] ?? '<none>', serviceExternalIP(svc), servicePorts(spec.ports) || '<none>', age(svc.metadata.creationTimestamp, now), formatLabels(spec.selector)];
}

/** The ENDPOINTS cell: "ip:port,..." with "+ N more..." after three. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = list(ep.subsets);
  if (!subsets.length) return '<none>';
  const out: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = list(ss?.addresses);
    const ports = list(ss?.ports);
    if (!ports.length) {
      count += addrs.length;
      for (const a of addrs) {
        if (out.length === max) {
          more = true;
          break;
        }
        out.push(a?.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (out.length === max) {
          more = true;
          break;
        }
        const ip: string = a?.ip ?? '';
        out.push(ip.includes(':') ? `[${ip}]:${p?.port}` : `${ip}:${p?.port}`);
      }
    }
  }
  const r = out.join(',');
  return more ? `${r} + ${count - max} more...` : r;
}

// ---------------------------------------------------------------- endpoints

function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(ep.subsets).forEach((ss: any, i: number) => {
    const f = `subsets[${i}]`;
    for (const k of ['addresses', 'notReadyAddresses']) {
      list(ss?.[k]).forEach((a: any, j: number) => {
        const af = `${f}.${k}[${j}]`;
        if (!isIP(a?.ip)) errs.push(invalid(`${af}.ip`, a?.ip ?? '', IP_MSG));
        if (a?.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalid(`${af}.hostname`, a.hostname, m));
        if (a?.nodeName) for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(invalid(`${af}.nodeName`, a.nodeName, m));
      });
    }
    const ports = list(ss?.ports);
    const names = new Set<string>();
    ports.forEach((p: any, j: number) => {
      const pf = `${f}.ports[${j}]`;
      if (ports.length > 1 && !p?.name) errs.push(required(`${pf}.name`, ''));
      if (p?.name) {
        for (const m of isDNS1123Label(p.name)) errs.push(invalid(`${pf}.name`, p.name, m));
        if (names.has(p.name)) errs.push(duplicate(`${pf}.name`, p.name));
        names.add(p.name);
      }
      errs.push(...validatePortNum(p?.port, `${pf}.port`));
      errs.push(...validateProtocol(p?.protocol, `${pf}.protocol`));
    });
  });
  return errs;
}

// ---------------------------------------------------------------- descriptors

export const serviceDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Service'),
  // Service names are DNS-1035 labels; checked in validate() with Kubernetes' message.
  nameValidation: 'none',
  subresources: { status: true, extra: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }] },
  defaults: (obj) => defaultService(obj),
  validate: (obj) => validateService(obj),
  validateUpdate(obj, old, ctx) {
    // The strategy's update preparation runs before validation in Kubernetes.
    if (!ctx.subresource) normalizeServiceUpdate(obj, old);
    return validateServiceUpdate(obj, old);
  },
  prepareCreate: prepareServiceCreate,
  prepareUpdate: prepareServiceUpdate,
  table: {
    columns: [
      nameColumn,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The virtual IP of the service.'),
      col('External-IP', 'Addresses the service is reachable at from outside the cluster.'),
      col('Port(s)', 'The ports the service exposes.'),
      ageColumn,
      wideCol('Selector', 'The labels of the pods backing the service.'),
    ],
    row: serviceRow,
  },
};

export const endpointsDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Endpoints'),
  defaults(obj) {
    for (const ss of list(obj.subsets)) for (const p of list(ss?.ports)) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  },
  validate: (obj) => validateEndpoints(obj),
  validateUpdate: (obj) => validateEndpoints(obj),
  table: {
    columns: [nameColumn, col('Endpoints', 'Endpoints of the service (ip:port).'), ageColumn],
    row: (obj, now) => [obj.metadata.name, formatEndpoints(obj), age(obj.metadata.creationTimestamp, now)],
  },
};
