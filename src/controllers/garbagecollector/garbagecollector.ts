// The garbage collector: keeps a graph of ownerReferences across every kind and
//  - deletes dependents whose owners are all gone (background cascading deletion),
//  - for an owner deleted with propagationPolicy=Foreground (finalizer foregroundDeletion),
//    deletes its dependents and removes the finalizer once no dependent with
//    blockOwnerDeletion=true remains,
//  - for an owner deleted with propagationPolicy=Orphan (finalizer orphan), strips the
//    ownerReference from its dependents, then removes the finalizer.
// Like every controller it is an API client: list+watch, a work queue, idempotent sync.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { Client } from '../../client/local.js';
import type { KindRegistry } from '../../api/registry.js';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError } from '../../api/errors.js';
import { workQueue } from '../../client/workqueue.js';

interface Node {
  uid: string;
  path: string; // the object's API path
  namespace?: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export interface GarbageCollector {
  stop(): void;
  /** Resolves once every kind has been listed. */
  synced: Promise<void>;
}

const basePath = (d: ResourceDescriptor) => (d.group ? `/apis/${d.group}/${d.storageVersion}` : '/api/v1');
function objectPath(d: ResourceDescriptor, ns: string | undefined, name: string) {
  return d.namespaced ? `${basePath(d)}/namespaces/${ns}/${d.plural}/${name}` : `${basePath(d)}/${d.plural}/${name}`;
}
const collectable = (d: ResourceDescriptor) => !d.virtual && !d.createOnly && !(d as { storedAs?: unknown }).storedAs && (d.verbs ?? ['list', 'watch', 'delete']).includes('watch') && (d.verbs ?? ['delete']).includes('delete');

export function startGarbageCollector(client: Client, registry: KindRegistry, log: (m: string, o?: object) => void): GarbageCollector {
  const nodes = new Map<string, Node>();
  const dependents = new Map<string, Set<string>>();
  const watches = new Map<string, () => void>();
  let stopped = false;
  let synced = false;
  const queue = workQueue(sync, {
    onError(uid, e) {
      // 404/409: the world moved; look again shortly
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return 200;
      log('garbage collection failed', { uid, error: (e as Error).message });
      return 2000;
    },
  });
  const pending = new Set<string>();
  let resolveSynced!: () => void;
  const syncedP = new Promise<void>((r) => (resolveSynced = r));

  const link = (n: Node) => {
    for (const o of n.owners) {
      let s = dependents.get(o.uid);
      if (!s) dependents.set(o.uid, (s = new Set()));
      s.add(n.uid);
    }
  };
  const unlink = (n: Node) => {
    for (const o of n.owners) dependents.get(o.uid)?.delete(n.uid);
  };

  function observe(d: ResourceDescriptor, type: string, obj: KubeObject) {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const prev = nodes.get(uid);
    if (type === 'DELETED') {
      if (prev) {
        unlink(prev);
        // an owner waiting in foreground deletion may now be free to go
        for (const o of prev.owners) if (nodes.get(o.uid)?.deleting) enqueue(o.uid);
      }
      nodes.delete(uid);
      for (const dep of dependents.get(uid) ?? []) enqueue(dep);
      return;
    }
    const n: Node = {
      uid,
      path: objectPath(d, obj.metadata.namespace, obj.metadata.name!),
      namespace: obj.metadata.namespace,
      owners: obj.metadata.ownerReferences ?? [],
      deleting: !!obj.metadata.deletionTimestamp,
      finalizers: obj.metadata.finalizers ?? [],
    };
    if (prev) unlink(prev);
    nodes.set(uid, n);
    link(n);
    if (n.deleting && (n.finalizers.includes('orphan') || n.finalizers.includes('foregroundDeletion'))) enqueue(uid);
    if (n.owners.length && (!prev || JSON.stringify(prev.owners) !== JSON.stringify(n.owners) || n.deleting !== prev.deleting)) enqueue(uid);
    // a dependent that went away or changed may unblock a foreground owner
    for (const o of n.owners) if (nodes.get(o.uid)?.deleting) enqueue(o.uid);
  }

  function enqueue(uid: string) {
    if (!synced) pending.add(uid);
    else void queue.add(uid);
  }

  async function ownerExists(ref: OwnerReference, namespace: string | undefined): Promise<boolean> {
    if (nodes.has(ref.uid)) return true;
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
    const d = registry.byKind(group, ref.kind);
    if (!d) return false;
    const path = objectPath(d, d.namespaced ? namespace : undefined, ref.name);
    void version;
    const live = await client.getOrNull<KubeObject>(path);
    return !!live && live.metadata.uid === ref.uid;
  }

  async function sync(uid: string) {
    const n = nodes.get(uid);
    if (!n) return;
    if (n.deleting && n.finalizers.includes('orphan')) {
      for (const depUid of [...(dependents.get(uid) ?? [])]) {
        const dep = nodes.get(depUid);
        if (!dep) continue;
        const cur = await client.getOrNull<KubeObject>(dep.path);
        if (!cur) continue;
        const refs = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        await client.patch(dep.path, { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: cur.metadata.resourceVersion } }, 'merge');
      }
      await removeFinalizer(n, 'orphan');
      return;
    }
    if (n.deleting && n.finalizers.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const depUid of [...(dependents.get(uid) ?? [])]) {
        const dep = nodes.get(depUid);
        if (!dep) continue;
        const ref = dep.owners.find((o) => o.uid === uid);
        if (ref?.blockOwnerDeletion) blocking++;
        if (!dep.deleting) {
          const others = dep.owners.filter((o) => o.uid !== uid);
          let othersAlive = false;
          for (const o of others) if (await ownerExists(o, dep.namespace)) othersAlive = true;
          if (othersAlive) {
            const cur = await client.getOrNull<KubeObject>(dep.path);
            if (cur) await client.patch(dep.path, { metadata: { ownerReferences: (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid), resourceVersion: cur.metadata.resourceVersion } }, 'merge');
            if (ref?.blockOwnerDeletion) blocking--;
            continue;
          }
          await deleteIgnoringMissing(dep.path, 'Foreground');
        }
      }
      if (blocking === 0) await removeFinalizer(n, 'foregroundDeletion');
      return;
    }
    // a dependent: collect it once every owner is gone
    if (!n.owners.length || n.deleting) return;
    const alive: OwnerReference[] = [];
    let foregroundOwner = false;
    for (const o of n.owners) {
      if (await ownerExists(o, n.namespace)) {
        const on = nodes.get(o.uid);
        if (on?.deleting && on.finalizers.includes('foregroundDeletion')) foregroundOwner = true;
        else alive.push(o);
      }
    }
    if (alive.length === 0) {
      await deleteIgnoringMissing(n.path, foregroundOwner ? 'Foreground' : 'Background');
    }
  }

  async function deleteIgnoringMissing(path: string, policy: string) {
    try {
      await client.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  async function removeFinalizer(n: Node, finalizer: string) {
    const cur = await client.getOrNull<KubeObject>(n.path);
    if (!cur || !(cur.metadata.finalizers ?? []).includes(finalizer)) return;
    const rest = cur.metadata.finalizers!.filter((f) => f !== finalizer);
    await client.patch(n.path, { metadata: { finalizers: rest.length ? rest : null, resourceVersion: cur.metadata.resourceVersion } }, 'merge');
  }

  async function watchKind(d: ResourceDescriptor) {
    const key = `${d.group}/${d.plural}`;
    if (watches.has(key)) return;
    watches.set(key, () => {});
    const list = `${basePath(d)}/${d.plural}`;
    try {
      const stop = await client.watch(list, (ev) => {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') observe(d, ev.type, ev.object as KubeObject);
      }, () => {
        watches.delete(key);
        if (!stopped && registry.byGroupResource(d.group, d.plural)) setTimeout(() => void watchKind(d), 1000).unref();
      });
      if (stopped) stop();
      else watches.set(key, stop);
    } catch (e) {
      watches.delete(key);
      log('garbage collector cannot watch', { resource: key, error: (e as Error).message });
    }
  }

  async function refreshKinds() {
    const wanted = registry.all().filter(collectable);
    await Promise.all(wanted.map(watchKind));
    for (const [key, stop] of watches) {
      const [g, p] = key.split('/');
      if (!registry.byGroupResource(g, p)) {
        stop();
        watches.delete(key);
      }
    }
  }

  registry.onChange(() => void refreshKinds());
  void refreshKinds().then(() => {
    synced = true;
    for (const uid of pending) void queue.add(uid);
    pending.clear();
    // on start, look at every object with owners (dangling references left while we were down)
    for (const n of nodes.values()) if (n.owners.length || n.deleting) void queue.add(n.uid);
    resolveSynced();
  });

  return {
    synced: syncedP,
    stop() {
      stopped = true;
      queue.stop();
      for (const s of watches.values()) s();
      watches.clear();
    },
  };
}
