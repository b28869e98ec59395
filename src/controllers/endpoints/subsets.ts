// Endpoints subsets as Kubernetes packs them (pkg/api/v1/endpoints RepackSubsets): one subset
// per distinct set of addresses that offer the same ports, an address not ready on a port it is
// ready on elsewhere counting as not ready, addresses sorted by IP then pod UID; plus the
// truncation to 1000 addresses the over-capacity annotation reports.

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export const MAX_CAPACITY = 1000;

const addrKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? '\u0001'}`;

function compareAddrs(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  const na = a.name ?? '';
  const nb = b.name ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  if (a.port !== b.port) return a.port - b.port;
  const pa = a.protocol ?? '';
  const pb = b.protocol ?? '';
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

function subsetSortKey(s: EndpointSubset): string {
  const first = s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  return `${first ? addrKey(first) : ''}\u0002${(s.ports ?? []).map(portKey).join('\u0003')}`;
}

/**
 * Regroups subsets so that each distinct address set appears once with every port it offers.
 * Subsets and ports are sorted by content (Kubernetes sorts them by a hash of their content,
 * an order no client relies on).
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key -> (address key -> ready)
  const portAddrs = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, boolean> }>();
  const map = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean) => {
    const ak = addrKey(addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, addr);
    const pk = port ? portKey(port) : '\u0004sentinel';
    let e = portAddrs.get(pk);
    if (!e) portAddrs.set(pk, (e = { port, addrs: new Map() }));
    const was = e.addrs.get(ak);
    // not ready always wins over ready
    if (was === undefined || was) e.addrs.set(ak, ready);
  };
  for (const s of subsets) {
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined];
    for (const port of ports) {
      for (const a of s.addresses ?? []) map(port, a, true);
      for (const a of s.notReadyAddresses ?? []) map(port, a, false);
    }
  }
  // group ports by the exact (address, readiness) set they map to
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of portAddrs.values()) {
    const key = [...addrs].map(([k, r]) => `${k}\u0000${r ? 1 : 0}`).sort().join('\u0001');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs, ports: [] }));
    if (port && port.port > 0) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) (r ? ready : notReady).push(allAddrs.get(k)!);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready.sort(compareAddrs);
    if (notReady.length) s.notReadyAddresses = notReady.sort(compareAddrs);
    if (g.ports.length) s.ports = g.ports.sort(comparePorts);
    out.push(s);
  }
  return out.sort((a, b) => {
    const ka = subsetSortKey(a);
    const kb = subsetSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/**
 * Cuts subsets down to MAX_CAPACITY addresses (not-ready ones first, then ready ones in
 * proportion to each subset's share), as the endpoints controller does; true when it had to.
 */
export function truncateSubsets(subsets: EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return { subsets, truncated: false };
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out = subsets.map((s) => {
    const inSubset = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(canBeAdded, Math.ceil((inSubset / numTotal) * max));
    const n: EndpointSubset = { ...s };
    if (truncateReady) {
      if (s.addresses) n.addresses = s.addresses.slice(0, toBeAdded);
      delete n.notReadyAddresses;
      canBeAdded -= n.addresses?.length ?? 0;
    } else {
      if (s.notReadyAddresses) n.notReadyAddresses = s.notReadyAddresses.slice(0, toBeAdded);
      canBeAdded -= n.notReadyAddresses?.length ?? 0;
    }
    return n;
  });
  return { subsets: out, truncated: true };
}

/** Subsets compared by content (as stored: absent and empty lists are the same). */
export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  return canonical(a ?? []) === canonical(b ?? []);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => {
        const x = (v as any)[k];
        return x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0) && k !== 'resourceVersion';
      })
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
