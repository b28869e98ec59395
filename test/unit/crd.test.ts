// CustomResourceDefinitions: CRD validation texts, v1beta1 conversion, custom resource
// descriptors (pruning, defaults, validation, tables) and the naming rules of the controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/api/kinds/meta.js';
import { customResourceDefinitions as crdKind, v1beta1ToV1, v1ToV1beta1, validateStructural } from '../../src/api/kinds/apiextensions.js';
import { descriptorFromCRD, parseJSONPath, evalJSONPath, cellFor, prune, servedSchema } from '../../src/apiserver/crd.js';
import { calculateNames } from '../../src/controllers/crd/crd.js';
import { fieldErrorText } from '../../src/api/errors.js';
import { walk } from '../../src/api/structural.js';
import type { KubeObject } from '../../src/api/types.js';
import type { RequestContext } from '../../src/api/descriptor.js';

const ctx = { subresource: undefined } as unknown as RequestContext;

function cronTabCRD(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['cronSpec'],
                  properties: {
                    cronSpec: { type: 'string' },
                    replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                    color: { type: 'string', enum: ['red', 'green'] },
                    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    closed: { type: 'object' },
                  },
                },
                status: { type: 'object', properties: { replicas: { type: 'integer' }, conditions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } } } } },
              },
            },
          },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          additionalPrinterColumns: [
            { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

const texts = (o: KubeObject, old?: KubeObject) => {
  crdKind.defaults!(o, ctx);
  return (old ? crdKind.validateUpdate!(o, old, ctx) : crdKind.validate!(o, ctx)).map(fieldErrorText);
};

test('a valid CRD passes and gets Kubernetes defaults', () => {
  const o = cronTabCRD();
  assert.deepEqual(texts(o), []);
  assert.equal(o.spec.names.singular, 'crontab');
  assert.equal(o.spec.names.listKind, 'CronTabList');
  assert.deepEqual(o.spec.conversion, { strategy: 'None' });
  assert.deepEqual(o.status.storedVersions, ['v1']);
  assert.deepEqual(o.status.acceptedNames, { plural: '', kind: '' });
});

test('name, plural, storage version and schema rules use Kubernetes messages', () => {
  const o = cronTabCRD();
  o.metadata.name = 'x';
  assert.ok(texts(o).includes('metadata.name: Invalid value: "x": must be spec.names.plural+"."+spec.group'));

  const upper = cronTabCRD();
  upper.spec.names.plural = 'CronTabs';
  upper.metadata.name = 'CronTabs.stable.example.com';
  assert.ok(texts(upper).some((t) => t.startsWith('spec.names.plural: Invalid value: "CronTabs": a DNS-1035 label must consist of lower case alphanumeric characters')));

  const two = cronTabCRD();
  two.spec.versions.push({ ...structuredClone(two.spec.versions[0]), name: 'v2' });
  assert.ok(texts(two).some((t) => /^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/.test(t)));

  const noSchema = cronTabCRD();
  delete noSchema.spec.versions[0].schema;
  assert.deepEqual(texts(noSchema), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);

  const group = cronTabCRD();
  group.spec.group = 'example';
  group.metadata.name = 'crontabs.example';
  assert.deepEqual(texts(group), ['spec.group: Invalid value: "example": should be a domain with at least one dot']);

  const scope = cronTabCRD();
  scope.spec.scope = 'Global';
  assert.deepEqual(texts(scope), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
});

test('structural schema checks', () => {
  const errs = validateStructural({ properties: { spec: { properties: { a: { type: 'string' } } }, list: { type: 'array' } } }, 'x').map(fieldErrorText);
  assert.ok(errs.includes('x.type: Required value: must not be empty at the root'));
  assert.ok(errs.includes('x.properties[spec].type: Required value: must not be empty for specified object fields'));
  assert.ok(errs.includes('x.properties[list].items: Required value: must be specified'));
  assert.deepEqual(validateStructural({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }, 'x').map(fieldErrorText), ['x.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined']);
  assert.deepEqual(validateStructural({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, 'x').map(fieldErrorText), [
    'x.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
  ]);
  assert.deepEqual(validateStructural({ type: 'object', properties: { n: { 'x-kubernetes-int-or-string': true } } }, 'x'), []);
});

test('printer columns and scale paths are validated', () => {
  const o = cronTabCRD();
  o.spec.versions[0].additionalPrinterColumns.push({ name: 'Bad', type: 'color', jsonPath: 'spec' });
  o.spec.versions[0].subresources.scale.specReplicasPath = '.status.replicas';
  const errs = texts(o);
  assert.ok(errs.includes('spec.versions[0].additionalPrinterColumns[4].type: Unsupported value: "color": supported values: "boolean", "date", "integer", "number", "string"'));
  assert.ok(errs.includes('spec.versions[0].additionalPrinterColumns[4].jsonPath: Invalid value: "spec": must be a simple json path'));
  assert.ok(errs.includes('spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec'));
});

test('updates: stored versions must stay in spec.versions; group and plural are immutable', () => {
  const old = cronTabCRD();
  crdKind.defaults!(old, ctx);
  old.status.conditions = [{ type: 'Established', status: 'True' }];
  const next = structuredClone(old);
  next.spec.versions[0].name = 'v2';
  const errs = texts(next, old);
  assert.ok(errs.includes('status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions'), errs.join('\n'));
  const scope = structuredClone(old);
  scope.spec.scope = 'Cluster';
  assert.ok(texts(scope, old).includes('spec.scope: Invalid value: "Cluster": field is immutable'));
});

test('deleting a CRD adds the cleanup finalizer and the Terminating condition', () => {
  const o = cronTabCRD();
  crdKind.onDeleting(o);
  assert.deepEqual(o.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  assert.equal(o.status.conditions[0].type, 'Terminating');
  assert.equal(o.status.conditions[0].reason, 'InstanceDeletionPending');
});

test('v1beta1 ↔ v1: top-level validation/columns/subresources move into versions and back', () => {
  const legacy: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.old.example.com' },
    spec: {
      group: 'old.example.com',
      version: 'v1alpha1',
      names: { plural: 'widgets', kind: 'Widget' },
      validation: { openAPIV3Schema: { properties: { spec: { properties: { size: { type: 'integer' } } } } } },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', JSONPath: '.spec.size' }],
      subresources: { status: {} },
    },
  };
  const vi = crdKind.versions.find((v) => v.version === 'v1beta1')!;
  vi.defaults!(legacy);
  const v1 = vi.toStorage!(legacy);
  assert.equal(v1.spec.scope, 'Namespaced');
  assert.equal(v1.spec.preserveUnknownFields, true);
  assert.equal(v1.spec.version, undefined);
  assert.deepEqual(v1.spec.versions[0].additionalPrinterColumns, [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }]);
  assert.deepEqual(v1.spec.versions[0].subresources, { status: {} });
  assert.ok(v1.spec.versions[0].schema.openAPIV3Schema);
  // a legacy, non-structural schema is accepted when it comes through v1beta1
  assert.deepEqual(texts(v1), []);
  const back = v1ToV1beta1(v1);
  assert.equal(back.spec.version, 'v1alpha1');
  assert.deepEqual(back.spec.additionalPrinterColumns, [{ name: 'Size', type: 'integer', JSONPath: '.spec.size' }]);
  assert.ok(back.spec.validation.openAPIV3Schema);
  assert.equal(back.spec.versions[0].schema, undefined);
  assert.deepEqual(v1beta1ToV1(back).spec.versions, v1.spec.versions);
});

test('custom resource descriptor: names, subresources, strict unknown fields, pruning, defaults, validation', () => {
  const crd = cronTabCRD();
  crdKind.defaults!(crd, ctx);
  const d = descriptorFromCRD(crd);
  assert.equal(d.kind, 'CronTab');
  assert.equal(d.listKind, 'CronTabList');
  assert.deepEqual(d.shortNames, ['ct']);
  assert.deepEqual(d.categories, ['all']);
  assert.equal(d.namespaced, true);
  assert.equal(d.custom, true);
  assert.deepEqual(d.subresources, { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });

  const obj: KubeObject = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a', bogusMeta: 1 } as any, spec: <any> { cronSpec: '*', x: 1, free: { any: { thing: 1 } }, closed: { dropped: true } } };
  // what fieldValidation=Strict reports
  assert.deepEqual(walk(structuredClone(obj), d.versions[0].schema ?? d.schema, false).unknown.sort(), ['metadata.bogusMeta', 'spec.closed.dropped', 'spec.x']);
  d.defaults!(obj, ctx);
  assert.deepEqual(obj.spec, { cronSpec: '*', replicas: 1, free: { any: { thing: 1 } }, closed: {} });
  assert.equal((obj.metadata as any).bogusMeta, undefined);
  assert.deepEqual(d.validate!(obj, ctx), []);
  const sp: any = obj.spec;
  sp.replicas = 11;
  sp.color = 'pink';
  delete sp.cronSpec;
  assert.deepEqual(d.validate!(obj, ctx).map(fieldErrorText).sort(), [
    'spec.color: Unsupported value: "pink": supported values: "red", "green"',
    'spec.cronSpec: Required value',
    'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
  ]);
});

test('a terminating CRD refuses creates of its custom resources', () => {
  const d = descriptorFromCRD(cronTabCRD(), { terminating: true });
  assert.throws(() => d.prepareCreate!({ metadata: { name: 'x' } }, ctx), /create not allowed while custom resource definition is terminating/);
});

test('printer columns: JSONPath cells, date columns humanised, default Age column', () => {
  const d = descriptorFromCRD(cronTabCRD());
  assert.deepEqual(d.table!.columns.map((c) => c.name), ['Name', 'Spec', 'Replicas', 'Ready', 'Age']);
  const now = new Date('2024-01-01T01:00:00Z');
  const row = d.table!.row(
    { metadata: { name: 'a', creationTimestamp: '2024-01-01T00:56:07Z' }, spec: { cronSpec: '* * * * */5', replicas: 3 }, status: { conditions: [{ type: 'Other', status: 'False' }, { type: 'Ready', status: 'True' }] } },
    now,
  );
  assert.deepEqual(row, ['a', '* * * * */5', 3, 'True', '3m53s']);
  assert.deepEqual(d.table!.row({ metadata: { name: 'b' } }, now), ['b', null, null, null, null]);
  const plain = cronTabCRD();
  delete plain.spec.versions[0].additionalPrinterColumns;
  const pd = descriptorFromCRD(plain);
  assert.deepEqual(pd.table!.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
  assert.equal(evalJSONPath({ a: [{ b: 1 }, { b: 2 }] }, parseJSONPath('.a[1].b'))[0], 2);
  assert.equal(evalJSONPath({ a: { 'x.y': 5 } }, parseJSONPath(".a['x.y']"))[0], 5);
  assert.equal(cellFor('string', { b: 1, a: [1, 2] }, now), 'map[a:[1 2] b:1]');
  assert.equal(cellFor('integer', 'x', now), null);
  assert.equal(cellFor('date', 'yesterday', now), '<invalid>');
});

test('pruning keeps preserved subtrees and embedded resources, drops undeclared fields', () => {
  const s = servedSchema(
    { type: 'object', properties: { spec: { type: 'object', properties: { tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }, m: { type: 'object', additionalProperties: { type: 'object', properties: { k: { type: 'string' } } } } } } } },
    false,
  );
  const v: any = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' }, spec: { tpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { anything: 1 }, junk: 1 }, m: { a: { k: 'x', j: 1 } }, drop: 1 }, top: 1 };
  prune(v, s);
  assert.deepEqual(v, { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' }, spec: { tpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { anything: 1 } }, m: { a: { k: 'x' } } } });
});

test('naming controller: conflicts within a group are reported like Kubernetes', () => {
  const a = cronTabCRD();
  crdKind.defaults!(a, ctx);
  const first = calculateNames(a, [a]);
  assert.deepEqual(first.namesAccepted, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  assert.deepEqual(first.established, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
  a.status.acceptedNames = first.names;
  const b = cronTabCRD();
  b.metadata.name = 'crontabs2.stable.example.com';
  b.spec.names = { plural: 'crontabs2', kind: 'CronTab2', shortNames: ['ct'] };
  crdKind.defaults!(b, ctx);
  const r = calculateNames(b, [a, b]);
  assert.equal(r.namesAccepted.status, 'False');
  assert.equal(r.namesAccepted.reason, 'ShortNamesConflict');
  assert.equal(r.namesAccepted.message, '"ct" is already in use');
  assert.equal(r.established.status, 'False');
  assert.equal(r.established.reason, 'NotAccepted');
  assert.equal(r.names.plural, 'crontabs2');
  const c = cronTabCRD();
  c.metadata.name = 'crontabs.other.example.com';
  c.spec.group = 'other.example.com';
  crdKind.defaults!(c, ctx);
  assert.equal(calculateNames(c, [a, c]).namesAccepted.status, 'True');
});

test('the CRD controller registers custom resources, survives a restart and cleans up on delete', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-crd-'));
  const user = { name: 'admin', groups: ['system:masters'] };
  const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const until = async (f: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await f()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('condition not reached');
  };
  try {
    let s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
    let c = localClient(s.call, user);
    await c.create(CRDS, cronTabCRD());
    await until(async () => !!s.context.registry.lookup('stable.example.com', 'v1', 'crontabs'));
    const crd = await c.get<KubeObject>(`${CRDS}/crontabs.stable.example.com`);
    assert.deepEqual(crd.status.conditions.map((x: any) => `${x.type}=${x.status}`), ['NamesAccepted=True', 'Established=True']);
    assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', shortNames: ['ct'], kind: 'CronTab', listKind: 'CronTabList', categories: ['all'] });
    await c.create('/apis/stable.example.com/v1/namespaces/default/crontabs', { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a' }, spec: { cronSpec: '*' } });
    await s.close();

    s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
    c = localClient(s.call, user);
    // registered again before startServer resolved
    assert.ok(s.context.registry.lookup('stable.example.com', 'v1', 'crontabs'));
    const got = await c.get<KubeObject>('/apis/stable.example.com/v1/namespaces/default/crontabs/a');
    assert.equal(got.spec.replicas, 1);
    await c.delete(`${CRDS}/crontabs.stable.example.com`);
    await until(async () => !(await c.getOrNull(`${CRDS}/crontabs.stable.example.com`)));
    assert.equal(s.context.registry.lookup('stable.example.com', 'v1', 'crontabs'), undefined);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
