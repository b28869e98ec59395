// VolumeBinding basics: a pod's claims must exist; claims bound to PVs with node affinity
// restrict the nodes; unbound claims of a WaitForFirstConsumer StorageClass are matched on each
// node against available PVs (smallest that fits) or left to the class' provisioner, and bound
// (PV claimRef, or the PVC's volume.kubernetes.io/selected-node annotation) once a node is chosen.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors.js';
import type { NodeInfo } from '../cache.js';
import type { PodInfo } from '../podinfo.js';
import { qValue } from '../podinfo.js';
import { termMatches } from './nodeaffinity.js';
import { Code, status, type Status } from './status.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const ERR_VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_VOLUME_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const nodeConflict = status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, ERR_VOLUME_NODE_CONFLICT);
const bindConflict = status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, ERR_VOLUME_BIND_CONFLICT);

export interface VolumeListers {
  pvc(ns: string, name: string): KubeObject | undefined;
  pv(name: string): KubeObject | undefined;
  storageClass(name: string): KubeObject | undefined;
  pvsOfClass(cls: string): KubeObject[];
  /** PVs promised to a claim by a binding still in flight. */
  assumedPVs: Set<string>;
}

export interface VolumeState {
  bound: KubeObject[];
  delayed: KubeObject[];
}

export const claimClass = (pvc: KubeObject): string => pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';

const nodeTermsOf = (pv: KubeObject) => pv.spec?.nodeAffinity?.required?.nodeSelectorTerms as any[] | undefined;

function pvFitsNode(pv: KubeObject, ni: NodeInfo): boolean {
  const terms = nodeTermsOf(pv);
  if (!terms) return true;
  const parsed = terms.map((t: any) => ({
    expr: (t?.matchExpressions ?? []).map((r: any) => ({ key: r.key, op: r.operator, values: r.values ?? [] })),
    fields: (t?.matchFields ?? []).map((r: any) => ({ key: r.key, op: r.operator, values: r.values ?? [] })),
  }));
  return parsed.some((t) => termMatches(t, ni.labels, ni.name));
}

/** PreFilter: a Status when the pod cannot be scheduled anywhere yet, else the claims to check. */
export function preFilterVolumes(p: PodInfo, l: VolumeListers): VolumeState | Status | null {
  if (!p.claims) return null;
  const st: VolumeState = { bound: [], delayed: [] };
  for (const name of p.claims) {
    const pvc = l.pvc(p.namespace, name);
    if (!pvc) return status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`);
    if (pvc.metadata.deletionTimestamp) return status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" is being deleted`);
    const volumeName = pvc.spec?.volumeName;
    if (volumeName) {
      const pv = l.pv(volumeName);
      if (!pv) return status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, `pvc ${p.namespace}/${name} bound to non-existent pv ${volumeName}`);
      st.bound.push(pv);
      continue;
    }
    const sc = l.storageClass(claimClass(pvc));
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer') st.delayed.push(pvc);
    else return status(VOLUME_BINDING, Code.UnschedulableAndUnresolvable, ERR_UNBOUND_IMMEDIATE);
  }
  return st.bound.length || st.delayed.length ? st : null;
}

const modesOf = (o: KubeObject): string[] => o.spec?.accessModes ?? [];

/** The smallest available PV of the claim's class that fits it on this node. */
export function findPV(pvc: KubeObject, ni: NodeInfo, l: VolumeListers, taken: Set<string>): KubeObject | undefined {
  const want = qValue(pvc.spec?.resources?.requests?.storage);
  const modes = modesOf(pvc);
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  let sel = null;
  try {
    sel = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : null;
  } catch {
    return undefined;
  }
  let best: KubeObject | undefined;
  let bestSize = Infinity;
  for (const pv of l.pvsOfClass(claimClass(pvc))) {
    const name = pv.metadata.name!;
    if (taken.has(name) || l.assumedPVs.has(name) || pv.metadata.deletionTimestamp) continue;
    const ref = pv.spec?.claimRef;
    if (ref && !(ref.namespace === pvc.metadata.namespace && ref.name === pvc.metadata.name && (!ref.uid || ref.uid === pvc.metadata.uid))) continue;
    if (!ref && pv.status?.phase && pv.status.phase !== 'Available') continue;
    const size = qValue(pv.spec?.capacity?.storage);
    if (size < want || size >= bestSize) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    const pvModes = modesOf(pv);
    if (!modes.every((m) => pvModes.includes(m))) continue;
    if (sel && !matchesLabels(sel, pv.metadata.labels ?? {})) continue;
    if (!pvFitsNode(pv, ni)) continue;
    best = pv;
    bestSize = size;
  }
  return best;
}

function canProvision(pvc: KubeObject, l: VolumeListers): boolean {
  const sc = l.storageClass(claimClass(pvc));
  if (!sc || !sc.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner') return false;
  return !pvc.spec?.selector;
}

export function filterVolumes(st: VolumeState, ni: NodeInfo, l: VolumeListers): Status | null {
  for (const pv of st.bound) if (!pvFitsNode(pv, ni)) return nodeConflict;
  if (st.delayed.length) {
    const taken = new Set<string>();
    for (const pvc of st.delayed) {
      const pv = findPV(pvc, ni, l, taken);
      if (pv) taken.add(pv.metadata.name!);
      else if (!canProvision(pvc, l)) return bindConflict;
    }
  }
  return null;
}

/** What binding the pod's delayed claims to a node takes: PVs to claim, claims to provision there. */
export type VolumePlan = { pv: KubeObject; pvc: KubeObject } | { provision: KubeObject };

export function planVolumeBinding(st: VolumeState, ni: NodeInfo, l: VolumeListers): VolumePlan[] {
  const out: VolumePlan[] = [];
  const taken = new Set<string>();
  for (const pvc of st.delayed) {
    const pv = findPV(pvc, ni, l, taken);
    if (pv) {
      taken.add(pv.metadata.name!);
      out.push({ pv, pvc });
    } else out.push({ provision: pvc });
  }
  return out;
}
