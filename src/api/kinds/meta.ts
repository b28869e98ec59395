// Shared definitions from k8s.io/apimachinery: ObjectMeta, Time, Quantity, IntOrString,
// LabelSelector, and the metadata validation every kind runs.
import { define, str, int64, obj, arr, stringMap, ref, bool, setList, any, keyedList, time } from '../schema.js';
import { type FieldError, invalid, required, forbiddenField } from '../errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, validateAnnotations, validateLabels } from '../validation.js';

define('io.k8s.apimachinery.pkg.apis.meta.v1.Time', { type: 'string', format: 'date-time', description: 'Time is a timestamp in RFC 3339 form, to the second, in UTC.' });
define('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', { type: 'string', format: 'date-time', description: 'MicroTime is a timestamp in RFC 3339 form with microsecond precision.' });
define('io.k8s.apimachinery.pkg.api.resource.Quantity', {
  type: 'string',
  'x-kubernetes-int-or-string': true,
  description: 'A fixed-point number with an optional suffix: binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (m, k, M, G, T, P, E) or an exponent (e3). Examples: 100m CPU, 128Mi memory.',
} as any);
define('io.k8s.apimachinery.pkg.util.intstr.IntOrString', { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true, description: 'Either an integer or a string (for ports: a number or a named port).' } as any);
define('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1', { type: 'object', description: 'The set of fields a manager owns, in the FieldsV1 trie format used by server-side apply.', 'x-kubernetes-preserve-unknown-fields': true });

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  obj(
    {
      apiVersion: str('API version of the owner.'),
      kind: str('Kind of the owner.'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner.'),
      controller: bool('If true, this reference points to the managing controller.'),
      blockOwnerDeletion: bool('If true, and the owner has the foregroundDeletion finalizer, the owner cannot be removed from storage until this object is gone.'),
    },
    'Identifies an owning object: the garbage collector deletes this object once every owner is gone.',
    { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
  ),
);

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
  obj(
    {
      apiVersion: str('The version of the resource the fields were recorded in.'),
      fieldsType: str('The format of fieldsV1: always "FieldsV1".'),
      fieldsV1: ref('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1', 'The fields this manager owns.'),
      manager: str('Name of the workflow that manages these fields (the field manager).'),
      operation: str('Apply or Update: the kind of request that set these fields.'),
      subresource: str('The subresource the fields were written through, if any.'),
      time: time('When these fields were last changed by this manager.'),
    },
    'Which fields one manager owns, for server-side apply.',
  ),
);

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  obj(
    {
      name: str('Unique name within a namespace (or the cluster, for cluster-scoped kinds). Cannot be updated.'),
      generateName: str('Prefix for a server-generated name, used when name is empty: five random characters are appended.'),
      namespace: str('The namespace the object lives in. Empty for cluster-scoped kinds. Defaults to "default" for namespaced kinds.'),
      uid: str('Unique id for the lifetime of the object, set by the server. Read-only.'),
      resourceVersion: str('Opaque version of the object, used for optimistic concurrency and watches. Set by the server.'),
      generation: int64('Sequence number of a specific generation of the desired state. Set by the server.'),
      creationTimestamp: time('When the object was created. Set by the server. Read-only.'),
      deletionTimestamp: time('When the object will be deleted; set by the server when a graceful delete is requested.'),
      deletionGracePeriodSeconds: int64('Seconds allowed for graceful termination before the object is removed.'),
      labels: stringMap('Key/value pairs used to organise and select objects.'),
      annotations: stringMap('Key/value pairs of arbitrary, non-identifying metadata for tools and users.'),
      ownerReferences: keyedList(ref('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference'), 'uid', 'Objects this one depends on. When every owner is deleted, so is this object.'),
      finalizers: setList(str(), 'Names of pending cleanup steps; the object is removed only once the list is empty.'),
      managedFields: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'), 'Which fields each workflow manages. Maintained by the server for server-side apply.'),
      selfLink: str('Deprecated; not set.'),
    },
    'Metadata every persisted object has.',
  ),
);

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  obj({ resourceVersion: str('Version of the list, for watching from it.'), continue: str('Token to fetch the next page, when the list was cut by limit.'), remainingItemCount: int64('Items left after this page (approximate).'), selfLink: str('Deprecated; not set.') }, 'Metadata of a list.'),
);

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  obj(
    {
      key: str('The label key the selector applies to.'),
      operator: str('In, NotIn, Exists or DoesNotExist.'),
      values: arr(str(), 'Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
    },
    'One requirement of a label selector.',
    { required: ['key', 'operator'] },
  ),
);
define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  obj(
    {
      matchLabels: stringMap('Exact key=value pairs; each is ANDed with the others.'),
      matchExpressions: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement'), 'Set-based requirements, ANDed.'),
    },
    'Selects objects by label. An empty selector matches everything; a null one matches nothing.',
    { 'x-kubernetes-map-type': 'atomic' },
  ),
);

define(
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
  obj(
    {
      type: str('Type of condition in CamelCase.'),
      status: str('True, False or Unknown.'),
      observedGeneration: int64('The generation the condition was set for.'),
      lastTransitionTime: time('When the status last changed.'),
      reason: str('Machine-readable CamelCase reason for the last transition.'),
      message: str('Human-readable details about the transition.'),
    },
    'One aspect of the current state of an object.',
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
);

export const objectMetaRef = ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
export const labelSelectorRef = (d?: string) => ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', d);
export const anyObject = any;

export type NameRule = 'subdomain' | 'label' | 'path' | 'none';

export function nameErrors(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'label':
      return isDNS1123Label(name);
    case 'path':
      return isValidPathSegmentName(name);
    case 'none':
      return [];
    default:
      return isDNS1123Subdomain(name);
  }
}

/** ObjectMeta checks common to every kind (name, generateName, namespace, labels, annotations, ownerReferences, finalizers). */
export function validateObjectMeta(meta: any, namespaced: boolean, rule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== 'object') return [required('metadata')];
  if (!meta.name && !meta.generateName) errs.push(required('metadata.name', 'name or generateName is required'));
  if (meta.name) for (const m of nameErrors(meta.name, rule)) errs.push(invalid('metadata.name', meta.name, m));
  if (meta.generateName && !meta.name) {
    // generateName is validated with the random suffix masked, like Kubernetes' MaskTrailingDash.
    let prefix: string = meta.generateName;
    if (prefix.length > 1 && prefix.endsWith('-')) prefix = prefix.slice(0, -1);
    for (const m of nameErrors(prefix, rule)) errs.push(invalid('metadata.generateName', meta.generateName, m));
  }
  if (namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace'));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalid('metadata.namespace', meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbiddenField('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (Array.isArray(meta.ownerReferences)) {
    meta.ownerReferences.forEach((r: any, i: number) => {
      const f = `metadata.ownerReferences[${i}]`;
      if (!r?.apiVersion) errs.push(invalid(`${f}.apiVersion`, r?.apiVersion ?? '', 'version must not be empty'));
      if (!r?.kind) errs.push(invalid(`${f}.kind`, r?.kind ?? '', 'kind must not be empty'));
      if (!r?.name) errs.push(invalid(`${f}.name`, r?.name ?? '', 'name must not be empty'));
      if (!r?.uid) errs.push(invalid(`${f}.uid`, r?.uid ?? '', 'uid must not be empty'));
    });
    const controllers = meta.ownerReferences.filter((r: any) => r?.controller);
    if (controllers.length > 1) errs.push(invalid('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true'));
  }
  if (Array.isArray(meta.finalizers)) {
    meta.finalizers.forEach((f: unknown, i: number) => {
      if (typeof f !== 'string') errs.push(invalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
    });
  }
  return errs;
}
