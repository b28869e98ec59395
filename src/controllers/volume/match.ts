// Matching PersistentVolumes to PersistentVolumeClaims as Kubernetes' PV controller does
// (pkg/controller/volume/persistentvolume/index.go and storage helpers): volumes are grouped by
// their set of access modes, the groups that cover the claim's modes are tried from the fewest
// modes up, and within the first group that has a match the smallest volume that fits wins. A
// volume pre-bound to the claim (claimRef) wins at once.
import type { KubeObject } from '../../api/types.js';
import { compareQuantity } from '../../api/quantity.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
const ANN_BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** The claim's class: the beta annotation wins over spec.storageClassName; "" means none. */
export function claimClass(pvc: KubeObject): string {
  const a = pvc.metadata.annotations?.[ANN_BETA_CLASS];
  if (a !== undefined) return a;
  return pvc.spec?.storageClassName ?? '';
}

/** The volume's class, with the same precedence. */
export function volumeClass(pv: KubeObject): string {
  const a = pv.metadata.annotations?.[ANN_BETA_CLASS];
  if (a !== undefined) return a;
  return pv.spec?.storageClassName ?? '';
}

export const claimRequest = (pvc: KubeObject): unknown => pvc.spec?.resources?.requests?.storage ?? '0';
export const volumeCapacity = (pv: KubeObject): unknown => pv.spec?.capacity?.storage ?? '0';

/** True when the claim's volumeMode differs from the volume's (both default to Filesystem). */
export const volumeModeMismatch = (pvc: KubeObject, pv: KubeObject) => (pvc.spec?.volumeMode || 'Filesystem') !== (pv.spec?.volumeMode || 'Filesystem');

/** Every access mode the claim asks for is one the volume offers. */
export function accessModesCovered(pvc: KubeObject, pv: KubeObject): boolean {
  const have = new Set<string>(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m: string) => have.has(m));
}

/** The volume's claimRef names this claim (and its uid, when the claimRef has one). */
export function isVolumeBoundToClaim(pv: KubeObject, pvc: KubeObject): boolean {
  const r = pv.spec?.claimRef;
  if (!r) return false;
  if (r.name !== pvc.metadata.name || r.namespace !== pvc.metadata.namespace) return false;
  return !r.uid || r.uid === pvc.metadata.uid;
}

/**
 * Why a volume the claim names in spec.volumeName cannot serve it (checkVolumeSatisfyClaim's
 * messages), or undefined when it can.
 */
export function volumeClaimMismatch(pv: KubeObject, pvc: KubeObject): string | undefined {
  if (compareQuantity(volumeCapacity(pv), claimRequest(pvc)) < 0) return 'requested PV is too small';
  if (claimClass(pvc) !== volumeClass(pv)) return 'storageClassName does not match';
  if (volumeModeMismatch(pvc, pv)) return 'incompatible volumeMode';
  if (!accessModesCovered(pvc, pv)) return 'incompatible accessMode';
  return undefined;
}

/** findMatchingVolume over one group of volumes. */
function findMatchingVolume(pvc: KubeObject, volumes: KubeObject[], delayBinding: boolean): KubeObject | undefined {
  const request = claimRequest(pvc);
  const sel = pvc.spec?.selector ? safeSelector(pvc.spec.selector) : undefined;
  const cls = claimClass(pvc);
  let smallest: KubeObject | undefined;
  for (const pv of volumes) {
    if (compareQuantity(volumeCapacity(pv), request) < 0) continue;
    if (volumeModeMismatch(pvc, pv)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(pv, pvc)) return pv;
    if (delayBinding) continue;
    if (pv.spec?.claimRef) continue;
    // a selector that does not parse matches nothing
    if (sel !== undefined && (sel === null || !matchesLabels(sel, pv.metadata.labels ?? {}))) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!smallest || compareQuantity(volumeCapacity(smallest), volumeCapacity(pv)) > 0) smallest = pv;
  }
  return smallest;
}

function safeSelector(s: unknown) {
  try {
    return labelSelectorFromObject(s as never);
  } catch {
    return null;
  }
}

const modesKey = (modes: string[] | undefined) => [...new Set(modes ?? [])].sort().join(',');

/**
 * The volume the claim should bind to, or undefined. With delayBinding (a WaitForFirstConsumer
 * class) only a volume pre-bound to the claim is returned: the scheduler picks the others.
 */
export function findBestMatchForClaim(pvc: KubeObject, volumes: Iterable<KubeObject>, delayBinding = false): KubeObject | undefined {
  const groups = new Map<string, KubeObject[]>();
  for (const pv of volumes) {
    const k = modesKey(pv.spec?.accessModes);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(pv);
  }
  const want = new Set<string>(pvc.spec?.accessModes ?? []);
  const candidates = [...groups.keys()]
    .map((k) => ({ k, modes: k ? k.split(',') : [] }))
    .filter((g) => [...want].every((m) => g.modes.includes(m)))
    .sort((a, b) => a.modes.length - b.modes.length || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (const g of candidates) {
    const pv = findMatchingVolume(pvc, groups.get(g.k)!, delayBinding);
    if (pv) return pv;
  }
  return undefined;
}
