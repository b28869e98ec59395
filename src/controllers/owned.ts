// The pod wiring every workload controller shares (client-go's pattern): an index of pods by
// their controller's uid (orphans by namespace), the owner a pod's controllerRef points at, the
// owners whose selector picks an orphan up, and pod event handlers that feed expectations and the
// work queue.
import type { KubeObject } from '../api/types.js';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.js';
import { keyOf, type Informer } from '../client/informer.js';
import type { Expectations } from './expectations.js';
import { controllerRef } from './util.js';

export const orphanKey = (ns: string) => `orphan/${ns}`;

export interface OwnedPods {
  /** The owner kind's pods by its uid, and orphans under orphanKey(namespace). */
  index: string;
  /** The live owner a pod's controllerRef names (same uid), if any. */
  ownerOf(pod: KubeObject): KubeObject | undefined;
  /** Owners in the pod's namespace whose selector matches it. */
  selecting(pod: KubeObject): KubeObject[];
}

export function watchOwnedPods(o: {
  owners: Informer;
  pods: Informer;
  kind: string;
  index: string;
  exp: Expectations;
  enqueue(owner: KubeObject): void;
  /** A pod first seen already deleting counts as an observed delete (DaemonSets), not a create. */
  deletingAddIsDeletion?: boolean;
}): OwnedPods {
  const { owners, pods, kind, exp, enqueue } = o;
  pods.addIndexer(o.index, (p) => {
    const ref = controllerRef(p);
    if (!ref) return [orphanKey(p.metadata.namespace ?? '')];
    return ref.kind === kind ? [ref.uid] : [];
  });
  const ownerOf = (pod: KubeObject): KubeObject | undefined => {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== kind) return undefined;
    const owner = owners.get(pod.metadata.namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  };
  const selecting = (pod: KubeObject): KubeObject[] =>
    owners.list(pod.metadata.namespace ?? '').filter((s) => {
      try {
        return matchesLabels(labelSelectorFromObject(s.spec?.selector), pod.metadata.labels);
      } catch {
        return false;
      }
    });
  pods.addEventHandler({
    add(pod) {
      const owner = ownerOf(pod);
      if (owner) {
        if (o.deletingAddIsDeletion && pod.metadata.deletionTimestamp) exp.deletionObserved(keyOf(owner));
        else exp.creationObserved(keyOf(owner));
        return enqueue(owner);
      }
      if (!controllerRef(pod)) for (const s of selecting(pod)) enqueue(s);
    },
    update(old, cur) {
      if (old === cur) return;
      const owner = ownerOf(cur);
      const oldOwner = ownerOf(old);
      if (oldOwner && oldOwner !== owner) enqueue(oldOwner);
      if (owner) {
        if (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) exp.deletionObserved(keyOf(owner));
        return enqueue(owner);
      }
      if (!controllerRef(cur) && (JSON.stringify(old.metadata.labels) !== JSON.stringify(cur.metadata.labels) || controllerRef(old))) for (const s of selecting(cur)) enqueue(s);
    },
    delete(pod) {
      const owner = ownerOf(pod);
      if (!owner) return;
      if (!pod.metadata.deletionTimestamp) exp.deletionObserved(keyOf(owner));
      enqueue(owner);
    },
  });
  return { index: o.index, ownerOf, selecting };
}
