import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindRegistry } from '../../src/api/registry.js';
import type { ResourceDescriptor } from '../../src/api/descriptor.js';
import { discoveryReply, storageVersionHash, versionInfo } from '../../src/apiserver/discovery.js';

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function desc(d: Partial<ResourceDescriptor> & Pick<ResourceDescriptor, 'group' | 'kind' | 'plural' | 'singular' | 'namespaced'>): ResourceDescriptor {
  return { storageVersion: 'v1', versions: [{ version: 'v1' }], schema: { type: 'object' }, ...d };
}

function registry(): KindRegistry {
  const reg = new KindRegistry();
  reg.add(
    desc({
      group: '',
      kind: 'Pod',
      plural: 'pods',
      singular: 'pod',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      subresources: {
        status: true,
        extra: [
          { name: 'log', kind: 'Pod', verbs: ['get'] },
          { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
          { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
        ],
      },
    }),
  );
  reg.add(desc({ group: '', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], subresources: { status: true } }));
  reg.add(
    desc({
      group: 'apps',
      kind: 'Deployment',
      plural: 'deployments',
      singular: 'deployment',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      versions: [{ version: 'v1beta1' }, { version: 'v1' }, { version: 'v1beta2', served: false }],
      subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    }),
  );
  reg.add(desc({ group: 'authentication.k8s.io', kind: 'TokenReview', plural: 'tokenreviews', singular: 'tokenreview', namespaced: false, verbs: ['create'], createOnly: (o) => o }));
  reg.add(desc({ group: 'stable.example.com', kind: 'CronTab', plural: 'crontabs', singular: 'crontab', namespaced: true, shortNames: ['ct'], custom: true }));
  reg.add(desc({ group: 'extensions', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], storageVersion: 'v1beta1', versions: [{ version: 'v1beta1' }] }));
  reg.add(desc({ group: 'extensions', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', namespaced: true, storageVersion: 'v1beta1', versions: [{ version: 'v1beta1' }] }));
  return reg;
}

const json = (r: { body: string | Buffer } | undefined) => JSON.parse(String(r!.body));

test('/api answers APIVersions with the server address', () => {
  const r = discoveryReply(registry(), '/api', 'application/json', { serverAddress: '10.0.0.1:6443' });
  assert.equal(r?.status, 200);
  assert.equal(r?.headers['Content-Type'], 'application/json');
  assert.deepEqual(json(r), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] });
});

test('/apis lists named groups in Kubernetes order with preferred versions', () => {
  const doc = json(discoveryReply(registry(), '/apis', undefined));
  assert.equal(doc.kind, 'APIGroupList');
  assert.equal(doc.apiVersion, 'v1');
  assert.deepEqual(
    doc.groups.map((g: any) => g.name),
    ['apps', 'authentication.k8s.io', 'stable.example.com', 'extensions'],
  );
  const apps = doc.groups[0];
  assert.deepEqual(apps.versions, [
    { groupVersion: 'apps/v1', version: 'v1' },
    { groupVersion: 'apps/v1beta1', version: 'v1beta1' },
  ]);
  assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
  assert.ok(!doc.groups.some((g: any) => g.name === ''), 'core group is served under /api only');
});

test('/apis/<group> answers APIGroup; unknown groups and versions are left to the caller', () => {
  const reg = registry();
  const g = json(discoveryReply(reg, '/apis/apps', 'application/json'));
  assert.equal(g.kind, 'APIGroup');
  assert.equal(g.name, 'apps');
  assert.equal(g.preferredVersion.version, 'v1');
  assert.equal(discoveryReply(reg, '/apis/nope', undefined), undefined);
  assert.equal(discoveryReply(reg, '/apis/apps/v1beta2', undefined), undefined, 'unserved version');
  assert.equal(discoveryReply(reg, '/api/v2', undefined), undefined);
  assert.equal(discoveryReply(reg, '/api/v1/pods', undefined), undefined);
  assert.equal(discoveryReply(reg, '/healthz', undefined), undefined);
});

test('/api/v1 lists resources and subresources, sorted, with hashes for stored kinds', () => {
  const doc = json(discoveryReply(registry(), '/api/v1?timeout=32s', 'application/json, */*'));
  assert.equal(doc.kind, 'APIResourceList');
  assert.equal(doc.groupVersion, 'v1');
  assert.deepEqual(
    doc.resources.map((r: any) => r.name),
    ['nodes', 'nodes/status', 'pods', 'pods/eviction', 'pods/exec', 'pods/log', 'pods/status'],
  );
  const pods = doc.resources.find((r: any) => r.name === 'pods');
  assert.deepEqual(pods, {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
    storageVersionHash: storageVersionHash('', 'v1', 'Pod'),
  });
  assert.deepEqual(doc.resources.find((r: any) => r.name === 'pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  assert.deepEqual(doc.resources.find((r: any) => r.name === 'pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  assert.deepEqual(doc.resources.find((r: any) => r.name === 'pods/exec').verbs, ['create', 'get']);
  assert.equal(doc.resources.find((r: any) => r.name === 'nodes').namespaced, false);
});

test('/apis/apps/v1 advertises the autoscaling/v1 Scale subresource; hashes match Kubernetes', () => {
  const doc = json(discoveryReply(registry(), '/apis/apps/v1/', undefined));
  assert.equal(doc.groupVersion, 'apps/v1');
  const scale = doc.resources.find((r: any) => r.name === 'deployments/scale');
  assert.deepEqual(scale, { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  const d = doc.resources.find((r: any) => r.name === 'deployments');
  // The value a real 1.32 API server publishes for deployments.apps.
  assert.equal(d.storageVersionHash, '8aSe+NMegvE=');
  const reg = registry();
  reg.add(desc({ group: '', kind: 'Event', plural: 'events', singular: 'event', namespaced: true }));
  reg.add(desc({ group: 'events.k8s.io', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, storedAs: { group: '', resource: 'events' } }));
  // Kubernetes publishes the hash of the storage actually used: core v1 Event.
  assert.equal(json(discoveryReply(reg, '/apis/events.k8s.io/v1', undefined)).resources[0].storageVersionHash, 'r2yiGXH7wu8=');
  const tr = json(discoveryReply(registry(), '/apis/authentication.k8s.io/v1', undefined)).resources[0];
  assert.equal(tr.storageVersionHash, undefined, 'create-only kinds are not stored');
  assert.deepEqual(tr.verbs, ['create']);
});

test('aggregated discovery answers kubectl 1.32 with apidiscovery.k8s.io/v2', () => {
  const reg = registry();
  const r = discoveryReply(reg, '/apis', KUBECTL_ACCEPT);
  assert.equal(r?.status, 200);
  assert.equal(r?.headers['Content-Type'], V2);
  assert.ok(r?.headers.ETag?.startsWith('"'));
  const doc = json(r);
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(doc.metadata, {});
  const apps = doc.items[0];
  assert.equal(apps.metadata.name, 'apps');
  assert.deepEqual(apps.versions.map((v: any) => v.version), ['v1', 'v1beta1'], 'preferred version first');
  const v1 = apps.versions[0];
  assert.equal(v1.freshness, 'Current');
  const dep = v1.resources[0];
  assert.equal(dep.resource, 'deployments');
  assert.deepEqual(dep.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(dep.scope, 'Namespaced');
  assert.equal(dep.singularResource, 'deployment');
  assert.deepEqual(dep.shortNames, ['deploy']);
  assert.deepEqual(dep.categories, ['all']);
  assert.deepEqual(dep.subresources, [
    { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
    { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
  ]);
  assert.equal(apps.versions[1].resources[0].responseKind.version, 'v1beta1');
  const tr = doc.items.find((i: any) => i.metadata.name === 'authentication.k8s.io').versions[0].resources[0];
  assert.equal(tr.scope, 'Cluster');

  const core = json(discoveryReply(reg, '/api', KUBECTL_ACCEPT));
  assert.equal(core.items.length, 1);
  assert.equal(core.items[0].metadata.name, undefined);
  const pods = core.items[0].versions[0].resources.find((x: any) => x.resource === 'pods');
  assert.deepEqual(
    pods.subresources.map((s: any) => s.subresource),
    ['eviction', 'exec', 'log', 'status'],
  );
  assert.deepEqual(pods.subresources[0].responseKind, { group: 'policy', version: 'v1', kind: 'Eviction' });
});

test('aggregated discovery honours v2beta1, profile=nopeer, quality and falls back to legacy', () => {
  const reg = registry();
  const b = discoveryReply(reg, '/apis', V2BETA1);
  assert.equal(b?.headers['Content-Type'], V2BETA1);
  assert.equal(json(b).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  const np = discoveryReply(reg, '/api', `${V2};profile=nopeer,${KUBECTL_ACCEPT}`);
  assert.equal(np?.headers['Content-Type'], V2);
  const q = discoveryReply(reg, '/apis', `${V2};q=0.5,application/json`);
  assert.equal(json(q).kind, 'APIGroupList', 'higher quality wins');
  assert.equal(json(discoveryReply(reg, '/apis', 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json')).kind, 'APIGroupList');
  // Only /api and /apis are aggregated.
  assert.equal(json(discoveryReply(reg, '/apis/apps/v1', KUBECTL_ACCEPT)).kind, 'APIResourceList');
  const na = discoveryReply(reg, '/apis', 'application/vnd.kubernetes.protobuf');
  assert.equal(na?.status, 406);
  assert.equal(json(na).reason, 'NotAcceptable');
});

test('aggregated discovery: If-None-Match answers 304, and the ETag changes with the registry', () => {
  const reg = registry();
  const first = discoveryReply(reg, '/apis', KUBECTL_ACCEPT)!;
  const etag = first.headers.ETag;
  const again = discoveryReply(reg, '/apis', KUBECTL_ACCEPT, { ifNoneMatch: etag });
  assert.equal(again?.status, 304);
  assert.equal(again?.body, '');
  assert.equal(discoveryReply(reg, '/apis', KUBECTL_ACCEPT, { ifNoneMatch: '"other"' })?.status, 200);

  reg.add(desc({ group: 'batch', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true }));
  const after = discoveryReply(reg, '/apis', KUBECTL_ACCEPT, { ifNoneMatch: etag })!;
  assert.equal(after.status, 200);
  assert.notEqual(after.headers.ETag, etag);
  assert.ok(json(after).items.some((i: any) => i.metadata.name === 'batch'));
  assert.ok(json(discoveryReply(reg, '/apis', undefined)).groups.some((g: any) => g.name === 'batch'), 'legacy cache invalidated too');
  reg.remove('batch', 'jobs');
  assert.equal(discoveryReply(reg, '/apis/batch/v1', undefined), undefined);
});

test('legacy-only groups do not claim short names or categories of current resources', () => {
  const reg = registry();
  const ext = json(discoveryReply(reg, '/apis/extensions/v1beta1', undefined)).resources;
  const dep = ext.find((r: any) => r.name === 'deployments');
  assert.equal(dep.shortNames, undefined);
  assert.equal(dep.categories, undefined);
  const agg = json(discoveryReply(reg, '/apis', KUBECTL_ACCEPT)).items;
  const extDep = agg.find((i: any) => i.metadata.name === 'extensions').versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.equal(extDep.shortNames, undefined);
  const appsDep = agg.find((i: any) => i.metadata.name === 'apps').versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.deepEqual(appsDep.shortNames, ['deploy']);
  assert.deepEqual(appsDep.categories, ['all']);
});

test('versionInfo looks like a 1.32 server', () => {
  const v = versionInfo() as Record<string, string>;
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  assert.match(v.gitVersion, /^v1\.32\.\d+([-+][0-9A-Za-z.-]+)?$/);
  for (const k of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) assert.equal(typeof v[k], 'string', k);
  assert.equal(v.compiler, 'gc');
  assert.match(v.platform, /^[a-z0-9]+\/[a-z0-9]+$/);
});
