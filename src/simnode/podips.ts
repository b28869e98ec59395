// Pod IPs of one simulated node, from its podCIDR the way the host-local CNI plugin hands them
// out: the network address and the gateway (.1) are skipped (and the broadcast address for
// IPv4), addresses go round-robin so a released one is not reused at once.
import { cidrSize, formatIp, parseCidr, parseIp, type Cidr } from '../controllers/nodeipam/cidr.js';

export interface PodIPPool {
  readonly cidr: string;
  allocate(): string | undefined;
  /** Marks ip as used (a pod that already has it); false when it is not in the range. */
  reserve(ip: string): boolean;
  release(ip: string): void;
  inUse(): number;
}

const MAX_SCAN = 1 << 20;

export function podIPPool(podCIDR: string): PodIPPool {
  const c: Cidr = parseCidr(podCIDR);
  const size = cidrSize(c);
  const first = 2n;
  const last = c.family === 4 ? size - 2n : size - 1n; // inclusive offsets
  const span = last >= first ? Number(last - first + 1n > BigInt(MAX_SCAN) ? BigInt(MAX_SCAN) : last - first + 1n) : 0;
  const used = new Set<number>();
  let next = 0;
  const offsetOf = (ip: string): number | undefined => {
    const p = parseIp(ip);
    if (!p || p.family !== c.family) return undefined;
    const off = p.value - c.base - first;
    return off >= 0n && off < BigInt(span) ? Number(off) : undefined;
  };
  return {
    cidr: podCIDR,
    allocate() {
      if (used.size >= span) return undefined;
      for (let n = 0; n < span; n++) {
        const i = (next + n) % span;
        if (!used.has(i)) {
          used.add(i);
          next = (i + 1) % span;
          return formatIp(c.base + first + BigInt(i), c.family);
        }
      }
      return undefined;
    },
    reserve(ip) {
      const i = offsetOf(ip);
      if (i === undefined) return false;
      used.add(i);
      return true;
    },
    release(ip) {
      const i = offsetOf(ip);
      if (i !== undefined) used.delete(i);
    },
    inUse: () => used.size,
  };
}
