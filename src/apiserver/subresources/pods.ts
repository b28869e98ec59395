// pods/binding (and the bindings resource) and pods/eviction.
import type { ResourceDescriptor, RequestContext } from '../../api/descriptor.js';
import type { KubeObject } from '../../api/types.js';
import { ApiError, badRequest, conflict, methodNotAllowed, notFound } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors.js';
import { decodeBody, requireMedia } from '../body.js';
import type { ServerContext } from '../context.js';
import type { RequestInfo } from '../request.js';
import { updateStored, deleteStored, type ApiRequest, type ApiResponse } from '../rest.js';

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });
const nowISO = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function body(req: ApiRequest): any {
  const media = requireMedia(req.headers['content-type'] as string | undefined, ['json', 'yaml', 'protobuf'], ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  const { value } = decodeBody(req.body ?? Buffer.alloc(0), media);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the body must be an object');
  return value;
}

function podsDescriptor(sc: ServerContext): ResourceDescriptor {
  const d = sc.registry.byGroupResource('', 'pods');
  if (!d) throw notFound('resource', '', 'pods');
  return d;
}

/** Assigns a pod to a node, as the scheduler does through pods/binding. */
export async function bindPod(sc: ServerContext, ns: string, podName: string, binding: any, ctx: RequestContext): Promise<ApiResponse> {
  const target = binding?.target;
  if (!target?.name) {
    throw new ApiError(422, 'Invalid', `Binding "${podName}" is invalid: target.name: Required value`, { name: podName, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  }
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding "${podName}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or "Node"`);
  const d = podsDescriptor(sc);
  await updateStored(
    sc,
    d,
    ns,
    podName,
    ctx,
    (current: KubeObject) => {
      const pod = structuredClone(current);
      if (pod.metadata.deletionTimestamp) throw conflict('pods', '', podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw conflict('pods', '', podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict('pods', '', podName, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
      pod.spec.nodeName = target.name;
      for (const [k, v] of Object.entries(binding.metadata?.annotations ?? {})) (pod.metadata.annotations ??= {})[k] = String(v);
      const conds: any[] = (pod.status ??= {}).conditions ?? [];
      const existing = conds.find((c) => c.type === 'PodScheduled');
      const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowISO(ctx.now) };
      if (existing) Object.assign(existing, cond);
      else conds.push(cond);
      pod.status.conditions = conds;
      delete pod.metadata.resourceVersion;
      return pod;
    },
    // binding writes spec and status together, as Kubernetes' binding storage does
    { subresource: 'binding', manager: 'binding', version: 'v1' },
  );
  return { status: 201, body: success(201) };
}

async function bindingHandler(sc: ServerContext, _d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const b = body(req);
  if (b.metadata?.name && b.metadata.name !== info.name) throw badRequest(`name in URL does not match name in Binding object`);
  return bindPod(sc, info.namespace, info.name, b, ctx);
}

async function evictionHandler(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const ev = body(req);
  if (ev.metadata?.name && ev.metadata.name !== info.name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = sc.cache.get(`/registry/pods/${info.namespace}/${info.name}`);
  if (!pod) throw notFound('pods', '', info.name);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (!terminal && !pod.metadata.deletionTimestamp) {
    for (const pdb of ctx.lookup.list({ group: 'policy', resource: 'poddisruptionbudgets' }, info.namespace)) {
      const sel = labelSelectorFromObject(pdb.spec?.selector);
      if (!sel || sel.length === 0 || !matchesLabels(sel, pod.metadata.labels ?? {})) continue;
      const allowed = pdb.status?.disruptionsAllowed ?? 0;
      if (allowed < 1) {
        throw new ApiError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
        });
      }
    }
  }
  await deleteStored(sc, d, info.namespace, info.name, ev.deleteOptions ?? {}, ctx);
  return { status: 201, body: success(201) };
}

export function podSubresourceHandlers() {
  return {
    '/pods/binding': bindingHandler,
    '/pods/eviction': evictionHandler,
  };
}

/** POST /api/v1/namespaces/<ns>/bindings: the older way to bind. */
export async function createBinding(sc: ServerContext, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  const b = body(req);
  const name = b.metadata?.name;
  if (!name) throw badRequest('Binding has no metadata.name');
  return bindPod(sc, info.namespace, name, b, ctx);
}
