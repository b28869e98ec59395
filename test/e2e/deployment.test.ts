// Deployments through kubectl on simulated nodes: create, scale, set image/env/resources, rollout
// status/history/undo/pause/resume/restart, Recreate, the progress deadline, describe and -o wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const rsNames = async (c: Cluster, app: string) => JSON.parse(await c.k(`get rs -l app=${app} -o json`)).items.map((r: any) => ({ name: r.metadata.name, replicas: r.spec.replicas, revision: r.metadata.annotations['deployment.kubernetes.io/revision'], image: r.spec.template.spec.containers[0].image }));
const status = async (c: Cluster, name: string) => c.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=40s']);
const rows = (out: string) => out.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));

test('deployments: rollouts, history, undo, pause/resume, restart, scale and kubectl output', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    assert.equal(await c.k('create deployment web --image=nginx:1.25 --replicas=3'), 'deployment.apps/web created\n');
    const first = await status(c, 'web');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /deployment "web" successfully rolled out\n$/);
    const [rs1] = await rsNames(c, 'web');
    assert.match(rs1.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs1.revision, '1');

    // -o wide columns for both kinds
    const wide = await c.k('get deploy,rs -o wide');
    const [dHead, dRow, , rHead, rRow] = wide.split('\n');
    assert.deepEqual(dHead.split(/\s+/), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.match(dRow, /^deployment\.apps\/web\s+3\/3\s+3\s+3\s+\d+s\s+nginx\s+nginx:1\.25\s+app=web$/);
    assert.deepEqual(rHead.split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.match(rRow, new RegExp(`^replicaset\\.apps/${rs1.name}\\s+3\\s+3\\s+3\\s+\\d+s\\s+nginx\\s+nginx:1\\.25\\s+app=web,pod-template-hash=${rs1.name.slice(4)}$`));
    const d1 = JSON.parse(await c.k('get deploy web -o json'));
    assert.equal(d1.metadata.generation, 1, 'the revision annotation is written with the status, not as a spec change');
    assert.equal(d1.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      d1.status.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
        ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs1.name}" has successfully progressed.`],
      ],
    );
    assert.deepEqual({ ...d1.status, conditions: undefined }, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined });

    // scale changes only the active ReplicaSet
    assert.equal(await c.k('scale deployment web --replicas=4'), 'deployment.apps/web scaled\n');
    await eventually(async () => assert.match(await c.k('get deploy web --no-headers'), /^web\s+4\/4\s+4\s+4\s/), { timeoutMs: 20_000 });

    // set image: a second ReplicaSet, rollout status waits for it
    assert.equal(await c.k('set image deployment/web nginx=nginx:1.26'), 'deployment.apps/web image updated\n');
    const second = await status(c, 'web');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /deployment "web" successfully rolled out\n$/);
    await c.k(['annotate', 'deployment/web', 'kubernetes.io/change-cause=image updated to 1.26']);
    await eventually(async () => assert.equal(await c.k('rollout history deployment/web'), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image updated to 1.26\n\n'));
    const rev2 = await c.k('rollout history deployment/web --revision=2');
    assert.match(rev2, /^deployment\.apps\/web with revision #2\nPod Template:\n/);
    assert.match(rev2, /Image:\tnginx:1\.26\n/);
    assert.match(rev2, /kubernetes\.io\/change-cause: image updated to 1\.26/);

    // describe: conditions, replica sets and the controller's events
    const desc = await c.k('describe deployment web');
    assert.match(desc, /Conditions:\n  Type           Status  Reason\n  ----           ------  ------\n  Available      True    MinimumReplicasAvailable\n  Progressing    True    NewReplicaSetAvailable\n/);
    assert.match(desc, /Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable/);
    assert.match(desc, new RegExp(`ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rs1.name} from 0 to 3`));
    assert.match(desc, new RegExp(`Scaled up replica set ${rs1.name} from 3 to 4`));
    assert.match(desc, new RegExp(`Scaled down replica set ${rs1.name} from \\d to 0`));

    // undo goes back to revision 1's template, which becomes revision 3
    assert.equal(await c.k('rollout undo deployment/web'), 'deployment.apps/web rolled back\n');
    assert.equal((await status(c, 'web')).code, 0);
    await eventually(async () => assert.equal(await c.k('rollout history deployment/web'), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         image updated to 1.26\n3         <none>\n\n'));
    const afterUndo = await rsNames(c, 'web');
    assert.equal(afterUndo.length, 2, 'the old ReplicaSet is reused, not recreated');
    assert.deepEqual(afterUndo.find((r: any) => r.name === rs1.name), { name: rs1.name, replicas: 4, revision: '3', image: 'nginx:1.25' });
    const rsObj = JSON.parse(await c.k(`get rs ${rs1.name} -o json`));
    assert.equal(rsObj.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(await c.k('rollout undo deployment/web --to-revision=2'), 'deployment.apps/web rolled back\n');
    assert.equal((await status(c, 'web')).code, 0);
    assert.equal(JSON.parse(await c.k('get deploy web -o json')).spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal((await c.kubectl(['rollout', 'undo', 'deployment/web', '--to-revision=9'])).stderr, 'error: unable to find specified revision 9 in history\n');

    // paused: template edits wait; resume makes one rollout with all of them
    assert.equal(await c.k('rollout pause deployment/web'), 'deployment.apps/web paused\n');
    await c.k('set image deployment/web nginx=nginx:1.27');
    assert.equal(await c.k('set env deployment/web MODE=fast'), 'deployment.apps/web env updated\n');
    await c.k(['set', 'resources', 'deployment/web', '--limits=cpu=200m,memory=128Mi']);
    await eventually(async () => {
      const d = JSON.parse(await c.k('get deploy web -o json'));
      assert.equal(d.status.observedGeneration, d.metadata.generation);
      assert.deepEqual(d.status.conditions.find((x: any) => x.type === 'Progressing').reason, 'DeploymentPaused');
    });
    assert.equal((await rsNames(c, 'web')).length, 2, 'no ReplicaSet while paused');
    assert.equal(await c.k('rollout resume deployment/web'), 'deployment.apps/web resumed\n');
    assert.equal((await status(c, 'web')).code, 0);
    const afterResume = await rsNames(c, 'web');
    assert.equal(afterResume.length, 3);
    const rs4 = JSON.parse(await c.k('get rs -l app=web -o json')).items.find((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '5');
    assert.equal(rs4.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.deepEqual(rs4.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'fast' }]);
    assert.deepEqual(rs4.spec.template.spec.containers[0].resources, { limits: { cpu: '200m', memory: '128Mi' } });

    // restart: a new template (restartedAt), a new ReplicaSet
    assert.equal(await c.k('rollout restart deployment/web'), 'deployment.apps/web restarted\n');
    assert.equal((await status(c, 'web')).code, 0);
    const restarted = JSON.parse(await c.k('get deploy web -o json'));
    assert.ok(restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.equal(restarted.metadata.annotations['deployment.kubernetes.io/revision'], '6');
    const pods = JSON.parse(await c.k('get pods -l app=web -o json')).items.filter((p: any) => !p.metadata.deletionTimestamp);
    await eventually(async () => {
      const live = JSON.parse(await c.k('get pods -l app=web -o json')).items.filter((p: any) => !p.metadata.deletionTimestamp);
      assert.equal(live.length, 4);
      for (const p of live) assert.ok(p.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    }, { timeoutMs: 20_000 });
    assert.ok(pods.length >= 4);
  } finally {
    await c.stop();
    c.cleanup();
  }
});

test('deployments: Recreate, progress deadline, revisionHistoryLimit and adoption of an orphaned ReplicaSet', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    const manifest = (name: string, spec: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n${spec}  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1\n`;
    // Recreate: every old pod goes before a new one is created
    await c.k(['apply', '-f', '-'], manifest('rec', '  replicas: 3\n  strategy: {type: Recreate}\n'));
    assert.equal((await status(c, 'rec')).code, 0);
    await c.k('set image deployment/rec c=nginx:2');
    assert.equal((await status(c, 'rec')).code, 0);
    const [oldRS, newRS] = (await rsNames(c, 'rec')).sort((a: any, b: any) => a.revision - b.revision);
    const events = JSON.parse(await c.k('get events --field-selector involvedObject.kind=Deployment,involvedObject.name=rec -o json')).items.map((e: any) => e.message);
    assert.deepEqual(events.filter((m: string) => m.startsWith('Scaled')).sort(), [`Scaled down replica set ${oldRS.name} from 3 to 0`, `Scaled up replica set ${newRS.name} from 0 to 3`, `Scaled up replica set ${oldRS.name} from 0 to 3`].sort());
    const newPods = JSON.parse(await c.k(`get pods -l pod-template-hash=${newRS.name.slice(4)} -o json`)).items;
    const oldPodsGone = JSON.parse(await c.k(`get events --field-selector involvedObject.name=${oldRS.name},reason=SuccessfulDelete -o json`)).items;
    assert.equal(oldPodsGone.length >= 1, true);
    assert.equal(newPods.length, 3);

    // a pod no node can take: the rollout stalls within surge/unavailable, then the deadline passes
    await c.k(['apply', '-f', '-'], manifest('stuck', '  replicas: 3\n  progressDeadlineSeconds: 2\n'));
    assert.equal((await status(c, 'stuck')).code, 0);
    await c.k(['patch', 'deployment', 'stuck', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"none"}}}}}']);
    const timedOut = await status(c, 'stuck');
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.stdout, /Waiting for deployment "stuck" rollout to finish: 1 out of 3 new replicas have been updated\.\.\./);
    assert.equal(timedOut.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
    const stuck = JSON.parse(await c.k('get deploy stuck -o json'));
    const stuckRS = (await rsNames(c, 'stuck')).find((r: any) => r.revision === '2');
    assert.deepEqual(
      stuck.status.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
        ['Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${stuckRS.name}" has timed out progressing.`],
      ],
    );
    assert.match(await c.k('get deploy stuck --no-headers'), /^stuck\s+3\/3\s+1\s+3\s/);

    // revisionHistoryLimit: 1 keeps one old ReplicaSet
    await c.k(['apply', '-f', '-'], manifest('hist', '  replicas: 1\n  revisionHistoryLimit: 1\n'));
    for (const tag of ['2', '3', '4']) {
      await c.k(`set image deployment/hist c=nginx:${tag}`);
      assert.equal((await status(c, 'hist')).code, 0);
    }
    await eventually(async () => assert.deepEqual((await rsNames(c, 'hist')).map((r: any) => r.revision).sort(), ['3', '4']));
    assert.equal(await c.k('rollout history deployment/hist'), 'deployment.apps/hist \nREVISION  CHANGE-CAUSE\n3         <none>\n4         <none>\n\n');

    // orphaned ReplicaSets (delete --cascade=orphan) are adopted by a new Deployment with the same template
    await c.k('delete deployment rec --cascade=orphan');
    await eventually(async () => {
      const r = JSON.parse(await c.k(`get rs ${newRS.name} -o json`));
      assert.equal(r.metadata.ownerReferences, undefined);
    });
    await c.k(['apply', '-f', '-'], manifest('rec', '  replicas: 3\n  strategy: {type: Recreate}\n').replace('image: nginx:1', 'image: nginx:2'));
    await eventually(async () => {
      const r = JSON.parse(await c.k(`get rs ${newRS.name} -o json`));
      assert.equal(r.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    });
    assert.equal((await status(c, 'rec')).code, 0);
    assert.equal((await rsNames(c, 'rec')).length, 2, 'no new ReplicaSet for the same template');
  } finally {
    await c.stop();
    c.cleanup();
  }
});

test('deployments: a server killed mid-rollout resumes it without duplicate pods or ReplicaSets', async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '3'] });
  try {
    await c.k('create deployment crash --image=nginx:1 --replicas=6');
    assert.equal((await status(c, 'crash')).code, 0);
    await c.k('set image deployment/crash nginx=nginx:2');
    await c.kill9();
    await c.restart();
    const r = await status(c, 'crash');
    assert.equal(r.code, 0, r.stderr);
    const sets = await rsNames(c, 'crash');
    assert.equal(sets.length, 2);
    assert.deepEqual(sets.map((s: any) => s.replicas).sort(), [0, 6]);
    await eventually(async () => {
      const pods = JSON.parse(await c.k('get pods -l app=crash -o json')).items.filter((p: any) => !p.metadata.deletionTimestamp);
      assert.equal(pods.length, 6);
      for (const p of pods) assert.equal(p.spec.containers[0].image, 'nginx:2');
    }, { timeoutMs: 20_000 });
    assert.match(await c.k('get deploy crash --no-headers'), /^crash\s+6\/6\s+6\s+6\s/);
  } finally {
    await c.stop();
    c.cleanup();
  }
});
