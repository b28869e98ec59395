import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchApplyError } from '../../src/api/patch/jsonpatch.js';
import { applyMergePatch, createMergePatch } from '../../src/api/patch/mergepatch.js';
import { applyStrategicMergePatch } from '../../src/api/patch/strategic.js';
import { ApiError } from '../../src/api/errors.js';
import { define, obj, str, int32, arr, keyedList, setList, stringMap, mapOf, ref, bool, any, type Schema } from '../../src/api/schema.js';

// ---------------------------------------------------------------------------------------------
// Tiny schemas shaped like the built-in types (names prefixed so they never clash with real ones)
// ---------------------------------------------------------------------------------------------

define(
  'patchtest.Container',
  obj({
    name: str(),
    image: str(),
    args: arr(str()),
    ports: arr(obj({ containerPort: int32(), protocol: str(), name: str() }), undefined, {
      mergeKey: 'containerPort',
      strategy: 'merge',
      listType: 'map',
      mapKeys: ['containerPort', 'protocol'],
    }),
    env: keyedList(obj({ name: str(), value: str() }), 'name'),
    volumeMounts: keyedList(obj({ name: str(), mountPath: str() }), 'mountPath'),
    resources: obj({ limits: mapOf(str()), requests: mapOf(str()) }),
  }),
);
define(
  'patchtest.Volume',
  obj({ name: str(), hostPath: obj({ path: str() }), emptyDir: obj({ medium: str() }), configMap: obj({ name: str() }) }),
);
define(
  'patchtest.PodSpec',
  obj({
    containers: keyedList(ref('patchtest.Container'), 'name'),
    initContainers: keyedList(ref('patchtest.Container'), 'name'),
    volumes: arr(ref('patchtest.Volume'), undefined, { mergeKey: 'name', strategy: 'merge,retainKeys' }),
    tolerations: arr(obj({ key: str(), operator: str(), value: str(), effect: str() })),
    nodeSelector: stringMap(),
    hostNetwork: bool(),
  }),
);
define(
  'patchtest.ObjectMeta',
  obj({
    name: str(),
    labels: stringMap(),
    annotations: stringMap(),
    finalizers: setList(str()),
    ownerReferences: keyedList(obj({ uid: str(), name: str(), kind: str() }), 'uid'),
  }),
);
const deploymentSchema: Schema = define(
  'patchtest.Deployment',
  obj({
    apiVersion: str(),
    kind: str(),
    metadata: ref('patchtest.ObjectMeta'),
    spec: obj({
      replicas: int32(),
      strategy: obj(
        { type: str(), rollingUpdate: obj({ maxSurge: str(), maxUnavailable: str() }) },
        undefined,
        { 'x-kubernetes-patch-strategy': 'retainKeys' },
      ),
      template: obj({ metadata: ref('patchtest.ObjectMeta'), spec: ref('patchtest.PodSpec') }),
      extra: any(),
    }),
  }),
);

const smp = (doc: any, patch: any) => applyStrategicMergePatch(doc, patch, deploymentSchema);

function deployment(containers: any[], extra: any = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', labels: { app: 'nginx' } },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers, ...extra } } },
  };
}
const containersOf = (d: any) => d.spec.template.spec.containers;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    return e;
  }
  assert.fail('expected an error');
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch
// ---------------------------------------------------------------------------------------------

test('SMP: containers merge by name; a new container from the patch comes first (kubectl patch docs)', () => {
  const doc = deepFreeze(deployment([{ name: 'patch-demo-ctr', image: 'nginx' }]));
  const out = smp(doc, { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } });
  assert.deepEqual(containersOf(out), [
    { name: 'patch-demo-ctr-2', image: 'redis' },
    { name: 'patch-demo-ctr', image: 'nginx' },
  ]);
  // JSON merge patch replaces the whole list instead
  const mp = applyMergePatch(doc, { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'node-hello' }] } } } });
  assert.deepEqual(containersOf(mp), [{ name: 'patch-demo-ctr-3', image: 'node-hello' }]);
});

test('SMP: updating one container keeps the others and their order; other fields are untouched', () => {
  const doc = deepFreeze(
    deployment([
      { name: 'a', image: 'a:1', args: ['x'] },
      { name: 'b', image: 'b:1' },
      { name: 'c', image: 'c:1' },
    ]),
  );
  const out = smp(doc, { spec: { replicas: 3, template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } });
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(containersOf(out), [
    { name: 'a', image: 'a:1', args: ['x'] },
    { name: 'b', image: 'b:2' },
    { name: 'c', image: 'c:1' },
  ]);
  assert.deepEqual(out.metadata, doc.metadata);
  // patch items keep the patch order relative to each other; a server-only item is emitted before
  // the next patch item when the server order puts it first (Kubernetes' mergeSortedSlice)
  const out2 = smp(doc, { spec: { template: { spec: { containers: [{ name: 'c', image: 'c:2' }, { name: 'n' }, { name: 'a', image: 'a:2' }] } } } });
  assert.deepEqual(
    containersOf(out2).map((c: any) => c.name),
    ['b', 'c', 'n', 'a'],
  );
  const out3 = smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }, { name: 'n' }] } } } });
  assert.deepEqual(
    containersOf(out3).map((c: any) => c.name),
    ['a', 'n', 'b', 'c'],
  );
});

test('SMP: container ports merge by containerPort, env by name, volumeMounts by mountPath', () => {
  const doc = deepFreeze(
    deployment([
      {
        name: 'web',
        image: 'nginx',
        ports: [{ containerPort: 80, name: 'http' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ]),
  );
  const out = smp(doc, {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, name: 'https' }],
              env: [{ name: 'B', value: '3' }],
              volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
            },
          ],
        },
      },
    },
  });
  const c = containersOf(out)[0];
  assert.equal(c.image, 'nginx');
  assert.deepEqual(c.ports, [
    { containerPort: 80, name: 'http', protocol: 'TCP' },
    { containerPort: 443, name: 'https' },
  ]);
  assert.deepEqual(c.env, [
    { name: 'A', value: '1' },
    { name: 'B', value: '3' },
  ]);
  assert.deepEqual(c.volumeMounts, [
    { name: 'cache', mountPath: '/cache' },
    { name: 'data', mountPath: '/data' },
  ]);
});

test('SMP: finalizers are merged as a set; $deleteFromPrimitiveList removes entries', () => {
  const doc = deepFreeze({ metadata: { name: 'x', finalizers: ['a', 'b'] } });
  assert.deepEqual(smp(doc, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
  assert.deepEqual(smp(doc, { metadata: { finalizers: ['c'] } }).metadata.finalizers, ['c', 'a', 'b']);
  assert.deepEqual(smp(doc, { metadata: { finalizers: ['a', 'a'] } }).metadata.finalizers, ['a', 'b']);
  assert.deepEqual(smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, ['b']);
  assert.deepEqual(smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'b', 'zz'] } }).metadata.finalizers, []);
  assert.deepEqual(
    smp(doc, { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers,
    ['c', 'b'],
  );
  // deleting from a list that does not exist changes nothing
  const none = smp({ metadata: { name: 'x' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
  assert.deepEqual(none.metadata, { name: 'x' });
  // null removes the field, as a merge patch does
  assert.equal(smp(doc, { metadata: { finalizers: null } }).metadata.finalizers, undefined);
  // a list without a merge strategy is replaced
  const args = smp(deployment([{ name: 'a', args: ['1', '2'] }]), { spec: { template: { spec: { containers: [{ name: 'a', args: ['3'] }] } } } });
  assert.deepEqual(containersOf(args)[0].args, ['3']);
});

test('SMP: $patch: delete removes list items by merge key; $patch: replace replaces a list', () => {
  const doc = deepFreeze(deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }]));
  const del = smp(doc, { spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } });
  assert.deepEqual(
    containersOf(del).map((c: any) => c.name),
    ['a', 'c'],
  );
  const delMissing = smp(doc, { spec: { template: { spec: { containers: [{ name: 'zz', $patch: 'delete' }] } } } });
  assert.deepEqual(containersOf(delMissing), containersOf(doc));
  const mixed = smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'c', image: 'c2' }] } } } });
  assert.deepEqual(containersOf(mixed), [
    { name: 'b', image: 'b' },
    { name: 'c', image: 'c2' },
  ]);
  const rep = smp(doc, { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(containersOf(rep), [{ name: 'z', image: 'z' }]);
  // delete directives in a list the object does not have yet are dropped
  const fresh = smp({ spec: {} }, { spec: { template: { spec: { containers: [{ name: 'x', $patch: 'delete' }, { name: 'y', image: 'y' }] } } } });
  assert.deepEqual(containersOf(fresh), [{ name: 'y', image: 'y' }]);
});

test('SMP: $patch on maps: replace swaps the map, delete empties it', () => {
  const doc = deepFreeze(deployment([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1' } } }]));
  const rep = smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', resources: { $patch: 'replace', limits: { cpu: '2' } } }] } } } });
  assert.deepEqual(containersOf(rep)[0].resources, { limits: { cpu: '2' } });
  const merged = smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '2' } } }] } } } });
  assert.deepEqual(containersOf(merged)[0].resources, { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '1' } });
  const del = smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', resources: { $patch: 'delete' } }] } } } });
  assert.deepEqual(containersOf(del)[0].resources, {});
  // a whole-object replace
  assert.deepEqual(smp(doc, { $patch: 'replace', kind: 'X' }), { kind: 'X' });
  // a map with $patch where the object has none is not added
  const none = smp({ spec: {} }, { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } });
  assert.deepEqual(none, { spec: {} });
});

test('SMP: $retainKeys clears the fields not listed (Deployment strategy)', () => {
  const doc = deepFreeze({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } });
  const out = smp(doc, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  // what client-side kubectl apply sends when switching to Recreate
  const applied = smp(doc, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
  assert.deepEqual(applied.spec.strategy, { type: 'Recreate' });
  // without the directive the rollingUpdate block stays
  assert.deepEqual(smp(doc, { spec: { strategy: { type: 'Recreate' } } }).spec.strategy, {
    type: 'Recreate',
    rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
  });
  // volumes (merge,retainKeys): switching a volume's source
  const vdoc = deepFreeze(deployment([{ name: 'a' }], { volumes: [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }] }));
  const vout = smp(vdoc, { spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'emptyDir'], emptyDir: { medium: 'Memory' } }] } } } });
  assert.deepEqual(vout.spec.template.spec.volumes, [
    { name: 'v', emptyDir: { medium: 'Memory' } },
    { name: 'w', emptyDir: {} },
  ]);
  // a patch field missing from $retainKeys is a 400
  const e = apiError(() => smp(doc, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null, other: 1 } } }));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'invalid patch format of retainKeys');
  const e2 = apiError(() => smp(doc, { spec: { strategy: { $retainKeys: 'type' } } }));
  assert.equal(e2.code, 400);
});

test('SMP: $setElementOrder sets the order of merged lists', () => {
  const doc = deepFreeze(deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }]));
  const out = smp(doc, {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
          containers: [{ name: 'a', image: 'a2' }],
        },
      },
    },
  });
  assert.deepEqual(containersOf(out), [
    { name: 'c', image: 'c' },
    { name: 'a', image: 'a2' },
    { name: 'b', image: 'b' },
  ]);
  // reordering only
  const re = smp(doc, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }] } } } });
  assert.deepEqual(
    containersOf(re).map((c: any) => c.name),
    ['b', 'a', 'c'],
  );
  // new items go where the order list puts them; items not named keep their server position
  const add = smp(doc, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }, { name: 'c' }], containers: [{ name: 'n', image: 'n' }] } } },
  });
  assert.deepEqual(
    containersOf(add).map((c: any) => c.name),
    ['a', 'n', 'b', 'c'],
  );
  // primitive lists
  const fdoc = deepFreeze({ metadata: { finalizers: ['a', 'b'] } });
  const f = smp(fdoc, { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'], finalizers: ['c'] } });
  assert.deepEqual(f.metadata.finalizers, ['b', 'c', 'a']);
  // the patch list must follow the order list
  const e = apiError(() =>
    smp(doc, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'z', image: 'z' }] } } } }),
  );
  assert.equal(e.code, 400);
  assert.match(e.message, /^the order in patch list:\nmap\[image:z name:z\]|^the order in patch list:\n\[map\[image:z name:z\]\]/);
  const bad = apiError(() => smp(doc, { spec: { template: { spec: { '$setElementOrder': [] } } } }));
  assert.equal(bad.code, 400);
  assert.equal(bad.message, 'invalid patch format of setElementOrder list');
});

test('SMP: tolerations (no strategy) replace; maps merge; null deletes; nulls in new values are dropped', () => {
  const doc = deepFreeze(
    deployment([{ name: 'a' }], { tolerations: [{ key: 'dedicated', value: 'test-team', effect: 'NoSchedule' }], nodeSelector: { disk: 'ssd', zone: 'a' } }),
  );
  const out = smp(doc, {
    metadata: { labels: { app: null, tier: 'web' }, annotations: { note: 'x', gone: null } },
    spec: {
      template: {
        spec: {
          tolerations: [{ key: 'disktype', value: 'ssd', operator: 'Equal', effect: 'NoSchedule' }],
          nodeSelector: { zone: 'b', disk: null },
          hostNetwork: true,
        },
      },
    },
  });
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'disktype', value: 'ssd', operator: 'Equal', effect: 'NoSchedule' }]);
  assert.deepEqual(out.spec.template.spec.nodeSelector, { zone: 'b' });
  assert.equal(out.spec.template.spec.hostNetwork, true);
  assert.deepEqual(out.metadata.labels, { tier: 'web' });
  assert.deepEqual(out.metadata.annotations, { note: 'x' });
  // removing a missing field is a no-op
  assert.deepEqual(smp(doc, { spec: { paused: null } }), doc);
  // a null patch changes nothing
  assert.deepEqual(smp(doc, null), doc);
  // type changes take the patch value
  assert.equal(smp(doc, { spec: { replicas: 'many' } }).spec.replicas, 'many');
});

test('SMP: fields without a schema fall back to merge-patch semantics', () => {
  const doc = deepFreeze({ spec: { extra: { list: [1, 2], nested: { a: 1, b: 2 } } }, status: { items: [{ name: 'a', v: 1 }] } });
  const out = smp(doc, { spec: { extra: { list: [3], nested: { b: null, c: 3 } } }, status: { items: [{ name: 'b' }], new: { x: null, y: 1 } } });
  assert.deepEqual(out, { spec: { extra: { list: [3], nested: { a: 1, c: 3 } } }, status: { items: [{ name: 'b' }], new: { y: 1 } } });
  // no schema at all
  assert.deepEqual(applyStrategicMergePatch({ a: [1], b: { c: 1 } }, { a: [2], b: { d: 2 } }, undefined), { a: [2], b: { c: 1, d: 2 } });
});

test('SMP: invalid patches are rejected with Kubernetes messages', () => {
  const doc = deepFreeze(deployment([{ name: 'a', image: 'a' }]));
  const noKey = apiError(() => smp(doc, { spec: { template: { spec: { containers: [{ image: 'nginx' }] } } } }));
  assert.equal(noKey.code, 400);
  assert.equal(noKey.message, 'map: map[image:nginx] does not contain declared merge key: name');
  assert.equal(noKey.toStatus().reason, 'BadRequest');
  const merge = apiError(() => smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } } } }));
  assert.equal(merge.message, 'merging lists cannot yet be specified in the patch');
  const unknownList = apiError(() => smp(doc, { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'bogus' }] } } } }));
  assert.equal(unknownList.message, 'unknown patch type: bogus in map: map[$patch:bogus name:a]');
  const unknownMap = apiError(() => smp(doc, { spec: { $patch: 'merge', replicas: 1 } }));
  assert.equal(unknownMap.message, 'unknown patch type: merge in map: map[$patch:merge replicas:1]');
  const prim = apiError(() => smp(doc, { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }));
  assert.equal(prim.code, 400);
  assert.equal(prim.message, 'invalid patch format of primitive list');
  const lol = apiError(() => smp({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }));
  assert.equal(lol.code, 422);
  assert.equal(lol.reason, 'Invalid');
  const mixed = apiError(() => smp({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [1] } }));
  assert.equal(mixed.code, 400);
  assert.match(mixed.message, /^list element types are not identical/);
  const notObj = apiError(() => smp(doc, [1]));
  assert.equal(notObj.code, 400);
  assert.equal(notObj.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  assert.equal(apiError(() => smp(doc, 'x')).message, 'json: cannot unmarshal string into Go value of type map[string]interface {}');
});

test('SMP: inputs are never modified and the result shares nothing with them', () => {
  const doc = deepFreeze(deployment([{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }] }], { volumes: [{ name: 'v', emptyDir: {} }] }));
  const patch = deepFreeze({
    metadata: { finalizers: ['f'], '$deleteFromPrimitiveList/finalizers': ['g'] },
    spec: {
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
          containers: [{ name: 'b', image: 'b', env: [{ name: 'Y', value: '2' }] }, { name: 'a', env: [{ name: 'X', $patch: 'delete' }] }],
          volumes: [{ name: 'v', $patch: 'delete' }],
        },
      },
    },
  });
  const out = smp(doc, patch);
  assert.deepEqual(containersOf(out), [
    { name: 'b', image: 'b', env: [{ name: 'Y', value: '2' }] },
    { name: 'a', image: 'a', env: [] },
  ]);
  assert.deepEqual(out.spec.template.spec.volumes, []);
  out.spec.template.spec.containers[0].env.push({ name: 'Z' });
  assert.equal(patch.spec.template.spec.containers[0].env.length, 1);
});

test('SMP: a patch on a 20-container pod takes well under 1 ms', () => {
  const containers = Array.from({ length: 20 }, (_, i) => ({
    name: `c${i}`,
    image: `img${i}:1`,
    args: ['--a', '--b'],
    ports: [{ containerPort: 8000 + i, protocol: 'TCP' }],
    env: Array.from({ length: 5 }, (_, j) => ({ name: `E${j}`, value: String(j) })),
    volumeMounts: [{ name: 'data', mountPath: `/data/${i}` }],
    resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } },
  }));
  const doc = deepFreeze(deployment(containers, { volumes: [{ name: 'data', emptyDir: {} }] }));
  const patch = deepFreeze({
    metadata: { labels: { rev: '2' } },
    spec: { template: { spec: { containers: [{ name: 'c7', image: 'img7:2', env: [{ name: 'E1', value: 'x' }] }, { name: 'c19', image: 'img19:2' }] } } },
  });
  for (let i = 0; i < 200; i++) smp(doc, patch); // warm up
  const n = 2000;
  const t0 = process.hrtime.bigint();
  let out: any;
  for (let i = 0; i < n; i++) out = smp(doc, patch);
  const perOpMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  assert.equal(containersOf(out)[7].image, 'img7:2');
  assert.equal(containersOf(out).length, 20);
  assert.ok(perOpMs < 0.5, `strategic merge patch took ${perOpMs.toFixed(3)} ms`);
});

// ---------------------------------------------------------------------------------------------
// JSON patch
// ---------------------------------------------------------------------------------------------

test('JSON patch: RFC 6902 operations', () => {
  const doc = deepFreeze({ a: { b: 1, 'c/d': 2, 'e~f': 3 }, list: [1, 2, 3] });
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/a/x', value: { y: 1 } }]).a.x, { y: 1 });
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/list/1', value: 9 }]).list, [1, 9, 2, 3]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/list/-', value: 4 }]).list, [1, 2, 3, 4]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/list/3', value: 4 }]).list, [1, 2, 3, 4]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/list/-1', value: 4 }]).list, [1, 2, 3, 4]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'remove', path: '/list/0' }]).list, [2, 3]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'remove', path: '/list/-1' }]).list, [1, 2]);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '/a/c~1d', value: 'x' }]).a['c/d'], 'x');
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '/a/e~0f', value: 'y' }]).a['e~f'], 'y');
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/a/b', path: '/moved' }]), { a: { 'c/d': 2, 'e~f': 3 }, list: [1, 2, 3], moved: 1 });
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/list/0', path: '/list/-' }]).list, [2, 3, 1]);
  const copied = applyJsonPatch(doc, [{ op: 'copy', from: '/a', path: '/b' }]);
  assert.deepEqual(copied.b, doc.a);
  copied.b.b = 100;
  assert.equal(copied.a.b, 1, 'copy is deep');
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/a', value: { 'e~f': 3, b: 1, 'c/d': 2 } }]), doc);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/missing', value: null }]), doc);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/n' }]).n, null, 'a missing value is null');
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '', value: { whole: true } }]), { whole: true });
  assert.deepEqual(applyJsonPatch(doc, null), doc);
  // the kubectl example: set a finalizers list to empty and append an arg
  const pod = deepFreeze({ metadata: { finalizers: ['x'] }, spec: { containers: [{ name: 'a', args: ['--v'] }] } });
  const p = applyJsonPatch(pod, [
    { op: 'replace', path: '/metadata/finalizers', value: [] },
    { op: 'add', path: '/spec/containers/0/args/-', value: '--w' },
  ]);
  assert.deepEqual(p, { metadata: { finalizers: [] }, spec: { containers: [{ name: 'a', args: ['--v', '--w'] }] } });
});

test('JSON patch: failures are 422 with the generic message, the reason in detail', () => {
  const doc = deepFreeze({ spec: { containers: [{ image: 'nginx' }] } });
  const cases: [any[], RegExp][] = [
    [[{ op: 'replace', path: '/spec/foo', value: 1 }], /replace operation does not apply: doc is missing key: \/spec\/foo/],
    [[{ op: 'remove', path: '/spec/foo' }], /Unable to remove nonexistent key: foo/],
    [[{ op: 'add', path: '/nope/foo', value: 1 }], /add operation does not apply: doc is missing path/],
    [[{ op: 'add', path: '/spec/containers/5', value: 1 }], /invalid index/],
    [[{ op: 'replace', path: '/spec/containers/1/image', value: 1 }], /doc is missing path/],
    [[{ op: 'test', path: '/spec/containers/0/image', value: 'redis' }], /testing value \/spec\/containers\/0\/image failed/],
    [[{ op: 'test', path: '/spec/x', value: 1 }], /testing value \/spec\/x failed/],
    [[{ op: 'move', from: '/spec/x', path: '/y' }], /move operation does not apply: doc is missing from path/],
    [[{ op: 'move', from: '/spec', path: '/spec/child' }], /is a child of/],
    [[{ op: 'copy', from: '/zz', path: '/y' }], /copy operation does not apply/],
    [[{ op: 'jump', path: '/spec' }], /Unexpected kind: jump/],
    [[{ path: '/spec' }], /Unexpected kind: unknown/],
    [[{ op: 'add', value: 1 }], /add operation missing path field/],
    [[{ op: 'add', path: 'spec', value: 1 }], /doc is missing path/],
    [[{ op: 'remove', path: '' }], /doc is missing path/],
  ];
  for (const [ops, re] of cases) {
    const e = apiError(() => applyJsonPatch(doc, ops));
    assert.ok(e instanceof JsonPatchApplyError, JSON.stringify(ops));
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, 'the server rejected our request due to an error in our request');
    assert.deepEqual(e.toStatus().details, {});
    assert.match((e as JsonPatchApplyError).detail, re, JSON.stringify(ops));
  }
  // a failing later operation leaves the input untouched (it is frozen) and returns nothing partial
  apiError(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'test', path: '/spec/x', value: 2 }]));
});

test('JSON patch: malformed bodies are 400, too many operations 413', () => {
  const msg = (ops: unknown) => {
    const e = apiError(() => applyJsonPatch({}, ops));
    assert.equal(e.code, 400);
    return e.message;
  };
  assert.equal(msg({ op: 'add' }), 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(msg('x'), 'json: cannot unmarshal string into Go value of type jsonpatch.Patch');
  assert.equal(msg(['x']), 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  assert.equal(msg([[1]]), 'json: cannot unmarshal array into Go value of type jsonpatch.Operation');
  const many = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: null }));
  const e = apiError(() => applyJsonPatch({}, many));
  assert.equal(e.code, 413);
  assert.equal(e.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});

// ---------------------------------------------------------------------------------------------
// JSON merge patch
// ---------------------------------------------------------------------------------------------

test('merge patch: RFC 7386 appendix examples', () => {
  const cases: [any, any, any][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(deepFreeze(doc), deepFreeze(patch)), want, JSON.stringify({ doc, patch }));
  // arrays replace the document; null and scalars are rejected like Kubernetes does
  assert.deepEqual(applyMergePatch({ a: 1 }, [{ x: null, y: 1 }]), [{ y: 1 }]);
  for (const bad of [null, 'x', 1, true]) {
    const e = apiError(() => applyMergePatch({ a: 1 }, bad));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'Invalid JSON Patch');
  }
  // releasing finalizers with a merge patch
  assert.deepEqual(applyMergePatch({ metadata: { name: 'x', finalizers: ['a'] } }, { metadata: { finalizers: [] } }), { metadata: { name: 'x', finalizers: [] } });
});

test('merge patch: createMergePatch round-trips random documents', () => {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const gen = (depth: number): any => {
    switch (rnd(depth > 2 ? 4 : 6)) {
      case 0:
        return rnd(100);
      case 1:
        return ['x', 'y', 'z'][rnd(3)];
      case 2:
        return rnd(2) === 0;
      case 3:
        return Array.from({ length: rnd(3) }, () => rnd(5));
      default: {
        const o: any = {};
        for (const k of keys) if (rnd(2)) o[k] = gen(depth + 1);
        return o;
      }
    }
  };
  for (let i = 0; i < 500; i++) {
    const a = { root: gen(0) };
    const b = { root: gen(0) };
    const p = createMergePatch(a, b);
    assert.deepEqual(applyMergePatch(a, p), b, JSON.stringify({ a, b, p }));
    assert.deepEqual(createMergePatch(a, a), {});
  }
});
