// DaemonSets through kubectl on simulated nodes: one pod per node, taints and tolerations,
// rollout status, rolling update, undo to revision 1 creating revision 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually } from './harness.js';

const ds = (name: string, o: { image?: string; tolerations?: string } = {}) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
${o.tolerations ?? ''}      containers:
      - name: agent
        image: ${o.image ?? 'busybox:1.36'}
`;

test('DaemonSet: one pod per node, taints, rolling update, undo to revision 1 makes revision 3', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await eventually(async () => assert.equal((await c.k('get nodes -o name')).trim().split('\n').length, 3), { timeoutMs: 20_000 });
    assert.equal(await c.k(['apply', '-f', '-'], ds('agent')), 'daemonset.apps/agent created\n');
    const status = await c.k('rollout status ds/agent --timeout=30s');
    assert.ok(status.endsWith('daemon set "agent" successfully rolled out\n'), status);
    assert.match(await c.k('get ds agent'), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\S+\n$/);
    const nodesOf = async (app: string) => (await c.k(['get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])).trim().split('\n').filter(Boolean).sort();
    assert.deepEqual(await nodesOf('agent'), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
    const pod = JSON.parse(await c.k('get pods -l app=agent -o json')).items[0];
    assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }]);
    assert.deepEqual(
      pod.spec.tolerations.filter((t: any) => t.key.startsWith('node.kubernetes.io/')).map((t: any) => `${t.key}:${t.operator}:${t.effect}:${t.tolerationSeconds ?? ''}`),
      ['node.kubernetes.io/not-ready:Exists:NoExecute:', 'node.kubernetes.io/unreachable:Exists:NoExecute:', 'node.kubernetes.io/disk-pressure:Exists:NoSchedule:', 'node.kubernetes.io/memory-pressure:Exists:NoSchedule:', 'node.kubernetes.io/pid-pressure:Exists:NoSchedule:', 'node.kubernetes.io/unschedulable:Exists:NoSchedule:'],
    );
    const events = await c.k(['get', 'events', '--field-selector', 'involvedObject.kind=DaemonSet', '-o', 'jsonpath={range.items[*]}{.reason}:{.message}{"\\n"}{end}']);
    assert.match(events, new RegExp(`SuccessfulCreate:Created pod: ${pod.metadata.name}\\n`));

    // a tainted node gets no pod unless the DaemonSet tolerates the taint
    assert.equal(await c.k('taint nodes sim-node-2 dedicated=infra:NoSchedule'), 'node/sim-node-2 tainted\n');
    await c.k(['apply', '-f', '-'], ds('plain'));
    await c.k(['apply', '-f', '-'], ds('tolerant', { tolerations: '      tolerations:\n      - {key: dedicated, operator: Equal, value: infra, effect: NoSchedule}\n' }));
    await eventually(async () => assert.deepEqual(await nodesOf('tolerant'), ['sim-node-0', 'sim-node-1', 'sim-node-2']), { timeoutMs: 20_000 });
    await eventually(async () => assert.deepEqual(await nodesOf('plain'), ['sim-node-0', 'sim-node-1']), { timeoutMs: 20_000 });
    assert.match(await c.k('get ds plain'), /\nplain\s+2\s+2\s+2\s+2\s+2\s+<none>/);
    // the already-running agent pod stays (NoSchedule), it is just not counted as desired
    assert.deepEqual(await nodesOf('agent'), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
    await eventually(async () => assert.equal(await c.k('get ds agent -o jsonpath={.status.numberMisscheduled}/{.status.desiredNumberScheduled}'), '1/2'));
    // NoExecute evicts the pods that do not tolerate it
    await c.k('taint nodes sim-node-2 dedicated=infra:NoExecute');
    await eventually(async () => assert.deepEqual(await nodesOf('agent'), ['sim-node-0', 'sim-node-1']), { timeoutMs: 20_000 });
    await c.k('taint nodes sim-node-2 dedicated-');
    await eventually(async () => assert.deepEqual(await nodesOf('plain'), ['sim-node-0', 'sim-node-1', 'sim-node-2']), { timeoutMs: 20_000 });
    await c.k('rollout status ds/agent --timeout=30s');
    await c.k('delete ds plain tolerant');

    // rolling update, then undo to revision 1: history shows 2 and 3
    await c.k('set image ds/agent agent=busybox:1.37');
    const rolled = await c.k('rollout status ds/agent --timeout=40s');
    assert.match(rolled, /Waiting for daemon set "agent" rollout to finish: \d out of 3 new pods have been updated\.\.\.\n/);
    assert.ok(rolled.endsWith('daemon set "agent" successfully rolled out\n'), rolled);
    assert.equal(await c.k('rollout history ds/agent'), 'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    assert.equal(await c.k('rollout undo ds/agent --to-revision=1'), 'daemonset.apps/agent rolled back\n');
    await c.k('rollout status ds/agent --timeout=40s');
    assert.equal(await c.k('rollout history ds/agent'), 'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
    const images = (await c.k(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {end}'])).trim();
    assert.equal(images, 'busybox:1.36 busybox:1.36 busybox:1.36');
    const hist = await c.k('get controllerrevisions -l app=agent');
    assert.match(hist, /^NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
    assert.match(hist, /\nagent-\S+\s+daemonset\.apps\/agent\s+3\s+/);
    const r3 = JSON.parse(await c.k('get controllerrevisions -l app=agent -o json')).items.find((r: any) => r.revision === 3);
    assert.equal(r3.metadata.annotations['deprecated.daemonset.template.generation'], '1');
    assert.equal(r3.data.spec.template.$patch, 'replace');
    assert.equal(await c.k('rollout undo ds/agent --to-revision=3'), 'daemonset.apps/agent skipped rollback (current template already matches revision 3)\n');
  } finally {
    await c.stop();
    c.cleanup();
  }
});
