// Cluster-level core kinds: Namespaces, Nodes, Events, ComponentStatuses and Bindings.
import type { KubeObject } from '../../types.js';
import type { ResourceDescriptor, RequestContext, TableDef } from '../../descriptor.js';
import { type FieldError, invalid, required, notSupported, duplicate, forbiddenField } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation.js';
import { age, col, nameColumn, ageColumn, wideCol } from '../../table.js';
import { coreRef } from './schemas.js';
import { TAINT_EFFECTS } from './pod.js';
import { type Obj, isObj, list, isCIDR, validateQualifiedName, validateLabelValue, validateResourceList, canonicalizeResourceList } from './util.js';

// ---------------------------------------------------------------- Namespace

export const namespaceDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  schema: coreRef('Namespace'),
  nameValidation: 'label',
  subresources: { status: true, extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }] },
  // A deleting namespace stays (Terminating) until the namespace controller empties spec.finalizers.
  deletionBlockers: (obj) => list(obj.spec?.finalizers).filter((f): f is string => typeof f === 'string'),
  onDeleting(obj) {
    obj.status = { ...(isObj(obj.status) ? obj.status : {}), phase: 'Terminating' };
  },
  defaults(obj) {
    if (obj.metadata.name) {
      obj.metadata.labels ??= {};
      obj.metadata.labels['kubernetes.io/metadata.name'] = obj.metadata.name;
    }
  },
  prepareCreate(obj) {
    obj.spec = { ...(isObj(obj.spec) ? obj.spec : {}), finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  },
  prepareUpdate(obj, old, ctx) {
    // spec.finalizers changes only through the finalize subresource.
    if (ctx.subresource) return;
    obj.spec = { ...(isObj(obj.spec) ? obj.spec : {}) };
    if (old.spec?.finalizers) obj.spec.finalizers = structuredClone(old.spec.finalizers);
    else delete obj.spec.finalizers;
  },
  validate(obj) {
    const errs: FieldError[] = [];
    list(obj.spec?.finalizers).forEach((f: unknown, i: number) => {
      const fld = `spec.finalizers[${i}]`;
      if (typeof f !== 'string') return;
      if (!f.includes('/') && f !== 'kubernetes') errs.push(invalid(fld, f, 'name is neither a standard finalizer name nor is it fully qualified'));
      else errs.push(...validateQualifiedName(f, fld));
    });
    return errs;
  },
  table: {
    columns: [nameColumn, col('Status', 'The status of the namespace.'), ageColumn],
    row: (obj, now) => [obj.metadata.name, obj.status?.phase ?? '', age(obj.metadata.creationTimestamp, now)],
  },
  fieldSelectors: { 'status.phase': (o) => o.status?.phase ?? '' },
};

// ---------------------------------------------------------------- Node

function validateNode(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(node.spec) ? node.spec : {};
  const seen = new Set<string>();
  list(spec.taints).forEach((t: any, i: number) => {
    const f = `spec.taints[${i}]`;
    if (!t?.key) errs.push(required(`${f}.key`, ''));
    else errs.push(...validateQualifiedName(t.key, `${f}.key`));
    if (t?.value) errs.push(...validateLabelValue(t.value, `${f}.value`));
    if (!t?.effect) errs.push(required(`${f}.effect`, ''));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t?.key}:${t?.effect}`;
    if (seen.has(key)) errs.push(duplicate(f, `${t?.key}=${t?.value ?? ''}:${t?.effect}`));
    seen.add(key);
  });
  if (spec.podCIDR && !isCIDR(spec.podCIDR)) errs.push(invalid('spec.podCIDR', spec.podCIDR, 'must be a valid CIDR'));
  list(spec.podCIDRs).forEach((c: unknown, i: number) => {
    if (!isCIDR(c)) errs.push(invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR'));
  });
  if (list(spec.podCIDRs).length && spec.podCIDR && list(spec.podCIDRs)[0] !== spec.podCIDR) errs.push(invalid('spec.podCIDRs', spec.podCIDRs, 'first entry must match `podCIDR`'));
  const st: Obj = isObj(node.status) ? node.status : {};
  errs.push(...validateResourceList(st.capacity, 'status.capacity', false), ...validateResourceList(st.allocatable, 'status.allocatable', false));
  return errs;
}

function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateNode(node);
  const o: Obj = old.spec ?? {};
  const n: Obj = node.spec ?? {};
  if (list(o.podCIDRs).length && JSON.stringify(o.podCIDRs) !== JSON.stringify(n.podCIDRs ?? [])) errs.push(forbiddenField('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (o.providerID && o.providerID !== n.providerID) errs.push(forbiddenField('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return errs;
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeRow(node: KubeObject, now: Date): unknown[] {
  const st: Obj = isObj(node.status) ? node.status : {};
  const status: string[] = [];
  const ready = list(st.conditions).find((c: any) => c?.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (!status.length) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  const info: Obj = isObj(st.nodeInfo) ? st.nodeInfo : {};
  const addr = (t: string) => list(st.addresses).find((a: any) => a?.type === t)?.address || '<none>';
  return [
    node.metadata.name,
    status.join(','),
    nodeRoles(node),
    age(node.metadata.creationTimestamp, now),
    info.kubeletVersion ?? '',
    addr('InternalIP'),
    addr('ExternalIP'),
    info.osImage || '<unknown>',
    info.kernelVersion || '<unknown>',
    info.containerRuntimeVersion || '<unknown>',
  ];
}

export const nodeDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Node'),
  nameValidation: 'subdomain',
  // The node agent registers its Node with the status filled in; Kubernetes keeps it.
  statusOnCreate: 'keep',
  subresources: { status: true, extra: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }] },
  defaults(obj) {
    if (isObj(obj.status)) {
      canonicalizeResourceList(obj.status.capacity);
      canonicalizeResourceList(obj.status.allocatable);
      if (isObj(obj.status.capacity) && !isObj(obj.status.allocatable)) obj.status.allocatable = structuredClone(obj.status.capacity);
    }
  },
  validate: (obj) => validateNode(obj),
  validateUpdate: (obj, old) => validateNodeUpdate(obj, old),
  table: {
    columns: [
      nameColumn,
      col('Status', 'The status of the node.'),
      col('Roles', 'The roles of the node.'),
      ageColumn,
      col('Version', 'Node agent version reported by the node.'),
      wideCol('Internal-IP', 'First InternalIP address of the node.'),
      wideCol('External-IP', 'First ExternalIP address of the node.'),
      wideCol('OS-Image', 'OS image reported by the node.'),
      wideCol('Kernel-Version', 'Kernel version reported by the node.'),
      wideCol('Container-Runtime', 'Container runtime and version reported by the node.'),
    ],
    row: nodeRow,
  },
  fieldSelectors: { 'spec.unschedulable': (o) => String(!!o.spec?.unschedulable) },
};

// ---------------------------------------------------------------- Event

function validateEvent(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const io: Obj = isObj(ev.involvedObject) ? ev.involvedObject : {};
  const ns = ev.metadata.namespace ?? '';
  if (!ev.eventTime) {
    if (!io.namespace) {
      if (ns !== '' && ns !== 'default') errs.push(invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    } else if (ns !== io.namespace) errs.push(invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
  } else {
    if (!io.namespace && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    if (!ev.reportingComponent) errs.push(required('reportingComponent', ''));
    else errs.push(...validateQualifiedName(ev.reportingComponent, 'reportingComponent'));
    if (!ev.reportingInstance) errs.push(required('reportingInstance', ''));
    else if (ev.reportingInstance.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!ev.action) errs.push(required('action', ''));
    else if (ev.action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    if (!ev.reason) errs.push(required('reason', ''));
    else if (ev.reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if (typeof ev.message === 'string' && ev.message.length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  if (ev.type && !['Normal', 'Warning'].includes(ev.type) && ev.eventTime) errs.push(notSupported('type', ev.type, ['Normal', 'Warning']));
  return errs;
}

function eventTime(ts: unknown, now: Date): string | undefined {
  return typeof ts === 'string' && ts && !ts.startsWith('0001-') ? age(ts, now) : undefined;
}

function eventRow(ev: KubeObject, now: Date): unknown[] {
  const first = eventTime(ev.firstTimestamp, now) ?? eventTime(ev.eventTime, now) ?? '<unknown>';
  let last = eventTime(ev.lastTimestamp, now) ?? first;
  let count: number = ev.count ?? 0;
  if (isObj(ev.series)) {
    last = eventTime(ev.series.lastObservedTime, now) ?? '<unknown>';
    count = ev.series.count ?? 0;
  } else if (!count) count = 1;
  const io: Obj = isObj(ev.involvedObject) ? ev.involvedObject : {};
  const kind = String(io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const comp = ev.source?.component || ev.reportingComponent || '';
  const inst = ev.source?.host || ev.reportingInstance || '';
  const source = inst ? `${comp}, ${inst}` : comp;
  return [last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', source, String(ev.message ?? '').trim(), first, count, ev.metadata.name];
}

/** The events table (core/v1 and events.k8s.io/v1 print the same columns; Kubernetes types every one as string). */
export const eventTable: TableDef = {
  columns: [
    col('Last Seen', 'Time since the event was last seen.'),
    col('Type', 'Normal or Warning.'),
    col('Reason', 'Short reason for the event.'),
    col('Object', 'The object the event is about.'),
    wideCol('Subobject', 'The part of the object the event is about.'),
    wideCol('Source', 'The component that reported the event.'),
    col('Message', 'Description of the event.'),
    wideCol('First Seen', 'Time since the event was first seen.'),
    wideCol('Count', 'Number of times the event occurred.'),
    { ...wideCol('Name', 'Name of the event.'), format: 'name' },
  ],
  row: eventRow,
};

export const eventDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Event'),
  nameValidation: 'subdomain',
  defaults(obj) {
    // Fields Kubernetes always serializes for core/v1 events.
    if (!isObj(obj.involvedObject)) obj.involvedObject = {};
    if (!isObj(obj.source)) obj.source = {};
    if (obj.firstTimestamp === undefined) obj.firstTimestamp = null;
    if (obj.lastTimestamp === undefined) obj.lastTimestamp = null;
    if (obj.eventTime === undefined) obj.eventTime = null;
    obj.reportingComponent ??= '';
    obj.reportingInstance ??= '';
  },
  validate: (obj) => validateEvent(obj),
  validateUpdate: (obj) => validateEvent(obj),
  table: eventTable,
  fieldSelectors: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component || o.reportingComponent || '',
    type: (o) => o.type ?? '',
  },
};

// ---------------------------------------------------------------- ComponentStatus

/** The control plane components reported by `kubectl get componentstatuses`. */
export function componentStatuses(_ctx?: RequestContext): KubeObject[] {
  const mk = (name: string, message: string): KubeObject => ({
    kind: 'ComponentStatus',
    apiVersion: 'v1',
    metadata: { name },
    conditions: [{ type: 'Healthy', status: 'True', message }],
  });
  return [mk('scheduler', 'ok'), mk('controller-manager', 'ok'), mk('etcd-0', '{"health":"true"}')];
}

export const componentStatusDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'ComponentStatus',
  plural: 'componentstatuses',
  singular: 'componentstatus',
  shortNames: ['cs'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1', deprecationWarning: 'v1 ComponentStatus is deprecated in v1.19+' }],
  verbs: ['get', 'list'],
  schema: coreRef('ComponentStatus'),
  virtual: { list: (ctx) => componentStatuses(ctx) },
  table: {
    columns: [nameColumn, col('Status', 'Status of the component conditions.'), col('Message', 'Message of the component conditions.'), col('Error', 'Error of the component conditions.')],
    row(obj) {
      let status = 'Unknown';
      let message = '';
      let error = '';
      const c = list(obj.conditions).find((x: any) => x?.type === 'Healthy');
      if (c) {
        status = c.status === 'True' ? 'Healthy' : 'Unhealthy';
        message = c.message ?? '';
        error = c.error ?? '';
      }
      return [obj.metadata.name, status, message, error];
    },
  },
};

// ---------------------------------------------------------------- Binding

export const bindingDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Binding',
  plural: 'bindings',
  singular: 'binding',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  verbs: ['create'],
  schema: coreRef('Binding'),
  validate(obj) {
    const errs: FieldError[] = [];
    const t: Obj = isObj(obj.target) ? obj.target : {};
    if (t.kind && t.kind !== 'Node') errs.push(notSupported('target.kind', t.kind, ['Node', '<empty>']));
    if (!t.name) errs.push(required('target.name', ''));
    else for (const m of isDNS1123Subdomain(t.name)) errs.push(invalid('target.name', t.name, m));
    return errs;
  },
};


