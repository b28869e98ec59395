// NamespaceLifecycle: no new content in missing or terminating namespaces; the system
// namespaces cannot be deleted.
import { ApiError, notFound, qualifiedResource } from '../../api/errors.js';
import type { AdmissionPlugin } from '../context.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

export const namespaceLifecycle: AdmissionPlugin = (op, d, obj, old, ctx) => {
  if (op === 'DELETE' && d.group === '' && d.plural === 'namespaces') {
    const name = old?.metadata.name ?? '';
    if (IMMORTAL.has(name)) throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    return;
  }
  if (op !== 'CREATE' || !d.namespaced || !obj) return;
  const ns = obj.metadata.namespace;
  if (!ns) return;
  const nsObj = ctx.lookup.get({ group: '', resource: 'namespaces' }, undefined, ns);
  if (!nsObj) throw notFound('namespaces', '', ns);
  if (nsObj.metadata.deletionTimestamp || nsObj.status?.phase === 'Terminating') {
    // events about the namespace's own teardown are still accepted, as in Kubernetes
    if (d.group === '' && d.plural === 'events') return;
    const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
    throw new ApiError(403, 'Forbidden', `${qualifiedResource(d.plural, d.group)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
      name,
      group: d.group || undefined,
      kind: d.plural,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
    });
  }
};
