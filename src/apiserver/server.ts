// `sampan server`: the HTTPS front of the API. Authentication, then non-resource paths
// (health, version, metrics, discovery, OpenAPI) or the generic REST path.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname, networkInterfaces } from 'node:os';
import type { KubeObject, UserInfo } from '../api/types.js';
import { ApiError, internal, isApiError, unauthorized } from '../api/errors.js';
import { KindRegistry } from '../api/registry.js';
import type { ServerConfig } from '../api/descriptor.js';
import { builtinDescriptors } from '../api/kinds/index.js';
import { openSqliteStore } from '../storage/sqlite.js';
import { createWatchCache } from '../storage/watchcache.js';
import type { Store } from '../storage/store.js';
import { parseRequestInfo } from './request.js';
import { readBody } from './body.js';
import { handleResource, JsonParts, type ApiRequest, type ApiResponse } from './rest.js';
import type { ServerContext } from './context.js';
import { renderMetrics, requestDuration, requestTotal } from './metrics.js';
import { discoveryReply, openapiReply, versionInfo } from './discovery-mount.js';
import { ensurePki } from './pki.js';
import { createAuthenticator } from './authn.js';
import { writeKubeconfig } from './kubeconfig.js';
import { namespaceLifecycle } from './admission/namespacelifecycle.js';
import { localClient, type ApiCaller } from '../client/local.js';
import { startNamespaceController } from '../controllers/namespace/namespace.js';
import { startCrdController } from '../controllers/crd/crd.js';
import { startGarbageCollector } from '../controllers/garbagecollector/garbagecollector.js';
import { startEventTTL } from '../controllers/eventttl/eventttl.js';
import { startControllerManager } from '../controllers/manager.js';
import { components } from '../controllers/index.js';
import { bootstrapObjects, reconcileKubernetesEndpoints } from './bootstrap.js';
import { firstServiceIP } from './netutil.js';
import { log } from '../util/log.js';
import { podSubresourceHandlers, createBinding } from './subresources/pods.js';

export interface ServerOptions {
  dataDir: string;
  port?: number;
  bind?: string;
  tokenFile?: string;
  serviceCIDR?: string;
  nodePortRange?: string;
  /** Compact history older than this many revisions behind the head (default 10000). */
  compactionRevisions?: number;
  compactionIntervalMs?: number;
  /** Events the watch cache keeps for watches that start in the past (older ones get 410 Gone). */
  watchCacheSize?: number;
  /** Pod network (default 10.244.0.0/16) and the prefix length of each node's podCIDR (24). */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** Simulated nodes run in this process. */
  simNodes?: number;
  /** Controller-manager components to leave out, by name. */
  disabledControllers?: string[];
}

export interface RunningServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  context: ServerContext;
  call: ApiCaller;
  close(): Promise<void>;
}

const systemUser: UserInfo = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const started = Date.now();
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const port = o.port ?? 6443;
  const bind = o.bind ?? '0.0.0.0';
  const store: Store = await openSqliteStore(join(o.dataDir, 'state.db'));
  const cache = createWatchCache(store, { bufferSize: o.watchCacheSize ?? 2_000 });
  await cache.ready();
  const registry = new KindRegistry();
  for (const d of builtinDescriptors()) registry.add(d);
  const [npLo, npHi] = (o.nodePortRange ?? '30000-32767').split('-').map(Number);
  const config: ServerConfig = { serviceCIDR: o.serviceCIDR ?? '10.96.0.0/12', nodePortRange: [npLo, npHi], clusterDomain: 'cluster.local' };

  const addrs = hostAddresses();
  const pki = await ensurePki(o.dataDir, { hosts: [hostname()], ips: [...addrs, firstServiceIP(config.serviceCIDR)] });
  const authn = createAuthenticator({ caPem: pki.caCert, tokenFile: o.tokenFile });

  const sc: ServerContext = {
    store,
    cache,
    registry,
    config,
    authorize: () => ({ allowed: true }),
    admission: [namespaceLifecycle],
    subresourceHandlers: podSubresourceHandlers(),
    createHandlers: { '/bindings': createBinding },
  };

  const call: ApiCaller = async (method, path, co = {}) => {
    const body = co.body === undefined ? undefined : Buffer.from(typeof co.body === 'string' ? co.body : JSON.stringify(co.body));
    const req: ApiRequest = { method, url: path, headers: { 'content-type': co.contentType ?? 'application/json', accept: co.accept ?? 'application/json', 'user-agent': 'sampan-server' }, body, user: co.user ?? systemUser, internal: true };
    const info = parseRequestInfo(method, path);
    if (!info.isResourceRequest) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return handleResource(sc, info, req);
  };

  await bootstrapObjects(localClient(call, systemUser), config);

  let serverAddress = `${bind === '0.0.0.0' ? addrs[0] ?? '127.0.0.1' : bind}:${port}`;
  const server = https.createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: [pki.caCert], requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 60_000 },
    (req, res) => void serve(req, res),
  );
  server.headersTimeout = 0;
  server.requestTimeout = 0;

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const t0 = process.hrtime.bigint();
    const info = parseRequestInfo(req.method ?? 'GET', req.url ?? '/');
    let code = 500;
    try {
      const user = authn.authenticate(req);
      if (!user || user === 'invalid') throw unauthorized();
      const nonResource = await serveNonResource(req, info.path, user);
      if (nonResource) {
        code = nonResource.status;
        send(res, nonResource);
        return;
      }
      if (!info.isResourceRequest) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
      const reply = await handleResource(sc, info, { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, user });
      code = reply.status;
      if (reply.watch) {
        streamWatch(req, res, reply);
        return;
      }
      send(res, reply);
    } catch (e) {
      const err = isApiError(e) ? e : internal((e as Error).message);
      if (!isApiError(e)) log.error('request failed', { path: info.path, method: req.method, error: (e as Error).stack });
      code = err.code;
      send(res, { status: err.code, body: err.toStatus(), headers: err.headers });
    } finally {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const labels = { verb: info.isResourceRequest ? info.verb.toUpperCase() : (req.method ?? 'GET'), group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope: info.namespace ? 'namespace' : info.name ? 'resource' : 'cluster', component: 'apiserver' };
      if (info.verb !== 'watch') requestDuration.observe(labels, seconds);
      requestTotal.inc({ ...labels, code: String(code) });
    }
  }

  async function serveNonResource(req: IncomingMessage, path: string, _user: UserInfo): Promise<ApiResponse | undefined> {
    const url = new URL(req.url ?? '/', 'https://x');
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(path)) {
      const checks = ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers', 'poststarthook/bootstrap-controller'];
      const [, , check] = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(path)!;
      if (check && !checks.includes(check)) return { status: 404, body: '404 page not found\n', headers: { 'content-type': 'text/plain; charset=utf-8' } };
      if (url.searchParams.has('verbose')) {
        const what = path.split('/')[1];
        return { status: 200, body: checks.map((c) => `[+]${c} ok`).join('\n') + `\n${what} check passed\n`, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      }
      return { status: 200, body: 'ok', headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    if (path === '/version' || path === '/version/') return { status: 200, body: versionInfo() };
    if (path === '/metrics') return { status: 200, body: renderMetrics(), headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } };
    const accept = req.headers.accept;
    const disc = discoveryReply(registry, path, accept, serverAddress, req.headers['if-none-match'] as string | undefined);
    if (disc) return { status: disc.status, body: disc.body, headers: disc.headers };
    const oa = openapiReply(registry, path + (url.search ?? ''), accept, req.headers['if-none-match'] as string | undefined);
    if (oa) return { status: oa.status, body: oa.body, headers: oa.headers };
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => resolve());
  });
  const actualPort = (server.address() as { port: number }).port;
  serverAddress = `${bind === '0.0.0.0' ? addrs[0] ?? '127.0.0.1' : bind}:${actualPort}`;
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const kubeconfigPath = join(o.dataDir, 'kubeconfig');
  writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey, user: 'admin' });

  await reconcileKubernetesEndpoints(localClient(call, systemUser), bind === '0.0.0.0' || bind === '::' ? addrs[0] ?? '127.0.0.1' : bind, actualPort);
  const client = localClient(call, { name: 'system:serviceaccount:kube-system:namespace-controller', groups: ['system:masters', 'system:authenticated'] });
  const nsController = startNamespaceController(client, registry, (m, x) => log.info(m, { component: 'namespace-controller', ...x }));
  const crdController = await startCrdController(localClient(call, { name: 'system:serviceaccount:kube-system:crd-controller', groups: ['system:masters', 'system:authenticated'] }), registry, (m, x) => log.info(m, { component: 'crd-controller', ...x }));
  const gcClient = localClient(call, { name: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:masters', 'system:authenticated'] });
  const eventTTL = startEventTTL(client, { log: (m, x) => log.warn(m, { component: 'event-ttl', ...x }) });
  const gc = startGarbageCollector(gcClient, registry, (m, x) => log.warn(m, { component: 'garbage-collector', ...x }));
  const manager = await startControllerManager(
    {
      makeClient: (u) => localClient(call, u),
      registry,
      log: (component) => (m, x) => log.info(m, { component, ...x }),
      config: {
        clusterCIDR: o.clusterCIDR ?? '10.244.0.0/16',
        nodeCIDRMaskSize: o.nodeCIDRMaskSize ?? 24,
        serviceCIDR: config.serviceCIDR,
        clusterDomain: config.clusterDomain,
        simNodes: o.simNodes ?? 0,
        disabled: o.disabledControllers ?? [],
      },
    },
    components,
  );

  const keep = o.compactionRevisions ?? 10_000;
  const compactor = setInterval(() => {
    const target = store.currentRevision() - keep;
    if (target > store.compactedRevision()) store.compact(target).catch((e) => log.error('compaction failed', { error: String(e) }));
  }, o.compactionIntervalMs ?? 5 * 60_000);
  compactor.unref();

  log.info('apiserver started', { component: 'apiserver', url, dataDir: o.dataDir, startupMs: Date.now() - started });
  return {
    url,
    port: actualPort,
    kubeconfigPath,
    context: sc,
    call,
    async close() {
      clearInterval(compactor);
      nsController.stop();
      crdController.stop();
      await manager.stop(); // releases the leader-election Leases before the store closes
      gc.stop();
      eventTTL.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      cache.close();
      await store.close();
    },
  };
}

function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.push(a.address);
  return out;
}

function send(res: ServerResponse, r: ApiResponse & { headers?: Record<string, string> }) {
  if (res.headersSent) return;
  const headers: Record<string, string | string[]> = { ...(r.headers ?? {}) };
  if (r.warnings?.length) headers['warning'] = [...new Set(r.warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
  if (r.status === 304) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (r.body instanceof JsonParts) {
    headers['content-type'] ??= 'application/json';
    headers['cache-control'] ??= 'no-cache, private';
    res.writeHead(r.status, headers);
    void writeParts(res, r.body.parts);
    return;
  }
  let payload: string | Buffer;
  if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) payload = r.body;
  else {
    payload = JSON.stringify(r.body ?? {});
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  headers['cache-control'] ??= 'no-cache, private';
  res.writeHead(r.status, headers);
  res.end(payload);
}

/** Writes a large body in ~1 MiB writes, waiting for the socket to drain between them. */
async function writeParts(res: ServerResponse, parts: string[]) {
  const LIMIT = 1 << 20;
  let batch: string[] = [];
  let size = 0;
  for (let i = 0; i < parts.length; i++) {
    batch.push(parts[i]);
    size += parts[i].length;
    if (size >= LIMIT || i === parts.length - 1) {
      const ok = res.write(batch.join(''));
      batch = [];
      size = 0;
      if (!ok && !res.destroyed) {
        await new Promise<void>((r) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            r();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed) return;
    }
  }
  res.end();
}

const MAX_WATCH_BUFFER = 64 * 1024 * 1024;

/**
 * Streams watch events as JSON lines. Lines are gathered and written once per turn of the event
 * loop, so a burst reaches each watcher in a few large writes and never runs inside the store's
 * commit; a watcher whose backlog passes 64 MiB is closed (it will re-watch, as informers do).
 */
function streamWatch(req: IncomingMessage, res: ServerResponse, reply: ApiResponse) {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' };
  if (reply.warnings?.length) headers['warning'] = [...new Set(reply.warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(200, headers);
  res.flushHeaders();
  let stop: (() => void) | undefined;
  let closed = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (closed || pending.length === 0) return;
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    // one writev per turn; the shared line Buffers are referenced, not copied
    res.cork();
    for (const c of chunks) res.write(c);
    res.uncork();
    if (res.writableLength > MAX_WATCH_BUFFER) {
      log.warn('closing slow watcher', { component: 'apiserver', path: req.url });
      finish();
    }
  };
  const finish = () => {
    if (closed) return;
    flush();
    closed = true;
    stop?.();
    res.end();
  };
  res.on('close', finish);
  stop = reply.watch!.start(
    (ev, line) => {
      if (closed) return;
      const buf = line ?? Buffer.from(JSON.stringify(ev) + '\n');
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes > MAX_WATCH_BUFFER) {
        log.warn('closing slow watcher', { component: 'apiserver', path: req.url });
        finish();
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    finish,
  );
  if (closed) stop();
}

export type { KubeObject };
