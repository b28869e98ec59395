// pods/binding (and the bindings resource) and pods/eviction.
import type { ResourceDescriptor, RequestContext } from '../../api/descriptor.js';
import type { KubeObject } from '../../api/types.js';
import { deepClone } from '../../api/types.js';
import { ApiError, badRequest, conflict, forbidden, internal, methodNotAllowed, notFound } from '../../api/errors.js';
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
      // copy only what a binding changes: the cached object is shared and immutable
      const pod: KubeObject = { ...current, metadata: { ...current.metadata }, spec: { ...current.spec }, status: { ...(current.status ?? {}) } };
      if (current.metadata.annotations) pod.metadata.annotations = { ...current.metadata.annotations };
      if (pod.metadata.deletionTimestamp) throw conflict('pods', '', podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw conflict('pods', '', podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict('pods', '', podName, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
      pod.spec.nodeName = target.name;
      for (const [k, v] of Object.entries(binding.metadata?.annotations ?? {})) (pod.metadata.annotations ??= {})[k] = String(v);
      const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowISO(ctx.now) };
      const conds: any[] = (pod.status.conditions ?? []).map((c: any) => (c.type === 'PodScheduled' ? { ...c, ...cond } : c));
      if (!conds.some((c) => c.type === 'PodScheduled')) conds.push(cond);
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

/**
 * pods/eviction, as Kubernetes' eviction REST does: pods that are terminal, Pending or already
 * deleting go without a budget check; otherwise the one PodDisruptionBudget selecting the pod must
 * allow a disruption, and the eviction takes it (disruptionsAllowed decremented and the pod recorded
 * in disruptedPods, compare-and-swap on the budget's status) before the pod is marked
 * DisruptionTarget and deleted.
 */
async function evictionHandler(sc: ServerContext, d: ResourceDescriptor, info: RequestInfo, req: ApiRequest, ctx: RequestContext): Promise<ApiResponse> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const ev = body(req);
  if (ev.metadata?.name && ev.metadata.name !== info.name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = sc.cache.get(`/registry/pods/${info.namespace}/${info.name}`);
  if (!pod) throw notFound('pods', '', info.name);
  const deleteOptions = { ...(ev.deleteOptions ?? {}) };
  const phase = pod.status?.phase;
  const canIgnoreBudget = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
  if (!canIgnoreBudget) {
    const pdbs = ctx.lookup.list({ group: 'policy', resource: 'poddisruptionbudgets' }, info.namespace).filter((pdb) => {
      const sel = labelSelectorFromObject(pdb.spec?.selector);
      // a budget with an empty selector matches nothing here, as in Kubernetes' eviction code
      return !!sel && sel.length > 0 && matchesLabels(sel, pod.metadata.labels ?? {});
    });
    if (pdbs.length > 1) throw internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (pdbs.length === 1) {
      const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      const pdbD = sc.registry.byGroupResource('policy', 'poddisruptionbudgets')!;
      let takeBudget = true;
      const name = pdbs[0].metadata.name!;
      const check = (pdb: KubeObject) => {
        const st = pdb.status ?? {};
        if (!ready && pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return false;
        if (!ready && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) return false;
        if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
          throw new ApiError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${name} is still being processed by the server.`, { retryAfterSeconds: 10 });
        }
        if ((st.disruptionsAllowed ?? 0) < 0) throw forbidden(`poddisruptionbudget.policy "${name}" is forbidden: pdb disruptions allowed is negative`, { name, group: 'policy', kind: 'poddisruptionbudget' });
        if (Object.keys(st.disruptedPods ?? {}).length > 2000) throw forbidden(`poddisruptionbudget.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`, { name, group: 'policy', kind: 'poddisruptionbudget' });
        if ((st.disruptionsAllowed ?? 0) === 0) {
          throw new ApiError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, {
            causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently` }],
          });
        }
        return true;
      };
      if (ctx.dryRun) takeBudget = check(pdbs[0]);
      else {
        await updateStored(
          sc,
          pdbD,
          info.namespace,
          name,
          ctx,
          (current: KubeObject) => {
            takeBudget = check(current);
            if (!takeBudget) return current;
            const pdb = deepClone(current);
            const st = (pdb.status ??= {});
            st.disruptionsAllowed = (st.disruptionsAllowed ?? 0) - 1;
            if (st.disruptionsAllowed === 0) setCondition(st, { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: st.observedGeneration }, ctx.now);
            (st.disruptedPods ??= {})[info.name] = nowISO(ctx.now);
            delete pdb.metadata.resourceVersion;
            return pdb;
          },
          { subresource: 'status', manager: 'kube-apiserver', version: 'v1' },
        );
      }
      // an unhealthy pod evicted without taking the budget must still be unhealthy when deleted
      if (!takeBudget && !deleteOptions.preconditions?.resourceVersion) deleteOptions.preconditions = { ...(deleteOptions.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion };
    }
  }
  if (!ctx.dryRun && !pod.metadata.deletionTimestamp) {
    await updateStored(
      sc,
      d,
      info.namespace,
      info.name,
      ctx,
      (current: KubeObject) => {
        const pre = deleteOptions.preconditions;
        if (pre?.uid && pre.uid !== current.metadata.uid) throw conflict('pods', '', info.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
        if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) throw conflict('pods', '', info.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
        const p = deepClone(current);
        setCondition((p.status ??= {}), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null }, ctx.now);
        delete p.metadata.resourceVersion;
        return p;
      },
      { subresource: 'status', manager: 'kube-apiserver', version: 'v1' },
    );
    // the precondition held when the condition was written; that write moved the resourceVersion
    if (deleteOptions.preconditions?.resourceVersion) deleteOptions.preconditions = { ...deleteOptions.preconditions, resourceVersion: undefined };
  }
  await deleteStored(sc, d, info.namespace, info.name, deleteOptions, ctx);
  return { status: 201, body: success(201) };
}

/** Sets a condition, keeping lastTransitionTime unless its status changes. */
function setCondition(status: any, cond: Record<string, unknown>, now: Date) {
  const conds: any[] = (status.conditions ??= []);
  const existing = conds.find((c) => c.type === cond.type);
  if (existing) {
    if (existing.status !== cond.status) existing.lastTransitionTime = nowISO(now);
    Object.assign(existing, cond);
  } else conds.push({ ...cond, lastTransitionTime: nowISO(now) });
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
