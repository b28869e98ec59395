// CustomResourceDefinitions end to end with the real kubectl: the CronTab example from the
// Kubernetes docs, custom resources, printer columns, validation, scale/status subresources,
// explain, categories, namespace finalization and CRD deletion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                description: The cron schedule the job runs on.
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
              color:
                type: string
                enum: [red, green, blue]
          status:
            type: object
            properties:
              replicas: {type: integer}
              labelSelector: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`;

const cronTab = (name: string, spec: string, ns = 'default', extraMeta = '') => `
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
  namespace: ${ns}
${extraMeta}
spec:
${spec}
`;

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.stop();
  c?.cleanup();
});

test('a CRD becomes Established and its resources appear in discovery', async () => {
  assert.equal(await c.k(['apply', '-f', '-'], CRD), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n');
  assert.match(await c.k('wait --for=condition=Established crd/crontabs.stable.example.com --timeout=20s'), /condition met/);
  assert.match(await c.k('get crd'), /^NAME\s+CREATED AT\ncrontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT/m);
  await eventually(async () => assert.match(await c.k('api-resources --api-group=stable.example.com'), /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/m));
  const crd = JSON.parse(await c.k('get crd crontabs.stable.example.com -o json'));
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  assert.equal(crd.status.acceptedNames.kind, 'CronTab');
});

test('custom resources: create, defaults, printer columns, short name', async () => {
  assert.equal(await c.k(['apply', '-f', '-'], cronTab('my-new-cron-object', '  cronSpec: "* * * * */5"\n  image: my-awesome-cron-image')), 'crontab.stable.example.com/my-new-cron-object created\n');
  assert.equal(await c.k(['get', 'ct', 'my-new-cron-object', '-o', 'jsonpath={.spec.replicas}']), '1');
  const out = await c.k('get ct');
  assert.match(out, /^NAME\s+SPEC\s+REPLICAS\s+READY\s+AGE$/m);
  assert.match(out, /^my-new-cron-object\s+\* \* \* \* \*\/5\s+1\s+\d+s$/m);
  assert.match(await c.k('get crontabs.stable.example.com -o name'), /^crontab\.stable\.example\.com\/my-new-cron-object$/m);
});

test('invalid custom resources are rejected with Kubernetes messages', async () => {
  const bad = await c.kubectl(['apply', '-f', '-'], { input: cronTab('x', '  cronSpec: "*"\n  replicas: 11') });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The CronTab "x" is invalid: spec\.replicas: Invalid value: 11: spec\.replicas in body should be less than or equal to 10/);
  const color = await c.kubectl(['create', '-f', '-'], { input: cronTab('x', '  cronSpec: "*"\n  color: pink') });
  assert.match(color.stderr, /The CronTab "x" is invalid: spec\.color: Unsupported value: "pink": supported values: "red", "green", "blue"/);
  const missing = await c.kubectl(['create', '-f', '-'], { input: cronTab('x', '  image: a') });
  assert.match(missing.stderr, /The CronTab "x" is invalid: spec\.cronSpec: Required value/);
  const unknown = await c.kubectl(['apply', '-f', '-'], { input: cronTab('x', '  cronSpec: "*"\n  bogus: 1') });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /strict decoding error: unknown field "spec\.bogus"/);
  // without strict validation the unknown field is pruned
  assert.match(await c.k(['apply', '--validate=false', '-f', '-'], cronTab('pruned', '  cronSpec: "*"\n  bogus: 1')), /created/);
  assert.equal(await c.k(['get', 'ct', 'pruned', '-o', 'jsonpath={.spec}']), '{"cronSpec":"*","replicas":1}');
});

test('scale and status subresources', async () => {
  assert.equal(await c.k('scale ct my-new-cron-object --replicas=3'), 'crontab.stable.example.com/my-new-cron-object scaled\n');
  assert.equal(await c.k(['get', 'ct', 'my-new-cron-object', '-o', 'jsonpath={.spec.replicas}']), '3');
  assert.match(
    await c.k(['patch', 'ct', 'my-new-cron-object', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"labelSelector":"app=cron","conditions":[{"type":"Ready","status":"True"}]}}']),
    /crontab\.stable\.example\.com\/my-new-cron-object patched/,
  );
  assert.match(await c.k('get ct my-new-cron-object'), /^my-new-cron-object\s+\* \* \* \* \*\/5\s+3\s+True\s+\d+s$/m);
  const scale = JSON.parse(await c.k('get --raw /apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object/scale'));
  assert.deepEqual([scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['Scale', 3, 3, 'app=cron']);
  // status is ignored on the main resource
  await c.k(['patch', 'ct', 'my-new-cron-object', '--type=merge', '-p', '{"status":{"replicas":9}}']);
  assert.equal(await c.k(['get', 'ct', 'my-new-cron-object', '-o', 'jsonpath={.status.replicas}']), '3');
});

test('kubectl explain and kubectl get all', async () => {
  const explain = await eventually(async () => {
    const r = await c.kubectl(['explain', 'crontab.spec']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  });
  assert.match(explain, /KIND:\s+CronTab/);
  assert.match(explain, /cronSpec\s+<string> -required-/);
  assert.match(explain, /The cron schedule the job runs on\./);
  assert.match(await c.k('get all'), /crontab\.stable\.example\.com\/my-new-cron-object/);
});

test('a custom resource with a finalizer blocks namespace deletion until cleared', async () => {
  await c.k(['apply', '-f', '-'], '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"crons"}}');
  await c.k(['apply', '-f', '-'], cronTab('held', '  cronSpec: "*"', 'crons', '  finalizers: [example.com/hold]'));
  await c.k('delete namespace crons --wait=false');
  try {
    await eventually(async () => {
      const ct = JSON.parse(await c.k('get ct held -n crons -o json'));
      assert.ok(ct.metadata.deletionTimestamp, 'the custom resource is being deleted');
    });
    assert.equal(JSON.parse(await c.k('get ns crons -o json')).status.phase, 'Terminating');
  } finally {
    await c.k(['patch', 'crontab', 'held', '-n', 'crons', '--type=merge', '-p', '{"metadata":{"finalizers":[]}}']);
  }
  await eventually(async () => {
    const r = await c.kubectl(['get', 'ns', 'crons']);
    assert.match(r.stderr, /NotFound/);
  }, { timeoutMs: 20_000 });
});

test('deleting the CRD removes its custom resources and its API', async () => {
  await c.k('delete crd crontabs.stable.example.com --timeout=30s');
  await eventually(async () => {
    const r = await c.kubectl(['api-resources', '--api-group=stable.example.com']);
    assert.doesNotMatch(r.stdout, /crontabs/);
  });
  const r = await c.kubectl(['get', 'crontabs.stable.example.com']);
  assert.notEqual(r.code, 0);
  // a new CRD with the same name starts empty
  await c.k(['apply', '-f', '-'], CRD);
  await c.k('wait --for=condition=Established crd/crontabs.stable.example.com --timeout=20s');
  await eventually(async () => assert.match((await c.kubectl(['get', 'ct', '-A'])).stderr, /No resources found/));
});

test('legacy apiextensions.k8s.io/v1beta1 CRDs are accepted and served', async () => {
  const legacy = `
apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: widgets.old.example.com
spec:
  group: old.example.com
  version: v1alpha1
  names: {plural: widgets, kind: Widget}
  additionalPrinterColumns:
  - {name: Size, type: integer, JSONPath: .spec.size}
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            size: {type: integer, maximum: 5}
`;
  const r = await c.kubectl(['apply', '-f', '-'], { input: legacy });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: apiextensions\.k8s\.io\/v1beta1 CustomResourceDefinition is deprecated/);
  await c.k('wait --for=condition=Established crd/widgets.old.example.com --timeout=20s');
  const v1 = JSON.parse(await c.k('get crd widgets.old.example.com -o json'));
  assert.equal(v1.spec.versions[0].name, 'v1alpha1');
  assert.equal(v1.spec.versions[0].additionalPrinterColumns[0].jsonPath, '.spec.size');
  await eventually(async () => assert.match(await c.k(['apply', '-f', '-'], '{"apiVersion":"old.example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":3}}'), /widget\.old\.example\.com\/w created/));
  assert.match(await c.k('get widgets'), /^NAME\s+SIZE\nw\s+3$/m);
  const big = await c.kubectl(['apply', '-f', '-'], { input: '{"apiVersion":"old.example.com/v1alpha1","kind":"Widget","metadata":{"name":"w2"},"spec":{"size":9}}' });
  assert.match(big.stderr, /The Widget "w2" is invalid: spec\.size: Invalid value: 9: spec\.size in body should be less than or equal to 5/);
});
