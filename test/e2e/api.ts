// A raw HTTPS client for end-to-end tests that need what kubectl cannot do (bursts, fuzzing,
// watch counting): uses the admin credentials from the cluster's kubeconfig.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export interface Api {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Raw>;
  agent: https.Agent;
  close(): void;
}

export function apiFromKubeconfig(kubeconfig: string, o: { maxSockets?: number } = {}): Api {
  const cfg = parse(readFileSync(kubeconfig, 'utf8'));
  const cluster = cfg.clusters[0].cluster;
  const user = cfg.users[0].user;
  const url = new URL(cluster.server);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: o.maxSockets ?? 64,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: user['client-certificate-data'] ? Buffer.from(user['client-certificate-data'], 'base64') : undefined,
    key: user['client-key-data'] ? Buffer.from(user['client-key-data'], 'base64') : undefined,
  });
  return {
    agent,
    close: () => agent.destroy(),
    request(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        const req = https.request(
          { host: url.hostname, port: url.port, method, path, agent, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers, ...(payload !== undefined ? { 'content-length': Buffer.byteLength(payload) } : {}) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
  };
}

/** Opens a watch and calls onLine for each JSON event; returns a stop function. */
export function watchStream(api: Api, kubeconfig: string, path: string, onEvent: (ev: any) => void): Promise<() => void> {
  const cfg = parse(readFileSync(kubeconfig, 'utf8'));
  const url = new URL(cfg.clusters[0].cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, method: 'GET', path, agent: api.agent, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onEvent(JSON.parse(line));
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (e) => {
      if ((e as any).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}
