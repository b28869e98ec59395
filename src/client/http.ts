// The API client over HTTPS, for components that run outside the server process (`sampan
// sim-nodes`, later the node agent): the same Client interface as the in-process client, so
// informers, work queues and controllers run unchanged over it. JSON in and out; failures are
// ApiErrors built from the Status the server sends; a watch is a chunked stream of JSON lines
// parsed as they arrive. Requests share one keep-alive agent; watches, which hold their
// connection open, get their own so they never starve requests.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { ApiError } from '../api/errors.js';
import type { Client } from './local.js';
import type { WatchEventOut } from '../apiserver/watch.js';
import { loadKubeconfig, type KubeCredentials } from './kubeconfig.js';

export interface HttpClientOptions extends KubeCredentials {
  /** Concurrent connections for ordinary requests (default 64). */
  maxSockets?: number;
  userAgent?: string;
  /** Per-request timeout for everything but watches (default 60 s). */
  timeoutMs?: number;
}

export interface HttpClient extends Client {
  readonly server: string;
  /** A raw request: the status and the parsed JSON body (or text). */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown }>;
  /** Closes idle connections and every open watch. */
  close(): void;
}

const patchTypes = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const reasonFor: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };

/** The ApiError a failed response stands for: the Status's reason, message and details when it sent one. */
export function errorFromResponse(status: number, text: string): ApiError {
  let st: any;
  try {
    st = JSON.parse(text);
  } catch {
    st = undefined;
  }
  if (st && st.kind === 'Status') return new ApiError(st.code ?? status, st.reason ?? '', st.message ?? '', st.details);
  const msg = text.trim() || `the server responded with status ${status}`;
  return new ApiError(status, reasonFor[status] ?? '', msg);
}

export function httpClient(kubeconfigOrOptions: string | HttpClientOptions): HttpClient {
  const o: HttpClientOptions = typeof kubeconfigOrOptions === 'string' ? loadKubeconfig(kubeconfigOrOptions) : kubeconfigOrOptions;
  const base = new URL(o.server);
  const tls = {
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    rejectUnauthorized: !o.insecureSkipTLSVerify,
    servername: o.tlsServerName,
  };
  const agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: o.maxSockets ?? 64 });
  const watchAgent = new https.Agent({ ...tls, keepAlive: false });
  const userAgent = o.userAgent ?? `sampan/${process.versions.node} (${process.platform}/${process.arch})`;
  const basePath = base.pathname.replace(/\/+$/, '');
  const openWatches = new Set<() => void>();

  function send(method: string, path: string, body: unknown, contentType: string | undefined, watch: boolean): Promise<IncomingMessage> {
    return new Promise((resolvePromise, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let payload: Buffer | undefined;
      if (body !== undefined) {
        payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
        headers['content-type'] = contentType ?? 'application/json';
        headers['content-length'] = String(payload.length);
      }
      const req = https.request(
        { protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || 443, path: basePath + path, method, headers, agent: watch ? watchAgent : agent, ...(watch ? {} : { timeout: o.timeoutMs ?? 60_000 }) },
        resolvePromise,
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.end(payload);
    });
  }

  async function readAll(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown }> {
    const res = await send(method, path, body, contentType, false);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    let parsed: unknown = text;
    if (/json/.test(String(res.headers['content-type'] ?? ''))) {
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
    }
    return { status, body: parsed };
  }

  async function call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await send(method, path, body, contentType, false);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    server: o.server,
    request,
    get: (p) => call('GET', p),
    async getOrNull(p) {
      try {
        return await call('GET', p);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return null;
        throw e;
      }
    },
    list: (p) => call('GET', p),
    create: (p, b) => call('POST', p, b),
    update: (p, b) => call('PUT', p, b),
    patch: (p, b, t = 'merge') => call('PATCH', p, b, patchTypes[t]),
    delete: (p, opts) => call('DELETE', p, opts),
    async watch(p, onEvent, onEnd) {
      const path = p.includes('?') ? `${p}&watch=true` : `${p}?watch=true`;
      const res = await send('GET', path, undefined, undefined, true);
      const status = res.statusCode ?? 0;
      if (status !== 200) throw errorFromResponse(status, await readAll(res));
      let stopped = false;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        openWatches.delete(stop);
        if (!stopped) onEnd();
      };
      const stop = () => {
        if (stopped) return;
        stopped = true;
        openWatches.delete(stop);
        res.destroy();
      };
      openWatches.add(stop);
      const decoder = new StringDecoder('utf8');
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        if (stopped) return;
        buf += decoder.write(chunk);
        let start = 0;
        let nl: number;
        while ((nl = buf.indexOf('\n', start)) >= 0) {
          const line = buf.slice(start, nl).trim();
          start = nl + 1;
          if (!line) continue;
          let ev: WatchEventOut;
          try {
            ev = JSON.parse(line);
          } catch {
            // a line that is not JSON means the stream is broken: end it, the caller resumes
            res.destroy();
            end();
            stopped = true;
            return;
          }
          onEvent(ev);
          if (stopped) return;
        }
        buf = start ? buf.slice(start) : buf;
      });
      res.on('end', end);
      res.on('error', end);
      res.on('close', end);
      return stop;
    },
    close() {
      for (const s of [...openWatches]) s();
      agent.destroy();
      watchAgent.destroy();
    },
  };
}
