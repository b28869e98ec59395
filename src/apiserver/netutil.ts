// IPv4 CIDR arithmetic for the service network.

export function parseCIDR(cidr: string): { base: number; bits: number } {
  const [ip, b] = cidr.split('/');
  const bits = Number(b);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)) || !(bits >= 0 && bits <= 32)) throw new Error(`invalid CIDR ${cidr}`);
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (n & mask) >>> 0, bits };
}

export const ipToString = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The `kubernetes` Service address: the first address after the network address. */
export function firstServiceIP(cidr: string): string {
  return ipToString(parseCIDR(cidr).base + 1);
}

/** The conventional cluster DNS address: the tenth. */
export function dnsServiceIP(cidr: string): string {
  return ipToString(parseCIDR(cidr).base + 10);
}
