// kubectl delete --cascade=background|foreground|orphan through the garbage collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually } from './harness.js';

test('cascading deletion: background, foreground and orphan', async () => {
  const c = await startCluster();
  try {
    await c.k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gc\n');
    const makeFamily = async (owner: string) => {
      await c.k(['apply', '-f', '-'], `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${owner}\n  namespace: gc\nspec:\n  selector:\n    matchLabels: {app: ${owner}}\n  template:\n    metadata:\n      labels: {app: ${owner}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n`);
      const uid = JSON.parse(await c.k(`get deploy ${owner} -n gc -o json`)).metadata.uid;
      for (const child of ['a', 'b']) {
        await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${owner}-${child}`, namespace: 'gc', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid, controller: true, blockOwnerDeletion: true }] } }));
      }
    };
    await makeFamily('bg');
    assert.equal(await c.k('delete deploy bg -n gc'), 'deployment.apps "bg" deleted\n');
    await eventually(async () => assert.equal((await c.k(['get', 'cm', '-n', 'gc', '-o', 'name'])).includes('bg-'), false));

    await makeFamily('fg');
    assert.equal(await c.k('delete deploy fg -n gc --cascade=foreground'), 'deployment.apps "fg" deleted\n');
    const left = await c.kubectl(['get', 'deploy', 'fg', '-n', 'gc']);
    assert.match(left.stderr, /NotFound/, 'kubectl waited until the owner was gone');
    assert.equal((await c.k(['get', 'cm', '-n', 'gc', '-o', 'name'])).includes('fg-'), false, 'dependents went first');

    await makeFamily('or');
    assert.equal(await c.k('delete deploy or -n gc --cascade=orphan'), 'deployment.apps "or" deleted\n');
    await eventually(async () => assert.match((await c.kubectl(['get', 'deploy', 'or', '-n', 'gc'])).stderr, /NotFound/));
    const orphan = JSON.parse(await c.k('get cm or-a -n gc -o json'));
    assert.equal(orphan.metadata.ownerReferences, undefined, 'orphans lose the owner reference');

    // a dependent created while its owner is already gone is collected
    await c.k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dangling', namespace: 'gc', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never-existed', uid: '00000000-0000-0000-0000-000000000000' }] } }));
    await eventually(async () => assert.match((await c.kubectl(['get', 'cm', 'dangling', '-n', 'gc'])).stderr, /NotFound/));
  } finally {
    await c.stop();
    c.cleanup();
  }
});
