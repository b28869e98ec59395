// IP and CIDR arithmetic for IPv4 and IPv6 on bigints, and Kubernetes' CIDR set: a cluster
// CIDR cut into equal subnets (one per node), handed out round-robin from a bitmap.

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128);

export function parseIp(s: string): { family: 4 | 6; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
  }
  // IPv6 in hex groups (no embedded IPv4 tail: pod and cluster CIDRs never use it)
  if (!s.includes(':') || !/^[0-9a-fA-F:]+$/.test(s)) return undefined;
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const toGroups = (x: string) => (x === '' ? [] : x.split(':'));
  const left = toGroups(dbl[0]);
  const right = dbl.length === 2 ? toGroups(dbl[1]) : [];
  let groups: string[];
  if (dbl.length === 2) {
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...Array(fill).fill('0'), ...right];
  } else groups = left;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function formatIp(value: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((value >> sh) & 255n)).join('.');
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (≥ 2) of zero groups becomes ::
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses "10.244.0.0/16"; host bits are cleared (as net.ParseCIDR does). Throws on bad input. */
export function parseCidr(s: string): Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  const ip = m ? parseIp(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (!ip || !(prefix >= 0 && prefix <= bitsOf(ip.family))) throw new Error(`invalid CIDR address: ${s}`);
  const bits = BigInt(bitsOf(ip.family));
  const mask = ((1n << BigInt(prefix)) - 1n) << (bits - BigInt(prefix));
  return { family: ip.family, base: ip.value & mask, prefix };
}

export const formatCidr = (c: Cidr) => `${formatIp(c.base, c.family)}/${c.prefix}`;

/** Number of addresses in c. */
export const cidrSize = (c: Cidr) => 1n << BigInt(bitsOf(c.family) - c.prefix);

export function cidrContains(c: Cidr, ip: bigint): boolean {
  return ip >= c.base && ip < c.base + cidrSize(c);
}

export interface CidrSet {
  readonly cluster: Cidr;
  readonly maskSize: number;
  /** How many subnets the cluster CIDR holds. */
  readonly max: number;
  used(): number;
  /** The next free subnet, or undefined when the range is full. */
  allocateNext(): string | undefined;
  /** Marks subnet as used; false if it is not one of ours (wrong size or out of range). */
  occupy(subnet: string): boolean;
  release(subnet: string): void;
  isUsed(subnet: string): boolean;
}

/** Kubernetes limits the cluster CIDR to 2^16 node subnets (clusterSubnetMaxDiff). */
const MAX_DIFF = 16;

export function newCidrSet(clusterCidr: string, maskSize: number): CidrSet {
  const cluster = parseCidr(clusterCidr);
  const bits = bitsOf(cluster.family);
  if (!Number.isInteger(maskSize) || maskSize < cluster.prefix || maskSize > bits) throw new Error(`node CIDR mask size /${maskSize} does not fit in cluster CIDR ${formatCidr(cluster)}`);
  if (maskSize - cluster.prefix > MAX_DIFF) throw new Error(`cluster CIDR ${formatCidr(cluster)} with node CIDR mask size /${maskSize} gives more than 2^${MAX_DIFF} node subnets; use a smaller node mask or a longer cluster prefix`);
  const max = 2 ** (maskSize - cluster.prefix);
  const step = 1n << BigInt(bits - maskSize);
  const taken = new Uint8Array(max);
  let count = 0;
  let next = 0;
  const indexOf = (subnet: string): number | undefined => {
    let c: Cidr;
    try {
      c = parseCidr(subnet);
    } catch {
      return undefined;
    }
    if (c.family !== cluster.family || c.prefix !== maskSize || !cidrContains(cluster, c.base)) return undefined;
    return Number((c.base - cluster.base) / step);
  };
  const at = (i: number) => `${formatIp(cluster.base + BigInt(i) * step, cluster.family)}/${maskSize}`;
  return {
    cluster,
    maskSize,
    max,
    used: () => count,
    allocateNext() {
      if (count >= max) return undefined;
      for (let n = 0; n < max; n++) {
        const i = (next + n) % max;
        if (!taken[i]) {
          taken[i] = 1;
          count++;
          next = (i + 1) % max;
          return at(i);
        }
      }
      return undefined;
    },
    occupy(subnet) {
      const i = indexOf(subnet);
      if (i === undefined) return false;
      if (!taken[i]) {
        taken[i] = 1;
        count++;
      }
      return true;
    },
    release(subnet) {
      const i = indexOf(subnet);
      if (i === undefined || !taken[i]) return;
      taken[i] = 0;
      count--;
    },
    isUsed(subnet) {
      const i = indexOf(subnet);
      return i !== undefined && taken[i] === 1;
    },
  };
}
