// The DaemonSet controller (Kubernetes' pkg/controller/daemon): one pod per eligible node, each
// aimed at its node by a required node affinity on metadata.name and placed by the default
// scheduler; RollingUpdate (maxUnavailable, maxSurge) or OnDelete; every template kept as a
// ControllerRevision whose revision number moves up when an old template comes back.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../api/selectors.js';
import type { Component, ControllerContext } from '../manager.js';
import { keyOf } from '../../client/informer.js';
import { workQueue } from '../../client/workqueue.js';
import { expectations } from '../expectations.js';
import { controllerRef, isPodReady, isPodAvailable, templateHash } from '../util.js';
import { orphanKey, watchOwnedPods } from '../owned.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  adoptOrphanRevisions,
  deleteRevision,
  goJson,
  indexRevisions,
  listRevisions,
  maxRevision,
  renumberRevision,
  revisionPatch,
  revisionPath,
  sortRevisions,
} from '../history.js';
import { addDaemonTolerations, nodePlacementKey, nodeShouldRunDaemonPod, targetNodeName, withNodeNameAffinity } from './placement.js';

export const OWNER_INDEX = 'daemonset:owner';
const DS_API_VERSION = 'apps/v1';
const DS_KIND = 'DaemonSet';
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
const BURST_REPLICAS = 250;
const STATUS_UPDATE_RETRIES = 1;
const podsPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;
const dsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const daemonSetController: Component = {
  name: 'daemonset',
  start: (ctx) => startDaemonSetController(ctx),
};

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const s = String(v);
  if (!s.endsWith('%')) return Number.isFinite(Number(s)) ? Number(s) : 0;
  const x = (Number(s.slice(0, -1)) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}
const isRolling = (ds: KubeObject) => ds.spec?.updateStrategy?.type === 'RollingUpdate';
export const surgeCount = (ds: KubeObject, n: number) => (isRolling(ds) ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, n, true) : 0);
export const unavailableCount = (ds: KubeObject, n: number) => (isRolling(ds) ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, n, true) : 0);
const allowsSurge = (ds: KubeObject) => surgeCount(ds, 1) !== 0;

const templateGeneration = (ds: KubeObject): string | undefined => {
  const g = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return g !== undefined && /^-?\d+$/.test(g) ? g : undefined;
};
/** IsPodUpdated: the pod carries the current hash (or the legacy template generation). */
export function isPodUpdated(pod: KubeObject, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation) || (!!hash && labels[CONTROLLER_REVISION_HASH_LABEL] === hash);
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
function byCreationAndPhase(a: KubeObject, b: KubeObject): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta === tb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return ta < tb ? -1 : 1;
}

/** flowcontrol.Backoff(1 s, 15 min) for pods that keep failing on a node. */
function failedPodsBackoff() {
  const initial = 1000;
  const max = 15 * 60_000;
  const m = new Map<string, { backoff: number; last: number }>();
  return {
    inBackoffSinceUpdate(key: string, now: number) {
      const e = m.get(key);
      return !!e && now - e.last < e.backoff;
    },
    next(key: string, now: number) {
      const e = m.get(key);
      if (!e || now - e.last > 2 * max) m.set(key, { backoff: initial, last: now });
      else m.set(key, { backoff: Math.min(e.backoff * 2, max), last: now });
    },
    get: (key: string) => m.get(key)?.backoff ?? 0,
  };
}

export function startDaemonSetController(ctx: ControllerContext): { stop(): void } {
  const client = ctx.client('system:serviceaccount:kube-system:daemon-set-controller');
  const recorder = ctx.recorder('daemonset-controller');
  const log = ctx.log('daemonset');
  const dss = ctx.informers.informer('/apis/apps/v1/daemonsets');
  const pods = ctx.informers.informer('/api/v1/pods');
  const nodes = ctx.informers.informer('/api/v1/nodes');
  const revisions = ctx.informers.informer('/apis/apps/v1/controllerrevisions');
  indexRevisions(revisions);
  const exp = expectations();
  const backoff = failedPodsBackoff();
  const event = (ds: KubeObject, type: 'Normal' | 'Warning', reason: string, msg: string) => {
    recorder.event({ ...ds, apiVersion: DS_API_VERSION, kind: DS_KIND }, type, reason, msg).catch(() => undefined);
  };
  const queue = workQueue(sync, {
    workers: 2,
    notDoneDelayMs: 200,
    onError(key, e) {
      log('daemonset sync failed', { daemonset: key, error: errText(e) });
      return undefined;
    },
  });
  const enqueue = (ds: KubeObject) => void queue.add(keyOf(ds));
  const synced = () => dss.hasSynced() && pods.hasSynced() && nodes.hasSynced() && revisions.hasSynced();

  // ---- event handlers ----
  watchOwnedPods({ owners: dss, pods, kind: DS_KIND, index: OWNER_INDEX, exp, enqueue, deletingAddIsDeletion: true });
  dss.addEventHandler({
    add: enqueue,
    update: (_o, n) => enqueue(n),
    delete: (d) => exp.delete(keyOf(d)),
  });
  nodes.addEventHandler({
    add(node) {
      for (const ds of dss.list()) if (nodeShouldRunDaemonPod(node, ds)[0]) enqueue(ds);
    },
    update(old, cur) {
      if (old === cur || nodePlacementKey(old) === nodePlacementKey(cur)) return;
      for (const ds of dss.list()) {
        const [a, b] = nodeShouldRunDaemonPod(old, ds);
        const [c, d] = nodeShouldRunDaemonPod(cur, ds);
        if (a !== c || b !== d) enqueue(ds);
      }
    },
    delete() {
      for (const ds of dss.list()) enqueue(ds);
    },
  });
  const onRevision = (r: KubeObject) => {
    const ref = controllerRef(r);
    if (!ref || ref.kind !== DS_KIND) return;
    const ds = dss.get(r.metadata.namespace, ref.name);
    if (ds && ds.metadata.uid === ref.uid) enqueue(ds);
  };
  revisions.addEventHandler({ add: onRevision, update: (_o, n) => onRevision(n), delete: onRevision });

  // ---- sync ----
  async function sync(key: string): Promise<boolean | void> {
    if (!synced()) return false;
    const cached = dss.getByKey(key);
    if (!cached) {
      exp.delete(key);
      return;
    }
    const ds: KubeObject = { ...cached, apiVersion: DS_API_VERSION, kind: DS_KIND };
    const sel = ds.spec?.selector;
    if (sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    let selector: LabelSelector | null;
    try {
      selector = labelSelectorFromObject(sel);
    } catch (e) {
      log('invalid selector', { daemonset: key, error: errText(e) });
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodeList = nodes.list();
    const { cur, old } = await constructHistory(ds);
    const hash = cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    if (!exp.satisfied(key)) {
      await updateStatus(ds, selector, nodeList, hash, false);
      return;
    }
    let err: unknown;
    try {
      await manage(ds, selector, nodeList, hash);
      if (exp.satisfied(key) && isRolling(ds)) await rollingUpdate(ds, selector, nodeList, hash);
      await cleanupHistory(ds, selector, old);
    } catch (e) {
      err = e;
    }
    await updateStatus(ds, selector, nodeList, hash, true);
    if (err) throw err;
  }

  /** getDaemonPods + ClaimPods: owned matching pods, adopted orphans, the rest released. */
  async function claimPods(ds: KubeObject, selector: LabelSelector | null): Promise<KubeObject[]> {
    const ns = ds.metadata.namespace!;
    const out: KubeObject[] = [];
    for (const p of pods.byIndex(OWNER_INDEX, ds.metadata.uid!)) {
      if (p.metadata.namespace !== ns) continue;
      if (matchesLabels(selector, p.metadata.labels)) {
        out.push(p);
        continue;
      }
      const refs = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== ds.metadata.uid);
      await ignoreGone(client.patch(podsPath(ns, p.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null, uid: p.metadata.uid } }, 'merge'));
    }
    let fresh: KubeObject | null | undefined;
    for (const p of pods.byIndex(OWNER_INDEX, orphanKey(ns))) {
      if (p.metadata.deletionTimestamp || !matchesLabels(selector, p.metadata.labels)) continue;
      if (fresh === undefined) fresh = await client.getOrNull<KubeObject>(dsPath(ns, ds.metadata.name!));
      if (!fresh || fresh.metadata.uid !== ds.metadata.uid || fresh.metadata.deletionTimestamp) break;
      const ref = { apiVersion: DS_API_VERSION, kind: DS_KIND, name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true };
      const adopted = await ignoreGone(client.patch<KubeObject>(podsPath(ns, p.metadata.name), { metadata: { ownerReferences: [...(p.metadata.ownerReferences ?? []), ref], uid: p.metadata.uid } }, 'merge'));
      if (adopted) out.push(adopted);
    }
    return out;
  }

  /** getNodesToDaemonPods: the set's pods by the node they run on (or are aimed at); deleted finished pods left out. */
  async function nodesToDaemonPods(ds: KubeObject, selector: LabelSelector | null): Promise<Map<string, KubeObject[]>> {
    const m = new Map<string, KubeObject[]>();
    for (const p of await claimPods(ds, selector)) {
      if ((p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && p.metadata.deletionTimestamp) continue;
      const node = targetNodeName(p);
      if (!node) continue;
      let l = m.get(node);
      if (!l) m.set(node, (l = []));
      l.push(p);
    }
    return m;
  }

  // ---- history (update.go) ----
  async function constructHistory(ds: KubeObject): Promise<{ cur: KubeObject; old: KubeObject[] }> {
    await adoptOrphanRevisions(client, revisions, ds);
    const raw = goJson(revisionPatch(ds));
    const current: KubeObject[] = [];
    const old: KubeObject[] = [];
    for (let h of listRevisions(revisions, ds)) {
      if (!h.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) {
        h = await client.update<KubeObject>(revisionPath(h.metadata.namespace!, h.metadata.name!), { ...h, metadata: { ...h.metadata, labels: { ...(h.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: h.metadata.name! } } });
      }
      if (goJson(h.data) === raw) current.push(h);
      else old.push(h);
    }
    const currRevision = maxRevision(old) + 1;
    let cur: KubeObject;
    if (!current.length) cur = await snapshot(ds, currRevision, raw);
    else {
      cur = await dedupCurHistories(ds, current);
      if (Number(cur.revision ?? 0) < currRevision) cur = await renumberRevision(client, cur, currRevision);
    }
    return { cur, old };
  }

  async function snapshot(ds: KubeObject, revision: number, raw: string): Promise<KubeObject> {
    const cc = ds.status?.collisionCount;
    const hash = templateHash(ds.spec?.template, cc === undefined || cc === null ? undefined : Number(cc));
    const name = `${ds.metadata.name}-${hash}`;
    const history: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: DS_API_VERSION, kind: DS_KIND, name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data: JSON.parse(raw),
      revision,
    };
    try {
      return await client.create<KubeObject>(revisionPath(ds.metadata.namespace!), history);
    } catch (outer) {
      if (!(outer instanceof ApiError && outer.code === 409)) throw outer;
      const existing = await client.get<KubeObject>(revisionPath(ds.metadata.namespace!, name));
      if (goJson(existing.data) === raw) return existing;
      // a hash collision: bump status.collisionCount (unless ours was stale) and try again later
      const currDS = await client.get<KubeObject>(dsPath(ds.metadata.namespace!, ds.metadata.name!));
      if ((currDS.status?.collisionCount ?? null) !== (cc ?? null)) {
        throw new Error(`found a stale collision count (${cc ?? 0}, expected ${currDS.status?.collisionCount ?? 0}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
      }
      await client.update(`${dsPath(ds.metadata.namespace!, ds.metadata.name!)}/status`, { ...currDS, status: { ...(currDS.status ?? {}), collisionCount: Number(currDS.status?.collisionCount ?? 0) + 1 } });
      throw outer;
    }
  }

  /** dedupCurHistories: keep the highest-numbered duplicate, relabel pods to its hash, delete the rest. */
  async function dedupCurHistories(ds: KubeObject, current: KubeObject[]): Promise<KubeObject> {
    if (current.length === 1) return current[0];
    let keep = current[0];
    for (const c of current) if (Number(c.revision ?? 0) >= Number(keep.revision ?? 0)) keep = c;
    const keepHash = keep.metadata.labels![CONTROLLER_REVISION_HASH_LABEL];
    for (const c of current) {
      if (c.metadata.name === keep.metadata.name) continue;
      for (const p of pods.byIndex(OWNER_INDEX, ds.metadata.uid!)) {
        if (p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== keepHash) {
          await ignoreGone(client.patch(podsPath(p.metadata.namespace!, p.metadata.name), { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash } } }, 'merge'));
        }
      }
      await deleteRevision(client, c);
    }
    return keep;
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit, oldest first, unless a live pod uses them. */
  async function cleanupHistory(ds: KubeObject, selector: LabelSelector | null, old: KubeObject[]) {
    const limit = Number(ds.spec?.revisionHistoryLimit ?? 10);
    let toKill = old.length - limit;
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const ps of (await nodesToDaemonPods(ds, selector)).values()) for (const p of ps) if (p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) live.add(p.metadata.labels[CONTROLLER_REVISION_HASH_LABEL]);
    for (const h of sortRevisions([...old])) {
      if (toKill <= 0) break;
      if (live.has(h.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) continue;
      await deleteRevision(client, h);
      toKill--;
    }
  }

  // ---- placement ----
  async function manage(ds: KubeObject, selector: LabelSelector | null, nodeList: KubeObject[], hash: string) {
    const byNode = await nodesToDaemonPods(ds, selector);
    const needing: string[] = [];
    const toDelete: KubeObject[] = [];
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const now = Date.now();
    for (const node of nodeList) {
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
      const daemonPods = byNode.get(node.metadata.name!);
      if (shouldRun && !daemonPods) {
        needing.push(node.metadata.name!);
        continue;
      }
      if (shouldContinue) {
        if (!daemonPods) continue;
        const running: KubeObject[] = [];
        for (const pod of daemonPods) {
          if (pod.metadata.deletionTimestamp) continue;
          if (pod.status?.phase === 'Failed') {
            const bkey = `${ds.metadata.uid}/${ds.metadata.generation ?? 0}/${node.metadata.name}`;
            if (backoff.inBackoffSinceUpdate(bkey, now)) {
              queue.addAfter(keyOf(ds), backoff.get(bkey));
              continue;
            }
            backoff.next(bkey, now);
            event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to kill it`);
            toDelete.push(pod);
          } else if (pod.status?.phase === 'Succeeded') toDelete.push(pod);
          else running.push(pod);
        }
        if (running.length <= 1) continue;
        running.sort(byCreationAndPhase);
        if (!allowsSurge(ds)) {
          toDelete.push(...running.slice(1));
          continue;
        }
        // with surge: keep the oldest new pod, and the oldest old pod only while the new one is not yet available
        let oldestNew: KubeObject | undefined;
        let oldestOld: KubeObject | undefined;
        for (const pod of running) {
          if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) {
            if (!oldestNew) {
              oldestNew = pod;
              continue;
            }
          } else if (!oldestOld) {
            oldestOld = pod;
            continue;
          }
          toDelete.push(pod);
        }
        if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) toDelete.push(oldestOld);
        continue;
      }
      if (daemonPods) for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) toDelete.push(pod);
    }
    // unscheduled pods aimed at nodes that no longer exist
    const existing = new Set(nodeList.map((n) => n.metadata.name!));
    for (const [n, ps] of byNode) if (!existing.has(n)) for (const p of ps) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp) toDelete.push(p);
    await syncNodes(ds, toDelete, needing, hash);
  }

  /** syncNodes: deletes and creates (slow-start batches), with expectations set first. */
  async function syncNodes(ds: KubeObject, toDelete: KubeObject[], needing: string[], hash: string) {
    const key = keyOf(ds);
    const createDiff = Math.min(needing.length, BURST_REPLICAS);
    const deleteDiff = Math.min(toDelete.length, BURST_REPLICAS);
    exp.expect(key, createDiff, deleteDiff);
    const errors: unknown[] = [];
    const template = podTemplate(ds, hash);
    for (let pos = 0, batch = Math.min(createDiff, 1); pos < createDiff; pos += batch, batch = Math.min(2 * batch, createDiff - pos)) {
      const before = errors.length;
      await Promise.all(
        needing.slice(pos, pos + batch).map(async (nodeName) => {
          const pod = structuredClone(template);
          pod.spec.affinity = withNodeNameAffinity(pod.spec.affinity, nodeName);
          try {
            const created = await client.create<KubeObject>(podsPath(ds.metadata.namespace!), pod);
            event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          } catch (e) {
            exp.creationObserved(key);
            if (e instanceof ApiError && (e.details as any)?.causes?.some((c: any) => c.type === 'NamespaceTerminating')) return;
            event(ds, 'Warning', 'FailedCreate', `Error creating: ${errText(e)}`);
            errors.push(e);
          }
        }),
      );
      const skipped = createDiff - (pos + batch);
      if (errors.length > before && skipped > 0) {
        exp.lower(key, skipped, 0);
        break;
      }
    }
    await Promise.all(
      toDelete.slice(0, deleteDiff).map(async (pod) => {
        try {
          await client.delete(podsPath(ds.metadata.namespace!, pod.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } });
          event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          exp.deletionObserved(key);
          if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
          event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errText(e)}`);
          errors.push(e);
        }
      }),
    );
    if (errors.length) throw errors.length === 1 ? errors[0] : new Error(`[${errors.map(errText).join(', ')}]`);
  }

  /** CreatePodTemplate + GetPodFromTemplate: the pod every node gets, before its node affinity. */
  function podTemplate(ds: KubeObject, hash: string): KubeObject {
    const tpl = ds.spec?.template ?? {};
    const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}) };
    const gen = templateGeneration(ds);
    if (gen !== undefined) labels[TEMPLATE_GENERATION_LABEL] = gen;
    if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
    const meta: KubeObject['metadata'] = { generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace, labels };
    if (tpl.metadata?.annotations) meta.annotations = { ...tpl.metadata.annotations };
    if (tpl.metadata?.finalizers) meta.finalizers = [...tpl.metadata.finalizers];
    meta.ownerReferences = [{ apiVersion: DS_API_VERSION, kind: DS_KIND, name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const spec = structuredClone(tpl.spec ?? {});
    addDaemonTolerations(spec);
    return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
  }

  // ---- rolling update (update.go rollingUpdate) ----
  /** findUpdatedPodsOnNode: at most one new and one old live pod, or not ok. */
  function updatedPodsOnNode(ds: KubeObject, podsOnNode: KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject; ok: boolean } {
    let newPod: KubeObject | undefined;
    let oldPod: KubeObject | undefined;
    const gen = templateGeneration(ds);
    for (const pod of podsOnNode) {
      if (pod.metadata.deletionTimestamp) continue;
      if (isPodUpdated(pod, hash, gen)) {
        if (newPod) return { ok: false };
        newPod = pod;
      } else {
        if (oldPod) return { ok: false };
        oldPod = pod;
      }
    }
    return { newPod, oldPod, ok: true };
  }

  async function rollingUpdate(ds: KubeObject, selector: LabelSelector | null, nodeList: KubeObject[], hash: string) {
    const byNode = await nodesToDaemonPods(ds, selector);
    const nodeByName = new Map(nodeList.map((n) => [n.metadata.name!, n]));
    let desired = 0;
    for (const node of nodeList) {
      if (!nodeShouldRunDaemonPod(node, ds)[0]) continue;
      desired++;
      if (!byNode.has(node.metadata.name!)) byNode.set(node.metadata.name!, []);
    }
    let maxUnavailable = unavailableCount(ds, desired);
    const maxSurge = surgeCount(ds, desired);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const now = Date.now();
    const available = (p: KubeObject) => isPodAvailable(p, minReady, now);

    if (maxSurge === 0) {
      let numUnavailable = 0;
      const allowed: KubeObject[] = [];
      const candidates: KubeObject[] = [];
      for (const pods of byNode.values()) {
        const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
        if (!ok) {
          numUnavailable++;
          continue;
        }
        if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
        else if (newPod) {
          if (!available(newPod)) numUnavailable++;
        } else if (oldPod) {
          if (!available(oldPod)) {
            allowed.push(oldPod);
            numUnavailable++;
          } else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
        }
      }
      const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
      return syncNodes(ds, [...allowed, ...candidates.slice(0, remaining)], [], hash);
    }

    const oldToDelete: KubeObject[] = [];
    const shouldNotRun: KubeObject[] = [];
    const candidateNodes: string[] = [];
    const allowedNodes: string[] = [];
    let numSurge = 0;
    let numAvailable = 0;
    for (const [nodeName, pods] of byNode) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
      if (!ok) {
        numSurge++;
        continue;
      }
      if (oldPod) {
        if (available(oldPod)) numAvailable++;
      } else if (newPod && available(newPod)) numAvailable++;
      if (!oldPod) continue;
      if (!newPod) {
        const node = nodeByName.get(nodeName);
        if (!node) throw new Error(`couldn't get node for nodeName "${nodeName}": node "${nodeName}" not found`);
        const shouldRun = nodeShouldRunDaemonPod(node, ds)[0];
        if (!available(oldPod)) {
          if (!shouldRun) oldToDelete.push(oldPod);
          else allowedNodes.push(nodeName);
        } else if (!shouldRun) shouldNotRun.push(oldPod);
        else if (numSurge < maxSurge) candidateNodes.push(nodeName);
        continue;
      }
      if (!available(newPod)) {
        numSurge++;
        continue;
      }
      oldToDelete.push(oldPod);
    }
    let deletable = numAvailable - desired;
    if (deletable > 0) {
      deletable = Math.min(deletable, shouldNotRun.length);
      oldToDelete.push(...shouldNotRun.slice(0, deletable));
    }
    const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
    return syncNodes(ds, oldToDelete, [...allowedNodes, ...candidateNodes.slice(0, remaining)], hash);
  }

  // ---- status ----
  async function updateStatus(ds: KubeObject, selector: LabelSelector | null, nodeList: KubeObject[], hash: string, updateObservedGen: boolean) {
    const byNode = await nodesToDaemonPods(ds, selector);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const now = Date.now();
    const gen = templateGeneration(ds);
    for (const node of nodeList) {
      const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
      const daemonPods = byNode.get(node.metadata.name!) ?? [];
      const scheduled = daemonPods.length > 0;
      if (shouldRun) {
        desired++;
        if (!scheduled) continue;
        current++;
        const pod = [...daemonPods].sort(byCreationAndPhase)[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, minReady, now)) available++;
        }
        if (isPodUpdated(pod, hash, gen)) updated++;
      } else if (scheduled) misscheduled++;
    }
    const unavailable = desired - available;
    const st = ds.status ?? {};
    const gen0 = Number(ds.metadata.generation ?? 0);
    if (
      Number(st.desiredNumberScheduled ?? 0) === desired &&
      Number(st.currentNumberScheduled ?? 0) === current &&
      Number(st.numberMisscheduled ?? 0) === misscheduled &&
      Number(st.numberReady ?? 0) === ready &&
      Number(st.updatedNumberScheduled ?? 0) === updated &&
      Number(st.numberAvailable ?? 0) === available &&
      Number(st.numberUnavailable ?? 0) === unavailable &&
      Number(st.observedGeneration ?? 0) >= gen0
    ) {
      if (minReady > 0 && ready !== available) queue.addAfter(keyOf(ds), minReady * 1000);
      return;
    }
    let toUpdate: KubeObject = ds;
    for (let i = 0; ; i++) {
      const s: Record<string, unknown> = { ...(toUpdate.status ?? {}) };
      if (updateObservedGen) s.observedGeneration = gen0;
      s.desiredNumberScheduled = desired;
      s.currentNumberScheduled = current;
      s.numberMisscheduled = misscheduled;
      s.numberReady = ready;
      for (const [k, v] of [
        ['updatedNumberScheduled', updated],
        ['numberAvailable', available],
        ['numberUnavailable', unavailable],
      ] as const) {
        if (v) s[k] = v;
        else delete s[k];
      }
      if (!s.observedGeneration) delete s.observedGeneration;
      try {
        await client.update(`${dsPath(ds.metadata.namespace!, ds.metadata.name!)}/status`, { ...toUpdate, apiVersion: DS_API_VERSION, kind: DS_KIND, status: s });
        break;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw e;
        const fresh = await client.getOrNull<KubeObject>(dsPath(ds.metadata.namespace!, ds.metadata.name!));
        if (!fresh || fresh.metadata.uid !== ds.metadata.uid) return;
        toUpdate = fresh;
      }
    }
    if (minReady > 0 && ready !== available) queue.addAfter(keyOf(ds), minReady * 1000);
  }

  return {
    stop() {
      queue.stop();
    },
  };
}

async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.code === 404 || e.code === 409 || e.code === 422)) return undefined;
    throw e;
  }
}
