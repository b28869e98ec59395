// Loading a kubeconfig file (kind: Config) the way client-go does for the parts our clients
// need: the current context (or a named one), its cluster's server and CA
// (certificate-authority-data or a certificate-authority file, insecure-skip-tls-verify,
// tls-server-name) and its user's credentials (client-certificate(-data) and
// client-key(-data), token or tokenFile). Relative file paths are relative to the kubeconfig.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface KubeCredentials {
  server: string;
  /** CA certificate(s), PEM. */
  ca?: string;
  /** Client certificate and key, PEM. */
  cert?: string;
  key?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** The context's default namespace. */
  namespace?: string;
}

/** The kubeconfig path kubectl would use: $KUBECONFIG (first entry) or ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(':').find(Boolean);
  return env ?? join(homedir(), '.kube', 'config');
}

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export function loadKubeconfig(path = defaultKubeconfigPath(), o: { context?: string } = {}): KubeCredentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: any;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`kubeconfig ${path} is not valid YAML: ${(e as Error).message}`);
  }
  return credentialsFromKubeconfig(doc, { ...o, baseDir: dirname(resolve(path)), source: path });
}

/** The credentials of a parsed kubeconfig document. */
export function credentialsFromKubeconfig(doc: any, o: { context?: string; baseDir?: string; source?: string } = {}): KubeCredentials {
  const src = o.source ?? 'kubeconfig';
  if (!doc || typeof doc !== 'object') throw new Error(`${src}: not a kubeconfig`);
  const ctxName = o.context ?? doc['current-context'];
  if (!ctxName) throw new Error(`${src}: no current-context set`);
  const named = (list: unknown, name: string, what: string) => {
    const e = (Array.isArray(list) ? list : []).find((x: any) => x?.name === name);
    if (!e) throw new Error(`${src}: ${what} "${name}" not found`);
    return e;
  };
  const context = named(doc.contexts, ctxName, 'context').context ?? {};
  const cluster = named(doc.clusters, context.cluster, 'cluster').cluster ?? {};
  const user = context.user ? named(doc.users, context.user, 'user').user ?? {} : {};
  const file = (p: string) => readFileSync(isAbsolute(p) ? p : join(o.baseDir ?? process.cwd(), p), 'utf8');
  if (!cluster.server) throw new Error(`${src}: cluster "${context.cluster}" has no server`);
  const creds: KubeCredentials = { server: String(cluster.server).replace(/\/+$/, '') };
  if (cluster['certificate-authority-data']) creds.ca = b64(cluster['certificate-authority-data']);
  else if (cluster['certificate-authority']) creds.ca = file(cluster['certificate-authority']);
  if (cluster['insecure-skip-tls-verify']) creds.insecureSkipTLSVerify = true;
  if (cluster['tls-server-name']) creds.tlsServerName = cluster['tls-server-name'];
  if (user['client-certificate-data']) creds.cert = b64(user['client-certificate-data']);
  else if (user['client-certificate']) creds.cert = file(user['client-certificate']);
  if (user['client-key-data']) creds.key = b64(user['client-key-data']);
  else if (user['client-key']) creds.key = file(user['client-key']);
  if (user.token) creds.token = String(user.token);
  else if (user.tokenFile) creds.token = file(user.tokenFile).trim();
  if (!!creds.cert !== !!creds.key) throw new Error(`${src}: user "${context.user}" has a client certificate without a key or a key without a certificate`);
  if (context.namespace) creds.namespace = context.namespace;
  return creds;
}
