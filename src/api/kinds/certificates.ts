// certificates.k8s.io: CertificateSigningRequest (v1, with v1beta1 served), with the status and
// approval subresources.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { define, str, int32, obj, arr, ref, kindSchema, bytes, mapOf, time } from '../schema.js';
import type { ResourceDescriptor, RequestContext } from '../descriptor.js';
import { type FieldError, invalid, required, notSupported, duplicate, tooLong } from '../errors.js';
import type { KubeObject } from '../types.js';
import { deepClone } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation.js';
import { asVersion, isObj, list, isSet, goBytes, nameColumn, ageColumn, col, age } from './misc-helpers.js';
import { humanDuration } from '../table.js';

const C = 'io.k8s.api.certificates.v1';
const CB = 'io.k8s.api.certificates.v1beta1';
const G = 'certificates.k8s.io';

function csrSchemas(P: string, version: string) {
  define(`${P}.CertificateSigningRequestCondition`, obj({
    type: str('Approved, Denied or Failed (other types are allowed).'),
    status: str('True, False or Unknown. Approved and Denied must be True.'),
    reason: str('Machine-readable reason.'),
    message: str('Human-readable details.'),
    lastUpdateTime: time('When the condition was last updated.'),
    lastTransitionTime: time('When the condition last changed status.'),
  }, 'One condition of a request.', { required: ['type', 'status'] }));
  define(`${P}.CertificateSigningRequestSpec`, obj({
    request: bytes('A PEM-encoded PKCS#10 certificate request ("CERTIFICATE REQUEST" block). Immutable.'),
    signerName: str(version === 'v1' ? 'Signer that should sign the request, as a domain-prefixed name such as kubernetes.io/kube-apiserver-client. Immutable.' : 'Signer that should sign the request; derived from the request when unset. Immutable.'),
    expirationSeconds: int32('Requested lifetime of the certificate in seconds (at least 600). The signer may ignore it.'),
    usages: arr(str(), 'Key usages requested, such as "client auth", "server auth", "digital signature", "key encipherment".', { listType: 'atomic' }),
    username: str('User who created the request. Set by the server.'),
    uid: str('UID of the user who created the request. Set by the server.'),
    groups: arr(str(), 'Groups of the user who created the request. Set by the server.', { listType: 'atomic' }),
    extra: mapOf(arr(str()), 'Extra attributes of the user who created the request. Set by the server.'),
  }, 'The certificate being requested.', version === 'v1' ? { required: ['request', 'signerName'] } : { required: ['request'] }));
  define(`${P}.CertificateSigningRequestStatus`, obj({
    conditions: arr(ref(`${P}.CertificateSigningRequestCondition`), 'Approved, Denied and Failed conditions.', { listType: 'map', mapKeys: ['type'] }),
    certificate: bytes('The issued certificate (PEM), set by the signer once approved.'),
  }, 'State of the request.'));
  return kindSchema(`${P}.CertificateSigningRequest`, [{ group: G, version, kind: 'CertificateSigningRequest' }], 'A request for a signed X.509 certificate. It is approved or denied, then signed by the named signer. Cluster-scoped.', {
    spec: ref(`${P}.CertificateSigningRequestSpec`, 'The request.'),
    status: ref(`${P}.CertificateSigningRequestStatus`, 'Approval state and the issued certificate.'),
  }, { required: ['spec'] });
}
const csrV1 = csrSchemas(C, 'v1');
const csrBeta = csrSchemas(CB, 'v1beta1');

export const ALL_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only',
  'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
].sort();
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

// ---------------------------------------------------------------- PEM / DER

interface Tlv { tag: number; start: number; headerLen: number; len: number; end: number }
function readTlv(b: Uint8Array, pos: number): Tlv {
  if (pos + 2 > b.length) throw new Error('x509: malformed certificate request');
  const tag = b[pos];
  let len = b[pos + 1];
  let headerLen = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + 2 + n > b.length) throw new Error('x509: malformed certificate request');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[pos + 2 + i];
    headerLen += n;
  }
  const end = pos + headerLen + len;
  if (end > b.length) throw new Error('x509: malformed certificate request');
  return { tag, start: pos, headerLen, len, end };
}
const children = (b: Uint8Array, t: Tlv): Tlv[] => {
  const out: Tlv[] = [];
  for (let p = t.start + t.headerLen; p < t.end; ) {
    const c = readTlv(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
};

function decodeOID(b: Uint8Array): string {
  const parts: number[] = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const sigAlgs: Record<string, { hash: string | null; kind: 'rsa' | 'ecdsa' | 'ed25519' }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', kind: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', kind: 'rsa' },
  '1.2.840.10045.4.1': { hash: 'sha1', kind: 'ecdsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', kind: 'ecdsa' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', kind: 'ecdsa' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', kind: 'ecdsa' },
  '1.3.101.112': { hash: null, kind: 'ed25519' },
};

function pemBlock(text: string): { type: string; der: Uint8Array } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = m[2].split(/\r?\n/).filter((l) => l && !l.includes(':')).join('');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(body)) return undefined;
  return { type: m[1], der: new Uint8Array(Buffer.from(body, 'base64')) };
}

/** Parses the subject of a PKCS#10 request into CN and O values (for v1beta1 signer defaulting). */
interface ParsedCSR { commonName: string; organizations: string[] }

/** Checks a PEM CSR the way Kubernetes does (PEM type, DER structure, self-signature). Returns an error text or the parsed subject. */
export function checkCSR(pem: Uint8Array): { error: string } | { csr: ParsedCSR } {
  const block = pemBlock(Buffer.from(pem).toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') return { error: 'PEM block type must be CERTIFICATE REQUEST' };
  try {
    const b = block.der;
    const outer = readTlv(b, 0);
    if (outer.tag !== 0x30) throw new Error('x509: malformed certificate request');
    const [info, algo, sig] = children(b, outer);
    if (!info || !algo || !sig || info.tag !== 0x30 || algo.tag !== 0x30 || sig.tag !== 0x03) throw new Error('x509: malformed certificate request');
    const infoParts = children(b, info);
    const subject = infoParts[1];
    const spki = infoParts[2];
    if (!subject || !spki || spki.tag !== 0x30) throw new Error('x509: malformed certificate request');
    const oidTlv = children(b, algo)[0];
    const oid = decodeOID(b.subarray(oidTlv.start + oidTlv.headerLen, oidTlv.end));
    const alg = sigAlgs[oid];
    if (!alg) throw new Error('x509: cannot verify signature: algorithm unimplemented');
    const signature = b.subarray(sig.start + sig.headerLen + 1, sig.end);
    const key = createPublicKey({ key: Buffer.from(b.subarray(spki.start, spki.end)), format: 'der', type: 'spki' });
    const tbs = b.subarray(info.start, info.end);
    const ok = cryptoVerify(alg.hash, tbs, key, signature);
    if (!ok) throw new Error(alg.kind === 'rsa' ? 'crypto/rsa: verification error' : alg.kind === 'ecdsa' ? 'x509: ECDSA verification failure' : 'x509: Ed25519 verification failure');
    // subject: SEQUENCE OF SET OF SEQUENCE { oid, value }
    const out: ParsedCSR = { commonName: '', organizations: [] };
    for (const rdn of children(b, subject))
      for (const atv of children(b, rdn)) {
        const [t, v] = children(b, atv);
        const aoid = decodeOID(b.subarray(t.start + t.headerLen, t.end));
        const val = Buffer.from(b.subarray(v.start + v.headerLen, v.end)).toString('utf8');
        if (aoid === '2.5.4.3') out.commonName = val;
        if (aoid === '2.5.4.10') out.organizations.push(val);
      }
    return { csr: out };
  } catch (e) {
    const msg = (e as Error).message;
    return { error: msg.startsWith('x509:') || msg.startsWith('crypto/') ? msg : 'x509: malformed certificate request' };
  }
}

function requestBytes(o: KubeObject): Uint8Array {
  const r = o.spec?.request;
  if (typeof r !== 'string') return new Uint8Array();
  return new Uint8Array(Buffer.from(r, 'base64'));
}

// ---------------------------------------------------------------- validation

export function validateSignerName(f: string, signerName: string): FieldError[] {
  const el: FieldError[] = [];
  if (!signerName) return [required(f)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalid(f, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  if (segments[0].length > 253) el.push(tooLong(f, segments[0], 253));
  const domainLabels = segments[0].split('.');
  for (const lbl of domainLabels) {
    const errs = isDNS1123Label(lbl);
    if (errs.length) {
      for (const e of errs) el.push(invalid(f, segments[0], `validating label ${JSON.stringify(lbl)}: ${e}`));
      break;
    }
  }
  if (domainLabels.length < 2) el.push(invalid(f, segments[0], 'should be a domain with at least two segments separated by dots'));
  for (const lbl of segments[1].split('.')) {
    const errs = isDNS1123Subdomain(lbl);
    if (errs.length) {
      for (const e of errs) el.push(invalid(f, segments[1], `validating component ${JSON.stringify(lbl)}: ${e}`));
      break;
    }
  }
  const max = 253 + (253 - 63) + 1;
  if (signerName.length > max) el.push(tooLong(f, signerName, max));
  return el;
}

function validateConditions(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  list(o.status?.conditions).forEach((c: any, i: number) => {
    const f = `status.conditions[${i}]`;
    if (!c?.type) errs.push(required(`${f}.type`));
    if (!['True', 'False', 'Unknown'].includes(c?.status)) errs.push(notSupported(`${f}.status`, c?.status ?? '', ['False', 'True', 'Unknown']));
    if (c?.type === 'Approved' || c?.type === 'Denied') {
      if (c.type === 'Approved') approved = true;
      if (c.type === 'Denied') denied = true;
      if ((c.type === 'Approved' && denied) || (c.type === 'Denied' && approved && seen.has('Approved'))) errs.push(invalid(`${f}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
      if (c.status !== 'True') errs.push(notSupported(`${f}.status`, c.status ?? '', ['True']));
    }
    if (seen.has(c?.type)) errs.push(duplicate(`${f}.type`, c?.type));
    seen.add(c?.type);
  });
  return errs;
}

export function validateCSR(o: KubeObject, allowLegacySigner: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  const req = requestBytes(o);
  const r = checkCSR(req);
  if ('error' in r) errs.push(invalid('spec.request', goBytes(req), r.error));
  const usages = list(spec.usages);
  if (usages.length === 0) errs.push(required('spec.usages'));
  usages.forEach((u, i) => {
    if (!ALL_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, ALL_USAGES));
  });
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  const signer: string = spec.signerName ?? '';
  if (!allowLegacySigner && signer === LEGACY_UNKNOWN_SIGNER) errs.push(invalid('spec.signerName', signer, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName('spec.signerName', signer));
  if (isSet(spec.expirationSeconds) && spec.expirationSeconds < 600) errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  errs.push(...validateConditions(o));
  return errs;
}

// ---------------------------------------------------------------- strategy

function stampConditions(o: KubeObject, old: KubeObject | undefined, now: Date) {
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const c of list(o.status?.conditions)) {
    if (!isObj(c)) continue;
    if (!c.lastUpdateTime) c.lastUpdateTime = ts;
    if (!c.lastTransitionTime) {
      const prev = list(old?.status?.conditions).find((p: any) => p?.type === c.type);
      c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : ts;
    }
  }
}

function prepareCreate(o: KubeObject, ctx: RequestContext) {
  if (!isObj(o.spec)) o.spec = {};
  o.spec.username = ctx.user.name;
  o.spec.uid = ctx.user.uid ?? '';
  o.spec.groups = [...ctx.user.groups];
  if (ctx.user.extra && Object.keys(ctx.user.extra).length) o.spec.extra = deepClone(ctx.user.extra);
  else delete o.spec.extra;
  if (!o.spec.uid) delete o.spec.uid;
  o.status = {};
}

function prepareUpdate(o: KubeObject, old: KubeObject, ctx: RequestContext) {
  o.spec = deepClone(old.spec);
  const oldConds = list(old.status?.conditions);
  const isApproval = (c: any) => c?.type === 'Approved' || c?.type === 'Denied';
  if (ctx.subresource === 'status') {
    // Approval conditions change only through /approval.
    const conds = list(o.status?.conditions).filter((c) => !isApproval(c));
    o.status = { ...(o.status ?? {}), conditions: [...oldConds.filter(isApproval), ...conds] };
    if (o.status.conditions.length === 0) delete o.status.conditions;
  } else if (ctx.subresource === 'approval') {
    const conds = list(o.status?.conditions).filter(isApproval);
    o.status = { ...deepClone(old.status ?? {}), conditions: [...conds, ...oldConds.filter((c) => !isApproval(c))] };
    if (o.status.conditions.length === 0) delete o.status.conditions;
  } else {
    o.status = deepClone(old.status);
    if (o.status === undefined) delete o.status;
  }
  stampConditions(o, old, ctx.now);
}

function validateUpdate(o: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[] {
  // Updates keep the stored request; the legacy signer may be kept, unknown usages too.
  const errs = validateCSR(o, true).filter((e) => !(e.field.startsWith('spec.usages[') && e.type === 'FieldValueNotSupported'));
  if (ctx.subresource === 'approval') {
    for (const c of list(old.status?.conditions)) {
      if (c?.type !== 'Approved' && c?.type !== 'Denied') continue;
      if (!list(o.status?.conditions).some((n: any) => n?.type === c.type)) errs.push(forbiddenRemoval(c.type));
    }
  }
  if (ctx.subresource === 'status' && old.status?.certificate && o.status?.certificate !== old.status.certificate)
    errs.push({ type: 'FieldValueForbidden', field: 'status.certificate', detail: 'updates may not modify existing certificate content' });
  return errs;
}

const forbiddenRemoval = (type: string): FieldError => ({ type: 'FieldValueForbidden', field: 'status.conditions', detail: `updates may not remove a condition of type ${JSON.stringify(type)}` });

// ---------------------------------------------------------------- v1beta1

function betaDefaults(o: KubeObject) {
  if (!isObj(o.spec)) return;
  if (list(o.spec.usages).length === 0) o.spec.usages = ['digital signature', 'key encipherment'];
  if (!o.spec.signerName) {
    const r = checkCSR(requestBytes(o));
    let signer = LEGACY_UNKNOWN_SIGNER;
    if ('csr' in r) {
      const { commonName, organizations } = r.csr;
      const isNode = commonName.startsWith('system:node:') && organizations.length === 1 && organizations[0] === 'system:nodes';
      const usages = new Set(list(o.spec.usages));
      if (isNode && usages.has('client auth') && [...usages].every((u) => ['digital signature', 'key encipherment', 'client auth'].includes(u))) signer = 'kubernetes.io/kube-apiserver-client-kubelet';
      else if (isNode && usages.has('server auth') && [...usages].every((u) => ['digital signature', 'key encipherment', 'server auth'].includes(u))) signer = 'kubernetes.io/kubelet-serving';
    }
    o.spec.signerName = signer;
  }
}

/** Objects converted from v1beta1 in this request: they may use the legacy-unknown signer. */
const fromBeta = new WeakSet<KubeObject>();

// ---------------------------------------------------------------- table

export function csrCondition(o: KubeObject): string {
  let approved = false;
  let denied = false;
  let failed = false;
  for (const c of list(o.status?.conditions)) {
    if (c?.type === 'Approved') approved = true;
    if (c?.type === 'Denied') denied = true;
    if (c?.type === 'Failed') failed = true;
  }
  let s = denied ? 'Denied' : approved ? 'Approved' : 'Pending';
  if (failed) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

export const certificateSigningRequest: ResourceDescriptor = {
  group: G,
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  namespaced: false,
  storageVersion: 'v1',
  versions: [
    { version: 'v1', schema: csrV1 },
    {
      version: 'v1beta1',
      schema: csrBeta,
      deprecationWarning: 'certificates.k8s.io/v1beta1 CertificateSigningRequest is deprecated in v1.19+, unavailable in v1.22+; use certificates.k8s.io/v1 CertificateSigningRequest',
      defaults: betaDefaults,
      toStorage: (o) => {
        const out = { ...deepClone(o), apiVersion: `${G}/v1` };
        fromBeta.add(out);
        return out;
      },
      fromStorage: asVersion(`${G}/v1beta1`),
    },
  ],
  schema: csrV1,
  nameValidation: 'path',
  subresources: { status: true, extra: [{ name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] }] },
  validate: (o) => validateCSR(o, fromBeta.has(o) || String(o.apiVersion ?? '').endsWith('/v1beta1')),
  validateUpdate,
  prepareCreate,
  prepareUpdate,
  table: {
    columns: [
      nameColumn,
      ageColumn,
      col('SignerName', 'Signer the request is for.'),
      col('Requestor', 'User who created the request.'),
      col('RequestedDuration', 'Requested certificate lifetime.'),
      col('Condition', 'Approval state of the request.'),
    ],
    row: (o, now) => [
      o.metadata.name,
      age(o.metadata.creationTimestamp, now),
      o.spec?.signerName || '<none>',
      o.spec?.username ?? '',
      isSet(o.spec?.expirationSeconds) ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>',
      csrCondition(o),
    ],
  },
};

export const descriptors: ResourceDescriptor[] = [certificateSigningRequest];
