// The CustomResourceDefinition controller (Kubernetes' naming, establishing and finalizer
// controllers in one module): accepts names that do not conflict with other CRDs of the same
// group, marks CRDs Established, registers and unregisters the custom resources' descriptors in
// the KindRegistry (discovery, OpenAPI and routing read it), and on deletion removes every custom
// object before dropping the cleanup finalizer.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { KindRegistry } from '../../api/registry.js';
import { workQueue } from '../../client/workqueue.js';
import { ApiError } from '../../api/errors.js';
import { CLEANUP_FINALIZER, findCondition, isConditionTrue, setCondition, storageVersionOf, type CRDCondition } from '../../api/kinds/apiextensions.js';
import { descriptorFromCRD, type CRDNames } from '../../apiserver/crd.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export interface CrdController {
  stop(): void;
}

type Log = (msg: string, o?: object) => void;

interface Registered {
  group: string;
  plural: string;
  fingerprint: string;
}

/** Names and the NamesAccepted/Established conditions, as Kubernetes' naming controller computes them. */
export function calculateNames(crd: KubeObject, others: KubeObject[]): { names: CRDNames; namesAccepted: CRDCondition; established: CRDCondition } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    if (o.metadata.name === crd.metadata.name || o.spec?.group !== crd.spec.group) continue;
    const a = o.status?.acceptedNames ?? {};
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [a.kind, a.listKind]) if (n) kinds.add(n);
  }
  const requested: CRDNames = crd.spec.names;
  const accepted: CRDNames = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const out: CRDNames = { ...accepted };
  let cond: CRDCondition = { type: 'NamesAccepted', status: 'Unknown' };
  const fail = (reason: string, message: string) => (cond = { type: 'NamesAccepted', status: 'False', reason, message });
  const fresh = (req: string | undefined, acc: string | undefined, used: Set<string>) => (req === acc || !req || !used.has(req) ? undefined : `"${req}" is already in use`);

  let e = fresh(requested.plural, accepted.plural, resources);
  if (e) fail('PluralConflict', e);
  else out.plural = requested.plural;
  e = fresh(requested.singular, accepted.singular, resources);
  if (e) fail('SingularConflict', e);
  else out.singular = requested.singular;
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const mine = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? []).filter((s) => !mine.has(s)).map((s) => fresh(s, '', resources)).filter((x): x is string => !!x);
    if (errs.length) fail('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else out.shortNames = requested.shortNames;
  }
  e = fresh(requested.kind, accepted.kind, kinds);
  if (e) fail('KindConflict', e);
  else out.kind = requested.kind;
  e = fresh(requested.listKind, accepted.listKind, kinds);
  if (e) fail('ListKindConflict', e);
  else out.listKind = requested.listKind;
  out.categories = requested.categories;
  if (!out.shortNames?.length) delete out.shortNames;
  if (!out.categories?.length) delete out.categories;
  if (!out.singular) delete out.singular;
  if (!out.listKind) delete out.listKind;
  const ordered: CRDNames = { plural: out.plural, singular: out.singular, shortNames: out.shortNames, kind: out.kind, listKind: out.listKind, categories: out.categories };
  for (const k of Object.keys(ordered) as (keyof CRDNames)[]) if (ordered[k] === undefined) delete ordered[k];
  if (cond.status === 'Unknown') cond = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };

  let established: CRDCondition = findCondition(crd, 'Established') ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  if (established.status !== 'True' && cond.status === 'True') {
    // the establishing controller follows at once on a single server
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  }
  return { names: ordered, namesAccepted: cond, established };
}

const sameStatus = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export async function startCrdController(client: Client, registry: KindRegistry, log: Log): Promise<CrdController> {
  const known = new Map<string, KubeObject>(); // CRDs by name, from list + watch
  const registered = new Map<string, Registered>(); // CRD name → what we registered
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  const queue = workQueue(sync, {
    onError(name, e) {
      const conflict = e instanceof ApiError && e.code === 409;
      if (!conflict) log('crd sync failed', { crd: name, error: (e as Error).message });
      return conflict ? 100 : 2000;
    },
  });
  const enqueue = (name: string) => queue.add(name);

  function register(crd: KubeObject, terminating: boolean) {
    const d = descriptorFromCRD(crd, { terminating });
    const fingerprint = JSON.stringify([crd.spec, crd.status?.acceptedNames, terminating]);
    const prev = registered.get(crd.metadata.name!);
    if (prev && prev.fingerprint === fingerprint) return;
    if (prev && (prev.group !== d.group || prev.plural !== d.plural)) registry.remove(prev.group, prev.plural);
    registry.add(d);
    registered.set(crd.metadata.name!, { group: d.group, plural: d.plural, fingerprint });
    log('serving custom resource', { crd: crd.metadata.name, group: d.group, plural: d.plural });
  }

  function unregister(name: string) {
    const prev = registered.get(name);
    if (!prev) return;
    registered.delete(name);
    // another CRD may have taken over these names meanwhile
    if (![...registered.values()].some((r) => r.group === prev.group && r.plural === prev.plural)) registry.remove(prev.group, prev.plural);
    log('stopped serving custom resource', { crd: name, group: prev.group, plural: prev.plural });
  }

  async function writeStatus(crd: KubeObject): Promise<KubeObject> {
    const out = await client.update<KubeObject>(`${CRDS}/${crd.metadata.name}/status`, crd);
    known.set(out.metadata.name!, out);
    return out;
  }

  /** Returns true when nothing is left to do for this CRD. */
  async function sync(name: string): Promise<boolean> {
    const crd = await client.getOrNull<KubeObject>(`${CRDS}/${name}`);
    if (!crd) {
      known.delete(name);
      unregister(name);
      return true;
    }
    known.set(name, crd);
    if (crd.metadata.deletionTimestamp) return finalize(crd);

    const { names, namesAccepted, established } = calculateNames(crd, [...known.values()]);
    const next = structuredClone(crd);
    next.status ??= {};
    next.status.acceptedNames = names;
    setCondition(next, namesAccepted);
    setCondition(next, established);
    if (established.status === 'True' && names.plural && names.kind) register(next, false);
    if (!sameStatus(next.status, crd.status)) await writeStatus(next);
    return true;
  }

  async function finalize(crd: KubeObject): Promise<boolean> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
      unregister(name);
      return true;
    }
    let cur = crd;
    if (isConditionTrue(cur, 'Established') && cur.status?.acceptedNames?.plural) {
      register(cur, true);
      const t = findCondition(cur, 'Terminating');
      if (t?.reason !== 'InstanceDeletionInProgress') {
        const next = structuredClone(cur);
        setCondition(next, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
        cur = await writeStatus(next);
      }
      const group = cur.spec.group;
      const version = storageVersionOf(cur) ?? cur.spec.versions?.[0]?.name;
      const plural = cur.status.acceptedNames.plural;
      const namespaced = cur.spec.scope !== 'Cluster';
      const base = `/apis/${group}/${version}`;
      const list = await client.list(`${base}/${plural}`);
      for (const item of list.items) {
        if (item.metadata.deletionTimestamp) continue;
        const path = namespaced ? `${base}/namespaces/${item.metadata.namespace}/${plural}/${item.metadata.name}` : `${base}/${plural}/${item.metadata.name}`;
        try {
          await client.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      const after = await client.list(`${base}/${plural}`);
      if (after.items.length) return false; // instances with finalizers: wait for them
      const done = structuredClone(cur);
      setCondition(done, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' });
      cur = await writeStatus(done);
    } else {
      const next = structuredClone(cur);
      setCondition(next, { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' });
      cur = await writeStatus(next);
    }
    const finalizers = (cur.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
    await client.patch(`${CRDS}/${name}`, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: cur.metadata.resourceVersion } }, 'merge');
    unregister(name);
    return true;
  }

  /** CRDs of the same group waiting for names may be unblocked by any change in the group. */
  function enqueueGroup(group: string | undefined, except: string) {
    for (const o of known.values()) if (o.spec?.group === group && o.metadata.name !== except && !isConditionTrue(o, 'NamesAccepted')) void enqueue(o.metadata.name!);
  }

  async function listAndWatch(): Promise<void> {
    const list = await client.list<KubeObject>(CRDS);
    known.clear();
    for (const crd of list.items) known.set(crd.metadata.name!, crd);
    // serve what was established before (a restart) before anything else happens
    for (const crd of list.items) {
      if (isConditionTrue(crd, 'Established') && crd.status?.acceptedNames?.plural) register(crd, isConditionTrue(crd, 'Terminating'));
    }
    for (const name of registered.keys()) if (!known.has(name)) unregister(name);
    stopWatch = await client.watch(
      `${CRDS}?resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`,
      (ev) => {
        const o = ev.object as KubeObject;
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR' || !o?.metadata?.name) return;
        if (ev.type === 'DELETED') known.delete(o.metadata.name);
        else known.set(o.metadata.name, o);
        void enqueue(o.metadata.name);
        enqueueGroup(o.spec?.group, o.metadata.name);
      },
      () => {
        if (stopped) return;
        log('crd watch ended; relisting');
        setTimeout(() => void listAndWatch().catch((e) => log('crd relist failed', { error: (e as Error).message })), 1000).unref();
      },
    );
    for (const crd of list.items) queue.add(crd.metadata.name!);
    await queue.drained();
  }

  await listAndWatch();

  return {
    stop() {
      stopped = true;
      stopWatch?.();
      queue.stop();
    },
  };
}
