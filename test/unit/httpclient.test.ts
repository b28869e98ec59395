// The HTTPS client against a real in-process server: CRUD, Status → ApiError, watch streams,
// an informer running over it, and kubeconfig loading (embedded data, files, tokens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { httpClient, errorFromResponse } from '../../src/client/http.js';
import { loadKubeconfig, credentialsFromKubeconfig } from '../../src/client/kubeconfig.js';
import { newInformer, keyOf } from '../../src/client/informer.js';
import type { WatchEventOut } from '../../src/apiserver/watch.js';

const until = async (f: () => boolean, what: string) => {
  for (let i = 0; i < 300; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`condition not reached: ${what}`);
};

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { app: 'http' } }, data });

test('errorFromResponse: a Status body keeps reason, message and details; other bodies get the code', () => {
  const e = errorFromResponse(404, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', code: 404, details: { name: 'x', kind: 'pods' } }));
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 404);
  assert.equal(e.reason, 'NotFound');
  assert.equal(e.message, 'pods "x" not found');
  assert.deepEqual(e.details, { name: 'x', kind: 'pods' });
  const t = errorFromResponse(503, 'overloaded\n');
  assert.equal(t.code, 503);
  assert.equal(t.reason, 'ServiceUnavailable');
  assert.equal(t.message, 'overloaded');
});

test('kubeconfig: current or named context, embedded data, relative files and tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sampan-kc-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
    writeFileSync(join(dir, 'token'), 'file-token\n');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'a',
      clusters: [
        { name: 'one', cluster: { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': b64('CA-DATA') } },
        { name: 'two', cluster: { server: 'https://10.0.0.2:6443', 'certificate-authority': 'ca.crt', 'tls-server-name': 'api' } },
      ],
      users: [
        { name: 'certs', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } },
        { name: 'tok', user: { tokenFile: 'token' } },
      ],
      contexts: [
        { name: 'a', context: { cluster: 'one', user: 'certs', namespace: 'dev' } },
        { name: 'b', context: { cluster: 'two', user: 'tok' } },
      ],
    };
    const path = join(dir, 'config');
    writeFileSync(path, JSON.stringify(doc));
    assert.deepEqual(loadKubeconfig(path), { server: 'https://10.0.0.1:6443', ca: 'CA-DATA', cert: 'CERT', key: 'KEY', namespace: 'dev' });
    assert.deepEqual(loadKubeconfig(path, { context: 'b' }), { server: 'https://10.0.0.2:6443', ca: 'CA-PEM', tlsServerName: 'api', token: 'file-token' });
    assert.throws(() => loadKubeconfig(path, { context: 'c' }), /context "c" not found/);
    assert.throws(() => loadKubeconfig(join(dir, 'missing')), /cannot read kubeconfig .*missing: no such file/);
    assert.throws(() => credentialsFromKubeconfig({ ...doc, users: [{ name: 'certs', user: { 'client-key-data': b64('KEY') } }] }), /without a key or a key without a certificate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('httpClient against a server: CRUD, ApiErrors, watch and an informer over HTTPS', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-http-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1', disabledControllers: ['simnodes'] });
  const c = httpClient(s.kubeconfigPath);
  try {
    const ns = await c.get<KubeObject>('/api/v1/namespaces/default');
    assert.equal(ns.metadata.name, 'default');
    assert.equal(await c.getOrNull('/api/v1/namespaces/default/configmaps/nope'), null);
    await assert.rejects(c.get('/api/v1/namespaces/default/configmaps/nope'), (e: unknown) => e instanceof ApiError && e.code === 404 && e.reason === 'NotFound' && e.message === 'configmaps "nope" not found');

    // a watch from now on
    const events: WatchEventOut[] = [];
    let ended = 0;
    const list0 = await c.list<KubeObject>('/api/v1/namespaces/default/configmaps');
    const stopWatch = await c.watch(`/api/v1/namespaces/default/configmaps?resourceVersion=${list0.metadata.resourceVersion}`, (ev) => events.push(ev), () => ended++);

    const created = await c.create<KubeObject>('/api/v1/namespaces/default/configmaps', cm('a', { k: 'v' }));
    assert.equal(created.data.k, 'v');
    await assert.rejects(c.create('/api/v1/namespaces/default/configmaps', cm('a')), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists' && e.message === 'configmaps "a" already exists');
    const patched = await c.patch<KubeObject>('/api/v1/namespaces/default/configmaps/a', { data: { k: 'w' } }, 'merge');
    assert.equal(patched.data.k, 'w');
    const stale = { ...created, data: { k: 'x' } };
    await assert.rejects(c.update('/api/v1/namespaces/default/configmaps/a', stale), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict');
    const sp = await c.patch<KubeObject>('/api/v1/namespaces/default/configmaps/a', { metadata: { labels: { extra: 'y' } } }, 'strategic');
    assert.equal(sp.metadata.labels?.extra, 'y');
    const listed = await c.list<KubeObject>('/api/v1/namespaces/default/configmaps?labelSelector=app%3Dhttp');
    assert.deepEqual(listed.items.map((x) => x.metadata.name), ['a']);
    await c.delete('/api/v1/namespaces/default/configmaps/a');
    await assert.rejects(c.delete('/api/v1/namespaces/default/configmaps/a'), (e: unknown) => e instanceof ApiError && e.code === 404);
    const invalid = await c.create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }).catch((e) => e);
    assert.ok(invalid instanceof ApiError && invalid.code === 422 && invalid.reason === 'Invalid', String(invalid));

    await until(() => events.filter((e) => e.type !== 'BOOKMARK').length >= 4, `watch events, have ${events.map((e) => e.type)}`);
    assert.deepEqual(events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${(e.object as KubeObject).metadata.name}`), ['ADDED a', 'MODIFIED a', 'MODIFIED a', 'DELETED a']);
    stopWatch();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ended, 0, 'a watch stopped by its caller does not report an end');

    // a watch from a compacted / too old revision fails with 410 on the request or as an ERROR event
    // (either way the informer relists); an informer over HTTPS keeps a cache
    const inf = newInformer<KubeObject>(c, '/api/v1/namespaces/default/configmaps');
    const seen: string[] = [];
    inf.addEventHandler({ add: (o) => seen.push(`add ${keyOf(o)}`), update: (_a, b) => seen.push(`update ${b.data?.k}`), delete: (o) => seen.push(`delete ${keyOf(o)}`) });
    await inf.synced();
    await c.create('/api/v1/namespaces/default/configmaps', cm('b', { k: '1' }));
    await c.patch('/api/v1/namespaces/default/configmaps/b', { data: { k: '2' } });
    await c.delete('/api/v1/namespaces/default/configmaps/b');
    await until(() => seen.includes('delete default/b'), `informer events, have ${seen}`);
    assert.deepEqual(seen.filter((x) => x.includes('/b') || x.startsWith('update')), ['add default/b', 'update 2', 'delete default/b']);
    inf.stop();

    // many requests at once share the keep-alive agent
    const many = await Promise.all(Array.from({ length: 100 }, () => c.get<KubeObject>('/api/v1/namespaces/default')));
    assert.equal(many.length, 100);
  } finally {
    c.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('httpClient: a watch ends (onEnd) when the server goes away', async () => {
  const { startServer } = await import('../../src/apiserver/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'sampan-http-'));
  const s = await startServer({ dataDir: dir, port: 0, bind: '127.0.0.1' });
  const c = httpClient(s.kubeconfigPath);
  let ended = 0;
  try {
    await c.watch('/api/v1/namespaces', () => {}, () => ended++);
    await s.close();
    await until(() => ended === 1, 'onEnd after the server closed');
    await assert.rejects(c.get('/api/v1/namespaces'), (e: Error) => /ECONNREFUSED|socket hang up|ECONNRESET/.test(e.message));
  } finally {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
