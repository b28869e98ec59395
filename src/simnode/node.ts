// The Node object a simulated kubelet registers: labels, taints, capacity, conditions with the
// kubelet's reasons and messages, fake addresses, nodeInfo and daemon endpoints.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/types.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeShape {
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
}

export const KUBELET_VERSION = 'v1.32.0';

/** A fake InternalIP for the index-th node: 10.255.0.1, 10.255.0.2, … (never contacted). */
export function nodeIP(index: number): string {
  const n = index + 1;
  return `10.${255 - Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** A stable UUID-shaped id from a seed (machineID, systemUUID, bootID). */
function uuidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The four conditions of a healthy kubelet, in the kubelet's order. */
export function healthyConditions(heartbeat: string, transitions: Record<string, string> = {}): NodeCondition[] {
  const c = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => ({ type, status, lastHeartbeatTime: heartbeat, lastTransitionTime: transitions[type] ?? heartbeat, reason, message });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeLabels(name: string, shape: NodeShape): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    type: 'sim',
    ...shape.labels,
  };
}

export function nodeStatus(name: string, ip: string, shape: NodeShape, heartbeat: string, transitions?: Record<string, string>): Record<string, unknown> {
  const resources = { cpu: shape.cpu, 'ephemeral-storage': shape.ephemeralStorage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: shape.memory, pods: shape.pods };
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: healthyConditions(heartbeat, transitions),
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: uuidFrom(`machine/${name}`).replace(/-/g, ''),
      systemUUID: uuidFrom(`system/${name}`),
      bootID: uuidFrom(`boot/${name}/${process.pid}/${Date.now()}`),
      kernelVersion: '6.1.0-sim',
      osImage: 'Sampan simulated node',
      containerRuntimeVersion: 'sim://1.0',
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

export function nodeObject(name: string, ip: string, shape: NodeShape, now: string): KubeObject {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name, shape),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: shape.taints.length ? { taints: shape.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) } : {},
    status: nodeStatus(name, ip, shape, now),
  };
  return node;
}

/** Parses "k=v:NoSchedule,k2:NoExecute" as kubectl taint and --register-with-taints do. */
export function parseTaints(s: string): Taint[] {
  const out: Taint[] = [];
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
    if (!m) throw new Error(`invalid taint "${part}": want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    out.push({ key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] });
  }
  return out;
}

/** Parses "k=v,k2=v2". */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`invalid label "${part}": want key=value`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
