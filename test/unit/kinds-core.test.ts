import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/api/kinds/meta.js';
import { descriptors, defaultPodSpec, validatePodTemplateSpec, podQOSClass, defaultImagePullPolicy } from '../../src/api/kinds/core.js';
import { parseQuantity, formatQuantity, canonicalQuantity, compareQuantity, quantityToNumber, QUANTITY_REGEX_MSG } from '../../src/api/quantity.js';
import { fieldErrorText, isApiError, type FieldError } from '../../src/api/errors.js';
import { definition, resolve } from '../../src/api/schema.js';
import { walk } from '../../src/api/structural.js';
import type { RequestContext, ResourceDescriptor } from '../../src/api/descriptor.js';
import type { KubeObject } from '../../src/api/types.js';

const d = (plural: string): ResourceDescriptor => {
  const r = descriptors.find((x) => x.plural === plural);
  assert.ok(r, plural);
  return r;
};
const NOW = new Date('2024-05-01T12:00:00Z');
function ctx(services: KubeObject[] = [], config: Partial<RequestContext['config']> = {}): RequestContext {
  return {
    user: { name: 'admin', groups: ['system:masters'] },
    verb: 'create',
    subresource: undefined,
    dryRun: false,
    now: NOW,
    warnings: [],
    lookup: { get: () => undefined, list: (gr) => (gr.resource === 'services' ? services : []) },
    config: { serviceCIDR: '10.96.0.0/12', nodePortRange: [30000, 32767], clusterDomain: 'cluster.local', ...config },
  };
}
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const clone = <T>(v: T): T => structuredClone(v);
/** defaults + validate like the REST path does on create. */
function create(plural: string, obj: KubeObject, c = ctx()): { obj: KubeObject; errs: string[] } {
  const desc = d(plural);
  const o = clone(obj);
  desc.defaults?.(o, c);
  const errs = texts(desc.validate?.(o, c) ?? []);
  if (!errs.length) desc.prepareCreate?.(o, c);
  return { obj: o, errs };
}
/** The REST update order: status kept from the stored object, defaults, validateUpdate, prepareUpdate. */
function update(plural: string, obj: KubeObject, old: KubeObject, c = ctx()): { obj: KubeObject; errs: string[] } {
  const desc = d(plural);
  const o = clone(obj);
  if (desc.subresources?.status) {
    if (old.status === undefined) delete o.status;
    else o.status = clone(old.status);
  }
  desc.defaults?.(o, c);
  const errs = texts(desc.validateUpdate?.(o, old, c) ?? []);
  if (!errs.length) desc.prepareUpdate?.(o, old, c);
  return { obj: o, errs };
}
const pod = (spec: any, extra: any = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z', ...extra.metadata }, spec, ...(extra.status ? { status: extra.status } : {}) });

// ---------------------------------------------------------------- quantities

test('quantities parse and print in canonical form', () => {
  const cases: [string | number, string][] = [
    ['0.5', '500m'], ['1000m', '1'], ['1500m', '1500m'], ['1.5', '1500m'], ['100m', '100m'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'], ['2048Ki', '2Mi'], ['0.5Ki', '512'], ['1e3', '1e3'], ['12e2', '1200'], ['128974848', '128974848'], ['129M', '129M'],
    ['1000', '1k'], [1, '1'], [0.25, '250m'], ['0', '0'], ['-1', '-1'], ['5Gi', '5Gi'], ['1n', '1n'], ['0.1n', '1n'],
  ];
  for (const [i, o] of cases) assert.equal(canonicalQuantity(i), o, `${i}`);
  for (const bad of ['', 'abc', '1.2.3', '1K', '1Qi', '--1', 'Mi']) assert.equal(parseQuantity(bad), null, bad);
  assert.equal(compareQuantity('1', '1000m'), 0);
  assert.equal(compareQuantity('500m', '1'), -1);
  assert.equal(compareQuantity('1Gi', '1G'), 1);
  assert.equal(quantityToNumber('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(formatQuantity(parseQuantity('2Ei')!), '2Ei');
  assert.equal(QUANTITY_REGEX_MSG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
});

// ---------------------------------------------------------------- schemas

test('schemas cover the core types with Kubernetes list markers', () => {
  for (const n of ['Pod', 'PodSpec', 'Container', 'Probe', 'Volume', 'SecurityContext', 'Affinity', 'Toleration', 'TopologySpreadConstraint', 'ServiceSpec', 'NodeStatus', 'PersistentVolumeSpec', 'CSIPersistentVolumeSource', 'PodTemplateSpec', 'EphemeralContainer', 'Binding', 'ComponentStatus'])
    assert.ok(definition(`io.k8s.api.core.v1.${n}`), n);
  const spec = resolve({ $ref: 'io.k8s.api.core.v1.PodSpec' })!;
  assert.equal(spec.properties!.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(spec.properties!.topologySpreadConstraints['x-kubernetes-list-map-keys'], ['topologyKey', 'whenUnsatisfiable']);
  assert.equal(spec.properties!.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(spec.properties!.tolerations['x-kubernetes-list-type'], 'atomic');
  const c = resolve({ $ref: 'io.k8s.api.core.v1.Container' })!;
  assert.deepEqual(c.properties!.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(c.properties!.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(c.properties!.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
  const s = resolve({ $ref: 'io.k8s.api.core.v1.ServiceSpec' })!;
  assert.deepEqual(s.properties!.ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  // a realistic manifest has no unknown fields; a typo is found
  const manifest = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { a: 'b' } },
    spec: {
      containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { limits: { cpu: '1' } }, livenessProbe: { httpGet: { path: '/', port: 'http' } }, securityContext: { capabilities: { add: ['NET_ADMIN'] }, seccompProfile: { type: 'RuntimeDefault' } },
        volumeMounts: [{ name: 'v', mountPath: '/v' }], lifecycle: { preStop: { sleep: { seconds: 5 } } } }],
      volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }, { configMap: { name: 'cm' } }] } }, { name: 'e', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } } }] } },
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }],
    },
  };
  assert.deepEqual(walk(manifest, d('pods').schema, false).unknown, []);
  const bad = clone(manifest) as any;
  bad.spec.containerPolicy = 'x';
  bad.spec.containers[0].imagePolicy = 'x';
  assert.deepEqual(walk(bad, d('pods').schema, false).unknown.sort(), ['spec.containerPolicy', 'spec.containers[0].imagePolicy']);
});

test('discovery data: names, short names, categories, subresources', () => {
  const short = Object.fromEntries(descriptors.map((x) => [x.plural, x.shortNames ?? []]));
  assert.deepEqual(short.pods, ['po']);
  assert.deepEqual(short.limitranges, ['limits']);
  assert.deepEqual(short.resourcequotas, ['quota']);
  assert.deepEqual(short.componentstatuses, ['cs']);
  assert.deepEqual(descriptors.filter((x) => x.categories?.includes('all')).map((x) => x.plural).sort(), ['pods', 'replicationcontrollers', 'services']);
  assert.equal(d('replicationcontrollers').subresources?.scale?.specReplicasPath, '.spec.replicas');
  assert.ok(d('pods').subresources?.extra?.some((e) => e.name === 'eviction' && e.group === 'policy'));
  assert.ok(d('serviceaccounts').subresources?.extra?.some((e) => e.name === 'token' && e.kind === 'TokenRequest' && e.group === 'authentication.k8s.io'));
  assert.equal(d('namespaces').namespaced, false);
  assert.deepEqual(d('bindings').verbs, ['create']);
});

// ---------------------------------------------------------------- pods

test('pod defaults', () => {
  const { obj, errs } = create('pods', pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } }, resources: { limits: { cpu: '0.5', memory: '128Mi' } } }] }));
  assert.deepEqual(errs, []);
  const s = obj.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(s.priority, 0);
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } });
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'Guaranteed' });
});

test('imagePullPolicy defaults', () => {
  assert.equal(defaultImagePullPolicy('nginx'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultImagePullPolicy('localhost:5000/app:v2'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('busybox@sha256:abcd'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('busybox:latest@sha256:abcd'), 'Always');
});

test('template defaults and validation for workload kinds', () => {
  const spec: any = { containers: [{ name: 'c', image: 'busybox:1.36' }], volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 'x' } }] };
  defaultPodSpec(spec);
  assert.equal(spec.enableServiceLinks, undefined);
  assert.deepEqual(spec.volumes[0], { name: 'v', emptyDir: {} });
  assert.equal(spec.volumes[1].secret.defaultMode, 420);
  assert.deepEqual(texts(validatePodTemplateSpec({ metadata: { labels: { app: 'x' } }, spec }, 'spec.template')), []);
  assert.deepEqual(texts(validatePodTemplateSpec({ spec: { containers: [{ name: 'c' }] } }, 'spec.template')), [
    'spec.template.spec.containers[0].image: Required value',
    'spec.template.spec.containers[0].imagePullPolicy: Required value',
    'spec.template.spec.containers[0].terminationMessagePolicy: Required value',
    'spec.template.spec.restartPolicy: Required value',
    'spec.template.spec.dnsPolicy: Required value',
  ]);
});

test('pod validation messages', () => {
  const e = (spec: any) => create('pods', pod(spec)).errs;
  assert.deepEqual(e({ containers: [{ name: 'c' }] }), ['spec.containers[0].image: Required value']);
  assert.deepEqual(e({ containers: [] }), ['spec.containers: Required value']);
  assert.deepEqual(e({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }), [
    'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ]);
  assert.deepEqual(e({ restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x' }] }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']);
  assert.deepEqual(e({ containers: [{ name: 'c', image: 'x' }, { name: 'c', image: 'y' }] }), ['spec.containers[1].name: Duplicate value: "c"']);
  assert.deepEqual(e({ containers: [{ name: 'Web_1', image: 'x' }] }), [
    `spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  ]);
  assert.deepEqual(e({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  assert.deepEqual(e({ containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']);
  // a malformed quantity fails decoding (400) before validation, as in Kubernetes
  assert.throws(() => create('pods', pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1Gb' } } }] })), (err: any) => {
    assert.equal(err.code, 400);
    assert.equal(err.message, `Pod in version "v1" cannot be handled as a Pod: ${QUANTITY_REGEX_MSG}`);
    return true;
  });
  assert.deepEqual(e({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'Noschedule' }], containers: [{ name: 'c', image: 'x' }] }), [
    'spec.tolerations[0].effect: Unsupported value: "Noschedule": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  assert.deepEqual(e({ containers: [{ name: 'c', image: 'x', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
  assert.deepEqual(
    e({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Equal', values: ['a'] }] }] } } }, containers: [{ name: 'c', image: 'x' }] }),
    ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Equal": not a valid selector operator'],
  );
});

test('pod updates may change only images and a few fields', () => {
  const { obj: old } = create('pods', pod({ containers: [{ name: 'c', image: 'nginx:1.24' }], tolerations: [{ key: 'a', operator: 'Exists' }] }));
  const img = clone(old);
  img.spec.containers[0].image = 'nginx:1.25';
  img.spec.tolerations.push({ key: 'b', operator: 'Exists' });
  img.metadata.labels = { x: 'y' };
  assert.deepEqual(update('pods', img, old).errs, []);
  const bad = clone(old);
  bad.spec.restartPolicy = 'Never';
  const errs = update('pods', bad, old).errs;
  assert.equal(errs.length, 1);
  assert.ok(errs[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), errs[0]);
  assert.ok(errs[0].includes('RestartPolicy'));
  assert.equal(d('pods').defaultGracePeriod!(old), 0);
  assert.equal(d('pods').defaultGracePeriod!({ ...old, spec: { ...old.spec, nodeName: 'n1' } }), 30);
});

test('QoS class', () => {
  assert.equal(podQOSClass({ containers: [{ name: 'a' }] }), 'BestEffort');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } } }] }), 'Burstable');
});

test('pod table rows like kubectl get pods', () => {
  const row = (spec: any, status: any, meta: any = {}) => d('pods').table!.row(pod(spec, { status, metadata: meta }), NOW);
  const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] };
  assert.deepEqual(row(two, { phase: 'Pending' }), ['p', '0/2', 'Pending', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
  assert.deepEqual(
    row({ ...two, nodeName: 'n1' }, {
      phase: 'Running', podIPs: [{ ip: '10.244.0.5' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } },
      ],
    }),
    ['p', '1/2', 'CrashLoopBackOff', '2 (5m ago)', '60m', '10.244.0.5', 'n1', '<none>', '<none>'],
  );
  assert.equal(row(two, { phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] })[2], 'ContainerCreating');
  assert.equal(row(two, { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })[2], 'Completed');
  assert.equal(row({ ...two, initContainers: [{ name: 'i', image: 'z' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] })[2], 'Init:0/1');
  assert.equal(row({ ...two, initContainers: [{ name: 'i', image: 'z' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } } }] })[2], 'Init:CrashLoopBackOff');
  assert.equal(row(two, { phase: 'Running' }, { deletionTimestamp: '2024-05-01T12:00:00Z' })[2], 'Terminating');
  assert.equal(row(two, { phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] })[2], 'ExitCode:3');
  const fs = d('pods').fieldSelectors!;
  const p = pod({ nodeName: 'n1', restartPolicy: 'Always' }, { status: { phase: 'Running' } });
  assert.equal(fs['spec.nodeName'](p), 'n1');
  assert.equal(fs['status.phase'](p), 'Running');
  assert.equal(fs['spec.hostNetwork'](p), 'false');
});

// ---------------------------------------------------------------- services

const svc = (name: string, spec: any): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', creationTimestamp: '2024-05-01T11:59:00Z' }, spec });
const invalidMessage = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(isApiError(e));
    assert.equal(e.code, 422);
    return e.message;
  }
  assert.fail('expected an error');
};

test('service defaults and cluster IP allocation', () => {
  const { obj, errs } = create('services', svc('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
  assert.deepEqual(errs, []);
  const s = obj.spec;
  assert.equal(s.type, 'ClusterIP');
  assert.equal(s.sessionAffinity, 'None');
  assert.equal(s.internalTrafficPolicy, 'Cluster');
  assert.equal(s.externalTrafficPolicy, undefined);
  assert.deepEqual(s.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.deepEqual(s.ipFamilies, ['IPv4']);
  assert.equal(s.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(s.clusterIPs, [s.clusterIP]);
  const n = s.clusterIP.split('.').map(Number);
  assert.equal(n[0], 10);
  assert.ok(n[1] >= 96 && n[1] <= 111);
  assert.notEqual(s.clusterIP, '10.96.0.1');
  assert.deepEqual(obj.status, { loadBalancer: {} });

  const existing = [svc('kubernetes', { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443 }] }), svc('taken', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })];
  assert.equal(
    invalidMessage(() => create('services', svc('x', { clusterIP: '1.2.3.4', ports: [{ port: 80 }] }), ctx(existing))),
    'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"1.2.3.4"}: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  assert.equal(
    invalidMessage(() => create('services', svc('x', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }), ctx(existing))),
    'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.20"}: failed to allocate IP 10.96.0.20: provided IP is already allocated',
  );
  assert.equal(create('services', svc('kubernetes', { clusterIP: '10.96.0.1', ports: [{ port: 443 }] })).obj.spec.clusterIP, '10.96.0.1');
  // a small range is used up without handing out .1 or the network/broadcast addresses
  const small = ctx([], { serviceCIDR: '10.0.0.0/29' });
  const got = new Set<string>();
  const taken: KubeObject[] = [];
  for (let i = 0; i < 5; i++) {
    const o = create('services', svc(`s${i}`, { ports: [{ port: 80 }] }), { ...small, lookup: { get: () => undefined, list: () => taken } }).obj;
    got.add(o.spec.clusterIP);
    taken.push(o);
  }
  assert.deepEqual([...got].sort(), ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  // headless and ExternalName
  const h = create('services', svc('h', { clusterIP: 'None', selector: { a: 'b' } })).obj;
  assert.deepEqual([h.spec.clusterIP, h.spec.clusterIPs], ['None', ['None']]);
  const en = create('services', svc('ext', { type: 'ExternalName', externalName: 'db.example.com' })).obj;
  assert.equal(en.spec.clusterIP, undefined);
});

test('node port allocation and errors', () => {
  const existing = [svc('taken', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })];
  const { obj } = create('services', svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30443 }] }), ctx(existing));
  assert.equal(obj.spec.externalTrafficPolicy, 'Cluster');
  const [a, b] = obj.spec.ports;
  assert.ok(a.nodePort >= 30000 && a.nodePort <= 32767 && a.nodePort !== 30080);
  assert.equal(b.nodePort, 30443);
  assert.equal(
    invalidMessage(() => create('services', svc('x', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), ctx(existing))),
    'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  assert.equal(
    invalidMessage(() => create('services', svc('x', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), ctx(existing))),
    'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(create('services', svc('x', { ports: [{ port: 80, nodePort: 30001 }] })).errs, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  const lb = create('services', svc('lb', { type: 'LoadBalancer', ports: [{ port: 80 }] })).obj;
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.ok(lb.spec.ports[0].nodePort > 0);
  assert.deepEqual(d('services').table!.row(lb, NOW).slice(1, 5), ['LoadBalancer', lb.spec.clusterIP, '<pending>', `80:${lb.spec.ports[0].nodePort}/TCP`]);
});

test('service updates: type changes, kept allocations, immutable cluster IP', () => {
  const { obj: old } = create('services', svc('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
  const toNP = clone(old);
  toNP.spec.type = 'NodePort';
  const np = update('services', toNP, old);
  assert.deepEqual(np.errs, []);
  assert.equal(np.obj.spec.clusterIP, old.spec.clusterIP);
  assert.ok(np.obj.spec.ports[0].nodePort >= 30000);
  assert.equal(np.obj.spec.externalTrafficPolicy, 'Cluster');
  const back = clone(np.obj);
  back.spec.type = 'ClusterIP';
  const cip = update('services', back, np.obj);
  assert.deepEqual(cip.errs, []);
  assert.equal(cip.obj.spec.ports[0].nodePort, undefined);
  assert.equal(cip.obj.spec.externalTrafficPolicy, undefined);
  // an apply that leaves clusterIP out keeps the allocated one
  const noIP = clone(old);
  delete noIP.spec.clusterIP;
  delete noIP.spec.clusterIPs;
  const kept = update('services', noIP, old);
  assert.deepEqual(kept.errs, []);
  assert.equal(kept.obj.spec.clusterIP, old.spec.clusterIP);
  const moved = clone(old);
  moved.spec.clusterIP = '10.96.9.9';
  assert.deepEqual(update('services', moved, old).errs, ['spec.clusterIPs[0]: Invalid value: []string{"10.96.9.9"}: may not change once set']);
});

test('service validation', () => {
  assert.deepEqual(create('services', svc('web', { selector: { app: 'x' } })).errs, ['spec.ports: Required value']);
  assert.deepEqual(create('services', svc('web', { type: 'Magic', ports: [{ port: 80 }] })).errs, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(create('services', svc('web', { ports: [{ port: 80 }, { port: 81 }] })).errs, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(create('services', svc('web', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] })).errs, [
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  assert.deepEqual(create('services', svc('1web', { ports: [{ port: 80 }] })).errs, [
    `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('service and endpoints tables', () => {
  const s = svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web', tier: 'fe' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] });
  assert.deepEqual(d('services').table!.row(s, NOW), ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,443/TCP', '60s', 'app=web,tier=fe']);
  const ep: KubeObject = { metadata: { name: 'web', creationTimestamp: '2024-05-01T11:00:00Z' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] };
  assert.deepEqual(d('endpoints').table!.row(ep, NOW), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...', '60m']);
  assert.equal(d('endpoints').table!.row({ metadata: { name: 'x' } }, NOW)[1], '<none>');
});

// ---------------------------------------------------------------- config

test('secrets: stringData, types, immutability, size', () => {
  const { obj, errs } = create('secrets', { metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } });
  assert.deepEqual(errs, []);
  assert.equal(obj.type, 'Opaque');
  assert.equal(obj.stringData, undefined);
  assert.equal(obj.data.password, Buffer.from('hunter2').toString('base64'));
  assert.deepEqual(create('secrets', { metadata: { name: 't', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} }).errs, ['data[tls.key]: Required value', 'data[tls.crt]: Required value']);
  assert.deepEqual(create('secrets', { metadata: { name: 't', namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: {} }).errs, ['data[.dockerconfigjson]: Required value']);
  assert.deepEqual(create('secrets', { metadata: { name: 't', namespace: 'default' }, type: 'kubernetes.io/service-account-token' }).errs, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.deepEqual(create('secrets', { metadata: { name: 't', namespace: 'default' }, data: { 'bad key': 'YQ==' } }).errs, [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  const imm: KubeObject = { ...obj, immutable: true };
  const changed = clone(imm);
  changed.data.password = Buffer.from('x').toString('base64');
  assert.deepEqual(update('secrets', changed, imm).errs, ['data: Forbidden: field is immutable when `immutable` is set']);
  const typed = clone(obj);
  typed.type = 'kubernetes.io/basic-auth';
  typed.data.username = 'YQ==';
  assert.deepEqual(update('secrets', typed, obj).errs, ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
  const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
  assert.deepEqual(create('secrets', { metadata: { name: 'b', namespace: 'default' }, data: { k: big } }).errs, ['data: Too long: must have at most 1048576 bytes']);
  assert.deepEqual(d('secrets').table!.row(obj, NOW), ['s', 'Opaque', 1, '<unknown>']);
});

test('configmaps: keys, quoting, size, immutability', () => {
  const { obj, errs } = create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { '.hidden': 'x', n: 1 as any, b: true as any } });
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.data, { '.hidden': 'x', n: '1', b: 'true' });
  assert.deepEqual(create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { k: 'x'.repeat(1024 * 1024 + 1) } }).errs, [': Too long: must have at most 1048576 bytes']);
  const imm: KubeObject = { ...obj, immutable: true };
  const c2 = clone(imm);
  c2.data.n = '2';
  assert.deepEqual(update('configmaps', c2, imm).errs, ['data: Forbidden: field is immutable when `immutable` is set']);
});

// ---------------------------------------------------------------- cluster kinds

test('namespaces: label, finalizer, phase', () => {
  const { obj } = create('namespaces', { metadata: { name: 'dev' } });
  assert.equal(obj.metadata.labels!['kubernetes.io/metadata.name'], 'dev');
  assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(obj.status, { phase: 'Active' });
  assert.deepEqual(d('namespaces').table!.row({ ...obj, metadata: { ...obj.metadata, creationTimestamp: '2024-04-29T12:00:00Z' } }, NOW), ['dev', 'Active', '2d']);
});

test('node table: status and roles', () => {
  const node: KubeObject = {
    metadata: { name: 'n1', creationTimestamp: '2024-05-01T11:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'n1' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'False' }], addresses: [{ type: 'InternalIP', address: '192.168.1.10' }], nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'runc://1.1.12' } },
  };
  assert.deepEqual(d('nodes').table!.row(node, NOW), ['n1', 'NotReady,SchedulingDisabled', 'control-plane', '60m', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'runc://1.1.12']);
  assert.equal(d('nodes').fieldSelectors!['spec.unschedulable'](node), 'true');
});

test('events table and validation', () => {
  const ev: KubeObject = {
    metadata: { name: 'p.123', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', fieldPath: 'spec.containers{c}' },
    reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: '2024-05-01T11:50:00Z', lastTimestamp: '2024-05-01T11:58:00Z', count: 3,
  };
  assert.deepEqual(d('events').table!.row(ev, NOW), ['2m', 'Normal', 'Pulled', 'pod/p', 'spec.containers{c}', 'kubelet, n1', 'Successfully pulled image "nginx"', '10m', 3, 'p.123']);
  assert.deepEqual(create('events', { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'other' } }).errs, ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('component statuses are virtual and healthy', () => {
  const cs = d('componentstatuses');
  const items = cs.virtual!.list(ctx());
  assert.deepEqual(items.map((i) => i.metadata.name), ['scheduler', 'controller-manager', 'etcd-0']);
  assert.deepEqual(items.map((i) => cs.table!.row(i, NOW)), [
    ['scheduler', 'Healthy', 'ok', ''],
    ['controller-manager', 'Healthy', 'ok', ''],
    ['etcd-0', 'Healthy', '{"health":"true"}', ''],
  ]);
  assert.equal(cs.versions[0].deprecationWarning, 'v1 ComponentStatus is deprecated in v1.19+');
});

// ---------------------------------------------------------------- storage

test('persistent volumes and claims', () => {
  const pv = { metadata: { name: 'pv1', creationTimestamp: '2024-05-01T11:00:00Z' }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteMany'], hostPath: { path: '/data' } } };
  const { obj, errs } = create('persistentvolumes', pv);
  assert.deepEqual(errs, []);
  assert.equal(obj.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(obj.spec.volumeMode, 'Filesystem');
  assert.equal(obj.status.phase, 'Pending');
  assert.deepEqual(create('persistentvolumes', { ...pv, spec: { ...pv.spec, accessModes: [] } }).errs, ['spec.accessModes: Required value: must specify at least 1 access mode']);
  assert.deepEqual(create('persistentvolumes', { ...pv, spec: { ...pv.spec, accessModes: ['ReadWriteOnly'] } }).errs, ['spec.accessModes: Unsupported value: "ReadWriteOnly": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']);
  const bound = { ...obj, spec: { ...obj.spec, claimRef: { namespace: 'default', name: 'data' } }, status: { phase: 'Bound' } };
  assert.deepEqual(d('persistentvolumes').table!.row(bound, NOW), ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', '', '<unset>', '', '60m', 'Filesystem']);

  const pvc = { metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  const c = create('persistentvolumeclaims', pvc);
  assert.deepEqual(c.errs, []);
  assert.equal(c.obj.status.phase, 'Pending');
  assert.equal(c.obj.spec.volumeMode, 'Filesystem');
  const boundClaim = { ...c.obj, spec: { ...c.obj.spec, volumeName: 'pv1' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } };
  const grow = clone(boundClaim);
  grow.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(update('persistentvolumeclaims', grow, boundClaim).errs, []);
  const modes = clone(boundClaim);
  modes.spec.accessModes = ['ReadWriteMany'];
  const immErrs = update('persistentvolumeclaims', modes, boundClaim).errs;
  assert.equal(immErrs.length, 1);
  assert.ok(immErrs[0].startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n- \tAccessModes: ["ReadWriteOnce"],\n+ \tAccessModes: ["ReadWriteMany"],'), immErrs[0]);
  assert.deepEqual(create('persistentvolumeclaims', { ...pvc, spec: { accessModes: ['ReadWriteOnce'] } }).errs, ['spec.resources[storage]: Required value']);
});

// ---------------------------------------------------------------- replication controllers

test('replication controllers: defaults from the template, selector match', () => {
  const rc = { metadata: { name: 'rc', namespace: 'default' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } };
  const { obj, errs } = create('replicationcontrollers', rc);
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec.selector, { app: 'web' });
  assert.deepEqual(obj.metadata.labels, { app: 'web' });
  assert.equal(obj.spec.replicas, 1);
  assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
  const bad = clone(rc) as any;
  bad.spec.selector = { app: 'db' };
  assert.deepEqual(create('replicationcontrollers', bad).errs, ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: selector does not match template labels']);
  assert.deepEqual(d('replicationcontrollers').table!.row({ ...obj, status: { replicas: 1, readyReplicas: 1 } }, NOW).slice(1, 4), [1, 1, 1]);
  assert.equal(d('replicationcontrollers').hasGeneration, true);
});

test('limit ranges and quotas', () => {
  const { obj, errs } = create('limitranges', { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' } }] } });
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(obj.spec.limits[0].defaultRequest, { cpu: '2' });
  assert.deepEqual(create('limitranges', { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '2' }, default: { cpu: '1' }, defaultRequest: { cpu: '1' } }] } }).errs, [
    'spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than max value 1',
    'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: min value 2 is greater than default request value 1',
    'spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than default value 1',
  ]);
  assert.deepEqual(create('resourcequotas', { metadata: { name: 'q', namespace: 'default' }, spec: { hard: { pods: '-1' } } }).errs, ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);
  const q: KubeObject = { metadata: { name: 'q', creationTimestamp: '2024-05-01T11:00:00Z' }, status: { hard: { 'limits.cpu': '2', 'requests.cpu': '1', pods: '10' }, used: { 'limits.cpu': '500m', 'requests.cpu': '250m', pods: '1' } } };
  assert.deepEqual(d('resourcequotas').table!.row(q, NOW), ['q', '60m', 'pods: 1/10, requests.cpu: 250m/1', 'limits.cpu: 500m/2']);
});

test('pod subresource updates and creation details', () => {
  const { obj: old } = create('pods', pod({ containers: [{ name: 'c', image: 'nginx:1.25' }], schedulingGates: [{ name: 'wait' }] }));
  assert.deepEqual(old.status.conditions, [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }]);
  assert.deepEqual(old.spec.containers[0].resources, {});
  const eph = clone(old);
  eph.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }];
  assert.deepEqual(update('pods', eph, old, { ...ctx(), subresource: 'ephemeralcontainers' }).errs, []);
  const changed = clone(eph);
  changed.spec.ephemeralContainers[0].image = 'alpine';
  assert.deepEqual(update('pods', changed, eph, { ...ctx(), subresource: 'ephemeralcontainers' }).errs, ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debug" may not be changed\n']);
  // the same change through the main resource is not allowed
  assert.equal(update('pods', eph, old).errs.length, 1);
  // environment variable names: any printable ASCII but '='
  assert.deepEqual(create('pods', pod({ containers: [{ name: 'c', image: 'x', env: [{ name: '1 weird.NAME', value: 'v' }, { name: 'A=B', value: 'v' }] }] })).errs, [
    `spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
  ]);
});

test('namespace deletion hooks and node status on create', () => {
  const ns = d('namespaces');
  const { obj } = create('namespaces', { metadata: { name: 'gone' } });
  assert.deepEqual(ns.deletionBlockers!(obj), ['kubernetes']);
  ns.onDeleting!(obj);
  assert.equal(obj.status.phase, 'Terminating');
  assert.deepEqual(ns.deletionBlockers!({ ...obj, spec: { finalizers: [] } }), []);
  assert.equal(d('nodes').statusOnCreate, 'keep');
});

test('single-stack cluster refuses dual-stack services, except selector-less headless ones', () => {
  assert.equal(
    invalidMessage(() => create('services', svc('ds', { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] }))),
    'Service "ds" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
  );
  const pref = create('services', svc('pref', { ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] })).obj;
  assert.deepEqual([pref.spec.ipFamilyPolicy, pref.spec.ipFamilies, pref.spec.clusterIPs.length], ['PreferDualStack', ['IPv4'], 1]);
  const h = create('services', svc('h', { clusterIP: 'None', ports: [{ port: 80 }] })).obj;
  assert.deepEqual([h.spec.ipFamilyPolicy, h.spec.ipFamilies], ['RequireDualStack', ['IPv4']]);
});

test('malformed base64 in secrets fails decoding like Kubernetes', () => {
  assert.throws(() => create('secrets', { metadata: { name: 's', namespace: 'default' }, data: { k: 'not base64!' } }), (err: any) => {
    assert.equal(err.code, 400);
    assert.equal(err.message, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    return true;
  });
  assert.deepEqual(create('secrets', { metadata: { name: 's', namespace: 'default' }, data: { k: 'YWJj', e: '' } }).errs, []);
});
