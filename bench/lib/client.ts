// A deliberately light HTTPS client for benchmarks: admin client certificate from the
// kubeconfig, keep-alive agents, bodies returned as strings (parsed only when a caller needs
// them), and a line-splitting watch reader that does not JSON-parse events.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Reply {
  status: number;
  body: string;
}

export interface Credentials {
  host: string;
  port: number;
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export function credentialsFromKubeconfig(path: string): Credentials {
  const cfg = parse(readFileSync(path, 'utf8'));
  const cluster = cfg.clusters[0].cluster;
  const user = cfg.users[0].user;
  const url = new URL(cluster.server);
  const b64 = (v: string | undefined) => (v ? Buffer.from(v, 'base64') : undefined);
  return { host: url.hostname, port: Number(url.port), ca: b64(cluster['certificate-authority-data'])!, cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
}

export interface Client {
  creds: Credentials;
  request(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<Reply>;
  close(): void;
}

export function newClient(creds: Credentials, o: { maxSockets?: number } = {}): Client {
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 32, ca: creds.ca, cert: creds.cert, key: creds.key });
  return {
    creds,
    close: () => agent.destroy(),
    request(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const h: Record<string, string | number> = { accept: 'application/json', ...headers };
        if (body !== undefined) {
          h['content-type'] ??= 'application/json';
          h['content-length'] = Buffer.byteLength(body);
        }
        const req = https.request({ host: creds.host, port: creds.port, method, path, agent, headers: h }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}

/** An agent for long-running watches: unlimited sockets, TLS sessions reused across them. */
export function watchAgent(creds: Credentials): https.Agent {
  return new https.Agent({ keepAlive: false, maxSockets: Infinity, maxCachedSessions: 1000, ca: creds.ca, cert: creds.cert, key: creds.key });
}

export interface WatchHandle {
  /** Resolves when the server has answered (status line and headers). */
  ready: Promise<number>;
  /** True once the stream has ended or failed. */
  ended(): boolean;
  stop(): void;
}

/**
 * Opens a watch on its own connection (use an agent from watchAgent) and calls onLine with each
 * raw event line as a Buffer view (valid only during the call). Lines are neither decoded nor
 * parsed here, which keeps the client cheap when a thousand watchers stream at once.
 */
export function openWatch(agent: https.Agent, creds: Credentials, path: string, onLine: (line: Buffer) => void): WatchHandle {
  let done = false;
  let req: ReturnType<typeof https.request>;
  const ready = new Promise<number>((resolve, reject) => {
    req = https.request({ host: creds.host, port: creds.port, method: 'GET', path, agent, headers: { accept: 'application/json' } }, (res) => {
      resolve(res.statusCode ?? 0);
      let rest: Buffer | undefined;
      res.on('data', (c: Buffer) => {
        const buf = rest ? Buffer.concat([rest, c]) : c;
        let start = 0;
        let i: number;
        while ((i = buf.indexOf(10, start)) >= 0) {
          if (i > start) onLine(buf.subarray(start, i));
          start = i + 1;
        }
        rest = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
      });
      const finish = () => (done = true);
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.on('error', (e) => {
      done = true;
      reject(e);
    });
    req.end();
  });
  ready.catch(() => {});
  return { ready, ended: () => done, stop: () => req.destroy() };
}
