// Simulated nodes through kubectl: `sampan server --sim-nodes 3` and `sampan sim-nodes` as a
// separate process against a server without simulated nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startCluster, eventually, mainJs, type Cluster } from './harness.js';

const cidrContains = (cidr: string, ip: string) => {
  const [base, bits] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  return n(ip) >= n(base) && n(ip) < n(base) + size;
};

const podYaml = (name: string, node: string, o: { restartPolicy?: string; annotations?: Record<string, string>; grace?: number } = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { nodeName: node, ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}), ...(o.grace !== undefined ? { terminationGracePeriodSeconds: o.grace } : {}), containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });

async function podRow(c: Cluster, name: string): Promise<string[]> {
  const out = await c.k(['get', 'pod', name, '--no-headers']);
  return out.trim().split(/\s{2,}/);
}

test('server --sim-nodes 3: Ready nodes, pods Running with IPs from the podCIDR, completion, failure, graceful delete, lease heartbeats', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    const lease0 = await eventually(async () => JSON.parse(await c.k('get lease sim-node-0 -n kube-node-lease -o json')));
    const renew0 = lease0.spec.renewTime as string;
    assert.equal(lease0.spec.holderIdentity, 'sim-node-0');
    assert.equal(lease0.spec.leaseDurationSeconds, 40);

    const nodes = await eventually(async () => {
      const out = await c.k('get nodes');
      const lines = out.trim().split('\n');
      assert.equal(lines.length, 4, out);
      return lines;
    });
    assert.match(nodes[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    for (let i = 0; i < 3; i++) assert.match(nodes[i + 1], new RegExp(`^sim-node-${i}\\s+Ready\\s+<none>\\s+\\d+s\\s+v1\\.32\\.0$`));

    const wide = (await c.k('get nodes -o wide')).trim().split('\n');
    assert.match(wide[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    assert.match(wide[1], /^sim-node-0\s+Ready\s+<none>\s+\d+s\s+v1\.32\.0\s+10\.255\.0\.1\s+<none>\s+Sampan simulated node\s+6\.1\.0-sim\s+sim:\/\/1\.0$/);

    const podCIDR = await eventually(async () => {
      const cidr = (await c.k(['get', 'node', 'sim-node-1', '-o', 'jsonpath={.spec.podCIDR}'])).trim();
      assert.match(cidr, /^10\.244\.\d+\.0\/24$/);
      return cidr;
    });

    // a pod bound by hand (no scheduler involved)
    assert.equal(await c.k(['run', 'web', '--image=nginx:1.25', '--overrides={"spec":{"nodeName":"sim-node-1"}}']), 'pod/web created\n');
    await eventually(async () => assert.deepEqual((await podRow(c, 'web')).slice(0, 4), ['web', '1/1', 'Running', '0']));
    const w = (await c.k('get pod web -o wide')).trim().split('\n');
    assert.match(w[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const cols = w[1].split(/\s+/);
    assert.deepEqual([cols[0], cols[1], cols[2], cols[3], cols[6], cols[7], cols[8]], ['web', '1/1', 'Running', '0', 'sim-node-1', '<none>', '<none>']);
    assert.ok(cidrContains(podCIDR, cols[5]), `pod IP ${cols[5]} inside ${podCIDR}`);
    const pod = JSON.parse(await c.k('get pod web -o json'));
    assert.equal(pod.status.hostIP, '10.255.0.2');
    assert.equal(pod.status.qosClass, 'BestEffort');
    assert.deepEqual(pod.status.conditions.map((x: any) => `${x.type}=${x.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const cs = pod.status.containerStatuses[0];
    assert.equal(cs.name, 'web');
    assert.equal(cs.image, 'nginx:1.25');
    assert.match(cs.containerID, /^sim:\/\/[0-9a-f]{64}$/);
    assert.deepEqual([cs.ready, cs.started, cs.restartCount], [true, true, 0]);
    assert.ok(cs.state.running.startedAt);
    const events = await c.k(['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}']);
    assert.match(events, /Started:Started container web/);

    // run to completion, and a failure with an exit code
    await c.k(['apply', '-f', '-'], podYaml('once', 'sim-node-0', { restartPolicy: 'Never' }));
    await c.k(['apply', '-f', '-'], podYaml('boom', 'sim-node-2', { restartPolicy: 'Never', annotations: { 'sim.sampan.io/exit-code': '3' } }));
    await eventually(async () => assert.deepEqual((await podRow(c, 'once')).slice(0, 4), ['once', '0/1', 'Completed', '0']));
    await eventually(async () => assert.deepEqual((await podRow(c, 'boom')).slice(0, 4), ['boom', '0/1', 'Error', '0']));
    const boom = JSON.parse(await c.k('get pod boom -o json'));
    assert.equal(boom.status.phase, 'Failed');
    assert.equal(boom.status.containerStatuses[0].state.terminated.exitCode, 3);
    assert.equal(boom.status.containerStatuses[0].state.terminated.reason, 'Error');

    // delete: Terminating until the node has stopped it (grace capped at 1 s), then gone
    assert.equal(await c.k('delete pod web --wait=false'), 'pod "web" deleted\n');
    assert.equal((await podRow(c, 'web'))[2], 'Terminating');
    await eventually(async () => assert.match((await c.kubectl(['get', 'pod', 'web'])).stderr, /pods "web" not found/), { timeoutMs: 10_000 });

    // the lease is renewed every 10 s
    await eventually(async () => {
      const now = JSON.parse(await c.k('get lease sim-node-0 -n kube-node-lease -o json')).spec.renewTime as string;
      assert.ok(Date.parse(now) > Date.parse(renew0), `renewTime ${now} after ${renew0}`);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  } finally {
    await c.stop();
    c.cleanup();
  }
});

test('sampan sim-nodes --count 2 --kubeconfig: a separate process registers nodes and runs pods', async () => {
  const c = await startCluster();
  const bad = spawn(process.execPath, [mainJs, 'sim-nodes', '--count', '0', '--kubeconfig', c.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr!.on('data', (d) => (badErr += d));
  const badCode = await new Promise((r) => bad.on('exit', r));
  assert.equal(badCode, 1);
  assert.equal(badErr, 'sampan sim-nodes: invalid --count "0": want a positive integer\n');

  const sim = spawn(process.execPath, [mainJs, 'sim-nodes', '--count', '2', '--kubeconfig', c.kubeconfig, '--name-prefix', 'ext-', '--cpu', '4', '--memory', '8Gi', '--labels', 'zone=a', '--taints', 'dedicated=sim:NoSchedule', '--max-grace-seconds', '3'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAMPAN_LOG_LEVEL: 'warn' },
  });
  let out = '';
  sim.stdout!.on('data', (d) => (out += d));
  try {
    await eventually(async () => assert.match(out, /^2 simulated nodes running against https:\/\/127\.0\.0\.1:\d+: ext-0, ext-1\n$/));
    const nodes = await eventually(async () => {
      const o = await c.k('get nodes -L zone');
      assert.match(o, /ext-0\s+Ready\s+<none>\s+\d+s\s+v1\.32\.0\s+a\n/);
      assert.match(o, /ext-1\s+Ready\s+<none>\s+\d+s\s+v1\.32\.0\s+a\n/);
      return o;
    });
    assert.ok(nodes);
    const n = JSON.parse(await c.k('get node ext-1 -o json'));
    assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
    assert.equal(n.status.capacity.cpu, '4');
    assert.equal(n.status.allocatable.memory, '8Gi');
    await c.k(['apply', '-f', '-'], podYaml('p', 'ext-1', { grace: 2 }));
    await eventually(async () => assert.deepEqual((await podRow(c, 'p')).slice(0, 3), ['p', '1/1', 'Running']));
    const ip = JSON.parse(await c.k('get pod p -o json')).status.podIP;
    assert.ok(cidrContains(await c.k(['get', 'node', 'ext-1', '-o', 'jsonpath={.spec.podCIDR}']), ip));

    // grace 2 s (under the 3 s cap) is waited out
    const t0 = Date.now();
    await c.k('delete pod p --wait=false');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await podRow(c, 'p'))[2], 'Terminating', 'still terminating within its grace period');
    await eventually(async () => assert.match((await c.kubectl(['get', 'pod', 'p'])).stderr, /not found/), { timeoutMs: 10_000 });
    assert.ok(Date.now() - t0 >= 1900, `removed after the grace period (${Date.now() - t0} ms)`);
  } finally {
    sim.kill('SIGTERM');
    await new Promise((r) => (sim.exitCode !== null ? r(null) : sim.on('exit', r)));
    await c.stop();
    c.cleanup();
  }
});
