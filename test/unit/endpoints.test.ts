import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repackSubsets, truncateSubsets, type EndpointSubset } from '../../src/controllers/endpoints/subsets.js';
import { planSlices, type SliceEndpoint } from '../../src/controllers/endpointslice/endpointslice.js';
import type { KubeObject } from '../../src/api/types.js';

const addr = (ip: string, uid = `uid-${ip}`) => ({ ip, targetRef: { kind: 'Pod', namespace: 'ns', name: `pod-${ip}`, uid } });

test('repackSubsets merges addresses offering the same ports into one subset, sorted by IP', () => {
  const http = { name: 'http', port: 8080, protocol: 'TCP' };
  const metrics = { name: 'metrics', port: 9090, protocol: 'TCP' };
  const out = repackSubsets([
    { addresses: [addr('10.0.0.3')], ports: [http] },
    { addresses: [addr('10.0.0.3')], ports: [metrics] },
    { addresses: [addr('10.0.0.1')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [metrics] },
    { notReadyAddresses: [addr('10.0.0.2')], ports: [http] },
    { notReadyAddresses: [addr('10.0.0.2')], ports: [metrics] },
  ]);
  assert.deepEqual(out, [{ addresses: [addr('10.0.0.1'), addr('10.0.0.3')], notReadyAddresses: [addr('10.0.0.2')], ports: [http, metrics] }]);
});

test('repackSubsets splits addresses whose port sets differ and lets not-ready win per port', () => {
  const a = { name: 'a', port: 80, protocol: 'TCP' };
  const b = { name: 'b', port: 81, protocol: 'TCP' };
  const out = repackSubsets([
    { addresses: [addr('10.0.0.1')], ports: [a] },
    { addresses: [addr('10.0.0.1')], ports: [b] },
    { addresses: [addr('10.0.0.2')], ports: [a] }, // 10.0.0.2 has no port b (named port missing)
    { notReadyAddresses: [addr('10.0.0.1')], ports: [a] }, // same address not ready on a
  ]);
  assert.equal(out.length, 2);
  const onA = out.find((s) => s.ports!.some((p) => p.name === 'a'))!;
  const onB = out.find((s) => s.ports!.some((p) => p.name === 'b'))!;
  assert.deepEqual(onA, { addresses: [addr('10.0.0.2')], notReadyAddresses: [addr('10.0.0.1')], ports: [a] });
  assert.deepEqual(onB, { addresses: [addr('10.0.0.1')], ports: [b] });
});

test('repackSubsets keeps port-less headless addresses and distinguishes equal IPs of different pods', () => {
  const out = repackSubsets([{ addresses: [addr('10.0.0.1', 'x')] }, { addresses: [addr('10.0.0.1', 'y')] }, { notReadyAddresses: [addr('10.0.0.0')] }]);
  assert.deepEqual(out, [{ addresses: [addr('10.0.0.1', 'x'), addr('10.0.0.1', 'y')], notReadyAddresses: [addr('10.0.0.0')] }]);
  assert.deepEqual(repackSubsets([]), []);
});

test('truncateSubsets caps endpoints at 1000, cutting not-ready addresses first', () => {
  const many = (n: number, base: number) => Array.from({ length: n }, (_, i) => addr(`10.1.${Math.floor((base + i) / 250)}.${(base + i) % 250}`));
  const s: EndpointSubset[] = [{ addresses: many(900, 0), notReadyAddresses: many(300, 900), ports: [{ port: 80, protocol: 'TCP' }] }];
  const r = truncateSubsets(s);
  assert.equal(r.truncated, true);
  assert.equal(r.subsets[0].addresses!.length, 900);
  assert.equal(r.subsets[0].notReadyAddresses!.length, 100);
  const r2 = truncateSubsets([{ addresses: many(1200, 0) }]);
  assert.equal(r2.subsets[0].addresses!.length, 1000);
  assert.equal(truncateSubsets([{ addresses: many(10, 0) }]).truncated, false);
});

test('planSlices packs endpoints 100 to a slice, updates in place and keeps one placeholder', () => {
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns', uid: 'u1', labels: { app: 'x' } }, spec: { selector: { app: 'x' } } };
  const ports = [{ name: '', port: 80, protocol: 'TCP' }];
  const ep = (i: number, ready = true): SliceEndpoint => ({ addresses: [`10.0.${Math.floor(i / 200)}.${i % 200}`], conditions: { ready, serving: ready, terminating: false }, targetRef: { kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `u${i}` }, nodeName: 'n' });
  const desired = (n: number, notReady = -1) => new Map([[JSON.stringify([['', 80, 'TCP', '']]), { ports, endpoints: new Map(Array.from({ length: n }, (_, i) => [`u${i}`, ep(i, i !== notReady)])) }]]);
  const first = planSlices(svc, [], desired(250));
  assert.deepEqual(first.create.map((s) => (s.endpoints as unknown[]).length), [100, 100, 50]);
  assert.equal(first.create[0].metadata.generateName, 's-');
  assert.deepEqual(first.create[0].metadata.labels, { app: 'x', 'kubernetes.io/service-name': 's', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(first.create[0].metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 's', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  const existing = first.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `s-${i}` } }));
  assert.deepEqual(planSlices(svc, existing, desired(250)), { create: [], update: [], delete: [] });
  // one endpoint turns not ready: only its slice is rewritten
  const one = planSlices(svc, existing, desired(250, 120));
  assert.deepEqual([one.create.length, one.delete.length, one.update.map((s) => s.metadata.name)], [0, 0, ['s-1']]);
  // a new endpoint goes to the fullest slice with room
  const grown = planSlices(svc, existing, desired(251));
  assert.deepEqual(grown.update.map((s) => [s.metadata.name, (s.endpoints as unknown[]).length]), [['s-2', 51]]);
  // everything gone: two slices deleted, one kept as the placeholder
  const none = planSlices(svc, existing, new Map());
  assert.equal(none.delete.length, 3);
  assert.deepEqual(none.create.map((s) => [s.endpoints, s.ports]), [[[], []]]);
  const placeholder = { ...none.create[0], metadata: { ...none.create[0].metadata, name: 's-p' } };
  assert.deepEqual(planSlices(svc, [placeholder], new Map()), { create: [], update: [], delete: [] });
});

test('endpoints, endpointslices and default service accounts from an in-process server', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const { localClient } = await import('../../src/client/local.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-ep-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = localClient(s.call, { name: 'admin', groups: ['system:masters'] });
  const until = async <T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    let last: unknown;
    for (let i = 0; i < 200; i++) {
      try {
        const v = await f();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`${what} not reached ${last ?? ''}`);
  };
  try {
    await c.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } });
    await until(() => c.getOrNull('/api/v1/namespaces/web/serviceaccounts/default'), 'default service account');
    await c.delete('/api/v1/namespaces/web/serviceaccounts/default');
    await until(() => c.getOrNull('/api/v1/namespaces/web/serviceaccounts/default'), 'default service account recreated');

    await c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } });
    await c.create('/api/v1/namespaces/web/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090 }] },
    });
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'web', containerPort: 8080 }] }] } });
    const status = (ip: string, ready: boolean) => ({
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    });
    for (const [n, ip, ready] of [['a', '10.244.0.5', true], ['b', '10.244.0.4', false], ['c', '10.244.0.3', true]] as const) {
      await c.create('/api/v1/namespaces/web/pods', pod(n));
      await c.patch(`/api/v1/namespaces/web/pods/${n}/status`, status(ip, ready), 'merge');
    }
    // a pod the service does not select and a finished one are left out
    await c.create('/api/v1/namespaces/web/pods', { ...pod('other'), metadata: { name: 'other', labels: { app: 'db' } } });
    await c.create('/api/v1/namespaces/web/pods', pod('done'));
    await c.patch('/api/v1/namespaces/web/pods/done/status', { status: { ...status('10.244.0.9', false).status, phase: 'Succeeded' } }, 'merge');

    const ep = await until(async () => {
      const e = await c.getOrNull<KubeObject>('/api/v1/namespaces/web/endpoints/web');
      return e?.subsets?.[0]?.addresses?.length === 2 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
    }, 'endpoints');
    const ref = async (n: string) => ({ kind: 'Pod', namespace: 'web', name: n, uid: (await c.get<KubeObject>(`/api/v1/namespaces/web/pods/${n}`)).metadata.uid });
    assert.deepEqual(ep.subsets, [
      {
        addresses: [
          { ip: '10.244.0.3', nodeName: 'n1', targetRef: await ref('c') },
          { ip: '10.244.0.5', nodeName: 'n1', targetRef: await ref('a') },
        ],
        notReadyAddresses: [{ ip: '10.244.0.4', nodeName: 'n1', targetRef: await ref('b') }],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
        ],
      },
    ]);
    assert.deepEqual(ep.metadata.labels, { tier: 'front' });
    assert.match(ep.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const slices = await until(async () => {
      const l = await c.list<KubeObject>('/apis/discovery.k8s.io/v1/namespaces/web/endpointslices?labelSelector=kubernetes.io/service-name=web');
      return l.items.length === 1 && l.items[0].endpoints?.length === 3 ? l.items : undefined;
    }, 'endpoint slice');
    const sl = slices[0];
    assert.match(sl.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(sl.addressType, 'IPv4');
    assert.deepEqual(sl.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(sl.ports, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ]);
    const b = sl.endpoints.find((e: any) => e.targetRef.name === 'b');
    assert.deepEqual(b, { addresses: ['10.244.0.4'], conditions: { ready: false, serving: false, terminating: false }, targetRef: await ref('b'), nodeName: 'n1', zone: 'z1' });

    // pod b becomes ready; pod a goes away
    await c.patch('/api/v1/namespaces/web/pods/b/status', status('10.244.0.4', true), 'merge');
    await c.delete('/api/v1/namespaces/web/pods/a', { gracePeriodSeconds: 0 });
    await until(async () => {
      const e = await c.get<KubeObject>('/api/v1/namespaces/web/endpoints/web');
      return e.subsets?.length === 1 && e.subsets[0].addresses?.map((x: any) => x.ip).join() === '10.244.0.3,10.244.0.4' && !e.subsets[0].notReadyAddresses;
    }, 'endpoints after changes');

    // a Service without a selector: its Endpoints are the user's
    await c.create('/api/v1/namespaces/web/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ port: 5432 }] } });
    await c.create('/api/v1/namespaces/web/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432 }] }] });
    // a headless Service gets the headless label
    await c.create('/api/v1/namespaces/web/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hl' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    const hl = (await until(() => c.getOrNull<KubeObject>('/api/v1/namespaces/web/endpoints/hl'), 'headless endpoints'))!;
    assert.deepEqual(hl.metadata.labels, { 'service.kubernetes.io/headless': '' });
    assert.deepEqual(hl.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
    const extEp = await c.get<KubeObject>('/api/v1/namespaces/web/endpoints/ext');
    assert.deepEqual(extEp.subsets, [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432, protocol: 'TCP' }] }]);

    // the Service goes: its Endpoints go with it
    await c.delete('/api/v1/namespaces/web/services/web');
    await until(async () => !(await c.getOrNull('/api/v1/namespaces/web/endpoints/web')), 'endpoints deleted');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('desiredSubsets: named ports per pod, publishNotReadyAddresses, terminating and terminal pods, hostnames', async () => {
  const { desiredSubsets } = await import('../../src/controllers/endpoints/endpoints.js');
  const pod = (name: string, ip: string, port: number, o: { ready?: boolean; deleting?: boolean; phase?: string; hostname?: string } = {}): KubeObject => ({
    metadata: { name, namespace: 'ns', uid: `u-${name}`, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', ...(o.hostname ? { hostname: o.hostname, subdomain: 'svc' } : {}), containers: [{ name: 'c', ports: [{ name: 'web', containerPort: port }] }] },
    status: { phase: o.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  });
  const svc = (publish = false): KubeObject => ({ metadata: { name: 'svc', namespace: 'ns' }, spec: { clusterIP: '10.96.0.5', publishNotReadyAddresses: publish, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] } });
  const pods = [pod('a', '10.0.0.1', 8080), pod('b', '10.0.0.2', 9090, { hostname: 'b' }), pod('c', '10.0.0.3', 8080, { ready: false }), pod('d', '10.0.0.4', 8080, { deleting: true }), pod('e', '10.0.0.5', 8080, { phase: 'Succeeded' })];
  const out = desiredSubsets(svc(), pods);
  // pods whose named port resolves to different numbers land in different subsets
  assert.deepEqual(
    out.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports?.map((p) => p.port)]),
    [
      [['10.0.0.1'], ['10.0.0.3'], [8080]],
      [['10.0.0.2'], undefined, [9090]],
    ],
  );
  assert.equal(out[1].addresses![0].hostname, 'b');
  // publishNotReadyAddresses: every pod with an IP that is not finished is ready, terminating ones included
  const pub = desiredSubsets(svc(true), pods);
  assert.deepEqual(
    pub.map((s) => s.addresses?.map((a) => a.ip)),
    [['10.0.0.1', '10.0.0.3', '10.0.0.4'], ['10.0.0.2']],
  );
});
