// Pods: Kubernetes' defaulting (SetDefaults_Pod/PodSpec/Container/Probe/Volume...), validation
// (ValidatePodSpec and the pod update rules), QoS class, the `kubectl get pods` table and the
// pod field selectors. Also exports the pieces workload kinds reuse for their pod templates.
import type { KubeObject } from '../../types.js';
import { deepClone } from '../../types.js';
import type { ResourceDescriptor, RequestContext } from '../../descriptor.js';
import { type FieldError, invalid, required, notSupported, duplicate, forbiddenField, fieldNotFound } from '../../errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, validateLabels, validateAnnotations } from '../../validation.js';
import { compareQuantity, parseQuantity, canonicalQuantity } from '../../quantity.js';
import { age, col, nameColumn, ageColumn, wideCol } from '../../table.js';
import { validateLabelSelector } from '../../selectors.js';
import { coreRef, VOLUME_SOURCES } from './schemas.js';
import { type Obj, IP_MSG, stable, specDiff, isObj, list, keys, isIP, validatePortNum, validatePortNumOrZero, validateProtocol, validateNonNegative, validateResourceList, canonicalizeResourceList, validateQualifiedName, validateLabelValue } from './util.js';

// ---------------------------------------------------------------- defaults

/** Always for :latest or untagged images (digests count as tagged), IfNotPresent otherwise. */
export function defaultImagePullPolicy(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const tail = name.slice(name.lastIndexOf('/') + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return at >= 0 ? 'IfNotPresent' : 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: unknown) {
  if (!isObj(h)) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: unknown) {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(fr: unknown) {
  if (isObj(fr) && !fr.apiVersion) fr.apiVersion = 'v1';
}

function defaultResources(r: unknown) {
  if (!isObj(r)) return;
  canonicalizeResourceList(r.limits);
  canonicalizeResourceList(r.requests);
}

function defaultContainer(c: unknown) {
  if (!isObj(c)) return;
  if (!c.imagePullPolicy) c.imagePullPolicy = typeof c.image === 'string' && c.image ? defaultImagePullPolicy(c.image) : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of list(c.ports)) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  for (const e of list(c.env)) if (isObj(e) && isObj(e.valueFrom)) {
    defaultFieldRef(e.valueFrom.fieldRef);
    if (isObj(e.valueFrom.resourceFieldRef)) {
      const d = canonicalQuantity(e.valueFrom.resourceFieldRef.divisor);
      if (d !== null) e.valueFrom.resourceFieldRef.divisor = d;
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    if (isObj(c.lifecycle.postStart)) defaultHTTPGet(c.lifecycle.postStart.httpGet);
    if (isObj(c.lifecycle.preStop)) defaultHTTPGet(c.lifecycle.preStop.httpGet);
  }
  // ResourceRequirements is a plain struct in Kubernetes: it is always serialized, as {} when empty.
  if (!isObj(c.resources)) c.resources = {};
  defaultResources(c.resources);
}

function defaultDownwardItems(items: unknown) {
  for (const it of list(items)) if (isObj(it)) defaultFieldRef(it.fieldRef);
}

function defaultVolume(v: unknown) {
  if (!isObj(v)) return;
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const q = canonicalQuantity(v.emptyDir.sizeLimit);
    if (q !== null) v.emptyDir.sizeLimit = q;
  }
  if (isObj(v.hostPath)) v.hostPath.type ??= '';
  if (isObj(v.secret)) v.secret.defaultMode ??= 420;
  if (isObj(v.configMap)) v.configMap.defaultMode ??= 420;
  if (isObj(v.downwardAPI)) {
    v.downwardAPI.defaultMode ??= 420;
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (isObj(v.projected)) {
    v.projected.defaultMode ??= 420;
    for (const s of list(v.projected.sources)) {
      if (!isObj(s)) continue;
      if (isObj(s.serviceAccountToken)) s.serviceAccountToken.expirationSeconds ??= 3600;
      if (isObj(s.downwardAPI)) defaultDownwardItems(s.downwardAPI.items);
    }
  }
  if (isObj(v.iscsi)) v.iscsi.iscsiInterface ||= 'default';
  if (isObj(v.rbd)) {
    v.rbd.pool ||= 'rbd';
    v.rbd.user ||= 'admin';
    v.rbd.keyring ||= '/etc/ceph/keyring';
  }
  if (isObj(v.azureDisk)) {
    v.azureDisk.cachingMode ??= 'ReadWrite';
    v.azureDisk.fsType ??= 'ext4';
    v.azureDisk.readOnly ??= false;
    v.azureDisk.kind ??= 'Shared';
  }
  if (isObj(v.scaleIO)) {
    v.scaleIO.storageMode ||= 'ThinProvisioned';
    v.scaleIO.fsType ||= 'xfs';
  }
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate) && isObj(v.ephemeral.volumeClaimTemplate.spec)) {
    const s = v.ephemeral.volumeClaimTemplate.spec;
    s.volumeMode ??= 'Filesystem';
    if (isObj(s.resources)) defaultResources(s.resources);
  }
}

/** SetDefaults_PodSpec and everything below it; applies to pods and pod templates alike. */
export function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  // Alpha features that are off in Kubernetes 1.32 (PodLevelResources, InPlacePodVerticalScaling):
  // their fields are dropped, as the API server does for disabled features.
  delete spec.resources;
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) if (isObj(c)) delete c.resizePolicy;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // The v1 conversion keeps the deprecated serviceAccount field in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
  for (const c of list(spec.initContainers)) defaultContainer(c);
  for (const c of list(spec.containers)) defaultContainer(c);
  for (const c of list(spec.ephemeralContainers)) defaultContainer(c);
  for (const v of list(spec.volumes)) defaultVolume(v);
  canonicalizeResourceList(spec.overhead);
  defaultResources(spec.resources);
  if (spec.hostNetwork) {
    for (const c of [...list(spec.initContainers), ...list(spec.containers)]) for (const p of list(c?.ports)) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
  }
}

/** SetDefaults_Pod plus what pod admission fills in: requests from limits, service links, priority. */
export function defaultPod(pod: KubeObject): void {
  pod.spec ??= {};
  const spec = pod.spec;
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(c.resources.limits)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  spec.enableServiceLinks ??= true;
  defaultPodSpec(spec);
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  if (spec.priority === undefined && !spec.priorityClassName) spec.priority = 0;
  if (!spec.preemptionPolicy && !spec.priorityClassName) spec.preemptionPolicy = 'PreemptLowerPriority';
}

/** Kubernetes' GetPodQOS. */
export function podQOSClass(spec: unknown): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const s = isObj(spec) ? spec : {};
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const supported = (n: string) => n === 'cpu' || n === 'memory';
  const nanos = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? parseQuantity(v)?.nanos ?? 0n : 0n);
  const all = [...list(s.containers), ...list(s.initContainers)];
  const podLevel = isObj(s.resources) && (keys(s.resources.requests).length || keys(s.resources.limits).length);
  const sources = podLevel ? [{ resources: s.resources }] : all;
  for (const c of sources) {
    const r = isObj(c?.resources) ? c.resources : {};
    for (const [k, v] of Object.entries(isObj(r.requests) ? r.requests : {})) if (supported(k) && nanos(v) > 0n) requests.set(k, (requests.get(k) ?? 0n) + nanos(v));
    const found = new Set<string>();
    for (const [k, v] of Object.entries(isObj(r.limits) ? r.limits : {})) if (supported(k) && nanos(v) > 0n) {
      found.add(k);
      limits.set(k, (limits.get(k) ?? 0n) + nanos(v));
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

// ---------------------------------------------------------------- validation

// Kubernetes 1.32 enables RelaxedEnvironmentVariableValidation (beta): any printable ASCII but '='.
const envNameMsg = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const isEnvVarName = (v: string) => /^[\x20-\x3c\x3e-\x7e]+$/.test(v);
const configKeyMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
export function isConfigKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(k)) errs.push(configKeyMsg);
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const envFieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const volumeFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const envResources = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validateFieldRef(fr: Obj, field: string, allowed: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (!fr.fieldPath) return [required(`${field}.fieldPath`, '')];
  if (fr.apiVersion && fr.apiVersion !== 'v1') errs.push(notSupported(`${field}.apiVersion`, fr.apiVersion, ['v1']));
  const p: string = fr.fieldPath;
  const sub = /^(metadata\.(?:labels|annotations))\[['"]?(.*?)['"]?\]$/.exec(p);
  if (sub) {
    for (const m of validateQualifiedName(sub[2], `${field}.fieldPath`)) errs.push(m);
  } else if (!allowed.includes(p)) errs.push(notSupported(`${field}.fieldPath`, p, allowed));
  return errs;
}

function validateEnv(env: unknown[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e: any, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(e)) return;
    if (!e.name) errs.push(required(`${f}.name`, ''));
    else if (!isEnvVarName(e.name)) errs.push(invalid(`${f}.name`, e.name, envNameMsg));
    if (isObj(e.valueFrom)) {
      const vf = e.valueFrom;
      const set = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] != null);
      if (e.value) errs.push(invalid(`${f}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      if (set.length === 0) errs.push(invalid(`${f}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (set.length > 1) errs.push(invalid(`${f}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (isObj(vf.fieldRef)) errs.push(...validateFieldRef(vf.fieldRef, `${f}.valueFrom.fieldRef`, envFieldPaths));
      if (isObj(vf.resourceFieldRef)) {
        const r = vf.resourceFieldRef;
        if (!r.resource) errs.push(required(`${f}.valueFrom.resourceFieldRef.resource`, ''));
        else if (!envResources.includes(r.resource) && !/^(limits|requests)\.hugepages-/.test(r.resource)) errs.push(notSupported(`${f}.valueFrom.resourceFieldRef.resource`, r.resource, envResources));
      }
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        const r = vf[k];
        if (!isObj(r)) continue;
        if (!r.name) errs.push(required(`${f}.valueFrom.${k}.name`, ''));
        if (!r.key) errs.push(required(`${f}.valueFrom.${k}.key`, ''));
        else for (const m of isConfigKey(r.key)) errs.push(invalid(`${f}.valueFrom.${k}.key`, r.key, m));
      }
    }
  });
  return errs;
}

function validateResources(r: unknown, field: string, podClaims: Set<string> | undefined): FieldError[] {
  if (!isObj(r)) return [];
  const errs: FieldError[] = [];
  errs.push(...validateResourceList(r.limits, `${field}.limits`));
  errs.push(...validateResourceList(r.requests, `${field}.requests`));
  const limits = isObj(r.limits) ? r.limits : {};
  for (const [k, v] of Object.entries(isObj(r.requests) ? r.requests : {})) {
    const lim = limits[k];
    if (lim === undefined || parseQuantity(String(v)) === null || parseQuantity(String(lim)) === null) continue;
    if (compareQuantity(v, lim) > 0) errs.push(invalid(`${field}.requests[${k}]`, canonicalQuantity(v), `must be less than or equal to ${k} limit of ${canonicalQuantity(lim)}`));
  }
  if (Array.isArray(r.claims)) {
    const seen = new Set<string>();
    r.claims.forEach((c: any, i: number) => {
      const f = `${field}.claims[${i}]`;
      if (!c?.name) errs.push(required(`${f}.name`, ''));
      else {
        const key = `${c.name}/${c.request ?? ''}`;
        if (seen.has(key)) errs.push(duplicate(`${f}`, c.request ? `${c.name}/${c.request}` : c.name));
        seen.add(key);
        if (podClaims && !podClaims.has(c.name)) errs.push(fieldNotFound(`${f}.name`, c.name));
      }
    });
  }
  return errs;
}

function validateHandler(h: Obj, field: string, kinds: string[], ports: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const set = kinds.filter((k) => h[k] != null);
  if (set.length === 0) return [required(field, 'must specify a handler type')];
  for (const k of set.slice(1)) errs.push(forbiddenField(`${field}.${k}`, 'may not specify more than 1 handler type'));
  const portCheck = (p: unknown, f: string) => {
    if (typeof p === 'number') return validatePortNum(p, f);
    if (typeof p === 'string') {
      const m = isValidPortName(p);
      if (m.length) return m.map((x) => invalid(f, p, x));
      if (!ports.has(p)) return [];
      return [];
    }
    return [required(f, '')];
  };
  if (isObj(h.exec) && !list(h.exec.command).length) errs.push(required(`${field}.exec.command`, ''));
  if (isObj(h.httpGet)) {
    errs.push(...portCheck(h.httpGet.port, `${field}.httpGet.port`));
    if (h.httpGet.scheme && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) errs.push(notSupported(`${field}.httpGet.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
    list(h.httpGet.httpHeaders).forEach((hh: any, i: number) => {
      if (!hh?.name || !/^[-A-Za-z0-9]+$/.test(hh.name)) errs.push(invalid(`${field}.httpGet.httpHeaders[${i}].name`, hh?.name ?? '', "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
    });
  }
  if (isObj(h.tcpSocket)) errs.push(...portCheck(h.tcpSocket.port, `${field}.tcpSocket.port`));
  if (isObj(h.grpc)) errs.push(...validatePortNum(h.grpc.port, `${field}.grpc.port`));
  if (isObj(h.sleep) && (typeof h.sleep.seconds !== 'number' || h.sleep.seconds < 0)) errs.push(invalid(`${field}.sleep.seconds`, h.sleep.seconds, 'must be greater than or equal to 0'));
  return errs;
}

function validateProbe(p: unknown, field: string, ports: Set<string>, mustBeOne: boolean, terminationGrace: unknown): FieldError[] {
  if (!isObj(p)) return [];
  const errs = validateHandler(p, field, ['exec', 'httpGet', 'tcpSocket', 'grpc'], ports);
  errs.push(...validateNonNegative(p.initialDelaySeconds, `${field}.initialDelaySeconds`));
  for (const k of ['timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...validateNonNegative(p[k], `${field}.${k}`));
  if (mustBeOne && p.successThreshold !== undefined && p.successThreshold !== 1) errs.push(invalid(`${field}.successThreshold`, p.successThreshold, 'must be 1'));
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds !== null && (typeof p.terminationGracePeriodSeconds !== 'number' || p.terminationGracePeriodSeconds <= 0))
    errs.push(invalid(`${field}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  void terminationGrace;
  return errs;
}

function validateSecurityContext(sc: unknown, field: string): FieldError[] {
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup']) {
    const v = sc[k];
    if (v !== undefined && v !== null && (typeof v !== 'number' || v < 0 || v > 2147483647)) errs.push(invalid(`${field}.${k}`, v, 'must be between 0 and 2147483647, inclusive'));
  }
  if (sc.procMount && !['Default', 'Unmasked'].includes(sc.procMount)) errs.push(notSupported(`${field}.procMount`, sc.procMount, ['Default', 'Unmasked']));
  if (sc.privileged === true && sc.allowPrivilegeEscalation === false) errs.push(invalid(field, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  if (isObj(sc.capabilities) && sc.allowPrivilegeEscalation === false && list(sc.capabilities.add).includes('CAP_SYS_ADMIN'))
    errs.push(invalid(field, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  for (const k of ['seccompProfile', 'appArmorProfile']) {
    const p = sc[k];
    if (!isObj(p)) continue;
    if (!p.type) errs.push(required(`${field}.${k}.type`, ''));
    else if (!['Localhost', 'RuntimeDefault', 'Unconfined'].includes(p.type)) errs.push(notSupported(`${field}.${k}.type`, p.type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
    else if (p.type === 'Localhost' && !p.localhostProfile) errs.push(required(`${field}.${k}.localhostProfile`, `must be set when ${k === 'seccompProfile' ? 'seccomp' : 'AppArmor'} type is Localhost`));
    else if (p.type !== 'Localhost' && p.localhostProfile) errs.push(invalid(`${field}.${k}.localhostProfile`, p.localhostProfile, `can only be set when ${k === 'seccompProfile' ? 'seccomp' : 'AppArmor'} type is Localhost`));
  }
  return errs;
}

interface PodCtx {
  volumes: Map<string, Obj>;
  containerNames: Set<string>;
  portNames: Set<string>;
  hostPorts: Set<string>;
  claims: Set<string>;
}

type ContainerKind = 'container' | 'init' | 'ephemeral';

function validateContainer(c: unknown, field: string, kind: ContainerKind, pc: PodCtx, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(c)) return [required(field, '')];
  if (!c.name) errs.push(required(`${field}.name`, ''));
  else {
    for (const m of isDNS1123Label(c.name)) errs.push(invalid(`${field}.name`, c.name, m));
    if (pc.containerNames.has(c.name)) errs.push(duplicate(`${field}.name`, c.name));
    pc.containerNames.add(c.name);
  }
  if (!c.image) errs.push(required(`${field}.image`, ''));
  else if (typeof c.image === 'string' && c.image.trim() !== c.image) errs.push(invalid(`${field}.image`, c.image, 'must not have leading or trailing whitespace'));
  if (!c.imagePullPolicy) errs.push(required(`${field}.imagePullPolicy`, ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) errs.push(notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
  if (c.terminationMessagePolicy === undefined || c.terminationMessagePolicy === '') errs.push(required(`${field}.terminationMessagePolicy`, ''));
  else if (!['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) errs.push(notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  if (c.tty && !c.stdin) errs.push(invalid(`${field}.tty`, true, '`stdin` must be true if `tty` is specified'));

  const sidecar = kind === 'init' && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    if (kind === 'init') {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']));
    } else errs.push(forbiddenField(`${field}.restartPolicy`, kind === 'ephemeral' ? 'cannot be set for an Ephemeral Container' : 'may not be set for non-init containers'));
  }

  // ports
  const ports = list(c.ports);
  if (kind === 'ephemeral' && ports.length) errs.push(forbiddenField(`${field}.ports`, 'cannot be set for an Ephemeral Container'));
  ports.forEach((p: any, i: number) => {
    const f = `${field}.ports[${i}]`;
    if (!isObj(p)) return;
    if (p.name) {
      for (const m of isValidPortName(p.name)) errs.push(invalid(`${f}.name`, p.name, m));
      if (pc.portNames.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      pc.portNames.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${f}.containerPort`, ''));
    else errs.push(...validatePortNum(p.containerPort, `${f}.containerPort`));
    errs.push(...validatePortNumOrZero(p.hostPort, `${f}.hostPort`));
    errs.push(...validateProtocol(p.protocol, `${f}.protocol`));
    if (p.hostIP && !isIP(p.hostIP)) errs.push(invalid(`${f}.hostIP`, p.hostIP, 'must be a valid IP address'));
    if (p.hostPort) {
      const key = `${p.hostPort}/${p.protocol}`;
      if (pc.hostPorts.has(`${p.hostIP ?? ''}|${key}`)) errs.push(duplicate(`${f}.hostPort`, key));
      pc.hostPorts.add(`${p.hostIP ?? ''}|${key}`);
      if (spec.hostNetwork && p.hostPort !== p.containerPort) errs.push(invalid(`${f}.containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
    }
  });

  // env
  errs.push(...validateEnv(list(c.env), `${field}.env`));
  list(c.envFrom).forEach((e: any, i: number) => {
    const f = `${field}.envFrom[${i}]`;
    if (!isObj(e)) return;
    const set = ['configMapRef', 'secretRef'].filter((k) => e[k] != null);
    if (set.length === 0) errs.push(invalid(f, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (set.length > 1) errs.push(invalid(f, '', 'may not have more than one field specified at a time'));
    for (const k of set) if (!e[k]?.name) errs.push(required(`${f}.${k}.name`, ''));
    if (e.prefix) {
      if (!isEnvVarName(e.prefix)) errs.push(invalid(`${f}.prefix`, e.prefix, envNameMsg));
    }
  });

  // volume mounts
  const mountPaths = new Set<string>();
  list(c.volumeMounts).forEach((m: any, i: number) => {
    const f = `${field}.volumeMounts[${i}]`;
    if (!isObj(m)) return;
    if (!m.name) errs.push(required(`${f}.name`, ''));
    else if (!pc.volumes.has(m.name)) errs.push(fieldNotFound(`${f}.name`, m.name));
    if (!m.mountPath) errs.push(required(`${f}.mountPath`, ''));
    else {
      if (mountPaths.has(m.mountPath)) errs.push(invalid(`${f}.mountPath`, m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (m.subPath) errs.push(...validateLocalPath(m.subPath, `${f}.subPath`));
    if (m.subPath && m.subPathExpr) errs.push(invalid(`${f}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    if (m.subPathExpr) errs.push(...validateLocalPath(m.subPathExpr, `${f}.subPathExpr`));
    if (m.mountPropagation && !['Bidirectional', 'HostToContainer', 'None'].includes(m.mountPropagation)) errs.push(notSupported(`${f}.mountPropagation`, m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None']));
    if (m.mountPropagation === 'Bidirectional' && !(isObj(c.securityContext) && c.securityContext.privileged)) errs.push(forbiddenField(`${f}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
    if (m.recursiveReadOnly && !['Disabled', 'Enabled', 'IfPossible'].includes(m.recursiveReadOnly)) errs.push(notSupported(`${f}.recursiveReadOnly`, m.recursiveReadOnly, ['Disabled', 'Enabled', 'IfPossible']));
    if (m.recursiveReadOnly && m.recursiveReadOnly !== 'Disabled' && !m.readOnly) errs.push(forbiddenField(`${f}.recursiveReadOnly`, 'may only be specified when readOnly is true'));
  });
  const devPaths = new Set<string>();
  list(c.volumeDevices).forEach((d: any, i: number) => {
    const f = `${field}.volumeDevices[${i}]`;
    if (!d?.name) errs.push(required(`${f}.name`, ''));
    else if (!pc.volumes.has(d.name)) errs.push(fieldNotFound(`${f}.name`, d.name));
    if (!d?.devicePath) errs.push(required(`${f}.devicePath`, ''));
    else {
      if (devPaths.has(d.devicePath)) errs.push(invalid(`${f}.devicePath`, d.devicePath, 'must be unique'));
      if (mountPaths.has(d.devicePath)) errs.push(invalid(`${f}.devicePath`, d.devicePath, 'must not be already mounted into a container'));
      devPaths.add(d.devicePath);
    }
  });

  // probes and lifecycle
  const probeNames = new Set(ports.filter((p: any) => p?.name).map((p: any) => p.name as string));
  for (const [k, one] of [['livenessProbe', true], ['readinessProbe', false], ['startupProbe', true]] as const) {
    if (c[k] == null) continue;
    if (kind === 'ephemeral') errs.push(forbiddenField(`${field}.${k}`, 'cannot be set for an Ephemeral Container'));
    else if (kind === 'init' && !sidecar) errs.push(forbiddenField(`${field}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
    else errs.push(...validateProbe(c[k], `${field}.${k}`, probeNames, one, spec.terminationGracePeriodSeconds));
  }
  if (isObj(c.lifecycle)) {
    if (kind === 'ephemeral') errs.push(forbiddenField(`${field}.lifecycle`, 'cannot be set for an Ephemeral Container'));
    else if (kind === 'init' && !sidecar) errs.push(forbiddenField(`${field}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
    else for (const h of ['postStart', 'preStop']) if (isObj(c.lifecycle[h])) errs.push(...validateHandler(c.lifecycle[h], `${field}.lifecycle.${h}`, ['exec', 'httpGet', 'tcpSocket', 'sleep'], probeNames));
  }
  if (kind === 'ephemeral' && isObj(c.resources) && (keys(c.resources.limits).length || keys(c.resources.requests).length)) errs.push(forbiddenField(`${field}.resources`, 'cannot be set for an Ephemeral Container'));
  else errs.push(...validateResources(c.resources, `${field}.resources`, pc.claims));
  list(c.resizePolicy).forEach((r: any, i: number) => {
    const f = `${field}.resizePolicy[${i}]`;
    if (!['cpu', 'memory'].includes(r?.resourceName)) errs.push(notSupported(`${f}.resourceName`, r?.resourceName ?? '', ['cpu', 'memory']));
    if (!['NotRequired', 'RestartContainer'].includes(r?.restartPolicy)) errs.push(notSupported(`${f}.restartPolicy`, r?.restartPolicy ?? '', ['NotRequired', 'RestartContainer']));
  });
  errs.push(...validateSecurityContext(c.securityContext, `${field}.securityContext`));
  return errs;
}

function validateLocalPath(p: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(field, p, "must not contain '..'"));
  return errs;
}

function validateMode(m: unknown, field: string): FieldError[] {
  if (m === undefined || m === null) return [];
  if (typeof m !== 'number' || m < 0 || m > 0o777) return [invalid(field, m, 'must be a number between 0 and 0777 (octal), both inclusive')];
  return [];
}

function validateKeyToPaths(items: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  list(items).forEach((it: any, i: number) => {
    const f = `${field}[${i}]`;
    if (!it?.key) errs.push(required(`${f}.key`, ''));
    if (!it?.path) errs.push(required(`${f}.path`, ''));
    else errs.push(...validateLocalPath(it.path, `${f}.path`));
    errs.push(...validateMode(it?.mode, `${f}.mode`));
  });
  return errs;
}

function validateDownwardItems(items: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  list(items).forEach((it: any, i: number) => {
    const f = `${field}[${i}]`;
    if (!it?.path) errs.push(required(`${f}.path`, ''));
    else errs.push(...validateLocalPath(it.path, `${f}.path`));
    errs.push(...validateMode(it?.mode, `${f}.mode`));
    const set = ['fieldRef', 'resourceFieldRef'].filter((k) => it?.[k] != null);
    if (set.length > 1) errs.push(invalid(f, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    if (isObj(it?.fieldRef)) errs.push(...validateFieldRef(it.fieldRef, `${f}.fieldRef`, volumeFieldPaths));
    if (isObj(it?.resourceFieldRef)) {
      if (!it.resourceFieldRef.containerName) errs.push(required(`${f}.resourceFieldRef.containerName`, ''));
      if (!it.resourceFieldRef.resource) errs.push(required(`${f}.resourceFieldRef.resource`, ''));
    }
  });
  return errs;
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** Validation of one volume source object (shared by pods and persistent volumes). */
export function validateVolumeSource(kind: string, s: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const req = (k: string) => {
    if (s[k] === undefined || s[k] === null || s[k] === '') errs.push(required(`${field}.${k}`, ''));
  };
  switch (kind) {
    case 'hostPath':
      req('path');
      if (s.type !== undefined && s.type !== null && !HOST_PATH_TYPES.includes(s.type)) errs.push(notSupported(`${field}.type`, s.type, HOST_PATH_TYPES));
      if (typeof s.path === 'string' && s.path.split('/').includes('..')) errs.push(invalid(`${field}.path`, s.path, "must not contain '..'"));
      break;
    case 'emptyDir':
      if (s.medium && !['', 'Memory', 'HugePages'].includes(s.medium) && !String(s.medium).startsWith('HugePages-')) errs.push(notSupported(`${field}.medium`, s.medium, ['', 'Memory', 'HugePages']));
      if (s.sizeLimit !== undefined && parseQuantity(s.sizeLimit) === null) errs.push(invalid(`${field}.sizeLimit`, s.sizeLimit, 'must be a valid quantity'));
      break;
    case 'secret':
      req('secretName');
      if (s.secretName) for (const m of isDNS1123Subdomain(s.secretName)) errs.push(invalid(`${field}.secretName`, s.secretName, m));
      errs.push(...validateMode(s.defaultMode, `${field}.defaultMode`), ...validateKeyToPaths(s.items, `${field}.items`));
      break;
    case 'configMap':
      req('name');
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalid(`${field}.name`, s.name, m));
      errs.push(...validateMode(s.defaultMode, `${field}.defaultMode`), ...validateKeyToPaths(s.items, `${field}.items`));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(s.defaultMode, `${field}.defaultMode`), ...validateDownwardItems(s.items, `${field}.items`));
      break;
    case 'projected':
      errs.push(...validateMode(s.defaultMode, `${field}.defaultMode`));
      list(s.sources).forEach((src: any, i: number) => {
        const f = `${field}.sources[${i}]`;
        const set = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => src?.[k] != null);
        if (set.length > 1) for (const k of set.slice(1)) errs.push(forbiddenField(`${f}.${k}`, 'may not specify more than 1 volume type per source'));
        if (isObj(src?.secret)) {
          if (!src.secret.name) errs.push(required(`${f}.secret.name`, ''));
          errs.push(...validateKeyToPaths(src.secret.items, `${f}.secret.items`));
        }
        if (isObj(src?.configMap)) {
          if (!src.configMap.name) errs.push(required(`${f}.configMap.name`, ''));
          errs.push(...validateKeyToPaths(src.configMap.items, `${f}.configMap.items`));
        }
        if (isObj(src?.downwardAPI)) errs.push(...validateDownwardItems(src.downwardAPI.items, `${f}.downwardAPI.items`));
        if (isObj(src?.serviceAccountToken)) {
          const t = src.serviceAccountToken;
          if (t.expirationSeconds !== undefined && t.expirationSeconds < 600) errs.push(invalid(`${f}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
          if (t.expirationSeconds !== undefined && t.expirationSeconds > 2 ** 32) errs.push(invalid(`${f}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
          if (!t.path) errs.push(required(`${f}.serviceAccountToken.path`, ''));
          else errs.push(...validateLocalPath(t.path, `${f}.serviceAccountToken.path`));
        }
      });
      break;
    case 'persistentVolumeClaim':
      req('claimName');
      break;
    case 'nfs':
      req('server');
      req('path');
      if (typeof s.path === 'string' && s.path && !s.path.startsWith('/')) errs.push(invalid(`${field}.path`, s.path, 'must be an absolute path'));
      break;
    case 'local':
      req('path');
      break;
    case 'iscsi':
      req('targetPortal');
      req('iqn');
      if (typeof s.lun === 'number' && (s.lun < 0 || s.lun > 255)) errs.push(invalid(`${field}.lun`, s.lun, 'must be between 0 and 255, inclusive'));
      break;
    case 'csi':
      req('driver');
      if (field.startsWith('spec.') && !field.includes('volumes')) req('volumeHandle');
      break;
    case 'rbd':
    case 'cephfs':
      if (!list(s.monitors).length) errs.push(required(`${field}.monitors`, ''));
      if (kind === 'rbd') req('image');
      break;
    case 'gcePersistentDisk':
      req('pdName');
      break;
    case 'awsElasticBlockStore':
      req('volumeID');
      break;
    case 'cinder':
    case 'portworxVolume':
      req('volumeID');
      break;
    case 'gitRepo':
      req('repository');
      if (s.directory) errs.push(...validateLocalPath(s.directory, `${field}.directory`));
      break;
    case 'glusterfs':
      req('endpoints');
      req('path');
      break;
    case 'flexVolume':
      req('driver');
      break;
    case 'azureFile':
      req('secretName');
      req('shareName');
      break;
    case 'azureDisk':
      req('diskName');
      req('diskURI');
      break;
    case 'vsphereVolume':
      req('volumePath');
      break;
    case 'photonPersistentDisk':
      req('pdID');
      break;
    case 'quobyte':
      req('registry');
      req('volume');
      break;
    case 'scaleIO':
      req('gateway');
      req('system');
      if (!s.secretRef) errs.push(required(`${field}.secretRef`, ''));
      break;
    case 'image':
      req('reference');
      if (s.pullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(s.pullPolicy)) errs.push(notSupported(`${field}.pullPolicy`, s.pullPolicy, ['Always', 'IfNotPresent', 'Never']));
      break;
    case 'ephemeral':
      if (!isObj(s.volumeClaimTemplate)) errs.push(required(`${field}.volumeClaimTemplate`, ''));
      break;
  }
  return errs;
}

function validateVolumes(vols: unknown[], field: string, pc: PodCtx): FieldError[] {
  const errs: FieldError[] = [];
  vols.forEach((v: any, i: number) => {
    const f = `${field}[${i}]`;
    if (!isObj(v)) return;
    if (!v.name) errs.push(required(`${f}.name`, ''));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(invalid(`${f}.name`, v.name, m));
      if (pc.volumes.has(v.name)) errs.push(duplicate(`${f}.name`, v.name));
      pc.volumes.set(v.name, v);
    }
    const set = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (set.length === 0) errs.push(required(f, 'must specify a volume type'));
    for (const s of set.slice(1)) errs.push(forbiddenField(`${f}.${s}`, 'may not specify more than 1 volume type'));
    if (set.length) errs.push(...validateVolumeSource(set[0], isObj(v[set[0]]) ? v[set[0]] : {}, `${f}.${set[0]}`));
  });
  return errs;
}

function validateNodeSelectorRequirement(r: any, field: string, fieldsOnly = false): FieldError[] {
  const errs: FieldError[] = [];
  const vals = list(r?.values);
  switch (r?.operator) {
    case 'In':
    case 'NotIn':
      if (!vals.length) errs.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length) errs.push(forbiddenField(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) errs.push(required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, r?.operator ?? '', 'not a valid selector operator'));
  }
  if (fieldsOnly) {
    if (r?.key !== 'metadata.name') errs.push(invalid(`${field}.key`, r?.key ?? '', 'not a valid field selector key'));
  } else errs.push(...validateQualifiedName(r?.key ?? '', `${field}.key`));
  return errs;
}

/** NodeSelector (required node affinity, PV node affinity). */
export function validateNodeSelector(ns: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const terms = list(isObj(ns) ? ns.nodeSelectorTerms : undefined);
  if (!terms.length) return [required(`${field}.nodeSelectorTerms`, 'must have at least one node selector term')];
  terms.forEach((t: any, i: number) => {
    list(t?.matchExpressions).forEach((r: any, j: number) => errs.push(...validateNodeSelectorRequirement(r, `${field}.nodeSelectorTerms[${i}].matchExpressions[${j}]`)));
    list(t?.matchFields).forEach((r: any, j: number) => errs.push(...validateNodeSelectorRequirement(r, `${field}.nodeSelectorTerms[${i}].matchFields[${j}]`, true)));
  });
  return errs;
}

/** metav1 LabelSelector validation (operators In/NotIn/Exists/DoesNotExist). */
export { validateLabelSelector };

function validateAffinity(a: unknown, field: string): FieldError[] {
  if (!isObj(a)) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (isObj(na)) {
    if (na.requiredDuringSchedulingIgnoredDuringExecution != null) errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, `${field}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`));
    list(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((p: any, i: number) => {
      const f = `${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (typeof p?.weight !== 'number' || p.weight < 1 || p.weight > 100) errs.push(invalid(`${f}.weight`, p?.weight ?? 0, 'must be in the range 1-100'));
      list(p?.preference?.matchExpressions).forEach((r: any, j: number) => errs.push(...validateNodeSelectorRequirement(r, `${f}.preference.matchExpressions[${j}]`)));
      list(p?.preference?.matchFields).forEach((r: any, j: number) => errs.push(...validateNodeSelectorRequirement(r, `${f}.preference.matchFields[${j}]`, true)));
    });
  }
  for (const k of ['podAffinity', 'podAntiAffinity']) {
    const pa = a[k];
    if (!isObj(pa)) continue;
    const term = (t: any, f: string) => {
      if (!t?.topologyKey) errs.push(required(`${f}.topologyKey`, 'can not be empty'));
      else errs.push(...validateQualifiedName(t.topologyKey, `${f}.topologyKey`));
      errs.push(...validateLabelSelector(t?.labelSelector, `${f}.labelSelector`), ...validateLabelSelector(t?.namespaceSelector, `${f}.namespaceSelector`));
      list(t?.namespaces).forEach((n: any, i: number) => {
        for (const m of isDNS1123Label(String(n))) errs.push(invalid(`${f}.namespace[${i}]`, n, m));
      });
    };
    list(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t: any, i: number) => term(t, `${field}.${k}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    list(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((p: any, i: number) => {
      const f = `${field}.${k}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (typeof p?.weight !== 'number' || p.weight < 1 || p.weight > 100) errs.push(invalid(`${f}.weight`, p?.weight ?? 0, 'must be in the range 1-100'));
      term(p?.podAffinityTerm, `${f}.podAffinityTerm`);
    });
  }
  return errs;
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tols: unknown[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  tols.forEach((t: any, i: number) => {
    const f = `${field}[${i}]`;
    if (!isObj(t)) return;
    if (t.key) errs.push(...validateQualifiedName(t.key, `${f}.key`));
    if (!t.key && t.operator !== 'Exists') errs.push(invalid(`${f}.operator`, t.operator ?? '', "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') errs.push(invalid(`${f}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (t.operator) {
      case undefined:
      case null:
      case '':
      case 'Equal':
        if (t.value) errs.push(...validateLabelValue(t.value, `${f}.value`));
        break;
      case 'Exists':
        if (t.value) errs.push(invalid(`${f}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${f}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateDNS(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const policies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!spec.dnsPolicy) errs.push(required(`${field}.dnsPolicy`, ''));
  else if (!policies.includes(spec.dnsPolicy)) errs.push(notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, policies));
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None' && !isObj(cfg)) errs.push(required(`${field}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (isObj(cfg)) {
    const ns = list(cfg.nameservers);
    if (spec.dnsPolicy === 'None' && ns.length === 0) errs.push(required(`${field}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    if (ns.length > 3) errs.push(invalid(`${field}.dnsConfig.nameservers`, ns, 'must not have more than 3 nameservers'));
    ns.forEach((n: any, i: number) => {
      if (!isIP(n)) errs.push(invalid(`${field}.dnsConfig.nameservers[${i}]`, n, 'must be valid IP address'));
    });
    const search = list(cfg.searches);
    if (search.length > 32) errs.push(invalid(`${field}.dnsConfig.searches`, search, 'must not have more than 32 search paths'));
    search.forEach((s: any, i: number) => {
      const d = typeof s === 'string' && s.endsWith('.') ? s.slice(0, -1) : String(s);
      if (d === '') return;
      for (const m of isDNS1123Subdomain(d)) errs.push(invalid(`${field}.dnsConfig.searches[${i}]`, s, m));
    });
    list(cfg.options).forEach((o: any, i: number) => {
      if (!o?.name) errs.push(required(`${field}.dnsConfig.options[${i}]`, 'Option.Name must not be empty'));
    });
  }
  return errs;
}

export interface PodSpecOpts {
  template?: boolean;
}

/** ValidatePodSpec: everything under a PodSpec, with errors at `field` (e.g. "spec" or "spec.template.spec"). */
export function validatePodSpec(specIn: unknown, field: string, opts: PodSpecOpts = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(specIn)) return [required(field, '')];
  const spec = specIn;
  const pc: PodCtx = { volumes: new Map(), containerNames: new Set(), portNames: new Set(), hostPorts: new Set(), claims: new Set() };
  list(spec.resourceClaims).forEach((c: any, i: number) => {
    const f = `${field}.resourceClaims[${i}]`;
    if (!c?.name) errs.push(required(`${f}.name`, ''));
    else {
      for (const m of isDNS1123Label(c.name)) errs.push(invalid(`${f}.name`, c.name, m));
      if (pc.claims.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
      pc.claims.add(c.name);
    }
    const set = ['resourceClaimName', 'resourceClaimTemplateName'].filter((k) => c?.[k]);
    if (set.length !== 1) errs.push(invalid(f, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
  });
  errs.push(...validateVolumes(list(spec.volumes), `${field}.volumes`, pc));
  const containers = list(spec.containers);
  const inits = list(spec.initContainers);
  inits.forEach((c, i) => errs.push(...validateContainer(c, `${field}.initContainers[${i}]`, 'init', pc, spec)));
  if (containers.length === 0) errs.push(required(`${field}.containers`, ''));
  containers.forEach((c, i) => errs.push(...validateContainer(c, `${field}.containers[${i}]`, 'container', pc, spec)));
  const eph = list(spec.ephemeralContainers);
  if (opts.template && eph.length) errs.push(forbiddenField(`${field}.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  else eph.forEach((c, i) => errs.push(...validateContainer(c, `${field}.ephemeralContainers[${i}]`, 'ephemeral', pc, spec)));

  const restart = ['Always', 'OnFailure', 'Never'];
  if (!spec.restartPolicy) errs.push(required(`${field}.restartPolicy`, ''));
  else if (!restart.includes(spec.restartPolicy)) errs.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, restart));
  errs.push(...validateDNS(spec, field));
  errs.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(`${field}.serviceAccountName`, spec.serviceAccountName, m));
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(`${field}.nodeName`, spec.nodeName, m));
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalid(`${field}.hostname`, spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(invalid(`${field}.subdomain`, spec.subdomain, m));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > 2147483647) errs.push(invalid(`${field}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateAffinity(spec.affinity, `${field}.affinity`));
  errs.push(...validateTolerations(list(spec.tolerations), `${field}.tolerations`));
  list(spec.imagePullSecrets).forEach((s: any, i: number) => {
    if (!s?.name) errs.push(required(`${field}.imagePullSecrets[${i}].name`, ''));
  });
  list(spec.hostAliases).forEach((h: any, i: number) => {
    const f = `${field}.hostAliases[${i}]`;
    if (!isIP(h?.ip)) errs.push(invalid(`${f}.ip`, h?.ip ?? '', IP_MSG));
    list(h?.hostnames).forEach((n: any, j: number) => {
      for (const m of isDNS1123Subdomain(String(n))) errs.push(invalid(`${f}.hostnames[${j}]`, n, m));
    });
  });
  if (spec.priorityClassName) for (const m of isDNS1123Subdomain(spec.priorityClassName)) errs.push(invalid(`${field}.priorityClassName`, spec.priorityClassName, m));
  if (spec.runtimeClassName) for (const m of isDNS1123Subdomain(spec.runtimeClassName)) errs.push(invalid(`${field}.runtimeClassName`, spec.runtimeClassName, m));
  if (spec.preemptionPolicy && !['Never', 'PreemptLowerPriority'].includes(spec.preemptionPolicy)) errs.push(notSupported(`${field}.preemptionPolicy`, spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  errs.push(...validateResourceList(spec.overhead, `${field}.overhead`));
  list(spec.readinessGates).forEach((g: any, i: number) => errs.push(...validateQualifiedName(g?.conditionType ?? '', `${field}.readinessGates[${i}].conditionType`)));
  const tscSeen = new Set<string>();
  list(spec.topologySpreadConstraints).forEach((t: any, i: number) => {
    const f = `${field}.topologySpreadConstraints[${i}]`;
    if (typeof t?.maxSkew !== 'number' || t.maxSkew <= 0) errs.push(invalid(`${f}.maxSkew`, t?.maxSkew ?? 0, 'must be greater than zero'));
    if (!t?.topologyKey) errs.push(required(`${f}.topologyKey`, 'can not be empty'));
    else errs.push(...validateQualifiedName(t.topologyKey, `${f}.topologyKey`));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(t?.whenUnsatisfiable)) errs.push(notSupported(`${f}.whenUnsatisfiable`, t?.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    if (t?.minDomains !== undefined && t?.minDomains !== null) {
      if (typeof t.minDomains !== 'number' || t.minDomains <= 0) errs.push(invalid(`${f}.minDomains`, t.minDomains, 'must be greater than 0'));
      else if (t.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalid(`${f}.minDomains`, t.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) if (t?.[k] && !['Honor', 'Ignore'].includes(t[k])) errs.push(notSupported(`${f}.${k}`, t[k], ['Honor', 'Ignore']));
    const key = `${t?.topologyKey}/${t?.whenUnsatisfiable}`;
    if (tscSeen.has(key)) errs.push(duplicate(`${f}`, `{${t?.topologyKey}, ${t?.whenUnsatisfiable}}`));
    tscSeen.add(key);
    errs.push(...validateLabelSelector(t?.labelSelector, `${f}.labelSelector`));
  });
  if (isObj(spec.os) && !['linux', 'windows'].includes(spec.os.name)) errs.push(notSupported(`${field}.os.name`, spec.os.name ?? '', ['linux', 'windows']));
  const gates = new Set<string>();
  list(spec.schedulingGates).forEach((g: any, i: number) => {
    errs.push(...validateQualifiedName(g?.name ?? '', `${field}.schedulingGates[${i}].name`));
    if (gates.has(g?.name)) errs.push(duplicate(`${field}.schedulingGates[${i}].name`, g.name));
    gates.add(g?.name);
  });
  const psc = spec.securityContext;
  if (isObj(psc)) {
    errs.push(...validateSecurityContext({ runAsUser: psc.runAsUser, runAsGroup: psc.runAsGroup, seccompProfile: psc.seccompProfile, appArmorProfile: psc.appArmorProfile }, `${field}.securityContext`));
    list(psc.supplementalGroups).forEach((g: any, i: number) => {
      if (typeof g !== 'number' || g < 0 || g > 2147483647) errs.push(invalid(`${field}.securityContext.supplementalGroups[${i}]`, g, 'must be between 0 and 2147483647, inclusive'));
    });
    if (psc.fsGroup !== undefined && psc.fsGroup !== null && (typeof psc.fsGroup !== 'number' || psc.fsGroup < 0 || psc.fsGroup > 2147483647)) errs.push(invalid(`${field}.securityContext.fsGroup`, psc.fsGroup, 'must be between 0 and 2147483647, inclusive'));
    if (psc.fsGroupChangePolicy && !['OnRootMismatch', 'Always'].includes(psc.fsGroupChangePolicy)) errs.push(notSupported(`${field}.securityContext.fsGroupChangePolicy`, psc.fsGroupChangePolicy, ['OnRootMismatch', 'Always']));
    if (psc.supplementalGroupsPolicy && !['Merge', 'Strict'].includes(psc.supplementalGroupsPolicy)) errs.push(notSupported(`${field}.securityContext.supplementalGroupsPolicy`, psc.supplementalGroupsPolicy, ['Merge', 'Strict']));
    list(psc.sysctls).forEach((s: any, i: number) => {
      if (!s?.name) errs.push(required(`${field}.securityContext.sysctls[${i}].name`, ''));
    });
  }
  errs.push(...validateResources(spec.resources, `${field}.resources`, undefined));
  return errs;
}

/** ValidatePodTemplateSpec for workload kinds: labels, annotations and the pod spec under `fieldPath` (e.g. "spec.template"). */
export function validatePodTemplateSpec(tpl: unknown, fieldPath: string): FieldError[] {
  if (!isObj(tpl)) return [required(fieldPath, '')];
  const errs: FieldError[] = [];
  const meta = isObj(tpl.metadata) ? tpl.metadata : {};
  errs.push(...validateLabels(meta.labels, `${fieldPath}.metadata.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${fieldPath}.metadata.annotations`));
  errs.push(...validatePodSpec(tpl.spec, `${fieldPath}.spec`, { template: true }));
  return errs;
}

function validatePod(pod: KubeObject): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  return errs;
}

// ---- updates

const POD_UPDATE_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = deepClone(isObj(pod.spec) ? pod.spec : {});
  const oldSpec: Obj = isObj(old.spec) ? old.spec : {};
  // Only container images may change: take them from the old spec before comparing.
  const copyImages = (key: string) => {
    const nc = list(spec[key]);
    const oc = list(oldSpec[key]);
    if (nc.length !== oc.length) return;
    nc.forEach((c: any, i: number) => {
      if (isObj(c) && isObj(oc[i])) {
        if (!c.image) errs.push(required(`spec.${key}[${i}].image`, ''));
        c.image = oc[i].image;
      }
    });
  };
  copyImages('containers');
  copyImages('initContainers');
  const ad = spec.activeDeadlineSeconds;
  const oad = oldSpec.activeDeadlineSeconds;
  if (ad !== undefined && ad !== null) {
    if (oad === undefined || oad === null || ad <= oad) spec.activeDeadlineSeconds = oad;
    else errs.push(invalid('spec.activeDeadlineSeconds', ad, 'must be less than or equal to previous value'));
  } else if (oad !== undefined && oad !== null) errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds === 1) spec.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  // tolerations: existing ones must stay (tolerationSeconds may change), new ones may be added
  const oldTols = list(oldSpec.tolerations);
  const newTols = list(spec.tolerations);
  const tolKey = (t: any) => stable({ ...t, tolerationSeconds: undefined });
  const remaining = [...newTols];
  for (const t of oldTols) {
    const i = remaining.findIndex((n) => tolKey(n) === tolKey(t));
    if (i < 0) {
      errs.push(forbiddenField('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
    remaining.splice(i, 1);
  }
  spec.tolerations = oldSpec.tolerations;
  if (spec.tolerations === undefined) delete spec.tolerations;
  // gated pods may gain node affinity/selectors and lose scheduling gates
  if (list(oldSpec.schedulingGates).length) {
    for (const k of ['schedulingGates', 'nodeSelector', 'affinity']) {
      if (oldSpec[k] === undefined) delete spec[k];
      else spec[k] = oldSpec[k];
    }
  }
  if (stable(spec) !== stable(oldSpec)) errs.push(forbiddenField('spec', `${POD_UPDATE_MSG}\n${specDiff('core.PodSpec', oldSpec, spec)}`));
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  return errs;
}

/** Updates through pods/ephemeralcontainers: only new ephemeral containers may be added. */
function validateEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(pod.spec) ? pod.spec : {};
  const oldSpec: Obj = isObj(old.spec) ? old.spec : {};
  const current = new Map(list(spec.ephemeralContainers).map((c: any) => [c?.name, c]));
  for (const c of list(oldSpec.ephemeralContainers)) {
    const now = current.get(c?.name);
    if (!now) errs.push(forbiddenField('spec.ephemeralContainers', `existing ephemeral containers "${c?.name}" may not be removed\n`));
    else if (stable(now) !== stable(c)) errs.push(forbiddenField('spec.ephemeralContainers', `existing ephemeral containers "${c?.name}" may not be changed\n`));
  }
  const rest = (s: Obj) => stable({ ...s, ephemeralContainers: undefined });
  if (rest(spec) !== rest(oldSpec)) errs.push(forbiddenField('spec', 'pod updates may not change fields other than `spec.ephemeralContainers`'));
  errs.push(...validatePodSpec(spec, 'spec'));
  return errs;
}

// ---------------------------------------------------------------- table

const isRestartableInit = (c: any) => c?.restartPolicy === 'Always';

/** The cells kubectl prints for a pod (printPod). */
export function podRow(pod: KubeObject, now: Date): unknown[] {
  const spec: Obj = isObj(pod.spec) ? pod.spec : {};
  const status: Obj = isObj(pod.status) ? pod.status : {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = list(spec.containers).length;
  let ready = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of list(status.conditions)) if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  const inits = new Map<string, any>();
  for (const c of list(spec.initContainers)) {
    inits.set(c?.name, c);
    if (isRestartableInit(c)) total++;
  }
  const finished = (cs: any) => {
    const t = cs?.lastState?.terminated?.finishedAt;
    return t ? Date.parse(t) : 0;
  };
  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c?.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c));
    const sidecar = isRestartableInit(inits.get(c?.name));
    if (sidecar) {
      sidecarRestarts += c?.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(c));
    }
    const term = c?.state?.terminated;
    const wait = c?.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && c?.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = `Init:${term.reason}`;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${list(spec.initContainers).length}`;
    initializing = true;
    break;
  }
  const initializedTrue = list(status.conditions).some((c: any) => c?.type === 'Initialized' && c?.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = list(status.containerStatuses);
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c?.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c));
      const wait = c?.state?.waiting;
      const term = c?.state?.terminated;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term && !term.reason) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (c?.ready && c?.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = list(status.conditions).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsStr = `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)`;
  const podIP = list(status.podIPs)[0]?.ip || '<none>';
  let gates = '<none>';
  const rg = list(spec.readinessGates);
  if (rg.length) {
    let t = 0;
    for (const g of rg) {
      const c = list(status.conditions).find((x: any) => x?.type === g?.conditionType);
      if (c?.status === 'True') t++;
    }
    gates = `${t}/${rg.length}`;
  }
  return [pod.metadata.name, `${ready}/${total}`, reason, restartsStr, age(pod.metadata.creationTimestamp, now), podIP, spec.nodeName || '<none>', status.nominatedNodeName || '<none>', gates];
}

export const containerCells = (spec: unknown): [string, string] => {
  const cs = list(isObj(spec) ? spec.containers : undefined);
  return [cs.map((c: any) => c?.name ?? '').join(','), cs.map((c: any) => c?.image ?? '').join(',')];
};

// ---------------------------------------------------------------- descriptor

export const podDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Pod'),
  nameValidation: 'subdomain',
  subresources: {
    status: true,
    extra: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    ],
  },
  defaults(obj) {
    defaultPod(obj);
  },
  validate(obj) {
    return validatePod(obj);
  },
  validateUpdate(obj, old, ctx) {
    if (ctx.subresource === 'status') return [];
    if (ctx.subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(obj, old);
    return validatePodUpdate(obj, old);
  },
  prepareCreate(obj: KubeObject, _ctx: RequestContext) {
    obj.status = { phase: 'Pending', qosClass: podQOSClass(obj.spec) };
    if (list(obj.spec?.schedulingGates).length)
      obj.status.conditions = [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }];
  },
  defaultGracePeriod(obj) {
    if (!obj.spec?.nodeName) return 0;
    const g = obj.spec?.terminationGracePeriodSeconds;
    return typeof g === 'number' ? g : 30;
  },
  table: {
    columns: [
      nameColumn,
      col('Ready', 'The number of containers that are ready.'),
      col('Status', 'The aggregate state of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      ageColumn,
      wideCol('IP', 'IP address allocated to the pod.'),
      wideCol('Node', 'Name of the node the pod is assigned to.'),
      wideCol('Nominated Node', 'Node the pod is expected to run on after preemption.'),
      wideCol('Readiness Gates', 'Readiness gates of the pod that are true, out of all of them.'),
    ],
    row: podRow,
  },
  fieldSelectors: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(!!o.spec?.hostNetwork),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => list(o.status?.podIPs)[0]?.ip ?? o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
};

export const podTemplateDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('PodTemplate'),
  defaults(obj) {
    if (isObj(obj.template)) defaultPodSpec(obj.template.spec);
  },
  validate(obj) {
    return validatePodTemplateSpec(obj.template, 'template');
  },
  validateUpdate(obj) {
    return validatePodTemplateSpec(obj.template, 'template');
  },
  table: {
    columns: [nameColumn, col('Containers', 'Names of each container in the template.'), col('Images', 'Images referenced by each container in the template.'), col('Pod Labels', 'The labels for the pod template.')],
    row(obj) {
      const [names, images] = containerCells(obj.template?.spec);
      const labels = obj.template?.metadata?.labels;
      const l = isObj(labels) && Object.keys(labels).length ? Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',') : '<none>';
      return [obj.metadata.name, names, images, l];
    },
  },
};
