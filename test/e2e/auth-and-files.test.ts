// Bearer tokens from a token file, client certificates, and create -f with directories, Lists and -R.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startCluster } from './harness.js';

test('token file users authenticate; bad tokens get 401; files, directories and Lists create', async () => {
  const tdir = mkdtempSync(join(tmpdir(), 'sampan-tokens-'));
  const tokenFile = join(tdir, 'tokens.csv');
  writeFileSync(tokenFile, 's3cr3t-token,alice,1001,"devs,ops"\n');
  const c = await startCluster({ extraArgs: ['--token-auth-file', tokenFile] });
  try {
    const server = c.url;
    const ca = join(c.dir, 'pki', 'ca.crt');
    const asAlice = ['--kubeconfig', '/dev/null', '--server', server, '--certificate-authority', ca, '--token', 's3cr3t-token'];
    const ok = await c.kubectl([...asAlice, 'get', 'ns', 'default', '-o', 'name']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'namespace/default\n');
    const who = await c.kubectl([...asAlice, 'create', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}', '-f', '-'], { input: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.stdout, 'alice ["devs","ops","system:authenticated"]');
    const bad = await c.kubectl(['--kubeconfig', '/dev/null', '--server', server, '--certificate-authority', ca, '--token', 'wrong', 'get', 'ns']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
    const admin = await c.k('auth whoami -o jsonpath={.status.userInfo.username}');
    assert.equal(admin, 'kubernetes-admin');

    // create -f with a directory, -R, a List and multi-document YAML
    const dir = join(c.dir, 'manifests');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, '00-ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: files\n');
    writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l1', namespace: 'files' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l2', namespace: 'files' } }] }));
    writeFileSync(join(dir, 'sub', 'deep.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n  namespace: files\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: deep\n  namespace: files\nstringData:\n  k: v\n');
    const flat = await c.kubectl(['create', '-f', dir]);
    assert.equal(flat.code, 0, flat.stderr);
    assert.equal(flat.stdout, 'namespace/files created\nconfigmap/l1 created\nconfigmap/l2 created\n');
    const rec = await c.kubectl(['create', '-R', '-f', join(dir, 'sub')]);
    assert.equal(rec.code, 0, rec.stderr);
    assert.equal(rec.stdout, 'configmap/deep created\nsecret/deep created\n');
    assert.equal(await c.k(['get', 'secret', 'deep', '-n', 'files', '-o', 'jsonpath={.data.k}']), Buffer.from('v').toString('base64'));
    assert.equal(await c.k(['delete', '-f', join(dir, 'list.json')]), 'configmap "l1" deleted\nconfigmap "l2" deleted\n');

    // kubectl config works on the kubeconfig the server wrote
    const ctx = (await c.kubectl(['config', 'current-context'])).stdout.trim();
    assert.ok(ctx.length > 0);
    assert.match(await c.k('config get-contexts'), new RegExp(`^\\*\\s+${ctx.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    assert.match(await c.k('config view --minify'), /certificate-authority-data: DATA\+OMITTED/);
    assert.equal(await c.k('config set-context --current --namespace=kube-system'), `Context "${ctx}" modified.\n`);
    assert.match(await c.k('get svc -o name'), /^$/);
    assert.equal(await c.k(['config', 'set-credentials', 'alice', '--token=s3cr3t-token']), 'User "alice" set.\n');
    assert.equal(await c.k(['config', 'set-context', 'alice', `--cluster=${(await c.k(['config', 'view', '-o', 'jsonpath={.contexts[0].context.cluster}']))}`, '--user=alice']), 'Context "alice" created.\n');
    assert.equal(await c.k('config use-context alice'), 'Switched to context "alice".\n');
    assert.equal(await c.k('auth whoami -o jsonpath={.status.userInfo.username}'), 'alice');
  } finally {
    await c.stop();
    c.cleanup();
  }
});
