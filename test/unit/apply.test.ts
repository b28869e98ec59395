import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/api/kinds/meta.js';
import { define, str, int32, obj, arr, ref, keyedList, setList, mapOf, quantity, intOrString, stringMap, type Schema } from '../../src/api/schema.js';
import { ApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { applyPatch, updateManagedFields, compareObjects } from '../../src/api/patch/apply.js';
import {
  fieldSetOf,
  toFieldsV1,
  fromFieldsV1,
  pathString,
  union,
  difference,
  intersection,
  recursiveDifference,
  setOfPaths,
  fieldPath,
  peKey,
  parsePeKey,
} from '../../src/api/patch/fieldset.js';

// ---- a Deployment-shaped schema with Kubernetes' list types ----
define(
  'test.apply.ContainerPort',
  obj({ name: str(), containerPort: int32(), protocol: str('', { default: 'TCP' }) }, 'port', { required: ['containerPort'] }),
);
define(
  'test.apply.Container',
  obj({
    name: str(),
    image: str(),
    args: arr(str()),
    ports: keyedList(ref('test.apply.ContainerPort'), ['containerPort', 'protocol']),
    env: keyedList(obj({ name: str(), value: str() }), 'name'),
    resources: obj({ limits: mapOf(quantity()), requests: mapOf(quantity()) }),
  }),
);
define(
  'test.apply.PodSpec',
  obj({
    containers: keyedList(ref('test.apply.Container'), 'name'),
    tolerations: arr(obj({ key: str(), operator: str(), effect: str() })),
    nodeSelector: stringMap(),
    restartPolicy: str(),
  }),
);
const deploymentSchema: Schema = define(
  'test.apply.Deployment',
  obj({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: obj({
      replicas: int32(),
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: obj({ metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: ref('test.apply.PodSpec') }),
      strategy: obj({ type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) }),
    }),
    status: obj({ replicas: int32() }),
  }),
);

const NOW = '2024-05-01T10:00:00Z';
const LATER = '2024-05-01T11:00:00Z';

function nginx(over: { replicas?: number; image?: string; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: over.labels ?? { app: 'nginx' } },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: over.image ?? 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

const apply = (live: KubeObject | undefined, cfg: KubeObject, manager: string, extra: { force?: boolean; now?: string } = {}) =>
  applyPatch(live, cfg, { manager, force: !!extra.force, apiVersion: 'apps/v1', schema: deploymentSchema, now: extra.now ?? NOW });

/** Simulates the store: server-set metadata on create. */
function stored(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, uid: 'u-1', resourceVersion: '1', generation: 1, creationTimestamp: NOW } };
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('expected a conflict');
}

// ---------------------------------------------------------------------------------------------

test('FieldsV1 keys, ordering, "." markers and round trip', () => {
  assert.equal(peKey({ field: 'image' }), 'f:image');
  assert.equal(peKey({ key: [['containerPort', 80], ['protocol', 'TCP']] }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(peKey({ value: 'example.com/foo' }), 'v:"example.com/foo"');
  assert.equal(peKey({ value: 'a<b' }), 'v:"a\\u003cb"');
  assert.deepEqual(parsePeKey('k:{"protocol":"TCP","containerPort":80}'), { key: [['containerPort', 80], ['protocol', 'TCP']] });
  const s = setOfPaths([
    [{ field: 'spec' }, { field: 'list' }, { value: 'b' }],
    [{ field: 'spec' }, { field: 'list' }, { value: 'a' }],
    [{ field: 'spec' }, { field: 'items' }, { key: [['name', 'x']] }],
    [{ field: 'spec' }, { field: 'items' }, { key: [['name', 'x']] }, { field: 'v' }],
    [{ field: 'spec' }, { field: 'a' }],
  ]);
  const json = JSON.stringify(toFieldsV1(s));
  assert.equal(json, '{"f:spec":{"f:a":{},"f:items":{"k:{\\"name\\":\\"x\\"}":{".":{},"f:v":{}}},"f:list":{"v:\\"a\\"":{},"v:\\"b\\"":{}}}}');
  assert.ok(fromFieldsV1(JSON.parse(json)).equals(s));
  assert.deepEqual(
    s.paths().map(pathString),
    ['.spec.a', '.spec.items[name="x"]', '.spec.items[name="x"].v', '.spec.list[="a"]', '.spec.list[="b"]'],
  );
  assert.throws(() => fromFieldsV1({ 'x:y': {} }));
});

test('set algebra: union, difference, intersection, recursive difference', () => {
  const a = setOfPaths([fieldPath('spec', 'replicas'), fieldPath('spec', 'paused'), fieldPath('metadata', 'labels', 'app')]);
  const b = setOfPaths([fieldPath('spec', 'replicas'), fieldPath('metadata', 'labels')]);
  assert.deepEqual(union(a, b).paths().map(pathString), ['.metadata.labels', '.metadata.labels.app', '.spec.paused', '.spec.replicas']);
  assert.deepEqual(difference(a, b).paths().map(pathString), ['.metadata.labels.app', '.spec.paused']);
  assert.deepEqual(intersection(a, b).paths().map(pathString), ['.spec.replicas']);
  assert.deepEqual(recursiveDifference(a, b).paths().map(pathString), ['.spec.paused']);
});

test('fieldSetOf records leaves, list items, map entries; atomic structs and lists are leaves', () => {
  const o = nginx();
  o.spec.template.spec.tolerations = [{ key: 'k', operator: 'Exists' }];
  o.metadata.finalizers = ['b', 'a'];
  const paths = fieldSetOf(o, deploymentSchema).paths().map(pathString);
  assert.ok(paths.includes('.spec.selector'), 'LabelSelector is atomic');
  assert.ok(!paths.some((p) => p.startsWith('.spec.selector.')));
  assert.ok(paths.includes('.spec.template.spec.tolerations'));
  assert.ok(paths.includes('.metadata.finalizers[="a"]'));
  assert.ok(paths.includes('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]'), 'key default from schema');
  assert.ok(paths.includes('.spec.template.spec.containers[name="nginx"]'));
  assert.ok(!paths.includes('.spec'), 'structs with content are not members themselves');
});

test('apply creates the object; managedFields match Kubernetes byte for byte', () => {
  const created = apply(undefined, nginx(), 'kubectl');
  const { managedFields, ...meta } = created.metadata;
  assert.deepEqual({ ...created, metadata: meta }, nginx());
  assert.equal(
    JSON.stringify(managedFields),
    JSON.stringify([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]),
  );
});

test('re-applying the same configuration is a no-op (object and time unchanged)', () => {
  const live = stored(apply(undefined, nginx(), 'kubectl'));
  const again = apply(live, nginx(), 'kubectl', { now: LATER });
  assert.deepEqual(again, live);
  assert.equal(again.metadata.managedFields![0].time, NOW);
});

test('a field dropped from the applied configuration is removed from the object', () => {
  const live = stored(apply(undefined, nginx({ labels: { app: 'nginx', tier: 'web' } }), 'kubectl'));
  const cfg = nginx();
  delete cfg.spec.replicas;
  const out = apply(live, cfg, 'kubectl', { now: LATER });
  assert.equal(out.spec.replicas, undefined);
  assert.deepEqual(out.metadata.labels, { app: 'nginx' });
  assert.equal(out.metadata.managedFields![0].time, LATER);
  assert.equal(out.metadata.uid, 'u-1', 'server fields are kept');
  assert.ok(!JSON.stringify(out.metadata.managedFields).includes('f:replicas'));
});

test('a dropped field another manager also owns stays, owned by that manager only', () => {
  let live = stored(apply(undefined, nginx(), 'a'));
  live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } }, 'b');
  const cfg = nginx();
  delete cfg.spec.replicas;
  const out = apply(live, cfg, 'a', { now: LATER });
  assert.equal(out.spec.replicas, 3);
  const a = out.metadata.managedFields!.find((e) => e.manager === 'a')!;
  const b = out.metadata.managedFields!.find((e) => e.manager === 'b')!;
  assert.ok(!JSON.stringify(a.fieldsV1).includes('f:replicas'));
  assert.deepEqual(b.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('two managers applying the same value co-own the field without conflict', () => {
  const live = stored(apply(undefined, nginx(), 'a'));
  const out = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } }, 'b', { now: LATER });
  const owners = out.metadata.managedFields!.filter((e) => JSON.stringify(e.fieldsV1).includes('f:replicas')).map((e) => e.manager);
  // No change to the object: the new entry has no time (as in Kubernetes), so it sorts first.
  assert.deepEqual(owners, ['b', 'a']);
  assert.equal(out.metadata.managedFields![0].time, undefined);
});

test('a differing value owned by another applier is a conflict with the exact Kubernetes message', () => {
  const live = stored(apply(undefined, nginx(), 'a'));
  const e = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } }, 'b'));
  assert.equal(e.code, 409);
  assert.equal(e.reason, 'Conflict');
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  assert.deepEqual(e.toStatus().details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }] });
});

test('conflicts with an Update manager name its apiVersion; several are listed per manager', () => {
  let live: KubeObject = nginx();
  updateManagedFields(undefined, live, { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: NOW });
  live = stored(live);
  const one = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } }, 'kubectl'));
  assert.equal(one.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  const cfg = nginx({ replicas: 5, image: 'nginx:1.25' });
  const two = conflictOf(() => apply(live, cfg, 'm1'));
  assert.equal(
    two.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
  );
  assert.deepEqual(
    two.details!.causes!.map((c) => [c.message, c.field]),
    [
      ['conflict with "kubectl-client-side-apply" using apps/v1', '.spec.replicas'],
      ['conflict with "kubectl-client-side-apply" using apps/v1', '.spec.template.spec.containers[name="nginx"].image'],
    ],
  );
});

test('force takes ownership from the other manager', () => {
  let live = stored(apply(undefined, nginx(), 'a'));
  live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } }, 'b', { force: true, now: LATER });
  assert.equal(live.spec.replicas, 5);
  const a = live.metadata.managedFields!.find((e) => e.manager === 'a')!;
  assert.ok(!JSON.stringify(a.fieldsV1).includes('f:replicas'));
  // a no longer owns replicas, so a re-apply of a's config without replicas would not touch it,
  // while a's original config now conflicts with b.
  const e = conflictOf(() => apply(live, nginx(), 'a'));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "b": .spec.replicas');
});

test('keyed lists merge by key: containers by name, ports by containerPort+protocol', () => {
  let live = stored(apply(undefined, nginx(), 'a'));
  const sidecar: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx' },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] },
            { name: 'log', image: 'busybox' },
          ],
        },
      },
    },
  };
  live = apply(live, sidecar, 'b', { now: LATER });
  const cs = live.spec.template.spec.containers;
  assert.deepEqual(cs.map((c: any) => c.name), ['nginx', 'log']);
  assert.equal(cs[0].image, 'nginx:1.14.2', 'fields of the shared item are merged, not replaced');
  assert.deepEqual(cs[0].ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }]);
  // a drops nothing it owns; b removes its sidecar: only b's item goes.
  const b2 = structuredClone(sidecar);
  b2.spec.template.spec.containers = [{ name: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }];
  live = apply(live, b2, 'b', { now: LATER });
  assert.deepEqual(live.spec.template.spec.containers.map((c: any) => c.name), ['nginx']);
  // the port 80 item is co-owned: when b drops its ports, 80 stays (a owns it), 53 goes, and so
  // does the protocol field only b set (defaulting puts it back on a real write).
  const b3 = structuredClone(b2);
  b3.spec.template.spec.containers = [{ name: 'nginx' }];
  live = apply(live, b3, 'b', { now: LATER });
  assert.deepEqual(live.spec.template.spec.containers[0].ports, [{ containerPort: 80 }]);
});

test('sets are unioned between managers (finalizers) and pruned per manager', () => {
  const withFin = (fs: string[]): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: fs } });
  let live = stored(apply(undefined, withFin(['a.io/x', 'shared.io/s']), 'a'));
  live = apply(live, withFin(['b.io/y', 'shared.io/s']), 'b');
  assert.deepEqual(live.metadata.finalizers, ['a.io/x', 'b.io/y', 'shared.io/s']);
  live = apply(live, withFin([]), 'a');
  assert.deepEqual(live.metadata.finalizers, ['b.io/y', 'shared.io/s']);
  const b = live.metadata.managedFields!.find((e) => e.manager === 'b')!;
  assert.deepEqual(b.fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"b.io/y"': {}, 'v:"shared.io/s"': {} } } });
});

test('atomic lists are replaced whole and owned whole', () => {
  const cfg = (args: string[]): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx' },
    spec: { template: { spec: { containers: [{ name: 'nginx', args }] } } },
  });
  let live = stored(apply(undefined, cfg(['a', 'b', 'c']), 'a'));
  live = apply(live, cfg(['z']), 'a');
  assert.deepEqual(live.spec.template.spec.containers[0].args, ['z']);
  assert.deepEqual(live.metadata.managedFields![0].fieldsV1, {
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:args': {}, 'f:name': {} } } } } },
  });
  const e = conflictOf(() => apply(live, cfg(['z', 'y']), 'b'));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.containers[name="nginx"].args');
});

test('granular maps merge per key; atomic maps are replaced', () => {
  const cfg = (labels: Record<string, string>, sel: Record<string, string>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels },
    spec: { selector: { matchLabels: sel } },
  });
  let live = stored(apply(undefined, cfg({ a: '1' }, { x: '1' }), 'a'));
  live = apply(live, cfg({ b: '2' }, { x: '1' }), 'b');
  assert.deepEqual(live.metadata.labels, { a: '1', b: '2' });
  live = apply(live, cfg({ a: '1' }, { y: '1' }), 'a', { force: true });
  assert.deepEqual(live.spec.selector, { matchLabels: { y: '1' } });
});

test('updateManagedFields on create records every field with Kubernetes-style "." markers', () => {
  const o = nginx();
  o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  o.metadata.uid = 'u';
  o.metadata.resourceVersion = '5';
  updateManagedFields(undefined, o, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: NOW, resetFields: [['status']] });
  assert.equal(o.metadata.managedFields!.length, 1);
  const e = o.metadata.managedFields![0];
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  assert.equal(
    JSON.stringify(e.fieldsV1),
    JSON.stringify({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    }),
  );
});

test('updateManagedFields on update moves changed fields to the updater; Apply entries come first', () => {
  let live = stored(apply(undefined, nginx(), 'kubectl'));
  const next = structuredClone(live);
  next.spec.replicas = 7;
  updateManagedFields(live, next, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  const mf = next.metadata.managedFields!;
  assert.deepEqual(mf.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['kube-controller-manager', 'Update']]);
  assert.deepEqual(mf[1].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok(!JSON.stringify(mf[0].fieldsV1).includes('f:replicas'));
  // An update that changes nothing leaves managedFields alone.
  const same = structuredClone(next);
  updateManagedFields(next, same, { manager: 'other', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  assert.deepEqual(same.metadata.managedFields, mf);
  // Removing a field drops it from its owner.
  live = same;
  const rm = structuredClone(live);
  delete rm.metadata.labels;
  updateManagedFields(live, rm, { manager: 'editor', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  assert.ok(!JSON.stringify(rm.metadata.managedFields).includes('"f:app":{}},"f:spec"'));
  assert.equal(rm.metadata.managedFields!.find((e) => e.manager === 'editor'), undefined, 'removals alone record nothing');
});

test('updateManagedFields: status subresource entries, reset with [{}], untracked objects stay untracked', () => {
  const live = stored(apply(undefined, nginx(), 'kubectl'));
  const st = structuredClone(live);
  st.status = { replicas: 3 };
  updateManagedFields(live, st, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status', schema: deploymentSchema, now: LATER });
  const sub = st.metadata.managedFields!.find((e) => e.subresource === 'status')!;
  assert.deepEqual(sub, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', time: LATER, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { '.': {}, 'f:replicas': {} } }, subresource: 'status' });

  const cleared = structuredClone(live);
  cleared.metadata.managedFields = [{}];
  updateManagedFields(live, cleared, { manager: 'kubectl-patch', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  assert.equal(cleared.metadata.managedFields, undefined);

  const again = structuredClone(cleared);
  again.spec.replicas = 9;
  updateManagedFields(cleared, again, { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  assert.equal(again.metadata.managedFields, undefined);

  // Clients that send no managedFields keep the stored ones.
  const put = structuredClone(live);
  delete put.metadata.managedFields;
  updateManagedFields(live, put, { manager: 'x', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: LATER });
  assert.deepEqual(put.metadata.managedFields, live.metadata.managedFields);
});

test('applying to an object without managedFields assigns existing fields to before-first-apply', () => {
  const live = stored(nginx());
  const e = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 1 } }, 'ctl'));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  const ok = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } }, 'ctl');
  assert.deepEqual(ok.metadata.managedFields!.map((m) => m.manager), ['ctl', 'before-first-apply']);
});

test('kubectl server-side apply over client-side apply: conflicts on unchanged last-applied fields are allowed', () => {
  const cfg = nginx();
  let live: KubeObject = structuredClone(cfg);
  live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(cfg) };
  updateManagedFields(undefined, live, { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', schema: deploymentSchema, now: NOW });
  live = stored(live);
  const next = apply(live, nginx({ replicas: 4 }), 'kubectl', { now: LATER });
  assert.equal(next.spec.replicas, 4);
  const la = JSON.parse(next.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal(la.spec.replicas, 4, 'last-applied annotation follows the server-side apply');
  // Another manager name gets the conflict.
  const e = conflictOf(() => apply(live, nginx({ replicas: 4 }), 'other'));
  assert.match(e.message, /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/);
});

test('invalid applied configurations are rejected with 400', () => {
  const dup = nginx();
  dup.spec.template.spec.containers.push({ name: 'nginx', image: 'x' });
  const e = conflictOf(() => apply(undefined, dup, 'a'));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'failed to create typed patch object (apps/v1, Kind=Deployment) default/nginx: .spec.template.spec.containers: duplicate entries for key [name="nginx"]');
  const wrong = conflictOf(() => applyPatch(undefined, nginx(), { manager: 'a', force: false, apiVersion: 'apps/v1beta1', schema: deploymentSchema, now: NOW }));
  assert.equal(wrong.message, 'Incorrect version specified in apply patch. Specified patch version: apps/v1, expected: apps/v1beta1');
  const mf = nginx();
  mf.metadata.managedFields = [];
  assert.equal(conflictOf(() => apply(undefined, mf, 'a')).message, 'metadata.managedFields must be nil');
});

test('compareObjects reports added, modified and removed paths', () => {
  const a = nginx();
  const b = nginx({ replicas: 2, labels: { tier: 'web' } });
  const c = compareObjects(a, b, deploymentSchema);
  assert.deepEqual(c.modified.paths().map(pathString), ['.spec.replicas']);
  assert.deepEqual(c.added.paths().map(pathString), ['.metadata.labels.tier']);
  assert.deepEqual(c.removed.paths().map(pathString), ['.metadata.labels.app']);
});

test('apply on a Deployment-sized object takes well under 2 ms', () => {
  const big = nginx();
  const c = big.spec.template.spec.containers[0];
  c.env = Array.from({ length: 10 }, (_, i) => ({ name: `E${i}`, value: String(i) }));
  c.resources = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } };
  big.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', args: ['sleep', '1d'], ports: [{ containerPort: 9090 }] });
  big.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  let live = stored(apply(undefined, big, 'kubectl'));
  const changed = structuredClone(big);
  changed.spec.replicas = 4;
  for (let i = 0; i < 50; i++) apply(live, changed, 'kubectl');
  const n = 300;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) live = apply(live, i % 2 ? big : changed, 'kubectl');
  const per = (performance.now() - t0) / n;
  assert.ok(per < 2, `apply took ${per.toFixed(3)} ms`);
});

test('keyed list order: applied order for shared items, live-only items keep their place', () => {
  const cfg = (names: string[]): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx' },
    spec: { template: { spec: { containers: names.map((name) => ({ name })) } } },
  });
  let live = stored(apply(undefined, cfg(['a', 'b', 'c']), 'm1'));
  live = apply(live, cfg(['b']), 'm2');
  live = apply(live, cfg(['c', 'a']), 'm3');
  assert.deepEqual(live.spec.template.spec.containers.map((c: any) => c.name), ['b', 'c', 'a']);
});

test('a stored object whose keyed list items lack their keys fails apply with 500', () => {
  const live = stored(nginx());
  live.spec.template.spec.containers.push({ image: 'no-name' });
  const e = conflictOf(() => apply(live, nginx(), 'a'));
  assert.equal(e.code, 500);
  assert.match(e.message, /^Internal error occurred: failed to create typed live object \(apps\/v1, Kind=Deployment\) default\/nginx: \.spec\.template\.spec\.containers: element 1: associative list with keys has an element that omits key field "name"/);
});
