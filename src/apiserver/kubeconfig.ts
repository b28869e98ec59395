// kubeconfig files (kind: Config, apiVersion: v1) with credentials embedded as base64 *-data fields,
// in the layout kubeadm writes for admin.conf.

import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** API server URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /** Cluster CA certificate (PEM). */
  caPem: string;
  /** Client certificate and key (PEM), for certificate authentication. */
  certPem?: string;
  keyPem?: string;
  /** Bearer token, for token authentication. */
  token?: string;
  /** Name of the user entry. */
  user: string;
  /** Name of the cluster entry; default "sampan". */
  cluster?: string;
  /** Name of the context; default "<user>@<cluster>". */
  context?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Builds the kubeconfig document as a plain object (the shape kubectl config view --raw prints). */
export function kubeconfigObject(o: KubeconfigOptions): Record<string, unknown> {
  if (!o.user) throw new Error('kubeconfig: user name is required');
  if ((o.certPem === undefined) !== (o.keyPem === undefined)) {
    throw new Error('kubeconfig: client certificate and key must be given together');
  }
  const cluster = o.cluster ?? 'sampan';
  const context = o.context ?? `${o.user}@${cluster}`;
  const user: Record<string, string> = {};
  if (o.certPem !== undefined && o.keyPem !== undefined) {
    user['client-certificate-data'] = b64(o.certPem);
    user['client-key-data'] = b64(o.keyPem);
  }
  if (o.token !== undefined) user.token = o.token;
  const ctx: Record<string, string> = { cluster, user: o.user };
  if (o.namespace) ctx.namespace = o.namespace;
  return {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(o.caPem), server: o.server }, name: cluster }],
    contexts: [{ context: ctx, name: context }],
    'current-context': context,
    kind: 'Config',
    preferences: {},
    users: [{ name: o.user, user }],
  };
}

/** The kubeconfig as YAML text. */
export function kubeconfigYaml(o: KubeconfigOptions): string {
  return stringify(kubeconfigObject(o), { lineWidth: 0 });
}

/** Writes the kubeconfig to path with mode 0600 (atomically; parent directories are created). */
export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  const text = kubeconfigYaml(o);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
