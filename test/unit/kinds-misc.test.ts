import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descriptors, builtinPriorityClasses, eventsV1ToCore, coreToEventsV1, ingressLegacyToV1, ingressV1ToLegacy } from '../../src/api/kinds/misc.js';
import { fieldErrorText, invalidObject, type FieldError } from '../../src/api/errors.js';
import type { ResourceDescriptor, RequestContext } from '../../src/api/descriptor.js';
import type { KubeObject } from '../../src/api/types.js';
import { checkCSR } from '../../src/api/kinds/certificates.js';

const d = (group: string, plural: string): ResourceDescriptor => {
  const x = descriptors.find((v) => v.group === group && v.plural === plural);
  assert.ok(x, `${group}/${plural} registered`);
  return x!;
};
const now = new Date('2024-01-01T00:10:00Z');
const ctx = (extra: Partial<RequestContext> = {}): RequestContext => ({
  user: { name: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'] },
  verb: 'create',
  dryRun: false,
  now,
  warnings: [],
  lookup: { get: () => undefined, list: () => [] },
  config: { serviceCIDR: '10.96.0.0/12', nodePortRange: [30000, 32767], clusterDomain: 'cluster.local' },
  ...extra,
});
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const meta = (name: string, namespace?: string): KubeObject['metadata'] => ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: '2024-01-01T00:00:00Z' });

test('discovery names and short names', () => {
  assert.deepEqual(d('networking.k8s.io', 'ingresses').shortNames, ['ing']);
  assert.deepEqual(d('networking.k8s.io', 'networkpolicies').shortNames, ['netpol']);
  assert.deepEqual(d('certificates.k8s.io', 'certificatesigningrequests').shortNames, ['csr']);
  assert.deepEqual(d('scheduling.k8s.io', 'priorityclasses').shortNames, ['pc']);
  assert.deepEqual(d('storage.k8s.io', 'storageclasses').shortNames, ['sc']);
  assert.equal(d('events.k8s.io', 'events').storedAs?.resource, 'events');
  assert.equal(d('extensions', 'ingresses').storedAs?.group, 'networking.k8s.io');
  assert.deepEqual(d('authorization.k8s.io', 'selfsubjectaccessreviews').verbs, ['create']);
  // One descriptor per group/resource.
  const keys = descriptors.map((x) => `${x.group}/${x.plural}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('legacy Ingress converts to v1 and back', () => {
  const beta: KubeObject = {
    apiVersion: 'extensions/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      backend: { serviceName: 'default-http', servicePort: 80 },
      rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: 'http' } }] } }],
    },
  };
  const ing = d('extensions', 'ingresses');
  const v = ing.versions.find((x) => x.version === 'v1beta1')!;
  assert.ok(v.deprecationWarning?.startsWith('extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress'));
  v.defaults!(beta);
  const v1 = v.toStorage!(beta);
  assert.equal(v1.apiVersion, 'networking.k8s.io/v1');
  assert.deepEqual(v1.spec.defaultBackend, { service: { name: 'default-http', port: { number: 80 } } });
  assert.deepEqual(v1.spec.rules[0].http.paths[0], { path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: 'http' } } } });
  assert.equal('backend' in v1.spec, false);
  assert.deepEqual(texts(ing.validate!(v1, ctx())), []);
  const back = v.fromStorage!(v1);
  assert.equal(back.apiVersion, 'extensions/v1beta1');
  assert.deepEqual(back.spec.backend, { serviceName: 'default-http', servicePort: 80 });
  assert.deepEqual(back.spec.rules[0].http.paths[0].backend, { serviceName: 'web', servicePort: 'http' });
  assert.deepEqual(ingressLegacyToV1(ingressV1ToLegacy(v1, 'networking.k8s.io/v1beta1')), v1);
});

test('Ingress validation texts', () => {
  const ing = d('networking.k8s.io', 'ingresses');
  const errs = ing.validate!(
    {
      metadata: meta('x', 'default'),
      spec: {
        rules: [
          { host: '1.2.3.4', http: { paths: [{ path: 'foo', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } },
          { host: 'foo.*.com', http: { paths: [{ path: '/a', pathType: 'Bogus', backend: { service: { name: 's' } } }] } },
        ],
      },
    },
    ctx(),
  );
  assert.deepEqual(texts(errs), [
    'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path',
    `spec.rules[1].host: Invalid value: "foo.*.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'spec.rules[1].http.paths[0].pathType: Unsupported value: "Bogus": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    'spec.rules[1].http.paths[0].backend: Required value: port name or number is required',
  ]);
  const empty = ing.validate!({ metadata: meta('x', 'default'), spec: {} }, ctx());
  assert.equal(invalidObject('Ingress', 'networking.k8s.io', 'x', empty).message, 'Ingress.networking.k8s.io "x" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified');
  assert.deepEqual(texts(ing.validate!({ metadata: meta('x', 'default'), spec: { rules: [{ host: 'foo.com:80' }] } }, ctx())).length, 1);
  assert.deepEqual(texts(ing.validate!({ metadata: meta('x', 'default'), spec: { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'svc', port: { name: 'http' } } } }] } }] } }, ctx())), []);
});

test('Ingress table', () => {
  const t = d('networking.k8s.io', 'ingresses').table!;
  assert.deepEqual(t.columns.map((c) => c.name.toUpperCase()), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  assert.deepEqual(t.row({ metadata: meta('web', 'default'), spec: { rules: [{ http: {} }] } }, now), ['web', '<none>', '*', '', '80', '10m']);
  assert.deepEqual(
    t.row({ metadata: meta('web', 'default'), spec: { ingressClassName: 'nginx', tls: [{}], rules: [{ host: 'a.com' }, { host: 'b.com' }] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }] } } }, now),
    ['web', 'nginx', 'a.com,b.com', '10.0.0.2,lb.example.com', '80, 443', '10m'],
  );
});

test('NetworkPolicy defaults, validation and table', () => {
  const np = d('networking.k8s.io', 'networkpolicies');
  const o: KubeObject = { metadata: meta('np', 'default'), spec: { podSelector: { matchLabels: { app: 'web' } }, egress: [{ ports: [{ port: 53 }] }] } };
  np.defaults!(o, ctx());
  assert.deepEqual(o.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(o.spec.egress[0].ports[0].protocol, 'TCP');
  assert.deepEqual(np.table!.row(o, now), ['np', 'app=web', '10m']);
  assert.deepEqual(np.table!.row({ metadata: meta('all', 'default'), spec: { podSelector: {} } }, now)[1], '<none>');
  const errs = np.validate!(
    {
      metadata: meta('np', 'default'),
      spec: {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }, { ipBlock: { cidr: 'nope' } }, {}], ports: [{ port: 90, endPort: 80 }, { port: 'http', endPort: 90 }] }],
      },
    },
    ctx(),
  );
  assert.deepEqual(texts(errs), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`',
    'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
    'spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "nope": not a valid CIDR',
    'spec.ingress[0].from[2]: Required value: must specify a peer',
  ]);
  assert.deepEqual(texts(np.validate!({ metadata: meta('np', 'default'), spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] } }, ctx())), []);
});

test('RBAC defaults, validation and immutable roleRef', () => {
  const rb = d('rbac.authorization.k8s.io', 'rolebindings');
  const crb = d('rbac.authorization.k8s.io', 'clusterrolebindings');
  const o: KubeObject = { metadata: meta('b', 'default'), roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default' }] };
  rb.defaults!(o, ctx());
  assert.equal(o.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(o.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(o.subjects[1].apiGroup, '');
  assert.deepEqual(texts(rb.validate!(o, ctx())), []);
  assert.deepEqual(texts(crb.validate!({ metadata: meta('c'), roleRef: { apiGroup: 'rbac', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', apiGroup: 'x' }, { kind: 'Robot', name: 'r2' }] }, ctx())), [
    'roleRef.apiGroup: Unsupported value: "rbac": supported values: "rbac.authorization.k8s.io"',
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].apiGroup: Unsupported value: "x": supported values: ""',
    'subjects[0].namespace: Required value',
    'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
  const changed = { ...o, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
  assert.equal(
    invalidObject('RoleBinding', 'rbac.authorization.k8s.io', 'b', rb.validateUpdate!(changed, o, ctx())).message,
    'RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
  );
  const role = d('rbac.authorization.k8s.io', 'roles');
  assert.deepEqual(texts(role.validate!({ metadata: meta('r', 'default'), rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: [] }] }, ctx())), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    'rules[1].verbs: Required value: verbs must contain at least one value',
    'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].resources: Required value: resource rules must supply at least one resource',
  ]);
  const t = rb.table!;
  assert.deepEqual(t.columns.map((c) => [c.name.toUpperCase(), c.priority]), [['NAME', 0], ['ROLE', 0], ['AGE', 0], ['USERS', 1], ['GROUPS', 1], ['SERVICEACCOUNTS', 1]]);
  assert.deepEqual(t.row({ ...o, subjects: [...o.subjects, { kind: 'ServiceAccount', name: 'b', namespace: 'ns' }, { kind: 'Group', name: 'g' }] }, now), ['b', 'Role/r', '10m', 'alice', 'g', '/default, ns/b']);
  assert.deepEqual(role.table!.columns.map((c) => c.name.toUpperCase()), ['NAME', 'CREATED AT']);
  assert.ok(role.versions.some((v) => v.version === 'v1beta1' && v.deprecationWarning === 'rbac.authorization.k8s.io/v1beta1 Role is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 Role'));
});

test('StorageClass defaults, immutability and table', () => {
  const sc = d('storage.k8s.io', 'storageclasses');
  const o: KubeObject = { metadata: { ...meta('fast'), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/nfs', parameters: { a: 'b' } };
  sc.defaults!(o, ctx());
  assert.equal(o.reclaimPolicy, 'Delete');
  assert.equal(o.volumeBindingMode, 'Immediate');
  assert.deepEqual(texts(sc.validate!(o, ctx())), []);
  assert.deepEqual(sc.table!.columns.map((c) => c.name.toUpperCase()), ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
  assert.deepEqual(sc.table!.row(o, now), ['fast (default)', 'example.com/nfs', 'Delete', 'Immediate', false, '10m']);
  const upd = { ...o, provisioner: 'other.io/x', parameters: { a: 'c' }, reclaimPolicy: 'Retain' };
  assert.deepEqual(texts(sc.validateUpdate!(upd, o, ctx())), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
  ]);
  assert.deepEqual(texts(sc.validate!({ ...o, reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }, ctx())), [
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
});

test('CSIDriver defaults', () => {
  const o: KubeObject = { metadata: meta('csi.example.com') };
  d('storage.k8s.io', 'csidrivers').defaults!(o, ctx());
  assert.deepEqual(o.spec, { attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false });
  assert.deepEqual(d('storage.k8s.io', 'csidrivers').table!.row(o, now), ['csi.example.com', true, false, false, '<unset>', false, 'Persistent', '10m']);
});

test('PriorityClass defaults, validation, builtins and table', () => {
  const pc = d('scheduling.k8s.io', 'priorityclasses');
  const o: KubeObject = { metadata: meta('high'), value: 1000 };
  pc.defaults!(o, ctx());
  assert.equal(o.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(texts(pc.validate!({ metadata: meta('big'), value: 1000000001 }, ctx())), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(texts(pc.validate!({ metadata: meta('system-x'), value: 1 }, ctx())), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-x is not a known system priority class"]);
  assert.deepEqual(texts(pc.validateUpdate!({ ...o, value: 5 }, o, ctx())), ['value: Forbidden: may not be changed in an update.']);
  const b = builtinPriorityClasses();
  assert.deepEqual(b.map((x) => [x.metadata.name, x.value]).sort(), [['system-cluster-critical', 2000000000], ['system-node-critical', 2000001000]]);
  for (const x of b) assert.deepEqual(pc.validate!(x, ctx()), []);
  assert.deepEqual(pc.table!.row(o, now), ['high', 1000, false, '10m', 'PreemptLowerPriority']);
  assert.throws(() => pc.prepareCreate!({ metadata: meta('d2'), value: 1, globalDefault: true }, ctx({ lookup: { get: () => undefined, list: () => [{ metadata: { name: 'd1' }, globalDefault: true }] } })), /PriorityClass d1 is already marked as default. Only one default can exist/);
});

test('Lease and EndpointSlice tables', () => {
  assert.deepEqual(d('coordination.k8s.io', 'leases').table!.row({ metadata: meta('n1', 'kube-node-lease'), spec: { holderIdentity: 'n1' } }, now), ['n1', 'n1', '10m']);
  const es = d('discovery.k8s.io', 'endpointslices');
  const o: KubeObject = { metadata: meta('web-abc', 'default'), addressType: 'IPv4', ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }] };
  es.defaults!(o, ctx());
  assert.deepEqual(o.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(es.table!.columns.map((c) => c.name.toUpperCase()), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  assert.deepEqual(es.table!.row(o, now), ['web-abc', 'IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '10m']);
  assert.deepEqual(es.table!.row({ metadata: meta('e', 'default'), addressType: 'IPv4' }, now).slice(2, 4), ['<unset>', '<unset>']);
  assert.deepEqual(texts(es.validate!({ ...o, endpoints: [{ addresses: ['fe80::1'] }] }, ctx())), ['endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address']);
});

test('events.k8s.io Event converts to and from core events', () => {
  const ev: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    eventTime: '2024-01-01T00:05:00.000000Z',
    reportingController: 'example.com/ctl',
    reportingInstance: 'ctl-1',
    action: 'Scale',
    reason: 'Scaled',
    regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
    note: 'scaled up',
    type: 'Normal',
  };
  const core = eventsV1ToCore(ev);
  assert.equal(core.apiVersion, 'v1');
  assert.equal(core.message, 'scaled up');
  assert.equal(core.reportingComponent, 'example.com/ctl');
  assert.deepEqual(core.involvedObject, ev.regarding);
  assert.deepEqual(coreToEventsV1(core), ev);
  const desc = d('events.k8s.io', 'events');
  assert.deepEqual(texts(desc.validate!(core, ctx())), []);
  assert.deepEqual(texts(desc.validate!({ ...ev, deprecatedCount: 3, type: 'Bad' }, ctx())), ['type: Invalid value: "": has invalid value: Bad', 'deprecatedCount: Invalid value: "": needs to be unset']);
  assert.deepEqual(desc.table!.row(core, now), ['5m', 'Normal', 'Scaled', 'deployment/web', '', 'example.com/ctl, ctl-1', 'scaled up', '5m', 1, 'e1']);
});

function makeCSR(subj: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'csr-'));
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'r.pem'), '-subj', subj], { stdio: 'ignore' });
  return readFileSync(join(dir, 'r.pem'), 'utf8');
}

test('CertificateSigningRequest validation, strategy and table', () => {
  const csr = d('certificates.k8s.io', 'certificatesigningrequests');
  const pem = makeCSR('/CN=bob/O=devs');
  const parsed = checkCSR(new Uint8Array(Buffer.from(pem)));
  assert.ok('csr' in parsed && parsed.csr.commonName === 'bob' && parsed.csr.organizations[0] === 'devs');
  const tampered = pem.replace(/\n([A-Za-z0-9+/]{10})/, (_m, s: string) => `\n${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`);
  assert.ok('error' in checkCSR(new Uint8Array(Buffer.from(tampered))));
  const o: KubeObject = { metadata: meta('bob'), spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 86400 } };
  csr.prepareCreate!(o, ctx());
  assert.equal(o.spec.username, 'alice');
  assert.deepEqual(o.spec.groups, ['dev', 'system:authenticated']);
  assert.deepEqual(texts(csr.validate!(o, ctx())), []);
  const bad: KubeObject = { metadata: meta('x'), spec: { request: Buffer.from('hi').toString('base64'), signerName: 'foo', usages: ['client auth', 'client auth', 'fly'] } };
  assert.deepEqual(texts(csr.validate!(bad, ctx())), [
    'spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST',
    'spec.usages[2]: Unsupported value: "fly": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"',
    'spec.usages[1]: Duplicate value: "client auth"',
    "spec.signerName: Invalid value: \"foo\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
  ]);
  // approval: only Approved/Denied conditions change; spec is kept.
  const approved: KubeObject = { ...o, spec: { ...o.spec, username: 'mallory' }, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] } };
  csr.prepareUpdate!(approved, o, ctx({ subresource: 'approval' }));
  assert.equal(approved.spec.username, 'alice');
  assert.equal(approved.status.conditions[0].lastUpdateTime, '2024-01-01T00:10:00Z');
  assert.deepEqual(csr.table!.columns.map((c) => c.name.toUpperCase()), ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
  assert.deepEqual(csr.table!.row(approved, now), ['bob', '10m', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved']);
  assert.equal(csr.table!.row({ ...approved, status: { ...approved.status, certificate: 'eA==' } }, now)[5], 'Approved,Issued');
  // v1beta1 defaults the signer and usages.
  const beta: KubeObject = { apiVersion: 'certificates.k8s.io/v1beta1', kind: 'CertificateSigningRequest', metadata: meta('n'), spec: { request: Buffer.from(makeCSR('/CN=system:node:n1/O=system:nodes')).toString('base64'), usages: ['digital signature', 'key encipherment', 'client auth'] } };
  csr.versions.find((v) => v.version === 'v1beta1')!.defaults!(beta);
  assert.equal(beta.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
});

test('access reviews answer from system:masters until RBAC exists', () => {
  const ssar = d('authorization.k8s.io', 'selfsubjectaccessreviews');
  const req: KubeObject = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } };
  assert.equal(ssar.createOnly!(req, ctx()).status.allowed, false);
  assert.equal(ssar.createOnly!(req, ctx({ user: { name: 'admin', groups: ['system:masters'] } })).status.allowed, true);
  assert.deepEqual(texts(ssar.validate!({ ...req, spec: {} }, ctx())), ['spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified']);
  const who = d('authentication.k8s.io', 'selfsubjectreviews').createOnly!({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} }, ctx());
  assert.deepEqual(who.status.userInfo, { username: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'] });
});

test('APIService validation and table', () => {
  const as = d('apiregistration.k8s.io', 'apiservices');
  const o: KubeObject = { metadata: meta('v1beta1.metrics.k8s.io'), spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics-server' } } };
  as.defaults!(o, ctx());
  assert.equal(o.spec.service.port, 443);
  assert.deepEqual(texts(as.validate!(o, ctx())), []);
  assert.deepEqual(texts(as.validate!({ ...o, metadata: meta('wrong') }, ctx())), ['metadata.name: Invalid value: "wrong": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"']);
  assert.deepEqual(as.table!.row({ ...o, status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } }, now), ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (MissingEndpoints)', '10m']);
});

test('webhook and flowcontrol defaults', () => {
  const o: KubeObject = { metadata: meta('w'), webhooks: [{ name: 'a.b.c', clientConfig: { service: { namespace: 'x', name: 'y' } }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] }] };
  const m = d('admissionregistration.k8s.io', 'mutatingwebhookconfigurations');
  m.defaults!(o, ctx());
  const w = o.webhooks[0];
  assert.deepEqual([w.failurePolicy, w.matchPolicy, w.timeoutSeconds, w.reinvocationPolicy, w.clientConfig.service.port, w.rules[0].scope], ['Fail', 'Equivalent', 10, 'Never', 443, '*']);
  assert.deepEqual(texts(m.validate!(o, ctx())), []);
  const plc: KubeObject = { metadata: meta('p'), spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } };
  d('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations').defaults!(plc, ctx());
  assert.deepEqual(plc.spec.limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
});
