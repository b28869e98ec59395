// events.k8s.io/v1 Event: the same stored objects as core/v1 events, served in another group with
// renamed fields. The descriptor says so with storedAs; its version converts to and from the
// core form, and validation runs on the core form with events.k8s.io's stricter rules.
import { define, str, int32, obj, ref, kindSchema, microTime, time } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required } from '../errors.js';
import type { KubeObject } from '../types.js';
import { deepClone } from '../types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation.js';
import { isObj, deepEqual, immutableField } from './misc-helpers.js';
import { eventTable } from './core/cluster.js';

const E = 'io.k8s.api.events.v1';

define(`${E}.EventSeries`, obj({
  count: int32('How many times the event has happened so far in this series.'),
  lastObservedTime: microTime('When the last event of the series was seen.'),
}, 'Data about a run of repeated events.', { required: ['count', 'lastObservedTime'] }));

const eventV1 = kindSchema(`${E}.Event`, [{ group: 'events.k8s.io', version: 'v1', kind: 'Event' }], 'A report of something that happened in the cluster. Events are kept for a short time only and may be merged when repeated.', {
  eventTime: microTime('When the event first happened.'),
  series: ref(`${E}.EventSeries`, 'Set when the event repeats: how often and when last.'),
  reportingController: str('Name of the controller that emitted the event, such as "kubernetes.io/kubelet".'),
  reportingInstance: str('Which instance of the controller emitted the event, such as the kubelet host name.'),
  action: str('What was done (or failed) to the regarding object, machine-readable.'),
  reason: str('Why the action was taken, machine-readable and short.'),
  regarding: ref('io.k8s.api.core.v1.ObjectReference', 'The object the event is about.'),
  related: ref('io.k8s.api.core.v1.ObjectReference', 'A second object involved, if any.'),
  note: str('Human-readable description of what happened (at most 1 kB).'),
  type: str('Normal or Warning.'),
  deprecatedSource: ref('io.k8s.api.core.v1.EventSource', 'Legacy core/v1 field; unset for events created in this group.'),
  deprecatedFirstTimestamp: time('Legacy core/v1 field; unset for events created in this group.'),
  deprecatedLastTimestamp: time('Legacy core/v1 field; unset for events created in this group.'),
  deprecatedCount: int32('Legacy core/v1 field; unset for events created in this group.'),
}, { required: ['eventTime'] });

/** Field renames between events.k8s.io/v1 and core/v1. */
const renames: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(o: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: deepClone(o.metadata ?? {}) };
  const map = new Map(pairs);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    out[map.get(k) ?? k] = deepClone(v);
  }
  return out;
}

/** events.k8s.io/v1 Event → core/v1 Event. */
export function eventsV1ToCore(o: KubeObject): KubeObject {
  return rename(o, renames, 'v1');
}

/** core/v1 Event → events.k8s.io/v1 Event. */
export function coreToEventsV1(o: KubeObject): KubeObject {
  return rename(o, renames.map(([a, b]) => [b, a]), 'events.k8s.io/v1');
}

const isCoreForm = (o: KubeObject) => o.apiVersion === 'v1' || 'involvedObject' in o || 'message' in o || 'reportingComponent' in o || 'source' in o || 'firstTimestamp' in o || 'lastTimestamp' in o || 'count' in o;
const asCore = (o: KubeObject) => (isCoreForm(o) && !('regarding' in o) && !('note' in o) ? o : eventsV1ToCore(o));

/** The checks every event passes (legacyValidateEvent), on the core form, as a request to events.k8s.io sees them. */
function legacyValidate(e: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = e.metadata.namespace ?? '';
  const ioNs: string = e.involvedObject?.namespace ?? '';
  if (!e.eventTime) {
    if (!ioNs) {
      if (ns !== '' && ns !== 'default') errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    } else if (ns !== ioNs) errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  } else {
    if (!ioNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    const rc: string = e.reportingComponent ?? '';
    if (!rc) errs.push(required('reportingController'));
    for (const m of isQualifiedName(rc)) errs.push(invalid('reportingController', rc, m));
    const ri: string = e.reportingInstance ?? '';
    if (!ri) errs.push(required('reportingInstance'));
    if (ri.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action: string = e.action ?? '';
    if (!action) errs.push(required('action'));
    if (action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    const reason: string = e.reason ?? '';
    if (!reason) errs.push(required('reason'));
    if (reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if ((e.message ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  return errs;
}

function validateSeries(e: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (isObj(e.series)) {
    if ((e.series.count ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
    if (!e.series.lastObservedTime) errs.push(required('series.lastObservedTime'));
  }
  return errs;
}

export function validateEventsV1(obj: KubeObject): FieldError[] {
  const e = asCore(obj);
  const errs = legacyValidate(e);
  errs.push(...validateSeries(e));
  if (!e.eventTime) errs.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${e.type ?? ''}`));
  if (e.firstTimestamp) errs.push(invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (e.lastTimestamp) errs.push(invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (e.count) errs.push(invalid('deprecatedCount', '', 'needs to be unset'));
  if (e.source?.component || e.source?.host) errs.push(invalid('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

export function validateEventsV1Update(obj: KubeObject, oldObj: KubeObject): FieldError[] {
  const e = asCore(obj);
  const old = asCore(oldObj);
  const errs = legacyValidate(e);
  if (!deepEqual(e.series, old.series)) errs.push(...validateSeries(e));
  const immutable: [string, string][] = [
    ['involvedObject', 'involvedObject'], ['reason', 'reason'], ['message', 'message'], ['source', 'source'],
    ['firstTimestamp', 'firstTimestamp'], ['lastTimestamp', 'lastTimestamp'], ['count', 'count'], ['type', 'type'],
    ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'],
    ['reportingComponent', 'reportingController'], ['reportingInstance', 'reportingInstance'],
  ];
  for (const [f, shown] of immutable) errs.push(...immutableField(e[f], old[f], shown, e[f] ?? ''));
  return errs;
}

export const eventsV1: ResourceDescriptor = {
  group: 'events.k8s.io',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1', schema: eventV1, toStorage: eventsV1ToCore, fromStorage: coreToEventsV1 }],
  schema: eventV1,
  storedAs: { group: '', resource: 'events' },
  validate: validateEventsV1,
  validateUpdate: validateEventsV1Update,
  // same columns and cells as core events, computed on the core form
  table: { columns: eventTable.columns, row: (o, now) => eventTable.row(asCore(o), now) },
  fieldSelectors: {
    'involvedObject.kind': (o) => asCore(o).involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => asCore(o).involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => asCore(o).involvedObject?.name ?? '',
    'involvedObject.uid': (o) => asCore(o).involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => asCore(o).involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => asCore(o).involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => asCore(o).involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => asCore(o).reportingComponent ?? '',
    source: (o) => asCore(o).source?.component ?? '',
    type: (o) => o.type ?? '',
  },
};


export const descriptors: ResourceDescriptor[] = [eventsV1];
