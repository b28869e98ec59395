import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptors as apps } from '../../src/api/kinds/apps.js';
import { descriptors as batch } from '../../src/api/kinds/batch.js';
import type { ResourceDescriptor, RequestContext } from '../../src/api/descriptor.js';
import type { KubeObject } from '../../src/api/types.js';
import { fieldErrorText, invalidObject, type FieldError } from '../../src/api/errors.js';
import { cronScheduleError } from '../../src/api/kinds/workloads/cron.js';
import { hpaTargets } from '../../src/api/kinds/workloads/autoscaling-policy.js';

const all = [...apps, ...batch];
const find = (group: string, plural: string): ResourceDescriptor => {
  const d = all.find((x) => x.group === group && x.plural === plural);
  assert.ok(d, `${group}/${plural}`);
  return d!;
};
const ctx = (over: Partial<RequestContext> = {}): RequestContext =>
  ({ user: { name: 'u', groups: [] }, verb: 'create', dryRun: false, now: new Date('2024-01-01T00:10:00Z'), warnings: [], lookup: { get: () => undefined, list: () => [] }, config: { serviceCIDR: '10.96.0.0/12', nodePortRange: [30000, 32767], clusterDomain: 'cluster.local' }, ...over }) as RequestContext;
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const container = { name: 'c', image: 'nginx:1.25' };
const deploy = (over: any = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } }, ...over },
});
/** What the REST path does on create: legacy conversion, defaults, validation. */
function create(d: ResourceDescriptor, version: string, obj: KubeObject): { obj: KubeObject; errs: FieldError[] } {
  let o = structuredClone(obj);
  const vi = d.versions.find((v) => v.version === version)!;
  if (version !== d.storageVersion) {
    vi.defaults?.(o);
    if (vi.toStorage) o = vi.toStorage(o);
  }
  const c = ctx();
  d.defaults?.(o, c);
  const errs = d.validate?.(o, c) ?? [];
  if (!errs.length) d.prepareCreate?.(o, c);
  return { obj: o, errs };
}

test('names, short names, categories, subresources', () => {
  const d = find('apps', 'deployments');
  assert.deepEqual([d.kind, d.singular, d.shortNames, d.categories, d.namespaced, d.hasGeneration], ['Deployment', 'deployment', ['deploy'], ['all'], true, 'spec+annotations']);
  assert.equal(d.subresources?.scale?.specReplicasPath, '.spec.replicas');
  assert.deepEqual(find('apps', 'replicasets').shortNames, ['rs']);
  assert.deepEqual(find('apps', 'statefulsets').shortNames, ['sts']);
  assert.deepEqual(find('apps', 'daemonsets').shortNames, ['ds']);
  assert.deepEqual(find('batch', 'cronjobs').shortNames, ['cj']);
  assert.deepEqual(find('autoscaling', 'horizontalpodautoscalers').shortNames, ['hpa']);
  assert.deepEqual(find('policy', 'poddisruptionbudgets').shortNames, ['pdb']);
  for (const p of ['jobs', 'cronjobs']) assert.deepEqual(find('batch', p).categories, ['all']);
  assert.equal(find('apps', 'statefulsets').nameValidation, 'label');
  assert.deepEqual(find('apps', 'deployments').versions.map((v) => v.version), ['v1', 'v1beta2', 'v1beta1']);
  assert.equal(find('extensions', 'deployments').storedAs?.resource, 'deployments');
  assert.ok(!all.some((x) => x.group === 'extensions' && (x.plural === 'ingresses' || x.plural === 'networkpolicies')));
});

test('Deployment defaults (apps/v1)', () => {
  const { obj, errs } = create(find('apps', 'deployments'), 'v1', deploy());
  assert.deepEqual(errs, []);
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(obj.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.progressDeadlineSeconds, 600);
  assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
});

test('Deployment validation texts', () => {
  const d = find('apps', 'deployments');
  const noSel = deploy();
  delete noSel.spec.selector;
  const e1 = create(d, 'v1', noSel).errs;
  assert.equal(invalidObject('Deployment', 'apps', 'web', e1).message,
    'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]');
  const mismatch = deploy({ selector: { matchLabels: { app: 'x' } } });
  assert.deepEqual(texts(create(d, 'v1', mismatch).errs), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
  assert.deepEqual(texts(create(d, 'v1', deploy({ replicas: -1 })).errs), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const never = deploy();
  never.spec.template.spec.restartPolicy = 'Never';
  assert.deepEqual(texts(create(d, 'v1', never).errs), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  assert.deepEqual(texts(create(d, 'v1', deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })).errs), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
  assert.deepEqual(texts(create(d, 'v1', deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '110%' } } })).errs), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"110%"}: must not be greater than 100%',
  ]);
  const old = create(d, 'v1', deploy()).obj;
  const changed = structuredClone(old);
  changed.spec.selector = { matchLabels: { app: 'web2' } };
  changed.spec.template.metadata.labels = { app: 'web2' };
  assert.deepEqual(texts(d.validateUpdate!(changed, old, ctx({ verb: 'update' }))), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('legacy Deployment versions: defaults, deprecation warning, round trip', () => {
  const d = find('apps', 'deployments');
  const legacy = deploy();
  delete legacy.spec.selector;
  legacy.apiVersion = 'apps/v1beta1';
  legacy.spec.rollbackTo = { revision: 2 };
  const { obj, errs } = create(d, 'v1beta1', legacy);
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(obj.metadata.labels, { app: 'web' });
  assert.deepEqual(obj.spec.strategy.rollingUpdate, { maxUnavailable: 1, maxSurge: 1 });
  assert.equal(obj.spec.rollbackTo, undefined);
  assert.equal(obj.apiVersion, 'apps/v1');
  assert.equal(d.versions.find((v) => v.version === 'v1beta1')!.deprecationWarning, 'apps/v1beta1 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment');

  const ext = find('extensions', 'deployments');
  const vi = ext.versions[0];
  assert.equal(vi.deprecationWarning, 'extensions/v1beta1 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment');
  const e = deploy();
  delete e.spec.selector;
  e.apiVersion = 'extensions/v1beta1';
  vi.defaults!(e);
  assert.equal(e.spec.progressDeadlineSeconds, 2147483647);
  assert.equal(e.spec.revisionHistoryLimit, 2147483647);
  const stored = vi.toStorage!(e);
  assert.equal(stored.apiVersion, 'apps/v1');
  const back = vi.fromStorage!(stored);
  assert.deepEqual({ ...back, apiVersion: 'extensions/v1beta1' }, e);
});

test('extensions DaemonSet templateGeneration round-trips through the annotation', () => {
  const ds = find('extensions', 'daemonsets');
  const vi = ds.versions[0];
  const o: KubeObject = { apiVersion: 'extensions/v1beta1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' }, spec: { templateGeneration: 3, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [container] } } } };
  vi.defaults!(o);
  assert.equal(o.spec.updateStrategy.type, 'OnDelete');
  assert.deepEqual(o.spec.selector, { matchLabels: { a: 'b' } });
  const stored = vi.toStorage!(o);
  assert.equal(stored.metadata.annotations?.['deprecated.daemonset.template.generation'], '3');
  assert.equal(stored.spec.templateGeneration, undefined);
  assert.deepEqual({ ...vi.fromStorage!(stored), apiVersion: o.apiVersion }, o);
});

test('StatefulSet defaults and update restrictions', () => {
  const d = find('apps', 'statefulsets');
  const sts = deploy({ serviceName: 'web', volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });
  sts.kind = 'StatefulSet';
  const { obj, errs } = create(d, 'v1', sts);
  assert.deepEqual(errs, []);
  assert.equal(obj.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(obj.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.equal(obj.spec.volumeClaimTemplates[0].kind, 'PersistentVolumeClaim');
  const changed = structuredClone(obj);
  changed.spec.serviceName = 'other';
  assert.deepEqual(texts(d.validateUpdate!(changed, obj, ctx({ verb: 'update' }))), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const scaled = structuredClone(obj);
  scaled.spec.replicas = 5;
  assert.deepEqual(d.validateUpdate!(scaled, obj, ctx({ verb: 'update' })), []);
  const b1 = d.versions.find((v) => v.version === 'v1beta1')!;
  const legacy = structuredClone(sts);
  delete legacy.spec.selector;
  b1.defaults!(legacy);
  assert.equal(legacy.spec.updateStrategy.type, 'OnDelete');
  assert.deepEqual(legacy.spec.selector, { matchLabels: { app: 'web' } });
});

test('DaemonSet defaults and template generation', () => {
  const d = find('apps', 'daemonsets');
  const ds = deploy();
  ds.kind = 'DaemonSet';
  const { obj, errs } = create(d, 'v1', ds);
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(obj.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
  const next = structuredClone(obj);
  next.spec.template.spec.containers[0].image = 'nginx:1.26';
  d.prepareUpdate!(next, obj, ctx({ verb: 'update' }));
  assert.equal(next.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
});

test('tables: deployment, replicaset, daemonset, statefulset, controllerrevision', () => {
  const now = new Date('2024-01-01T00:10:00Z');
  const o = create(find('apps', 'deployments'), 'v1', deploy({ replicas: 3 })).obj;
  o.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
  o.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  const t = find('apps', 'deployments').table!;
  assert.deepEqual(t.columns.map((c) => c.name.toUpperCase()), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  assert.deepEqual(t.columns.map((c) => c.priority), [0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(t.row(o, now), ['web', '2/3', 3, 2, '10m', 'c', 'nginx:1.25', 'app=web']);
  assert.deepEqual(find('apps', 'replicasets').table!.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(find('apps', 'statefulsets').table!.columns.map((c) => c.name), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
  assert.deepEqual(find('apps', 'daemonsets').table!.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector']);
  const cr: KubeObject = { metadata: { name: 'web-5d4f', creationTimestamp: '2024-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'web', uid: 'x', controller: true }] }, revision: 2, data: {} };
  assert.deepEqual(find('apps', 'controllerrevisions').table!.row(cr, now), ['web-5d4f', 'daemonset.apps/web', 2, '10m']);
  const sel = { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] };
  const o2 = create(find('apps', 'deployments'), 'v1', deploy({ selector: sel, template: { metadata: { labels: { a: '1', b: '2', env: 'dev' } }, spec: { containers: [container] } } })).obj;
  assert.equal(t.row(o2, now)[7], 'a=1,b=2,env in (dev,prod)');
});

test('Job: defaults, generated selector, validation', () => {
  const d = find('batch', 'jobs');
  const j: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'abc' }, spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } } } };
  const { obj, errs } = create(d, 'v1', j);
  assert.deepEqual(errs, []);
  assert.deepEqual([obj.spec.completions, obj.spec.parallelism, obj.spec.backoffLimit, obj.spec.completionMode, obj.spec.suspend, obj.spec.podReplacementPolicy], [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed']);
  assert.deepEqual(obj.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } });
  assert.deepEqual(obj.spec.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'abc', 'batch.kubernetes.io/controller-uid': 'abc' });
  assert.deepEqual(obj.metadata.labels, obj.spec.template.metadata.labels);

  const noPolicy = structuredClone(j);
  delete noPolicy.spec.template.spec.restartPolicy;
  assert.deepEqual(texts(create(d, 'v1', noPolicy).errs), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const always = structuredClone(j);
  always.spec.template.spec.restartPolicy = 'Sometimes';
  // the pod template's own check and the Job's, as Kubernetes reports both
  assert.deepEqual(texts(create(d, 'v1', always).errs), [
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
  ]);
  const manual = structuredClone(j);
  manual.spec.selector = { matchLabels: { app: 'x' } };
  assert.deepEqual(texts(create(d, 'v1', manual).errs), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "batch.kubernetes.io/controller-uid":"abc"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"abc", "batch.kubernetes.io/job-name":"pi", "controller-uid":"abc", "job-name":"pi"}: `selector` does not match template `labels`',
  ]);
  const changed = structuredClone(obj);
  changed.spec.template.spec.containers[0].image = 'busybox';
  assert.deepEqual(texts(d.validateUpdate!(changed, obj, ctx({ verb: 'update' }))), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  assert.equal(d.fieldSelectors!['status.successful']({ metadata: {}, status: { succeeded: 1 } }), '1');
});

test('Job table', () => {
  const t = find('batch', 'jobs').table!;
  const now = new Date('2024-01-01T00:10:00Z');
  const o: KubeObject = { metadata: { name: 'pi', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template: { spec: { containers: [container] } } }, status: { succeeded: 1, startTime: '2024-01-01T00:00:00Z', completionTime: '2024-01-01T00:00:27Z', conditions: [{ type: 'Complete', status: 'True' }] } };
  assert.deepEqual(t.columns.map((c) => c.name.toUpperCase()), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  assert.deepEqual(t.row(o, now), ['pi', 'Complete', '1/1', '27s', '10m', 'c', 'nginx:1.25', 'batch.kubernetes.io/controller-uid=abc']);
  assert.equal(t.row({ metadata: { name: 'q' }, spec: { parallelism: 3 }, status: {} }, now)[2], '0/1 of 3');
});

test('CronJob: defaults, schedule validation, legacy version, table', () => {
  const d = find('batch', 'cronjobs');
  const cj: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hello', namespace: 'default' }, spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [container], restartPolicy: 'OnFailure' } } } } } };
  const { obj, errs } = create(d, 'v1', cj);
  assert.deepEqual(errs, []);
  assert.deepEqual([obj.spec.concurrencyPolicy, obj.spec.suspend, obj.spec.successfulJobsHistoryLimit, obj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  const bad = structuredClone(cj);
  bad.spec.schedule = 'x';
  assert.deepEqual(texts(create(d, 'v1', bad).errs), ['spec.schedule: Invalid value: "x": expected exactly 5 fields, found 1: [x]']);
  assert.equal(cronScheduleError('@daily'), undefined);
  assert.equal(cronScheduleError('0 0 * * 7'), 'end of range (7) above maximum (6): 7');
  assert.equal(cronScheduleError('a * * * *'), 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax');
  assert.equal(cronScheduleError('@often'), 'unrecognized descriptor: @often');
  assert.equal(cronScheduleError('0 9-17 * JAN-mar mon-fri'), undefined);
  const v1b1 = d.versions.find((v) => v.version === 'v1beta1')!;
  assert.equal(v1b1.deprecationWarning, 'batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob');
  const now = new Date('2024-01-01T00:10:00Z');
  const row = d.table!.row({ ...obj, metadata: { ...obj.metadata, creationTimestamp: '2024-01-01T00:00:00Z' }, status: { lastScheduleTime: '2024-01-01T00:09:00Z' } }, now);
  assert.deepEqual(row.slice(0, 7), ['hello', '*/1 * * * *', '<none>', 'False', 0, '60s', '10m']);
});

test('HPA: v1 <-> v2 conversion, defaults, TARGETS', () => {
  const d = find('autoscaling', 'horizontalpodautoscalers');
  assert.equal(d.storageVersion, 'v2');
  const v1 = d.versions.find((v) => v.version === 'v1')!;
  const h: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } };
  v1.defaults!(h);
  const stored = v1.toStorage!(h);
  assert.deepEqual(stored.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.equal(stored.spec.minReplicas, 1);
  const back = v1.fromStorage!(stored);
  assert.equal(back.spec.targetCPUUtilizationPercentage, 50);
  assert.deepEqual(back.spec, h.spec);
  const noCpu = structuredClone(h);
  delete noCpu.spec.targetCPUUtilizationPercentage;
  const s2 = v1.toStorage!(noCpu);
  d.defaults!(s2, ctx());
  assert.equal(hpaTargets(s2), 'cpu: <unknown>/80%');
  const mem = structuredClone(stored);
  mem.spec.metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } });
  const asV1 = v1.fromStorage!(mem);
  assert.ok(asV1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics']);
  assert.deepEqual(v1.toStorage!(asV1).spec.metrics, mem.spec.metrics);
  assert.deepEqual(texts(d.validate!({ metadata: { name: 'x' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } }, ctx())), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  const now = new Date('2024-01-01T00:10:00Z');
  assert.deepEqual(d.table!.row({ ...s2, metadata: { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' }, status: { currentReplicas: 1 } }, now), ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 1, '10m']);
});

test('PDB: v1beta1 empty selector semantics, validation, table', () => {
  const d = find('policy', 'poddisruptionbudgets');
  const vb = d.versions.find((v) => v.version === 'v1beta1')!;
  assert.equal(vb.deprecationWarning, 'policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget');
  const p: KubeObject = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 1, selector: {} } };
  const stored = vb.toStorage!(p);
  assert.deepEqual(stored.spec.selector, { matchExpressions: [{ key: 'pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match', operator: 'Exists' }] });
  assert.deepEqual(vb.fromStorage!(stored).spec, p.spec);
  assert.deepEqual(texts(d.validate!({ metadata: { name: 'p' }, spec: { minAvailable: '120%' } }, ctx())), ['spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%']);
  const now = new Date('2024-01-01T00:10:00Z');
  assert.deepEqual(d.table!.row({ metadata: { name: 'p', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { minAvailable: 1 }, status: { disruptionsAllowed: 0 } }, now), ['p', '1', 'N/A', 0, '10m']);
});
