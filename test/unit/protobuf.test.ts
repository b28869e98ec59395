// Decoding of Kubernetes protobuf request bodies. Bodies are built with a tiny protobuf encoder
// below, field by field as client-go's generated marshallers write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubeProtobuf, goDurationString, isKubeProtobuf } from '../../src/apiserver/protobuf/decode.js';
import { allMessageNames, messageDef } from '../../src/apiserver/protobuf/messages.js';
import { decodeBody, mediaKind, requireMedia } from '../../src/apiserver/body.js';
import { ApiError } from '../../src/api/errors.js';

// ------------------------------------------------------------------ encoder

function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const tag = (f: number, wire: number) => varint((f << 3) | wire);
/** varint field (int32/int64/bool), written even when zero. */
const num = (f: number, n: number | bigint | boolean) => Buffer.concat([tag(f, 0), varint(typeof n === 'boolean' ? (n ? 1 : 0) : n)]);
const bytes = (f: number, b: Buffer) => Buffer.concat([tag(f, 2), varint(b.length), b]);
const str = (f: number, s: string) => bytes(f, Buffer.from(s, 'utf8'));
const msg = (f: number, ...parts: Buffer[]) => bytes(f, Buffer.concat(parts));
const entry = (f: number, key: string, value: Buffer) => msg(f, str(1, key), value);
const dbl = (f: number, x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return Buffer.concat([tag(f, 1), b]);
};

/** The magic + runtime.Unknown envelope, with empty contentEncoding/contentType as Go writes them. */
function envelope(apiVersion: string, kind: string, ...raw: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, Buffer.concat(raw)), str(3, ''), str(4, '')]);
}

/** ObjectMeta with a name and Go's always-present zero creationTimestamp. */
const meta = (name: string, ...extra: Buffer[]) => msg(1, str(1, name), str(2, ''), str(3, ''), num(7, 0), msg(8), ...extra);

function badRequest(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && (e as any).code === 400 && re.test((e as Error).message));
}

// ------------------------------------------------------------------ tests

test('namespace: typeMeta, zero creationTimestamp and empty spec/status', () => {
  const buf = envelope('v1', 'Namespace', meta('x'), msg(2), msg(3, str(1, '')));
  assert.ok(isKubeProtobuf(buf));
  const d = decodeKubeProtobuf(buf);
  assert.equal(d.apiVersion, 'v1');
  assert.equal(d.kind, 'Namespace');
  assert.deepEqual(d.object, { metadata: { name: 'x' }, spec: {}, status: {} });
});

test('deployment: pointer zero replicas kept, omitempty zeros dropped, nested template', () => {
  const container = msg(2, str(1, 'nginx'), str(2, 'nginx'), msg(6, str(1, ''), num(2, 0), num(3, 80), str(4, 'TCP'), str(5, '')), msg(8), str(13, ''), num(16, false));
  const podSpec = msg(2, container, str(3, ''), str(6, ''), num(11, false));
  const spec = msg(
    2,
    num(1, 0), // replicas *int32 = 0
    msg(2, entry(1, 'app', str(2, 'web'))), // selector.matchLabels
    msg(3, msg(1, str(1, ''), msg(8), msg(11, str(1, 'app'), str(2, 'web'))), podSpec),
    msg(4, str(1, '')), // strategy {}
    num(5, 0), // minReadySeconds (omitempty)
    num(7, false), // paused (omitempty)
  );
  const d = decodeKubeProtobuf(envelope('apps/v1', 'Deployment', meta('web', msg(11, str(1, 'app'), str(2, 'web'))), spec, msg(3)));
  assert.deepEqual(d.object, {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }] },
      },
      strategy: {},
    },
    status: {},
  });
});

test('secret: map<string, bytes> becomes base64, pointer false kept', () => {
  const d = decodeKubeProtobuf(
    envelope('v1', 'Secret', meta('s'), num(5, false), entry(2, 'k', bytes(2, Buffer.from('v'))), entry(2, 'bin', bytes(2, Buffer.from([0, 255]))), entry(4, 'plain', str(2, 'text')), str(3, 'Opaque')),
  );
  assert.deepEqual(d.object, { metadata: { name: 's' }, immutable: false, data: { k: 'dg==', bin: 'AP8=' }, stringData: { plain: 'text' }, type: 'Opaque' });
});

test('configmap binaryData and a map entry without value', () => {
  const d = decodeKubeProtobuf(envelope('v1', 'ConfigMap', meta('c'), entry(2, 'a', str(2, 'b')), msg(2, str(1, 'empty')), entry(3, 'raw', bytes(2, Buffer.from('xyz')))));
  assert.deepEqual(d.object, { metadata: { name: 'c' }, data: { a: 'b', empty: '' }, binaryData: { raw: 'eHl6' } });
});

test('service: int-or-string targetPort, non-omitempty port, zero nodePort dropped', () => {
  const port = (name: string, p: number, target: Buffer) => msg(1, str(1, name), str(2, 'TCP'), num(3, p), msg(4, ...[target]), num(5, 0));
  const spec = msg(
    2,
    port('a', 80, Buffer.concat([num(1, 0), num(2, 8080), str(3, '')])),
    port('b', 0, Buffer.concat([num(1, 1), num(2, 0), str(3, 'http')])),
    entry(2, 'app', str(2, 'web')),
    str(3, ''),
    str(4, 'NodePort'),
    num(13, false),
  );
  const d = decodeKubeProtobuf(envelope('v1', 'Service', meta('svc'), spec, msg(3, msg(1))));
  assert.deepEqual(d.object, {
    metadata: { name: 'svc' },
    spec: {
      ports: [
        { name: 'a', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'b', protocol: 'TCP', port: 0, targetPort: 'http' },
      ],
      selector: { app: 'web' },
      type: 'NodePort',
    },
    status: { loadBalancer: {} },
  });
});

test('pod: inline embeddings (valueFrom key selectors, probe handler, volume source), packed and negative ints', () => {
  const env = msg(7, str(1, 'FROM'), str(2, ''), msg(3, msg(3, msg(1, str(1, 'cm')), str(2, 'key'), num(3, true))));
  const probe = msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, num(1, 1), num(2, 0), str(3, 'http')))), num(2, 5), num(3, 1));
  const container = msg(2, str(1, 'c'), str(2, 'busybox'), env, probe);
  const volume = msg(1, str(1, 'data'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '1Gi')))));
  const packed = bytes(4, Buffer.concat([varint(1000), varint(2000)]));
  const sc = msg(14, num(2, -1), packed, num(4, 3000), num(5, 0));
  const spec = msg(2, volume, container, num(4, 0), num(21, false), sc);
  const d = decodeKubeProtobuf(envelope('v1', 'Pod', meta('p'), spec));
  assert.deepEqual(d.object, {
    metadata: { name: 'p' },
    spec: {
      volumes: [{ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }],
      containers: [
        {
          name: 'c',
          image: 'busybox',
          env: [{ name: 'FROM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'key', optional: true } } }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
        },
      ],
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      securityContext: { runAsUser: -1, supplementalGroups: [1000, 2000, 3000], fsGroup: 0 },
    },
  });
});

test('times: Time drops nanoseconds, MicroTime keeps six digits, zero Time omitted', () => {
  const t = (s: number, n = 0) => Buffer.concat([num(1, s), num(2, n)]);
  const ev = envelope(
    'v1',
    'Event',
    meta('e'),
    msg(2, str(1, 'Pod'), str(3, 'p')),
    str(3, 'Started'),
    msg(6, t(1704164645, 999_999_999)),
    msg(7),
    num(8, 1),
    msg(10, t(1704164645, 123_456_789)),
    msg(11, num(1, 2), msg(2, t(0, 5000))),
  );
  const d = decodeKubeProtobuf(ev);
  assert.deepEqual(d.object, {
    metadata: { name: 'e' },
    involvedObject: { kind: 'Pod', name: 'p' },
    reason: 'Started',
    firstTimestamp: '2024-01-02T03:04:05Z',
    count: 1,
    eventTime: '2024-01-02T03:04:05.123456Z',
    series: { count: 2, lastObservedTime: '1970-01-01T00:00:00.000005Z' },
  });
});

test('Go duration strings', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [1500n, '1.5µs'],
    [100_000_000n, '100ms'],
    [1_500_000_000n, '1.5s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_000_000_000n, '1h2m3s'],
    [-2_000_000_000n, '-2s'],
  ];
  for (const [ns, s] of cases) assert.equal(goDurationString(ns), s, `${ns}`);
});

test('quantities, managedFields (FieldsV1) and RawExtension hold JSON', () => {
  const rq = decodeKubeProtobuf(envelope('v1', 'ResourceQuota', meta('q'), msg(2, entry(1, 'pods', msg(2, str(1, '3'))), entry(1, 'cpu', msg(2, str(1, '500m'))))));
  assert.deepEqual(rq.object, { metadata: { name: 'q' }, spec: { hard: { pods: '3', cpu: '500m' } } });

  const mf = msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, num(1, 1704164645)), str(6, 'FieldsV1'), msg(7, bytes(1, Buffer.from('{"f:data":{}}'))));
  const cm = decodeKubeProtobuf(envelope('v1', 'ConfigMap', meta('c', mf)));
  assert.deepEqual((cm.object.metadata as any).managedFields, [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }]);

  const cr = decodeKubeProtobuf(envelope('apps/v1', 'ControllerRevision', meta('r'), msg(2, bytes(1, Buffer.from('{"spec":{"x":1}}'))), num(3, 0)));
  assert.deepEqual(cr.object, { metadata: { name: 'r' }, data: { spec: { x: 1 } }, revision: 0 });
});

test('eviction with delete options (grace period zero is kept)', () => {
  const d = decodeKubeProtobuf(envelope('policy/v1', 'Eviction', meta('p', str(3, 'default')), msg(2, num(1, 0), msg(2, str(1, 'uid-1')), str(4, 'Background'))));
  assert.deepEqual(d.object, { metadata: { name: 'p', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Background' } });
  const del = decodeKubeProtobuf(envelope('v1', 'DeleteOptions', num(1, 30), str(4, 'Foreground'), str(5, 'All')));
  assert.deepEqual(del, { apiVersion: 'v1', kind: 'DeleteOptions', object: { gracePeriodSeconds: 30, propagationPolicy: 'Foreground', dryRun: ['All'] } });
});

test('token request and certificate signing request (approval update)', () => {
  const tr = decodeKubeProtobuf(envelope('authentication.k8s.io/v1', 'TokenRequest', meta(''), msg(2, str(1, 'api'), str(1, 'vault'), num(4, 3600), msg(3, str(1, 'Pod'), str(2, 'v1'), str(3, 'p'), str(4, 'u1'))), msg(3, str(1, ''), msg(2))));
  assert.deepEqual(tr.object, { metadata: {}, spec: { audiences: ['api', 'vault'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' } }, status: {} });

  const pem = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n');
  const cond = msg(1, str(1, 'Approved'), str(6, 'True'), str(2, 'KubectlApprove'), str(3, 'This CSR was approved by kubectl certificate approve.'), msg(4, num(1, 1704164645)), msg(5));
  const csr = decodeKubeProtobuf(
    envelope('certificates.k8s.io/v1', 'CertificateSigningRequest', meta('alice'), msg(2, bytes(1, pem), str(7, 'kubernetes.io/kube-apiserver-client'), str(5, 'client auth'), str(2, 'admin'), entry(6, 'scopes', msg(2, str(1, 'a'), str(1, 'b')))), msg(3, cond)),
  );
  assert.deepEqual(csr.object, {
    metadata: { name: 'alice' },
    spec: { request: pem.toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'admin', extra: { scopes: ['a', 'b'] } },
    status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', lastUpdateTime: '2024-01-02T03:04:05Z' }] },
  });
});

test('hpa v2, pdb int-or-string pointers, lease micro times, double fields', () => {
  const hpa = decodeKubeProtobuf(
    envelope(
      'autoscaling/v2',
      'HorizontalPodAutoscaler',
      meta('web'),
      msg(2, msg(1, str(1, 'Deployment'), str(2, 'web'), str(3, 'apps/v1')), num(2, 1), num(3, 3), msg(4, str(1, 'Resource'), msg(4, str(1, 'cpu'), msg(2, str(1, 'Utilization'), num(4, 50))))),
      msg(3, num(3, 0), num(4, 0)),
    ),
  );
  assert.deepEqual(hpa.object, {
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    status: { desiredReplicas: 0 },
  });
  const pdb = decodeKubeProtobuf(envelope('policy/v1', 'PodDisruptionBudget', meta('b'), msg(2, msg(1, num(1, 0), num(2, 0), str(3, '')), msg(2, entry(1, 'app', str(2, 'web'))))));
  assert.deepEqual((pdb.object as any).spec, { minAvailable: 0, selector: { matchLabels: { app: 'web' } } });

  const lease = decodeKubeProtobuf(envelope('coordination.k8s.io/v1', 'Lease', meta('l'), msg(2, str(1, 'me'), num(2, 15), msg(4, num(1, 1704164645), num(2, 500_000)), num(5, 0))));
  assert.deepEqual((lease.object as any).spec, { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: '2024-01-02T03:04:05.000500Z', leaseTransitions: 0 });

  // No table field is a double in these groups; the wire form is still rejected cleanly.
  badRequest(() => decodeKubeProtobuf(envelope('v1', 'ConfigMap', meta('c'), dbl(2, 1.5))), /unexpected wire type 1/);
});

test('rejects unknown fields, kinds, bad magic and truncated input with 400', () => {
  badRequest(() => decodeKubeProtobuf(envelope('v1', 'Pod', meta('p'), msg(2, num(99, 1)))), /^unable to decode protobuf field 99 of k8s\.io\.api\.core\.v1\.PodSpec$/);
  badRequest(() => decodeKubeProtobuf(envelope('v1', 'Namespace', meta('p', num(40, 1)))), /field 40 of k8s\.io\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta/);
  badRequest(() => decodeKubeProtobuf(envelope('v1', 'Bogus', meta('p'))), /no kind "Bogus" is registered for version "v1"/);
  badRequest(() => decodeKubeProtobuf(envelope('example.com/v1', 'Widget')), /no kind "Widget"/);
  badRequest(() => decodeKubeProtobuf(Buffer.from('{"kind":"Pod"}')), /does not appear to be a protobuf message/);
  badRequest(() => decodeKubeProtobuf(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0x05, 0x0a])])), /length exceeds/);
  badRequest(() => decodeKubeProtobuf(envelope('v1', 'Pod', meta('p'), num(2, 1))), /unexpected wire type 0/);
});

test('body.ts: protobuf media kind and decodeBody', () => {
  assert.equal(mediaKind('application/vnd.kubernetes.protobuf'), 'protobuf');
  assert.equal(mediaKind('application/vnd.kubernetes.protobuf; charset=binary'), 'protobuf');
  assert.equal(requireMedia('application/vnd.kubernetes.protobuf', ['json', 'yaml', 'protobuf'], []), 'protobuf');
  assert.throws(() => requireMedia('application/vnd.kubernetes.protobuf', ['json', 'yaml'], ['application/json']), (e: unknown) => e instanceof ApiError && (e as any).code === 415);
  const { value, duplicates } = decodeBody(envelope('v1', 'ServiceAccount', meta('sa'), num(4, false)), 'protobuf');
  assert.deepEqual(value, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false });
  assert.deepEqual(Object.keys(value as object).slice(0, 2), ['apiVersion', 'kind']);
  assert.deepEqual(duplicates, []);
});

test('message tables: every referenced message exists and field numbers are unique', () => {
  const names = allMessageNames();
  assert.ok(names.length > 250, `only ${names.length} messages`);
  for (const name of names) {
    const def = messageDef(name);
    assert.ok(def, name);
    const jsonNames = new Set<string>();
    for (const f of def!.fields.values()) {
      assert.ok(Number.isInteger(f.num) && f.num > 0, `${name}: bad field number ${f.num}`);
      if (!f.scalar) assert.ok(messageDef(f.type), `${name}.${f.name || '(inline)'} refers to missing ${f.type}`);
      if (f.name) {
        assert.ok(!jsonNames.has(f.name), `${name}: duplicate JSON name ${f.name}`);
        jsonNames.add(f.name);
      }
    }
  }
  // Spot checks against Kubernetes' generated.proto numbering.
  const pick = (m: string, n: number) => messageDef(m)!.fields.get(n)?.name;
  assert.equal(pick('core.PodSpec', 21), 'automountServiceAccountToken');
  assert.equal(pick('core.Container', 19), 'envFrom');
  assert.equal(pick('core.ServiceSpec', 18), 'clusterIPs');
  assert.equal(pick('meta.ObjectMeta', 17), 'managedFields');
  assert.equal(pick('apps.DeploymentSpec', 9), 'progressDeadlineSeconds');
  assert.equal(pick('batch.CronJobSpec', 8), 'timeZone');
  assert.equal(pick('certificates.CertificateSigningRequestSpec', 7), 'signerName');
});
