// NodeAffinity: nodeSelector plus required node affinity (terms ORed, expressions ANDed;
// In/NotIn/Exists/DoesNotExist/Gt/Lt and matchFields metadata.name), and the preferred terms'
// weights as a score.
import type { NodeInfo } from '../cache.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodInfo } from '../podinfo.js';
import { Code, status, type Status } from './status.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const rejected = status(NODE_AFFINITY, Code.UnschedulableAndUnresolvable, ERR_NODE_AFFINITY);

const int64 = /^[+-]?\d+$/;

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || r.values.length !== 1 || !int64.test(value) || !int64.test(r.values[0])) return false;
      const a = BigInt(value);
      const b = BigInt(r.values[0]);
      return r.op === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** One term: every expression and field requirement holds (an empty term matches nothing). */
export function termMatches(t: NodeSelectorTerm, labels: Record<string, string>, name: string): boolean {
  if (!t.expr.length && !t.fields.length) return false;
  for (const r of t.expr) if (!requirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of t.fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, name)) return false;
  }
  return true;
}

/** nodeSelector and required node affinity both hold for the node. */
export function podMatchesNode(p: PodInfo, labels: Record<string, string>, name: string): boolean {
  if (p.nodeSelector) for (const [k, v] of p.nodeSelector) if (labels[k] !== v) return false;
  if (p.requiredNodeTerms) {
    let any = false;
    for (const t of p.requiredNodeTerms)
      if (termMatches(t, labels, name)) {
        any = true;
        break;
      }
    if (!any) return false;
  }
  return true;
}

export function filterNodeAffinity(p: PodInfo, ni: NodeInfo): Status | null {
  if (!p.nodeSelector && !p.requiredNodeTerms) return null;
  return podMatchesNode(p, ni.labels, ni.name) ? null : rejected;
}

/**
 * PreFilter: when every required term pins metadata.name with In, only those nodes can match
 * (DaemonSet pods); null means all nodes.
 */
export function nodeNamesFromAffinity(p: PodInfo): Set<string> | null {
  if (!p.requiredNodeTerms?.length) return null;
  let names: Set<string> | null = new Set();
  for (const t of p.requiredNodeTerms) {
    const f = t.fields.find((r) => r.key === 'metadata.name' && r.op === 'In');
    if (!f) return null;
    for (const v of f.values) names.add(v);
  }
  return names;
}

/** Sum of the weights of the preferred terms the node matches. */
export function scoreNodeAffinity(p: PodInfo, ni: NodeInfo): number {
  let s = 0;
  for (const t of p.preferredNodeTerms!) if (t.weight && termMatches(t.term, ni.labels, ni.name)) s += t.weight;
  return s;
}
