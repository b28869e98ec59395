// The core controllers through kubectl on a server with simulated nodes: default service
// accounts, Endpoints and EndpointSlices for a Service's pods, leader election Leases, and the
// node lifecycle controller turning a node without a kubelet Unknown and evicting its pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually } from './harness.js';

const podYaml = (name: string, node: string, o: { ready?: boolean; labels?: Record<string, string> } = {}) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: e2e-core
  labels: ${JSON.stringify(o.labels ?? { app: 'web' })}
spec:
  nodeName: ${node}
  containers:
  - name: web
    image: nginx:1.25
    ports:
    - name: http
      containerPort: 8080
${o.ready === false ? '    readinessProbe:\n      httpGet: {port: 8080}\n      initialDelaySeconds: 3600\n' : ''}`;

test('core controllers: default service account, endpoints and slices, leases, node lifecycle', async () => {
  // sim nodes renew their Lease every 10 s, so the monitor grace period stays above that; a node
  // that never posts status is judged by the startup grace period
  process.env.SAMPAN_NODE_MONITOR_GRACE_PERIOD = '25s';
  process.env.SAMPAN_NODE_STARTUP_GRACE_PERIOD = '2s';
  const c = await startCluster({ extraArgs: ['--sim-nodes', '2'] });
  try {
    // the controller manager and the scheduler each hold their Lease
    const leases = await c.k('get leases -n kube-system');
    assert.match(leases, /^NAME\s+HOLDER\s+AGE\n/);
    assert.match(leases, /\nkube-controller-manager\s+[^\s_]+_[0-9a-f-]{36}\s+\d+s\n/);

    // a new namespace gets its default ServiceAccount
    assert.equal(await c.k('create namespace e2e-core'), 'namespace/e2e-core created\n');
    const sa = await eventually(async () => {
      const out = await c.k('get sa -n e2e-core');
      assert.match(out, /^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+\d+s\n$/);
      return out;
    });
    assert.ok(sa);
    // deleted, it comes back
    await c.k('delete sa default -n e2e-core');
    await eventually(async () => assert.match(await c.k('get sa -n e2e-core'), /\ndefault\s+0\s+\d+s\n$/));

    // a Service selecting three pods, one of them not ready
    await eventually(async () => assert.match(await c.k('get node sim-node-1'), /sim-node-1\s+Ready/));
    await c.k(['apply', '-f', '-'], podYaml('web-a', 'sim-node-0') + '---' + podYaml('web-b', 'sim-node-1') + '---' + podYaml('web-c', 'sim-node-1', { ready: false }) + '---' + podYaml('db', 'sim-node-0', { labels: { app: 'db' } }));
    await c.k(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: e2e-core
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
`);
    const ips = await eventually(
      async () => {
        const pods = JSON.parse(await c.k('get pods -n e2e-core -l app=web -o json')).items;
        assert.equal(pods.length, 3);
        for (const p of pods) assert.ok(p.status.podIP, `${p.metadata.name} has no IP yet`);
        return Object.fromEntries(pods.map((p: any) => [p.metadata.name, p.status.podIP as string]));
      },
      { timeoutMs: 20_000 },
    );
    const readyIPs = [ips['web-a'], ips['web-b']].sort();
    const ep = await eventually(async () => {
      const e = JSON.parse(await c.k('get endpoints web -n e2e-core -o json'));
      assert.deepEqual(
        e.subsets?.[0]?.addresses?.map((a: any) => a.ip),
        readyIPs,
      );
      assert.deepEqual(e.subsets[0].notReadyAddresses?.map((a: any) => a.ip), [ips['web-c']]);
      return e;
    });
    assert.equal(ep.subsets.length, 1);
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const a = ep.subsets[0].addresses.find((x: any) => x.ip === ips['web-a']);
    assert.equal(a.nodeName, 'sim-node-0');
    assert.deepEqual([a.targetRef.kind, a.targetRef.namespace, a.targetRef.name], ['Pod', 'e2e-core', 'web-a']);
    assert.match(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(await c.k('get endpoints web -n e2e-core'), new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nweb\\s+${readyIPs.map((ip) => `${ip.replace(/\./g, '\\.')}:8080`).join(',')}\\s+\\d+s\\n$`));

    const slices = await eventually(async () => {
      const out = await c.k('get endpointslices -n e2e-core -l kubernetes.io/service-name=web');
      const lines = out.trim().split('\n');
      assert.equal(lines.length, 2, out);
      assert.match(lines[0], /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
      const cols = lines[1].split(/\s+/);
      assert.match(cols[0], /^web-[a-z0-9]{5}$/);
      assert.deepEqual([cols[1], cols[2]], ['IPv4', '8080']);
      assert.deepEqual(cols[3].split(',').sort(), Object.values(ips).sort());
      return JSON.parse(await c.k('get endpointslices -n e2e-core -l kubernetes.io/service-name=web -o json')).items;
    });
    const slice = slices[0];
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(
      slice.metadata.ownerReferences.map((r: any) => [r.apiVersion, r.kind, r.name, r.controller, r.blockOwnerDeletion]),
      [['v1', 'Service', 'web', true, true]],
    );
    const c3 = slice.endpoints.find((e: any) => e.targetRef.name === 'web-c');
    assert.deepEqual(c3.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(c3.nodeName, 'sim-node-1');

    // a pod that goes away leaves both
    await c.k('delete pod web-a -n e2e-core --wait=false');
    await eventually(async () => {
      const e = JSON.parse(await c.k('get endpoints web -n e2e-core -o json'));
      assert.deepEqual(e.subsets[0].addresses?.map((x: any) => x.ip), [ips['web-b']]);
    });
    await eventually(async () => {
      const s = JSON.parse(await c.k('get endpointslices -n e2e-core -l kubernetes.io/service-name=web -o json')).items[0];
      assert.deepEqual(s.endpoints.map((e: any) => e.targetRef.name).sort(), ['web-b', 'web-c']);
    });

    // a Service without a selector keeps the Endpoints its user writes
    await c.k(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata:
  name: external-db
  namespace: e2e-core
spec:
  ports:
  - port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-db
  namespace: e2e-core
subsets:
- addresses:
  - ip: 192.168.10.20
  ports:
  - port: 5432
`);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(await c.k('get endpoints external-db -n e2e-core'), /\nexternal-db\s+192\.168\.10\.20:5432\s+\d+s\n$/);

    // node lifecycle: a node created by hand has no kubelet; it goes Unknown and is tainted
    await c.k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata:\n  name: handmade\n');
    await c.k(['apply', '-f', '-'], podYaml('stranded', 'handmade', { labels: { app: 'stranded' } }));
    await eventually(
      async () => {
        const out = await c.k('get node handmade');
        // Ready=Unknown prints as NotReady (Unknown is for a node with no Ready condition at all)
        assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nhandmade\s+NotReady\s+<none>\s+\d+s\s+\n$/);
        const taints = JSON.parse(await c.k(['get', 'node', 'handmade', '-o', 'jsonpath={.spec.taints}']));
        assert.deepEqual(taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
      },
      { timeoutMs: 20_000 },
    );
    const ready = JSON.parse(await c.k(['get', 'node', 'handmade', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}']));
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
    // its pod does not tolerate the taint: it is evicted (and stays Terminating: no kubelet confirms it)
    await eventually(async () => assert.match(await c.k('get pod stranded -n e2e-core'), /\nstranded\s+0\/1\s+Terminating\s+/), { timeoutMs: 10_000 });
    const events = await eventually(async () => {
      const out = await c.k('get events -n e2e-core --field-selector reason=TaintManagerEviction');
      assert.match(out, /Marking for deletion Pod e2e-core\/stranded/);
      return out;
    });
    assert.match(events, /Normal\s+TaintManagerEviction\s+pod\/stranded\s+Marking for deletion Pod e2e-core\/stranded/);
    // the simulated nodes stay Ready and untainted
    const nodes = await c.k('get nodes');
    assert.match(nodes, /\nsim-node-0\s+Ready\s+/);
    assert.match(nodes, /\nsim-node-1\s+Ready\s+/);
    assert.equal((await c.k(['get', 'node', 'sim-node-0', '-o', 'jsonpath={.spec.taints}'])).trim(), '');
    assert.match(await c.k('get events'), /RegisteredNode\s+node\/handmade\s+Node handmade event: Registered Node handmade in Controller/);
  } finally {
    await c.stop();
    c.cleanup();
  }
});
