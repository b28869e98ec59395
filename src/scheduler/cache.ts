// The scheduler's incremental view of the cluster: one NodeInfo per node with its allocatable
// resources, the summed requests of the pods on it (bound and assumed), pod count, host ports,
// labels, taints and the pods carrying (anti-)affinity terms. Updated from informer events and
// from the scheduler's own "assume" step so a pod counts against its node the moment it is
// placed, not when the binding round trip comes back.
import type { KubeObject } from '../api/types.js';
import { hasPodAffinityTerms, qMilli, qValue, type HostPort, type PodInfo, type Taint } from './podinfo.js';

export interface NodeInfo {
  name: string;
  node: KubeObject | null;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocCpu: number;
  allocMem: number;
  allocEph: number;
  allocPods: number;
  allocScalar: Map<string, number> | null;
  reqCpu: number;
  reqMem: number;
  reqEph: number;
  reqScalar: Map<string, number> | null;
  nzCpu: number;
  nzMem: number;
  pods: Map<string, PodInfo>;
  /** Pods with any (anti-)affinity term, and those with required anti-affinity. */
  withAffinity: Set<PodInfo>;
  withRequiredAntiAffinity: Set<PodInfo>;
  ports: HostPort[];
  /** Pods per controlling owner UID (default topology spreading). */
  owners: Map<string, number>;
  /** Bumped on every change. */
  generation: number;
}

export function newNodeInfo(name: string): NodeInfo {
  return {
    name,
    node: null,
    labels: {},
    taints: [],
    unschedulable: false,
    allocCpu: 0,
    allocMem: 0,
    allocEph: 0,
    allocPods: 0,
    allocScalar: null,
    reqCpu: 0,
    reqMem: 0,
    reqEph: 0,
    reqScalar: null,
    nzCpu: 0,
    nzMem: 0,
    pods: new Map(),
    withAffinity: new Set(),
    withRequiredAntiAffinity: new Set(),
    ports: [],
    owners: new Map(),
    generation: 0,
  };
}

export function setNode(ni: NodeInfo, node: KubeObject) {
  ni.node = node;
  ni.labels = node.metadata.labels ?? {};
  ni.taints = (node.spec?.taints ?? []).map((t: any) => ({ key: t?.key ?? '', value: t?.value ?? '', effect: t?.effect ?? '' }));
  ni.unschedulable = !!node.spec?.unschedulable;
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  ni.allocCpu = qMilli(a.cpu);
  ni.allocMem = qValue(a.memory);
  ni.allocEph = qValue(a['ephemeral-storage']);
  ni.allocPods = qValue(a.pods);
  ni.allocScalar = null;
  for (const k in a) if (k !== 'cpu' && k !== 'memory' && k !== 'ephemeral-storage' && k !== 'pods') (ni.allocScalar ??= new Map()).set(k, qValue(a[k]));
  ni.generation++;
}

export function addPodToNode(ni: NodeInfo, p: PodInfo) {
  ni.pods.set(p.key, p);
  adjust(ni, p, 1);
  if (hasPodAffinityTerms(p)) ni.withAffinity.add(p);
  if (p.antiAffinity) ni.withRequiredAntiAffinity.add(p);
  if (p.ports) for (const hp of p.ports) ni.ports.push(hp);
  if (p.ownerUid) ni.owners.set(p.ownerUid, (ni.owners.get(p.ownerUid) ?? 0) + 1);
  ni.generation++;
}

export function removePodFromNode(ni: NodeInfo, p: PodInfo): boolean {
  const cur = ni.pods.get(p.key);
  if (!cur) return false;
  ni.pods.delete(p.key);
  adjust(ni, cur, -1);
  ni.withAffinity.delete(cur);
  ni.withRequiredAntiAffinity.delete(cur);
  if (cur.ports) for (const hp of cur.ports) {
    const i = ni.ports.indexOf(hp);
    if (i >= 0) ni.ports.splice(i, 1);
  }
  if (cur.ownerUid) {
    const n = (ni.owners.get(cur.ownerUid) ?? 1) - 1;
    if (n > 0) ni.owners.set(cur.ownerUid, n);
    else ni.owners.delete(cur.ownerUid);
  }
  ni.generation++;
  return true;
}

function adjust(ni: NodeInfo, p: PodInfo, sign: number) {
  ni.reqCpu += sign * p.cpu;
  ni.reqMem += sign * p.mem;
  ni.reqEph += sign * p.eph;
  ni.nzCpu += sign * p.nzCpu;
  ni.nzMem += sign * p.nzMem;
  if (p.scalar) for (const [k, v] of p.scalar) (ni.reqScalar ??= new Map()).set(k, (ni.reqScalar.get(k) ?? 0) + sign * v);
}

/** A copy of a NodeInfo that preemption can remove pods from without touching the cache. */
export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  return {
    ...ni,
    allocScalar: ni.allocScalar,
    reqScalar: ni.reqScalar ? new Map(ni.reqScalar) : null,
    pods: new Map(ni.pods),
    withAffinity: new Set(ni.withAffinity),
    withRequiredAntiAffinity: new Set(ni.withRequiredAntiAffinity),
    ports: [...ni.ports],
    owners: new Map(ni.owners),
  };
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

interface PodState {
  pod: PodInfo;
  node: string;
  assumed: boolean;
}

/**
 * Nodes and the pods placed on them. `list` holds the NodeInfos that have a Node object, in a
 * stable order the scheduler walks round-robin.
 */
export class SchedulerCache {
  readonly nodes = new Map<string, NodeInfo>();
  list: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  /** Pods per controlling owner per zone (default topology spreading's zone constraint). */
  readonly ownerZones = new Map<string, Map<string, number>>();

  private countZone(p: PodInfo, ni: NodeInfo, by: number) {
    if (!p.ownerUid) return;
    const zone = ni.labels[ZONE_LABEL];
    if (zone === undefined) return;
    let m = this.ownerZones.get(p.ownerUid);
    if (!m) this.ownerZones.set(p.ownerUid, (m = new Map()));
    const n = (m.get(zone) ?? 0) + by;
    if (n > 0) m.set(zone, n);
    else {
      m.delete(zone);
      if (!m.size) this.ownerZones.delete(p.ownerUid);
    }
  }

  /** Nodes with pods carrying (anti-)affinity terms, and with required anti-affinity. */
  readonly nodesWithAffinity = new Set<NodeInfo>();
  readonly nodesWithRequiredAntiAffinity = new Set<NodeInfo>();

  private place(ni: NodeInfo, p: PodInfo) {
    addPodToNode(ni, p);
    this.countZone(p, ni, 1);
    this.trackAffinity(ni);
  }

  private trackAffinity(ni: NodeInfo) {
    if (ni.withAffinity.size) this.nodesWithAffinity.add(ni);
    else this.nodesWithAffinity.delete(ni);
    if (ni.withRequiredAntiAffinity.size) this.nodesWithRequiredAntiAffinity.add(ni);
    else this.nodesWithRequiredAntiAffinity.delete(ni);
  }

  private info(name: string): NodeInfo {
    let ni = this.nodes.get(name);
    if (!ni) this.nodes.set(name, (ni = newNodeInfo(name)));
    return ni;
  }

  addNode(node: KubeObject): NodeInfo {
    const ni = this.info(node.metadata.name!);
    const isNew = !ni.node;
    const zoneBefore = ni.labels[ZONE_LABEL];
    if (node.metadata.labels?.[ZONE_LABEL] !== zoneBefore) for (const p of ni.pods.values()) this.countZone(p, ni, -1);
    setNode(ni, node);
    if (ni.labels[ZONE_LABEL] !== zoneBefore) for (const p of ni.pods.values()) this.countZone(p, ni, 1);
    if (isNew) this.list.push(ni);
    return ni;
  }

  removeNode(name: string) {
    const ni = this.nodes.get(name);
    if (!ni) return;
    const i = this.list.indexOf(ni);
    if (i >= 0) this.list.splice(i, 1);
    ni.node = null;
    // pods still bound to a deleted node keep a placeholder until they go
    if (ni.pods.size === 0) this.nodes.delete(name);
  }

  /** A pod the API says is bound to a node (confirms an assumed pod). */
  addOrUpdatePod(p: PodInfo) {
    const st = this.pods.get(p.key);
    if (st) {
      const ni = this.nodes.get(st.node);
      if (ni) this.dropFrom(ni, st.pod);
    }
    this.pods.set(p.key, { pod: p, node: p.nodeName, assumed: false });
    this.place(this.info(p.nodeName), p);
  }

  removePod(key: string) {
    const st = this.pods.get(key);
    if (!st) return;
    this.pods.delete(key);
    const ni = this.nodes.get(st.node);
    if (ni) this.dropFrom(ni, st.pod);
  }

  private dropFrom(ni: NodeInfo, p: PodInfo) {
    const cur = ni.pods.get(p.key);
    if (cur) this.countZone(cur, ni, -1);
    removePodFromNode(ni, p);
    this.trackAffinity(ni);
    if (!ni.node && ni.pods.size === 0) this.nodes.delete(ni.name);
  }

  /** Counts the pod against node before the binding is written. */
  assume(p: PodInfo, node: string): PodInfo {
    const placed: PodInfo = { ...p, nodeName: node };
    this.pods.set(p.key, { pod: placed, node, assumed: true });
    this.place(this.info(node), placed);
    return placed;
  }

  /** Undoes assume after a failed binding (unless the API has since confirmed the pod). */
  forget(key: string) {
    const st = this.pods.get(key);
    if (!st?.assumed) return;
    this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return !!this.pods.get(key)?.assumed;
  }

  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  podCount(): number {
    return this.pods.size;
  }
}
