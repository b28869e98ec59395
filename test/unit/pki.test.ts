import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, unlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { ensurePki, signClientCert, caCertHash, serverTlsOptions, loadX509, type Pki } from '../../src/apiserver/pki.js';
import { createAuthenticator, parseCsv, parseTokenFile, type Authenticator } from '../../src/apiserver/authn.js';
import { kubeconfigYaml, writeKubeconfig } from '../../src/apiserver/kubeconfig.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sampan-pki-'));
const opts = { hosts: ['node-a.example', 'Node-A'], ips: ['192.0.2.10', '10.96.0.1'] };

function mode(p: string): number {
  return statSync(p).mode & 0o777;
}

test('ensurePki creates the CA, serving and admin certificates and reloads them unchanged', async () => {
  const dir = tmp();
  try {
    const pki = await ensurePki(dir, opts);
    for (const f of ['ca.crt', 'apiserver.crt', 'admin.crt']) assert.ok(statSync(join(dir, 'pki', f)).isFile());
    for (const f of ['ca.key', 'apiserver.key', 'admin.key']) assert.equal(mode(join(dir, 'pki', f)), 0o600, f);
    for (const k of ['caKey', 'serverKey', 'adminKey'] as const) assert.match(pki[k], /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), pki.caCert);

    const ca = new X509Certificate(pki.caCert);
    assert.equal(ca.ca, true);
    assert.equal(ca.subject, 'CN=sampan-ca');
    assert.equal(ca.publicKey.asymmetricKeyType, 'ec');
    const caYears = (Date.parse(ca.validTo) - Date.now()) / (365 * 86400e3);
    assert.ok(caYears > 9.9 && caYears < 10.1, `CA lifetime ${caYears}`);

    const server = new X509Certificate(pki.serverCert);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    for (const h of ['localhost', 'node-a.example', 'node-a', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
      assert.equal(server.checkHost(h, { subject: 'never' }), h, `SAN ${h}`);
    }
    for (const ip of ['127.0.0.1', '::1', '192.0.2.10', '10.96.0.1']) assert.ok(server.checkIP(ip), `SAN ${ip}`);
    assert.equal(server.checkHost('other.example', { subject: 'never' }), undefined);
    assert.ok(server.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');
    const days = (Date.parse(server.validTo) - Date.now()) / 86400e3;
    assert.ok(days > 360 && days < 370, `server lifetime ${days}`);

    const admin = new X509Certificate(pki.adminCert);
    assert.equal(admin.subject, 'O=system:masters\nCN=kubernetes-admin');
    assert.ok(admin.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
    assert.ok(admin.checkIssued(ca) && admin.verify(ca.publicKey));
    // Serial numbers are positive (Go rejects negative ones).
    assert.ok(parseInt(admin.serialNumber.slice(0, 2), 16) < 0x80);

    const again = await ensurePki(dir, opts);
    assert.deepEqual(again, pki);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensurePki keeps the CA but reissues leaves with missing SANs, wrong keys or near expiry', async () => {
  const dir = tmp();
  try {
    const pki = await ensurePki(dir, opts);

    // A new host name: only the serving certificate changes.
    const more = await ensurePki(dir, { hosts: [...opts.hosts, 'api.example'], ips: [...opts.ips, '2001:db8::5'] });
    assert.equal(more.caCert, pki.caCert);
    assert.equal(more.caKey, pki.caKey);
    assert.equal(more.adminCert, pki.adminCert);
    assert.notEqual(more.serverCert, pki.serverCert);
    const server = new X509Certificate(more.serverCert);
    assert.equal(server.checkHost('api.example', { subject: 'never' }), 'api.example');
    assert.ok(server.checkIP('2001:db8:0::5'));
    // Dropping a host again does not force a new certificate (all requested SANs are present).
    assert.deepEqual(await ensurePki(dir, opts), more);

    // A client certificate expiring within 30 days is renewed.
    const short = await signClientCert(more, 'kubernetes-admin', ['system:masters'], 10);
    writeFileSync(join(dir, 'pki', 'admin.crt'), short.cert);
    writeFileSync(join(dir, 'pki', 'admin.key'), short.key);
    const renewed = await ensurePki(dir, opts);
    assert.notEqual(renewed.adminCert, short.cert);
    assert.ok(Date.parse(new X509Certificate(renewed.adminCert).validTo) - Date.now() > 300 * 86400e3);
    assert.equal(renewed.caCert, pki.caCert);

    // A serving key that does not belong to the certificate is replaced.
    writeFileSync(join(dir, 'pki', 'apiserver.key'), renewed.adminKey);
    const fixed = await ensurePki(dir, opts);
    assert.notEqual(fixed.serverCert, renewed.serverCert);
    assert.equal(fixed.caCert, pki.caCert);

    // Without the CA key nothing can be signed and the CA is never silently replaced.
    unlinkSync(join(dir, 'pki', 'ca.key'));
    await assert.rejects(ensurePki(dir, opts), /ca\.key is missing/);
    assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), pki.caCert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('caCertHash is sha256 over the CA SubjectPublicKeyInfo', async () => {
  const dir = tmp();
  try {
    const pki = await ensurePki(dir, opts);
    const h = caCertHash(pki.caCert);
    assert.match(h, /^sha256:[0-9a-f]{64}$/);
    const spki = new X509Certificate(pki.caCert).publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(h, 'sha256:' + createHash('sha256').update(spki).digest('hex'));
    assert.notEqual(caCertHash(pki.adminCert), h);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubeconfig YAML has the cluster, user and current context with embedded data', () => {
  const text = kubeconfigYaml({
    server: 'https://127.0.0.1:6443',
    caPem: 'CA-PEM\n',
    certPem: 'CERT-PEM\n',
    keyPem: 'KEY-PEM\n',
    user: 'kubernetes-admin',
  });
  const doc = parseYaml(text);
  assert.equal(doc.apiVersion, 'v1');
  assert.equal(doc.kind, 'Config');
  assert.equal(doc['current-context'], 'kubernetes-admin@sampan');
  assert.deepEqual(doc.clusters, [
    { name: 'sampan', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA-PEM\n').toString('base64') } },
  ]);
  assert.deepEqual(doc.contexts, [{ name: 'kubernetes-admin@sampan', context: { cluster: 'sampan', user: 'kubernetes-admin' } }]);
  assert.deepEqual(doc.users, [
    {
      name: 'kubernetes-admin',
      user: {
        'client-certificate-data': Buffer.from('CERT-PEM\n').toString('base64'),
        'client-key-data': Buffer.from('KEY-PEM\n').toString('base64'),
      },
    },
  ]);

  const tok = parseYaml(kubeconfigYaml({ server: 'https://h:1', caPem: 'x', token: 'abc', user: 'bob', cluster: 'c', context: 'ctx', namespace: 'dev' }));
  assert.deepEqual(tok.users, [{ name: 'bob', user: { token: 'abc' } }]);
  assert.deepEqual(tok.contexts, [{ name: 'ctx', context: { cluster: 'c', user: 'bob', namespace: 'dev' } }]);
  assert.equal(tok['current-context'], 'ctx');
  assert.throws(() => kubeconfigYaml({ server: 'https://h:1', caPem: 'x', certPem: 'c', user: 'u' }));

  const dir = tmp();
  try {
    const p = join(dir, 'sub', 'kubeconfig');
    writeKubeconfig(p, { server: 'https://h:1', caPem: 'x', token: 't', user: 'u' });
    assert.equal(mode(p), 0o600);
    assert.equal(parseYaml(readFileSync(p, 'utf8')).users[0].user.token, 't');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('token file CSV parsing follows kube-apiserver', () => {
  assert.deepEqual(parseCsv('a,b,c,"g1,g2"\n\n  d , e,f\r\n"x""y",z,\n'), [
    ['a', 'b', 'c', 'g1,g2'],
    ['d ', 'e', 'f'],
    ['x"y', 'z', ''],
  ]);
  assert.throws(() => parseCsv('a"b,c,d\n'), /bare " in non-quoted-field/);
  assert.throws(() => parseCsv('"abc,d\n'), /extraneous or missing " in quoted-field/);
  const entries = parseTokenFile('t1,alice,uid-1,"dev,ops"\nt2,bob,,\n,nobody,x\nt1,carol,uid-3\n', '/tokens.csv');
  assert.deepEqual(
    entries.map((e) => e.user),
    [
      { name: 'carol', uid: 'uid-3', groups: [] },
      { name: 'bob', groups: [''] },
    ],
  );
  assert.throws(
    () => parseTokenFile('t1,alice\n', '/tokens.csv'),
    { message: "token file '/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2" },
  );
});

// ---------------------------------------------------------------------------------------------
// A real TLS server: Node verifies client certificates against the CA, the authenticator reads them.

interface Running {
  server: Server;
  port: number;
  close(): Promise<void>;
}

async function startServer(pki: Pki, authn: Authenticator): Promise<Running> {
  const server = createServer(serverTlsOptions(pki), (req, res) => {
    const who = authn.authenticate(req);
    if ((req.url ?? '').split('?')[0] === '/version') {
      if (who === null || who === 'invalid') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0-sampan', gitCommit: '', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ who, protocol: req.headers['sec-websocket-protocol'] ?? null, authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function whoami(port: number, ca: string, client: { cert?: string; key?: string; headers?: Record<string, string> } = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/whoami', ca, cert: client.cert, key: client.key, headers: client.headers, servername: 'localhost', agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('client certificates and bearer tokens authenticate over real TLS', async () => {
  const dir = tmp();
  const other = tmp();
  let running: Running | undefined;
  try {
    const pki = await ensurePki(dir, opts);
    const foreign = await ensurePki(other, opts);
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, 'secret-token-1,alice,uid-a,"dev,ops"\n');
    const authn = createAuthenticator({ caPem: pki.caCert, tokenFile });
    running = await startServer(pki, authn);
    const { port } = running;

    // The admin certificate: CN = user, O = groups.
    assert.deepEqual((await whoami(port, pki.caCert, { cert: pki.adminCert, key: pki.adminKey })).who, {
      name: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });

    // A signed user certificate with several groups and awkward characters in the name.
    const bob = await signClientCert(pki, 'bob, "the builder"', ['team:a', 'team/b', '#0102', 'système', 'system:authenticated']);
    assert.deepEqual((await whoami(port, pki.caCert, { ...bob })).who, {
      name: 'bob, "the builder"',
      groups: ['team:a', 'team/b', '#0102', 'système', 'system:authenticated'],
    });

    // No credentials: anonymous (null).
    assert.equal((await whoami(port, pki.caCert)).who, null);

    // A certificate from another CA, and a CA-signed certificate without clientAuth, are rejected.
    assert.equal((await whoami(port, pki.caCert, { cert: foreign.adminCert, key: foreign.adminKey })).who, 'invalid');
    assert.equal((await whoami(port, pki.caCert, { cert: pki.serverCert, key: pki.serverKey })).who, 'invalid');

    // Bearer tokens from the token file.
    const ok = await whoami(port, pki.caCert, { headers: { authorization: 'Bearer secret-token-1' } });
    assert.deepEqual(ok.who, { name: 'alice', uid: 'uid-a', groups: ['dev', 'ops', 'system:authenticated'] });
    assert.equal(ok.authorization, null, 'the Authorization header is removed after success');
    assert.equal((await whoami(port, pki.caCert, { headers: { authorization: 'Bearer wrong' } })).who, 'invalid');
    // Not a bearer credential at all: anonymous.
    assert.equal((await whoami(port, pki.caCert, { headers: { authorization: 'Basic YTpi' } })).who, null);
    // A bad token is not rescued by... nothing else; a valid certificate wins over a bad token (union semantics).
    assert.equal(
      (await whoami(port, pki.caCert, { cert: pki.adminCert, key: pki.adminKey, headers: { authorization: 'Bearer wrong' } })).who.name,
      'kubernetes-admin',
    );
    // An untrusted certificate plus a valid token: the token identifies the caller.
    assert.equal(
      (await whoami(port, pki.caCert, { cert: foreign.adminCert, key: foreign.adminKey, headers: { authorization: 'Bearer secret-token-1' } })).who.name,
      'alice',
    );

    // WebSocket subprotocol token (browser clients).
    const wsToken = 'base64url.bearer.authorization.k8s.io.' + Buffer.from('secret-token-1').toString('base64url');
    const ws = await whoami(port, pki.caCert, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': `v5.channel.k8s.io, ${wsToken}` },
    });
    assert.equal(ws.who.name, 'alice');
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    const wsOnly = await whoami(port, pki.caCert, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': wsToken } });
    assert.equal(wsOnly.who, 'invalid', 'the token subprotocol needs another subprotocol beside it');

    // The token file is reloaded when it changes.
    writeFileSync(tokenFile, 'secret-token-2,carol,uid-c\n');
    const future = new Date(Date.now() + 5000);
    utimesSync(tokenFile, future, future);
    assert.deepEqual((await whoami(port, pki.caCert, { headers: { authorization: 'Bearer secret-token-2' } })).who, {
      name: 'carol',
      uid: 'uid-c',
      groups: ['system:authenticated'],
    });
    assert.equal((await whoami(port, pki.caCert, { headers: { authorization: 'Bearer secret-token-1' } })).who, 'invalid');
    // A broken rewrite keeps the last good tokens.
    writeFileSync(tokenFile, 'only-two,columns\n');
    utimesSync(tokenFile, new Date(Date.now() + 9000), new Date(Date.now() + 9000));
    assert.equal((await whoami(port, pki.caCert, { headers: { authorization: 'Bearer secret-token-2' } })).who.name, 'carol');

    // A broken token file at start-up is an error.
    assert.throws(() => createAuthenticator({ caPem: pki.caCert, tokenFile }), /at least 3 columns/);
  } finally {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The real compatibility check: Go's TLS stack in kubectl accepts the CA, serving cert and keys.

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { timeout: 20000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function haveKubectl(): Promise<boolean> {
  return new Promise((resolve) => execFile('kubectl', ['version', '--client', '-o', 'json'], (err) => resolve(!err)));
}

test('kubectl (Go TLS) accepts the generated certificates, keys and kubeconfig', async (t) => {
  if (!(await haveKubectl())) {
    t.skip('kubectl not on PATH');
    return;
  }
  const dir = tmp();
  let running: Running | undefined;
  try {
    const pki = await ensurePki(dir, { hosts: [], ips: [] });
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, 'tok-123,dave,uid-d\n');
    running = await startServer(pki, createAuthenticator({ caPem: pki.caCert, tokenFile }));
    const { port } = running;

    for (const host of ['127.0.0.1', 'localhost']) {
      const kc = join(dir, `admin-${host}.conf`);
      writeKubeconfig(kc, { server: `https://${host}:${port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey, user: 'kubernetes-admin' });
      const r = await kubectl(['--kubeconfig', kc, 'version', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).serverVersion.gitVersion, 'v1.32.0-sampan');
    }

    // A user certificate issued later (sampan kubeconfig --user).
    const eve = await signClientCert(pki, 'eve', ['devs']);
    const eveKc = join(dir, 'eve.conf');
    writeKubeconfig(eveKc, { server: `https://127.0.0.1:${port}`, caPem: pki.caCert, certPem: eve.cert, keyPem: eve.key, user: 'eve' });
    const raw = await kubectl(['--kubeconfig', eveKc, 'get', '--raw', '/whoami']);
    assert.equal(raw.code, 0, raw.stderr);
    assert.deepEqual(JSON.parse(raw.stdout).who, { name: 'eve', groups: ['devs', 'system:authenticated'] });

    // Token kubeconfig.
    const tokKc = join(dir, 'token.conf');
    writeKubeconfig(tokKc, { server: `https://127.0.0.1:${port}`, caPem: pki.caCert, token: 'tok-123', user: 'dave' });
    const tok = await kubectl(['--kubeconfig', tokKc, 'get', '--raw', '/whoami']);
    assert.equal(tok.code, 0, tok.stderr);
    assert.equal(JSON.parse(tok.stdout).who.name, 'dave');

    // A wrong token: 401, which kubectl reports as not logged in.
    const badKc = join(dir, 'bad.conf');
    writeKubeconfig(badKc, { server: `https://127.0.0.1:${port}`, caPem: pki.caCert, token: 'nope', user: 'x' });
    const bad = await kubectl(['--kubeconfig', badKc, 'get', '--raw', '/version']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unauthorized/);

    // kubectl verifies the serving certificate against the CA: a different CA is refused.
    const otherDir = tmp();
    try {
      const foreign = await ensurePki(otherDir, { hosts: [], ips: [] });
      const wrongCa = join(dir, 'wrong-ca.conf');
      writeKubeconfig(wrongCa, { server: `https://127.0.0.1:${port}`, caPem: foreign.caCert, certPem: pki.adminCert, keyPem: pki.adminKey, user: 'a' });
      const r = await kubectl(['--kubeconfig', wrongCa, 'get', '--raw', '/version']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /certificate/);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  } finally {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pre-provisioned RSA CA (PKCS#1 key, as openssl writes it) signs the leaves; Node and kubectl accept them', async () => {
  const dir = tmp();
  let running: Running | undefined;
  try {
    // An openssl-style RSA 2048 CA: certificate plus "BEGIN RSA PRIVATE KEY".
    const x509 = await loadX509();
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const subtle = webcrypto.subtle;
    const privateKey = await subtle.importKey('pkcs8', pair.privateKey.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']);
    const publicKey = await subtle.importKey('spki', pair.publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']);
    const caCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=external-ca',
      keys: { privateKey, publicKey } as unknown as CryptoKeyPair,
      signingAlgorithm: alg,
      notBefore: new Date(Date.now() - 60000),
      notAfter: new Date(Date.now() + 86400e3 * 365),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    mkdirSync(join(dir, 'pki'));
    const caPem = caCert.toString('pem') + '\n';
    const caKeyPem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    assert.match(caKeyPem, /BEGIN RSA PRIVATE KEY/);
    writeFileSync(join(dir, 'pki', 'ca.crt'), caPem);
    writeFileSync(join(dir, 'pki', 'ca.key'), caKeyPem, { mode: 0o600 });

    const pki = await ensurePki(dir, { hosts: [], ips: [] });
    assert.equal(pki.caCert, caPem, 'the existing CA is used, not replaced');
    const ca = new X509Certificate(caPem);
    for (const c of [pki.serverCert, pki.adminCert]) assert.ok(new X509Certificate(c).verify(ca.publicKey));

    running = await startServer(pki, createAuthenticator({ caPem: pki.caCert }));
    assert.deepEqual((await whoami(running.port, pki.caCert, { cert: pki.adminCert, key: pki.adminKey })).who, {
      name: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    if (await haveKubectl()) {
      const kc = join(dir, 'admin.conf');
      writeKubeconfig(kc, { server: `https://localhost:${running.port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey, user: 'kubernetes-admin' });
      const r = await kubectl(['--kubeconfig', kc, 'get', '--raw', '/whoami']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).who.name, 'kubernetes-admin');
    }
  } finally {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
