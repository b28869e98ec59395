// Request authentication: X.509 client certificates signed by the cluster CA and bearer tokens
// from a kube-apiserver style static token file (plus any further token sources the caller adds).
//
// Results follow kube-apiserver's union authenticator: the first method that identifies the caller
// wins; if none does but one of them saw bad credentials (an untrusted certificate, an unknown
// token), the result is 'invalid' and the caller answers 401; with no credentials at all the
// result is null (anonymous).

import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import { TLSSocket } from 'node:tls';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { UserInfo } from '../api/types.js';

export const ALL_AUTHENTICATED = 'system:authenticated';

export type AuthResult = UserInfo | null | 'invalid';

export interface Authenticator {
  authenticate(req: IncomingMessage): AuthResult;
}

/** A further bearer-token source (service-account JWTs, bootstrap tokens, ...). */
export type TokenAuthenticator = (token: string) => AuthResult;

export interface AuthenticatorOptions {
  /** Cluster CA (PEM) that client certificates must chain to. */
  caPem: string;
  /** Static token file: CSV lines `token,user,uid,"group1,group2"`. */
  tokenFile?: string;
  /** Consulted after the token file for bearer tokens it does not know. */
  tokenAuthenticators?: TokenAuthenticator[];
}

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';
const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function withAuthenticatedGroup(u: UserInfo): UserInfo {
  const groups = [...u.groups];
  if (!groups.includes(ALL_AUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  const out: UserInfo = { name: u.name, groups };
  if (u.uid) out.uid = u.uid;
  if (u.extra) out.extra = structuredClone(u.extra);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Client certificates

interface CertIdentity {
  name: string;
  groups: string[];
  notBefore: number;
  notAfter: number;
}

type CertCheck = CertIdentity | 'invalid' | null;

function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

function attrValues(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Examines the peer certificate of a TLS connection once; the result is cached per socket. */
function checkPeer(socket: TLSSocket, caDers: Buffer[]): CertCheck {
  const peer = socket.getPeerCertificate(true) as DetailedPeerCertificate | null;
  if (!peer || !peer.raw) return null; // no client certificate presented
  if (!socket.authorized) return 'invalid';

  // The verified chain must end in the cluster CA (the TLS server may trust further CAs).
  const seen = new Set<DetailedPeerCertificate>();
  let anchored = false;
  for (let c: DetailedPeerCertificate | undefined = peer; c && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    if (c.raw && caDers.some((d) => d.equals(c!.raw))) {
      anchored = true;
      break;
    }
  }
  if (!anchored) return 'invalid';

  // The certificate must be usable for client authentication (when it restricts its usage at all).
  const eku = (peer as PeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && eku.length > 0 && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) return 'invalid';

  const notBefore = Date.parse(peer.valid_from);
  const notAfter = Date.parse(peer.valid_to);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) return 'invalid';

  const subject = (peer.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const cns = attrValues(subject.CN);
  // Like Go's pkix.Name, the last CN wins; a certificate without one identifies nobody.
  const name = cns.length > 0 ? cns[cns.length - 1] : '';
  if (name === '') return null;
  return { name, groups: attrValues(subject.O), notBefore, notAfter };
}

function makeCertAuthenticator(caPem: string): (req: IncomingMessage) => AuthResult {
  const caDers = pemToDer(caPem);
  if (caDers.length === 0) throw new Error('authenticator: no CA certificate in caPem');
  const cache = new WeakMap<TLSSocket, CertCheck>();
  return (req) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return null;
    let check = cache.get(socket);
    if (check === undefined) {
      check = checkPeer(socket, caDers);
      cache.set(socket, check);
    }
    if (check === null || check === 'invalid') return check;
    const now = Date.now();
    if (now < check.notBefore || now > check.notAfter) return 'invalid';
    return withAuthenticatedGroup({ name: check.name, groups: check.groups });
  };
}

// ---------------------------------------------------------------------------------------------
// Static token file

/** Parses CSV the way Go's encoding/csv does with TrimLeadingSpace and variable field counts. */
export function parseCsv(text: string): string[][] {
  const s = text.replace(/\r\n/g, '\n');
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
  const records: string[][] = [];
  let i = 0;
  let line = 1;
  const fail = (col: number, what: string): never => {
    throw new Error(`parse error on line ${line}, column ${col}: ${what}`);
  };
  let lineStart = 0;
  while (i < s.length) {
    if (s[i] === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    const rec: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      while (i < s.length && isSpace(s[i])) i++;
      if (s[i] === '"') {
        i++;
        let f = '';
        for (;;) {
          if (i >= s.length) fail(i - lineStart + 1, 'extraneous or missing " in quoted-field');
          const c = s[i];
          if (c === '"') {
            const n = s[i + 1];
            if (n === '"') {
              f += '"';
              i += 2;
              continue;
            }
            if (n === ',') {
              i += 2;
              break;
            }
            if (n === '\n' || n === undefined) {
              i += 2;
              line++;
              lineStart = i;
              endOfRecord = true;
              break;
            }
            fail(i - lineStart + 2, 'extraneous or missing " in quoted-field');
          }
          if (c === '\n') {
            line++;
            lineStart = i + 1;
          }
          f += c;
          i++;
        }
        rec.push(f);
      } else {
        let j = i;
        while (j < s.length && s[j] !== ',' && s[j] !== '\n') j++;
        const f = s.slice(i, j);
        const q = f.indexOf('"');
        if (q >= 0) fail(i + q - lineStart + 1, 'bare " in non-quoted-field');
        rec.push(f);
        if (s[j] === ',') {
          i = j + 1;
        } else {
          i = j + 1;
          line++;
          lineStart = i;
          endOfRecord = true;
        }
      }
    }
    records.push(rec);
  }
  return records;
}

interface TokenEntry {
  digest: Buffer;
  user: UserInfo;
}

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Parses a kube-apiserver --token-auth-file. Later duplicates of a token replace earlier ones. */
export function parseTokenFile(text: string, path = 'token file'): TokenEntry[] {
  const byToken = new Map<string, UserInfo>();
  for (const record of parseCsv(text)) {
    if (record.length < 3) {
      throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    }
    if (record[0] === '') continue; // empty tokens never authenticate
    const user: UserInfo = { name: record[1], groups: [] };
    if (record[2] !== '') user.uid = record[2];
    if (record.length >= 4) user.groups = record[3].split(',');
    byToken.set(record[0], user);
  }
  return [...byToken].map(([token, user]) => ({ digest: digestOf(token), user }));
}

function makeTokenFileLookup(path: string): (token: string) => UserInfo | null {
  let entries = parseTokenFile(readFileSync(path, 'utf8'), path);
  let stamp = fileStamp(path);
  return (token) => {
    const now = fileStamp(path);
    if (now !== undefined && now !== stamp) {
      try {
        entries = parseTokenFile(readFileSync(path, 'utf8'), path);
        stamp = now;
      } catch {
        // A half-written or broken file keeps the previous tokens until it changes again.
      }
    }
    // Compare against every entry without stopping early, on fixed-length digests.
    const d = digestOf(token);
    let found: UserInfo | null = null;
    for (const e of entries) {
      if (timingSafeEqual(e.digest, d)) found = e.user;
    }
    return found;
  };
}

function fileStamp(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.mtimeNs}:${st.size}:${st.ino}`;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Bearer tokens from the request

/** The token from `Authorization: Bearer <token>`, or undefined when the header carries none. */
function bearerFromHeader(req: IncomingMessage): string | undefined {
  const auth = (req.headers.authorization ?? '').trim();
  if (auth === '') return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  return parts[1] === '' ? undefined : parts[1];
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const conn = String(req.headers.connection ?? '').toLowerCase();
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  return conn.split(',').some((t) => t.trim() === 'upgrade') && upgrade === 'websocket';
}

/**
 * The token a browser passes as WebSocket subprotocol `base64url.bearer.authorization.k8s.io.<b64url>`.
 * Returns the token and the remaining subprotocols, 'invalid' for malformed use, or undefined.
 */
function bearerFromWebSocket(req: IncomingMessage): { token: string; rest: string[] } | 'invalid' | undefined {
  if (!isWebSocketUpgrade(req)) return undefined;
  const raw = req.headers['sec-websocket-protocol'];
  if (raw === undefined) return undefined;
  const rest: string[] = [];
  let token: string | undefined;
  for (const header of Array.isArray(raw) ? raw : [raw]) {
    for (let p of header.split(',')) {
      p = p.trim();
      if (!p.startsWith(WS_BEARER_PREFIX)) {
        rest.push(p);
        continue;
      }
      if (token !== undefined) return 'invalid';
      const enc = p.slice(WS_BEARER_PREFIX.length);
      if (!/^[A-Za-z0-9_-]*$/.test(enc) || enc.length % 4 === 1) return 'invalid';
      try {
        token = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(enc, 'base64url'));
      } catch {
        return 'invalid';
      }
    }
  }
  if (token === undefined || token === '') return undefined;
  if (rest.length === 0) return 'invalid';
  return { token, rest };
}

// ---------------------------------------------------------------------------------------------

export function createAuthenticator(o: AuthenticatorOptions): Authenticator {
  const byCert = makeCertAuthenticator(o.caPem);
  const sources: TokenAuthenticator[] = [];
  if (o.tokenFile !== undefined) {
    const lookup = makeTokenFileLookup(o.tokenFile);
    sources.push((t) => lookup(t));
  }
  sources.push(...(o.tokenAuthenticators ?? []));

  const byToken = (token: string): AuthResult => {
    for (const src of sources) {
      const r = src(token);
      if (r !== null && r !== 'invalid') return withAuthenticatedGroup(r);
    }
    // A token nobody recognises is bad credentials, not anonymity.
    return 'invalid';
  };

  return {
    authenticate(req: IncomingMessage): AuthResult {
      let invalid = false;

      const cert = byCert(req);
      if (cert === 'invalid') invalid = true;
      else if (cert !== null) return cert;

      const headerToken = bearerFromHeader(req);
      if (headerToken !== undefined) {
        const r = byToken(headerToken);
        if (r !== 'invalid' && r !== null) {
          // Like kube-apiserver, keep the credential from travelling further (proxies, logs).
          delete req.headers.authorization;
          return r;
        }
        invalid = true;
      }

      const ws = bearerFromWebSocket(req);
      if (ws === 'invalid') invalid = true;
      else if (ws !== undefined) {
        const r = byToken(ws.token);
        if (r !== 'invalid' && r !== null) {
          req.headers['sec-websocket-protocol'] = ws.rest.join(',');
          return r;
        }
        invalid = true;
      }

      return invalid ? 'invalid' : null;
    },
  };
}
