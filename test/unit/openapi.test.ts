import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/api/kinds/meta.js';
import { KindRegistry } from '../../src/api/registry.js';
import type { ResourceDescriptor } from '../../src/api/descriptor.js';
import { arr, bool, define, int32, intOrString, keyedList, kindSchema, mapOf, obj, quantity, ref, str } from '../../src/api/schema.js';
import { openapiReply, openapiV2, openapiV3, openapiV3Paths } from '../../src/apiserver/openapi.js';
import { readFields, type ProtoField } from '../../src/apiserver/protobuf.js';

// Definitions under a test-only prefix so they cannot collide with the real kinds.
const T = 'io.sampan.test';
define(`${T}.core.v1.Port`, obj({ containerPort: int32('Port number.'), protocol: str('TCP or UDP.', { enum: ['TCP', 'UDP'] }) }, 'A port.', { required: ['containerPort'] }));
define(
  `${T}.core.v1.Container`,
  obj(
    {
      name: str('Container name.'),
      image: str('Image.'),
      ports: keyedList(ref(`${T}.core.v1.Port`), ['containerPort', 'protocol'], 'Ports.'),
      limits: mapOf(quantity(), 'Limits.'),
      port: intOrString('A port number or name.'),
    },
    'A container.',
    { required: ['name'] },
  ),
);
kindSchema(`${T}.core.v1.Box`, [{ group: '', version: 'v1', kind: 'Box' }], 'A box of containers.', {
  spec: obj({ containers: keyedList(ref(`${T}.core.v1.Container`), 'name', 'The containers.'), hostNetwork: bool('Host network.') }, 'Desired state.'),
  status: obj({ phase: str('Phase.') }, 'Observed state.'),
});
kindSchema(`${T}.apps.v1.Crate`, [{ group: 'apps', version: 'v1', kind: 'Crate' }], 'A crate of boxes.', {
  spec: obj({ replicas: int32('Replicas.'), template: ref(`${T}.core.v1.Container`, 'Template.') }, 'Desired state.'),
  status: obj({ replicas: int32('Replicas.'), conditions: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition')) }, 'Observed state.'),
});

function registry(): KindRegistry {
  const reg = new KindRegistry();
  const base = { storageVersion: 'v1', versions: [{ version: 'v1' }] };
  const box: ResourceDescriptor = {
    ...base,
    group: '',
    kind: 'Box',
    plural: 'boxes',
    singular: 'box',
    namespaced: true,
    schema: { $ref: `${T}.core.v1.Box` },
    subresources: { status: true, extra: [{ name: 'log', kind: 'Box', verbs: ['get'] }, { name: 'exec', kind: 'BoxExecOptions', verbs: ['create', 'get'] }] },
  };
  const crate: ResourceDescriptor = {
    ...base,
    group: 'apps',
    kind: 'Crate',
    plural: 'crates',
    singular: 'crate',
    namespaced: true,
    versions: [{ version: 'v1' }, { version: 'v1beta1' }],
    schema: { $ref: `${T}.apps.v1.Crate` },
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  };
  const shelf: ResourceDescriptor = { ...base, group: '', kind: 'Shelf', plural: 'shelves', singular: 'shelf', namespaced: false, schema: { $ref: `${T}.core.v1.Box` }, verbs: ['get', 'list'] };
  const widget: ResourceDescriptor = {
    ...base,
    group: 'stable.example.com',
    kind: 'Widget',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    custom: true,
    schema: { type: 'object', properties: { spec: { type: 'object', description: 'Widget spec.', properties: { size: { type: 'integer' } } } } },
  };
  reg.add(box);
  reg.add(crate);
  reg.add(shelf);
  reg.add(widget);
  return reg;
}

/** Every "$ref" string anywhere in a JSON value. */
function refs(v: any, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? out.push(x) : refs(x, out);
  return out;
}

const json = (r: { body: string | Buffer } | undefined) => JSON.parse(String(r!.body));

test('v2 JSON: a Swagger 2.0 document whose every $ref resolves', () => {
  const reg = registry();
  const r = openapiReply(reg, '/openapi/v2', 'application/json');
  assert.equal(r?.status, 200);
  assert.equal(r?.headers['Content-Type'], 'application/json');
  const doc = json(r);
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.0' });
  const all = refs(doc);
  assert.ok(all.length > 20);
  for (const x of all) {
    assert.ok(x.startsWith('#/definitions/'), x);
    assert.ok(doc.definitions[x.slice('#/definitions/'.length)], `dangling ${x}`);
  }
  assert.deepEqual(openapiV2(reg), doc);
});

test('v2 JSON: definitions in Swagger form with Kubernetes extensions', () => {
  const defs = openapiV2(registry()).definitions;
  const box = defs[`${T}.core.v1.Box`];
  assert.deepEqual(box['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Box' }]);
  assert.deepEqual(box.properties.metadata, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: box.properties.metadata.description });
  const containers = box.properties.spec.properties.containers;
  assert.equal(containers.type, 'array');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  const ios = defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.type, 'string');
  assert.equal(ios.format, 'int-or-string');
  const qty = defs['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  assert.equal(qty.type, 'string');
  assert.ok(!JSON.stringify(defs).includes('x-kubernetes-int-or-string'), 'Swagger 2.0 has no int-or-string extension');
  // Synthesized list kinds, and a definition for the second served version with its own GVK.
  assert.deepEqual(defs[`${T}.core.v1.BoxList`]['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'BoxList' }]);
  assert.deepEqual(defs['io.k8s.api.apps.v1beta1.Crate']['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1beta1', kind: 'Crate' }]);
  const widget = defs['com.example.stable.v1.Widget'];
  assert.deepEqual(widget['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'Widget' }]);
  assert.ok(widget.properties.metadata && widget.properties.spec);
  assert.ok(defs['io.k8s.api.autoscaling.v1.Scale']);
});

test('v2 JSON: paths, operation ids, actions and query parameters', () => {
  const paths = openapiV2(registry()).paths;
  const coll = paths['/api/v1/namespaces/{namespace}/boxes'];
  assert.equal(coll.get.operationId, 'listCoreV1NamespacedBox');
  assert.equal(coll.get['x-kubernetes-action'], 'list');
  assert.deepEqual(coll.get['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Box' });
  assert.ok(coll.get.parameters.some((p: any) => p.name === 'labelSelector' && p.in === 'query'));
  assert.equal(coll.post.operationId, 'createCoreV1NamespacedBox');
  assert.equal(coll.delete.operationId, 'deleteCoreV1CollectionNamespacedBox');
  assert.deepEqual(coll.parameters.map((p: any) => p.name), ['namespace', 'pretty']);
  const item = paths['/api/v1/namespaces/{namespace}/boxes/{name}'];
  assert.equal(item.patch.operationId, 'patchCoreV1NamespacedBox');
  assert.equal(item.patch['x-kubernetes-action'], 'patch');
  for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(item.patch.parameters.some((p: any) => p.name === n && p.in === 'query'), n);
  assert.ok(item.patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.equal(item.put.operationId, 'replaceCoreV1NamespacedBox');
  assert.equal(item.get.operationId, 'readCoreV1NamespacedBox');
  assert.equal(paths['/api/v1/boxes'].get.operationId, 'listCoreV1BoxForAllNamespaces');
  assert.equal(paths['/api/v1/watch/namespaces/{namespace}/boxes/{name}'].get['x-kubernetes-action'], 'watch');
  assert.equal(paths['/api/v1/namespaces/{namespace}/boxes/{name}/status'].patch.operationId, 'patchCoreV1NamespacedBoxStatus');
  assert.equal(paths['/api/v1/namespaces/{namespace}/boxes/{name}/log'].get.operationId, 'readCoreV1NamespacedBoxLog');
  assert.equal(paths['/api/v1/namespaces/{namespace}/boxes/{name}/exec'].post['x-kubernetes-action'], 'connect');
  const scale = paths['/apis/apps/v1/namespaces/{namespace}/crates/{name}/scale'];
  assert.equal(scale.get.operationId, 'readAppsV1NamespacedCrateScale');
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  // Cluster-scoped, read-only kind: only what its verbs allow.
  assert.deepEqual(Object.keys(paths['/api/v1/shelves']).sort(), ['get', 'parameters']);
  assert.deepEqual(Object.keys(paths['/api/v1/shelves/{name}']).sort(), ['get', 'parameters']);
  assert.equal(paths['/api/v1/watch/shelves'], undefined);
  // Custom resources take no strategic merge patch.
  const w = paths['/apis/stable.example.com/v1/namespaces/{namespace}/widgets/{name}'];
  assert.equal(w.patch.operationId, 'patchStableExampleComV1NamespacedWidget');
  assert.ok(!w.patch.consumes.includes('application/strategic-merge-patch+json'));
});

/** Decodes a length-delimited field's payload as text. */
const text = (f: ProtoField) => (f.value as Buffer).toString('utf8');
const sub = (fields: ProtoField[], n: number) => fields.filter((f) => f.field === n).map((f) => readFields(f.value as Buffer));

test('v2 protobuf: client-go\'s Accept gets a gnostic openapi.v2.Document', () => {
  const reg = registry();
  const r = openapiReply(reg, '/openapi/v2?timeout=32s', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
  assert.equal(r?.status, 200);
  assert.equal(r?.headers['Content-Type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  assert.ok(Buffer.isBuffer(r?.body));
  const doc = readFields(r!.body as Buffer);
  assert.equal(text(doc.find((f) => f.field === 1)!), '2.0');
  const [info] = sub(doc, 2);
  assert.equal(text(info.find((f) => f.field === 1)!), 'Kubernetes');
  const [definitions] = sub(doc, 9);
  const named = definitions.filter((f) => f.field === 1).map((f) => readFields(f.value as Buffer));
  const jsonDefs = openapiV2(reg).definitions;
  assert.equal(named.length, Object.keys(jsonDefs).length);
  const box = named.find((n) => text(n.find((f) => f.field === 1)!) === `${T}.core.v1.Box`)!;
  const schema = readFields(box.find((f) => f.field === 2)!.value as Buffer);
  // type: TypeItem { value: ["object"] }
  assert.equal(text(readFields(schema.find((f) => f.field === 22)!.value as Buffer)[0]), 'object');
  // description
  assert.equal(text(schema.find((f) => f.field === 4)!), 'A box of containers.');
  // vendor extension: NamedAny { name, Any { yaml } }
  const ext = sub(schema, 31).map((n) => ({ name: text(n.find((f) => f.field === 1)!), yaml: text(readFields(n.find((f) => f.field === 2)!.value as Buffer).find((f) => f.field === 2)!) }));
  const gvk = ext.find((e) => e.name === 'x-kubernetes-group-version-kind')!;
  assert.deepEqual(JSON.parse(gvk.yaml), [{ group: '', version: 'v1', kind: 'Box' }]);
  // properties: Properties { NamedSchema ... } including metadata as a $ref
  const [props] = sub(schema, 25);
  const names = props.map((p) => text(readFields(p.value as Buffer).find((f) => f.field === 1)!));
  assert.deepEqual(names, Object.keys(jsonDefs[`${T}.core.v1.Box`].properties));
  // paths: Paths { NamedPathItem path = 2 } with a PATCH operation carrying fieldValidation
  const [paths] = sub(doc, 8);
  const item = paths
    .filter((f) => f.field === 2)
    .map((f) => readFields(f.value as Buffer))
    .find((n) => text(n.find((f) => f.field === 1)!) === '/api/v1/namespaces/{namespace}/boxes/{name}')!;
  const pathItem = readFields(item.find((f) => f.field === 2)!.value as Buffer);
  const [patch] = sub(pathItem, 8);
  assert.equal(text(patch.find((f) => f.field === 5)!), 'patchCoreV1NamespacedBox');
  const queryNames = sub(patch, 8).flatMap((pi) =>
    sub(pi, 1).flatMap((param) => sub(param, 2).flatMap((nb) => sub(nb, 3).map((q) => text(q.find((f) => f.field === 4)!)))),
  );
  assert.ok(queryNames.includes('fieldValidation'), queryNames.join(','));
  assert.ok(patch.filter((f) => f.field === 7).map(text).includes('application/strategic-merge-patch+json'), 'consumes');
});

test('v2: content negotiation, ETag and 406', () => {
  const reg = registry();
  const r = openapiReply(reg, '/openapi/v2', undefined)!;
  assert.equal(r.headers['Content-Type'], 'application/json');
  assert.equal(openapiReply(reg, '/openapi/v2', 'application/json', { ifNoneMatch: r.headers.ETag })?.status, 304);
  assert.equal(openapiReply(reg, '/openapi/v2', 'text/html')?.status, 406);
  assert.equal(openapiReply(reg, '/openapi/v1', undefined), undefined);
});

test('v3 index lists every group-version with a content hash', () => {
  const reg = registry();
  const r = openapiReply(reg, '/openapi/v3', 'application/json');
  assert.equal(r?.status, 200);
  const idx = json(r);
  assert.deepEqual(Object.keys(idx.paths), ['api/v1', 'apis/apps/v1', 'apis/apps/v1beta1', 'apis/stable.example.com/v1']);
  assert.deepEqual(openapiV3Paths(reg), Object.keys(idx.paths));
  for (const [p, v] of Object.entries<any>(idx.paths)) assert.match(v.serverRelativeURL, new RegExp(`^/openapi/v3/${p.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
});

test('v3 group-version documents resolve every $ref, and hashed URLs are immutable', () => {
  const reg = registry();
  const idx = json(openapiReply(reg, '/openapi/v3', undefined));
  for (const [p, v] of Object.entries<any>(idx.paths)) {
    const r = openapiReply(reg, v.serverRelativeURL, 'application/json')!;
    assert.equal(r.status, 200, p);
    assert.equal(r.headers['Cache-Control'], 'public, immutable');
    assert.ok(r.headers.Expires);
    const doc = json(r);
    assert.equal(doc.openapi, '3.0.0');
    for (const x of refs(doc)) {
      assert.ok(x.startsWith('#/components/schemas/'), x);
      assert.ok(doc.components.schemas[x.slice('#/components/schemas/'.length)], `${p}: dangling ${x}`);
    }
    const plain = openapiReply(reg, `/openapi/v3/${p}`, undefined)!;
    assert.equal(plain.headers['Cache-Control'], 'no-cache, private');
    assert.equal(openapiReply(reg, `/openapi/v3/${p}`, undefined, { ifNoneMatch: plain.headers.ETag })?.status, 304);
  }
  const stale = openapiReply(reg, '/openapi/v3/api/v1?hash=0123', undefined)!;
  assert.equal(stale.status, 301);
  assert.match(stale.headers.Location, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  assert.equal(openapiReply(reg, '/openapi/v3/apis/batch/v1', undefined), undefined);
  assert.equal(openapiReply(reg, '/openapi/v3/api/v1', 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf')?.status, 406);
});

test('v3: what kubectl explain, apply and field validation read', () => {
  const doc = openapiV3(registry(), '', 'v1');
  const schemas = doc.components.schemas;
  const box = schemas[`${T}.core.v1.Box`];
  assert.deepEqual(box['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Box' }]);
  assert.deepEqual(box.properties.metadata, { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: box.properties.metadata.description });
  assert.equal(box.properties.spec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.ok(!schemas[`${T}.apps.v1.Crate`], 'only what this group-version references');

  // kubectl's field-validation verifier: every PATCH operation of a GVK lists fieldValidation;
  // its client-side apply: that operation's request body accepts strategic merge patches.
  let patches = 0;
  for (const item of Object.values<any>(doc.paths)) {
    const op = item.patch;
    if (!op || op['x-kubernetes-group-version-kind']?.kind !== 'Box' || op['x-kubernetes-action'] !== 'patch') continue;
    patches++;
    assert.ok(op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.ok(op.requestBody.content['application/strategic-merge-patch+json']);
    assert.equal(op.requestBody.content['application/apply-patch+yaml'].schema.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  }
  assert.equal(patches, 2, 'boxes and boxes/status');
  const list = doc.paths['/api/v1/namespaces/{namespace}/boxes'].get;
  assert.equal(list.responses['200'].content['application/json'].schema.$ref, `#/components/schemas/${T}.core.v1.BoxList`);
  assert.deepEqual(list.parameters.find((p: any) => p.name === 'limit').schema, { type: 'integer', uniqueItems: true, format: 'int32' });

  const apps = openapiV3(registry(), 'apps', 'v1');
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  const beta = openapiV3(registry(), 'apps', 'v1beta1');
  assert.deepEqual(beta.components.schemas['io.k8s.api.apps.v1beta1.Crate']['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1beta1', kind: 'Crate' }]);
});

test('a reference to a missing definition is published as an open object, not a dangling $ref', () => {
  kindSchema(`${T}.core.v1.Loose`, [{ group: '', version: 'v1', kind: 'Loose' }], 'Refers to nothing.', { spec: ref(`${T}.core.v1.Missing`, 'Not defined anywhere.') });
  const reg = registry();
  reg.add({ group: '', kind: 'Loose', plural: 'looses', singular: 'loose', namespaced: true, storageVersion: 'v1', versions: [{ version: 'v1' }], schema: { $ref: `${T}.core.v1.Loose` } });
  const v2 = openapiV2(reg);
  for (const x of refs(v2)) assert.ok(v2.definitions[x.slice('#/definitions/'.length)], x);
  assert.deepEqual(v2.definitions[`${T}.core.v1.Loose`].properties.spec, { type: 'object', description: 'Not defined anywhere.', 'x-kubernetes-preserve-unknown-fields': true });
  const v3 = openapiV3(reg, '', 'v1');
  for (const x of refs(v3)) assert.ok(v3.components.schemas[x.slice('#/components/schemas/'.length)], x);
});

test('documents follow registry changes', () => {
  const reg = registry();
  const before = json(openapiReply(reg, '/openapi/v3', undefined));
  const v2before = openapiReply(reg, '/openapi/v2', undefined)!.headers.ETag;
  kindSchema(`${T}.batch.v1.Task`, [{ group: 'batch', version: 'v1', kind: 'Task' }], 'A task.', { spec: obj({ x: str('x') }) });
  reg.add({ group: 'batch', kind: 'Task', plural: 'tasks', singular: 'task', namespaced: true, storageVersion: 'v1', versions: [{ version: 'v1' }], schema: { $ref: `${T}.batch.v1.Task` } });
  const after = json(openapiReply(reg, '/openapi/v3', undefined));
  assert.ok(!before.paths['apis/batch/v1']);
  assert.ok(after.paths['apis/batch/v1']);
  assert.equal(after.paths['api/v1'].serverRelativeURL, before.paths['api/v1'].serverRelativeURL, 'unchanged group-versions keep their hash');
  assert.notEqual(openapiReply(reg, '/openapi/v2', undefined)!.headers.ETag, v2before);
  assert.ok(openapiV2(reg).paths['/apis/batch/v1/namespaces/{namespace}/tasks']);
  reg.remove('batch', 'tasks');
  assert.equal(openapiReply(reg, '/openapi/v3/apis/batch/v1', undefined), undefined);
});
