// Cluster PKI: the cluster CA, the API server's serving certificate and the admin client
// certificate, kept as PEM files under DIR/pki. Keys are ECDSA P-256 in PKCS#8 PEM, which both
// Node and Go (kubectl's tls.X509KeyPair) load. Certificates are built with @peculiar/x509 on
// top of Node's WebCrypto; checks on existing files use node:crypto's X509Certificate.

import { createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

export interface EnsurePkiOptions {
  /** Extra DNS names (or addresses) for the serving certificate, e.g. the host name. */
  hosts: string[];
  /** Extra IP addresses for the serving certificate, e.g. host addresses and the first service IP. */
  ips: string[];
}

/** The first address of the default service CIDR 10.96.0.0/12; always in the serving certificate. */
export const DEFAULT_FIRST_SERVICE_IP = '10.96.0.1';
export const CA_COMMON_NAME = 'sampan-ca';
export const APISERVER_COMMON_NAME = 'kube-apiserver';
export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUP = 'system:masters';

const CLUSTER_DNS_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * DAY_MS;
// Certificates start a little in the past so that hosts with slightly skewed clocks accept them.
const BACKDATE_MS = 5 * 60 * 1000;

const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

// ---------------------------------------------------------------------------------------------
// Loading @peculiar/x509. It pulls in tsyringe, which insists on a Reflect metadata API at load
// time (normally from the `reflect-metadata` package, which is not installed). The library only
// needs the API to exist, so a small WeakMap-backed version is installed when none is present.

type MetaKey = unknown;
type MetaTable = Map<PropertyKey | undefined, Map<MetaKey, unknown>>;

function installReflectMetadata(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const tables = new WeakMap<object, MetaTable>();
  const entries = (target: object, prop: PropertyKey | undefined, create: boolean): Map<MetaKey, unknown> | undefined => {
    let table = tables.get(target);
    if (!table) {
      if (!create) return undefined;
      table = new Map();
      tables.set(target, table);
    }
    let e = table.get(prop);
    if (!e && create) {
      e = new Map();
      table.set(prop, e);
    }
    return e;
  };
  const getOwn = (k: MetaKey, t: object, p?: PropertyKey) => entries(t, p, false)?.get(k);
  const hasOwn = (k: MetaKey, t: object, p?: PropertyKey) => entries(t, p, false)?.has(k) ?? false;
  const get = (k: MetaKey, t: object, p?: PropertyKey): unknown => {
    for (let o: object | null = t; o !== null; o = Object.getPrototypeOf(o)) {
      if (hasOwn(k, o, p)) return getOwn(k, o, p);
    }
    return undefined;
  };
  const define = (k: MetaKey, v: unknown, t: object, p?: PropertyKey) => {
    entries(t, p, true)!.set(k, v);
  };
  Object.assign(R, {
    defineMetadata: define,
    getOwnMetadata: getOwn,
    hasOwnMetadata: hasOwn,
    getMetadata: get,
    hasMetadata: (k: MetaKey, t: object, p?: PropertyKey) => get(k, t, p) !== undefined,
    metadata: (k: MetaKey, v: unknown) => (t: object, p?: PropertyKey) => define(k, v, t, p),
  });
}

let x509Loading: Promise<typeof X509> | undefined;

/** Loads @peculiar/x509 with Node's WebCrypto as its provider. Safe to call repeatedly. */
export function loadX509(): Promise<typeof X509> {
  if (!x509Loading) {
    installReflectMetadata();
    x509Loading = import('@peculiar/x509').then((m) => {
      m.cryptoProvider.set(webcrypto as unknown as Crypto);
      return m;
    });
  }
  return x509Loading;
}

// ---------------------------------------------------------------------------------------------
// Keys

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

interface SigningKey {
  key: CryptoKey;
  algorithm: Algorithm | EcdsaParams | RsaHashedImportParams;
  isRsa: boolean;
}

function pemBlock(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

async function newKeyPair(): Promise<{ keys: CryptoKeyPair; pem: string }> {
  const subtle = webcrypto.subtle as unknown as SubtleCrypto;
  const keys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, pem: pemBlock('PRIVATE KEY', new Uint8Array(pkcs8)) };
}

const CURVES: Record<string, { curve: string; hash: string }> = {
  prime256v1: { curve: 'P-256', hash: 'SHA-256' },
  secp384r1: { curve: 'P-384', hash: 'SHA-384' },
  secp521r1: { curve: 'P-521', hash: 'SHA-512' },
};

/** Imports a PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") for signing. */
async function importSigningKey(pem: string): Promise<SigningKey> {
  const ko = createPrivateKey(pem);
  const der = ko.export({ type: 'pkcs8', format: 'der' });
  const subtle = webcrypto.subtle as unknown as SubtleCrypto;
  if (ko.asymmetricKeyType === 'ec') {
    const c = CURVES[ko.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!c) throw new Error(`unsupported elliptic curve ${ko.asymmetricKeyDetails?.namedCurve ?? '(unknown)'} for a signing key`);
    const key = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: c.curve }, false, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash: c.hash }, isRsa: false };
  }
  if (ko.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await subtle.importKey('pkcs8', der, alg, false, ['sign']);
    return { key, algorithm: alg, isRsa: true };
  }
  throw new Error(`unsupported signing key type ${ko.asymmetricKeyType ?? '(unknown)'}`);
}

/** True when the private key in keyPem belongs to the certificate. */
function keyMatchesCert(cert: X509Certificate, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
    return Buffer.compare(fromKey, fromCert) === 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** A random positive serial number, minimally DER-encoded (Go rejects negative serials). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0] & 0x7f || 0x01;
  return b.toString('hex');
}

type NameValue = { printableString: string } | { utf8String: string };
type NameSpec = Array<Record<string, NameValue[]>>;

// Values are passed as typed strings so that the library takes them literally (plain strings
// would be read as RFC 4514 text, with quotes, backslashes and a leading '#' interpreted).
// Like Go's pkix, PrintableString when the value allows it, UTF8String otherwise.
function nameValue(v: string): NameValue {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(v) ? { printableString: v } : { utf8String: v };
}

function subjectName(x509: typeof X509, cn: string, orgs: string[] = []): X509.Name {
  // One RDN per attribute, organizations first (the order openssl and Go's pkix produce).
  const spec: NameSpec = [...orgs.map((o) => ({ O: [nameValue(o)] })), { CN: [nameValue(cn)] }];
  return new x509.Name(spec);
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

async function createCa(): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const { keys, pem } = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(x509, CA_COMMON_NAME),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    ...validity(CA_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: pem };
}

interface LeafSpec {
  cn: string;
  orgs?: string[];
  usage: 'server' | 'client';
  dns?: string[];
  ips?: string[];
  days: number;
}

async function signLeaf(caCertPem: string, caKeyPem: string, spec: LeafSpec): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const ca = new x509.X509Certificate(caCertPem);
  const signer = await importSigningKey(caKeyPem);
  const { keys, pem } = await newKeyPair();

  const caSki = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = caSki
    ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey);

  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([spec.usage === 'server' ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH]),
    aki,
  ];
  const sans: Array<{ type: 'dns' | 'ip'; value: string }> = [
    ...(spec.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(x509, spec.cn, spec.orgs),
    issuer: ca.subjectName,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    ...validity(spec.days),
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: pem };
}

// ---------------------------------------------------------------------------------------------
// SANs

function canonicalIp(ip: string): string {
  const v = ip.trim();
  if (isIP(v) === 6) return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  return v;
}

function canonicalHost(h: string): string {
  return h.trim().toLowerCase().replace(/\.$/, '');
}

function servingSans(o: EnsurePkiOptions): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  const addIp = (ip: string) => {
    if (isIP(ip.trim()) === 0) throw new Error(`invalid IP address for the serving certificate: ${JSON.stringify(ip)}`);
    const c = canonicalIp(ip);
    if (!ips.includes(c)) ips.push(c);
  };
  const addDns = (h: string) => {
    const c = canonicalHost(h);
    if (c === '') return;
    if (isIP(c) !== 0) return addIp(c);
    if (!/^[a-z0-9_*]([a-z0-9_.-]*[a-z0-9_])?$/.test(c)) {
      throw new Error(`invalid host name for the serving certificate: ${JSON.stringify(h)}`);
    }
    if (!dns.includes(c)) dns.push(c);
  };
  addDns('localhost');
  for (const h of o.hosts) addDns(h);
  for (const h of CLUSTER_DNS_NAMES) addDns(h);
  addIp('127.0.0.1');
  addIp('::1');
  for (const ip of o.ips) addIp(ip);
  addIp(DEFAULT_FIRST_SERVICE_IP);
  return { dns, ips };
}

// ---------------------------------------------------------------------------------------------
// Files

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function parseCert(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** An existing leaf is kept only if it parses, matches its key, was signed by the CA and is not close to expiry. */
function leafUsable(ca: X509Certificate, certPem: string | undefined, keyPem: string | undefined): X509Certificate | undefined {
  const cert = parseCert(certPem);
  if (!cert || keyPem === undefined) return undefined;
  if (!keyMatchesCert(cert, keyPem)) return undefined;
  try {
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined;
  } catch {
    return undefined;
  }
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined;
  return cert;
}

function hasAllSans(cert: X509Certificate, sans: { dns: string[]; ips: string[] }): boolean {
  for (const d of sans.dns) {
    if (cert.checkHost(d, { subject: 'never', wildcards: false }) === undefined) return false;
  }
  for (const ip of sans.ips) {
    if (cert.checkIP(ip) === undefined) return false;
  }
  return true;
}

/**
 * Creates the cluster PKI under dir/pki on first start and loads it afterwards. The CA is never
 * replaced once ca.crt exists. The serving certificate is reissued (by the same CA) when a
 * requested SAN is missing, it expires within 30 days, or it no longer matches its key or CA;
 * the admin certificate likewise.
 */
export async function ensurePki(dir: string, o: EnsurePkiOptions): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const p = (f: string) => join(pkiDir, f);

  let caCert = readIfExists(p('ca.crt'));
  let caKey = readIfExists(p('ca.key'));
  if (caCert === undefined) {
    // No CA certificate yet (a stray ca.key without it cannot have signed anything trusted).
    const ca = await createCa();
    writeAtomic(p('ca.key'), ca.key, 0o600);
    writeAtomic(p('ca.crt'), ca.cert, 0o644);
    caCert = ca.cert;
    caKey = ca.key;
  } else if (caKey === undefined) {
    throw new Error(`${p('ca.crt')} exists but ${p('ca.key')} is missing; refusing to create a new cluster CA`);
  }
  const ca = parseCert(caCert);
  if (!ca) throw new Error(`${p('ca.crt')} is not a valid PEM certificate`);
  if (!ca.ca) throw new Error(`${p('ca.crt')} is not a CA certificate`);
  if (!keyMatchesCert(ca, caKey)) throw new Error(`${p('ca.key')} does not match ${p('ca.crt')}`);

  const sans = servingSans(o);
  let serverCert = readIfExists(p('apiserver.crt'));
  let serverKey = readIfExists(p('apiserver.key'));
  const server = leafUsable(ca, serverCert, serverKey);
  if (!server || !hasAllSans(server, sans)) {
    const leaf = await signLeaf(caCert, caKey, { cn: APISERVER_COMMON_NAME, usage: 'server', ...sans, days: LEAF_DAYS });
    writeAtomic(p('apiserver.key'), leaf.key, 0o600);
    writeAtomic(p('apiserver.crt'), leaf.cert, 0o644);
    serverCert = leaf.cert;
    serverKey = leaf.key;
  }

  let adminCert = readIfExists(p('admin.crt'));
  let adminKey = readIfExists(p('admin.key'));
  if (!leafUsable(ca, adminCert, adminKey)) {
    const leaf = await signLeaf(caCert, caKey, { cn: ADMIN_USER, orgs: [ADMIN_GROUP], usage: 'client', days: LEAF_DAYS });
    writeAtomic(p('admin.key'), leaf.key, 0o600);
    writeAtomic(p('admin.crt'), leaf.cert, 0o644);
    adminCert = leaf.cert;
    adminKey = leaf.key;
  }

  return { caCert, caKey, serverCert: serverCert!, serverKey: serverKey!, adminCert: adminCert!, adminKey: adminKey! };
}

/** Issues a client certificate (CN = user, one O per group) signed by the cluster CA. */
export async function signClientCert(
  pki: Pki,
  user: string,
  groups: string[],
  days = LEAF_DAYS,
): Promise<{ cert: string; key: string }> {
  if (user === '') throw new Error('a client certificate needs a non-empty user name');
  if (!(days > 0)) throw new Error(`invalid certificate lifetime: ${days} days`);
  return signLeaf(pki.caCert, pki.caKey, { cn: user, orgs: groups, usage: 'client', days });
}

/** TLS options for the API server: serve with the serving certificate, ask for (but do not require) client certificates. */
export function serverTlsOptions(pki: Pki): {
  cert: string;
  key: string;
  ca: string[];
  requestCert: true;
  rejectUnauthorized: false;
} {
  return { cert: pki.serverCert, key: pki.serverKey, ca: [pki.caCert], requestCert: true, rejectUnauthorized: false };
}

// ---------------------------------------------------------------------------------------------
// CA public key pin

/** Reads one DER TLV at off; returns where its content starts and where it ends. */
function derTlv(der: Uint8Array, off: number): { tag: number; start: number; end: number } {
  if (off + 2 > der.length) throw new Error('truncated DER');
  const tag = der[off];
  let len = der[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start, end };
}

function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('no PEM certificate found');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/**
 * The CA public key pin as kubeadm prints it for --discovery-token-ca-cert-hash:
 * "sha256:" + hex SHA-256 of the certificate's DER SubjectPublicKeyInfo, exactly as encoded in the certificate.
 */
export function caCertHash(caPem: string): string {
  const der = pemToDer(caPem);
  const certSeq = derTlv(der, 0);
  const tbs = derTlv(der, certSeq.start);
  let off = tbs.start;
  // version [0] EXPLICIT is optional.
  if (der[off] === 0xa0) off = derTlv(der, off).end;
  // serialNumber, signature, issuer, validity, subject
  for (let i = 0; i < 5; i++) off = derTlv(der, off).end;
  const spki = derTlv(der, off);
  if (spki.tag !== 0x30) throw new Error('malformed certificate: SubjectPublicKeyInfo not found');
  const hash = createHash('sha256').update(der.subarray(off, spki.end)).digest('hex');
  return `sha256:${hash}`;
}
