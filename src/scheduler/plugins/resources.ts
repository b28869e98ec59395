// NodeResourcesFit (requests against allocatable minus what the node's pods request, and the
// pod count), its LeastAllocated score, NodeResourcesBalancedAllocation, and NodePorts.
import type { NodeInfo } from '../cache.js';
import type { HostPort, PodInfo } from '../podinfo.js';
import { Code, status, type Status } from './status.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const NODE_PORTS = 'NodePorts';
export const ERR_PORTS = "node(s) didn't have free ports for the requested pod ports";
const portsConflict = status(NODE_PORTS, Code.Unschedulable, ERR_PORTS);
const tooManyPods = status(NODE_RESOURCES_FIT, Code.Unschedulable, 'Too many pods');

/** Extra load on a node the filter must count (nominated pods of at least this priority). */
export interface Extra {
  cpu: number;
  mem: number;
  eph: number;
  pods: number;
  scalar: Map<string, number> | null;
}

export function filterResources(p: PodInfo, ni: NodeInfo, extra?: Extra): Status | null {
  const podCount = ni.pods.size + (extra?.pods ?? 0);
  let reasons: string[] | null = null;
  let unresolvable = false;
  if (podCount + 1 > ni.allocPods) reasons = ['Too many pods'];
  if (p.cpu === 0 && p.mem === 0 && p.eph === 0 && !p.scalar) return reasons ? tooManyPods : null;
  const usedCpu = ni.reqCpu + (extra?.cpu ?? 0);
  const usedMem = ni.reqMem + (extra?.mem ?? 0);
  const usedEph = ni.reqEph + (extra?.eph ?? 0);
  if (p.cpu > 0 && p.cpu > ni.allocCpu - usedCpu) {
    (reasons ??= []).push('Insufficient cpu');
    if (p.cpu > ni.allocCpu) unresolvable = true;
  }
  if (p.mem > 0 && p.mem > ni.allocMem - usedMem) {
    (reasons ??= []).push('Insufficient memory');
    if (p.mem > ni.allocMem) unresolvable = true;
  }
  if (p.eph > 0 && p.eph > ni.allocEph - usedEph) {
    (reasons ??= []).push('Insufficient ephemeral-storage');
    if (p.eph > ni.allocEph) unresolvable = true;
  }
  if (p.scalar)
    for (const [name, q] of p.scalar) {
      if (q === 0) continue;
      const alloc = ni.allocScalar?.get(name) ?? 0;
      const used = (ni.reqScalar?.get(name) ?? 0) + (extra?.scalar?.get(name) ?? 0);
      if (q > alloc - used) {
        (reasons ??= []).push(`Insufficient ${name}`);
        if (q > alloc) unresolvable = true;
      }
    }
  if (!reasons) return null;
  return status(NODE_RESOURCES_FIT, unresolvable ? Code.UnschedulableAndUnresolvable : Code.Unschedulable, ...reasons);
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * 100) / capacity);
}

/** NodeResourcesFit's default LeastAllocated strategy over cpu and memory (weight 1 each). */
export function scoreLeastAllocated(p: PodInfo, ni: NodeInfo): number {
  let sum = 0;
  let w = 0;
  if (ni.allocCpu) {
    sum += leastRequested(ni.nzCpu + p.nzCpu, ni.allocCpu);
    w++;
  }
  if (ni.allocMem) {
    sum += leastRequested(ni.nzMem + p.nzMem, ni.allocMem);
    w++;
  }
  return w ? Math.floor(sum / w) : 0;
}

/** NodeResourcesBalancedAllocation: 1 − the spread of cpu and memory fractions, times 100. */
export function scoreBalancedAllocation(p: PodInfo, ni: NodeInfo): number {
  let f1 = -1;
  let f2 = -1;
  if (ni.allocCpu) f1 = Math.min(1, (ni.reqCpu + p.cpu) / ni.allocCpu);
  if (ni.allocMem) f2 = Math.min(1, (ni.reqMem + p.mem) / ni.allocMem);
  const std = f1 >= 0 && f2 >= 0 ? Math.abs((f1 - f2) / 2) : 0;
  return Math.trunc((1 - std) * 100);
}

/** HostPortInfo.CheckConflict: same protocol and port, and the same IP or either one 0.0.0.0. */
export function portsConflictWith(used: HostPort[], want: HostPort[]): boolean {
  for (const w of want)
    for (const u of used) {
      if (u.port !== w.port || u.protocol !== w.protocol) continue;
      if (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0') return true;
    }
  return false;
}

export function filterPorts(p: PodInfo, ni: NodeInfo): Status | null {
  if (!p.ports || !ni.ports.length) return null;
  return portsConflictWith(ni.ports, p.ports) ? portsConflict : null;
}
