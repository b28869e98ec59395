// Objects every cluster has from its first start: the four system namespaces, the `kubernetes`
// Service and the built-in PriorityClasses. Reconciled on every start; never overwritten.
import type { Client } from '../client/local.js';
import type { ServerConfig } from '../api/descriptor.js';
import { ApiError } from '../api/errors.js';
import { firstServiceIP } from './netutil.js';

async function ensure(client: Client, path: string, obj: object) {
  try {
    await client.create(path, obj);
  } catch (e) {
    if (e instanceof ApiError && e.code === 409) return;
    throw e;
  }
}

export async function bootstrapObjects(client: Client, config: ServerConfig): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await ensure(client, '/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: firstServiceIP(config.serviceCIDR), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
  });
  for (const pc of [
    { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
    { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  ]) {
    try {
      await ensure(client, '/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, description: pc.description, preemptionPolicy: 'PreemptLowerPriority' });
    } catch (e) {
      // the kind may be absent in a trimmed registry
      if (!(e instanceof ApiError && e.code === 404 && !e.details?.name)) throw e;
    }
  }
}

/** The `kubernetes` Service's endpoints: this server's address and port. */
export async function reconcileKubernetesEndpoints(client: Client, ip: string, port: number): Promise<void> {
  const subsets = [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  const existing = await client.getOrNull<any>('/api/v1/namespaces/default/endpoints/kubernetes');
  if (!existing) {
    await ensure(client, '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets });
  } else if (JSON.stringify(existing.subsets) !== JSON.stringify(subsets)) {
    await client.update('/api/v1/namespaces/default/endpoints/kubernetes', { ...existing, subsets });
  }
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  try {
    const cur = await client.getOrNull<any>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    if (!cur) await ensure(client, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice);
    else if (JSON.stringify(cur.endpoints) !== JSON.stringify(slice.endpoints) || JSON.stringify(cur.ports) !== JSON.stringify(slice.ports)) {
      await client.update('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes', { ...cur, endpoints: slice.endpoints, ports: slice.ports });
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}
