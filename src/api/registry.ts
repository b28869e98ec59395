// The set of kinds this server serves. Built-in kinds register at import time; CRDs add and
// remove descriptors at run time. Discovery, OpenAPI and routing all read from here.
import type { ResourceDescriptor } from './descriptor.js';

type Listener = () => void;

export class KindRegistry {
  private byGR = new Map<string, ResourceDescriptor>();
  private listeners: Listener[] = [];

  add(d: ResourceDescriptor): void {
    this.byGR.set(`${d.group}/${d.plural}`, d);
    this.changed();
  }
  remove(group: string, plural: string): void {
    this.byGR.delete(`${group}/${plural}`);
    this.changed();
  }
  onChange(l: Listener): void {
    this.listeners.push(l);
  }
  private changed() {
    for (const l of this.listeners) l();
  }
  all(): ResourceDescriptor[] {
    return [...this.byGR.values()];
  }
  /** The descriptor serving group/version/plural, if that version is served. */
  lookup(group: string, version: string, plural: string): ResourceDescriptor | undefined {
    const d = this.byGR.get(`${group}/${plural}`);
    if (!d) return undefined;
    return d.versions.some((v) => v.version === version && v.served !== false) ? d : undefined;
  }
  byGroupResource(group: string, plural: string): ResourceDescriptor | undefined {
    return this.byGR.get(`${group}/${plural}`);
  }
  byKind(group: string, kind: string): ResourceDescriptor | undefined {
    for (const d of this.byGR.values()) if (d.group === group && d.kind === kind) return d;
    return undefined;
  }
  /** Served group versions in the order discovery lists them (preferred version first per group). */
  groupVersions(): { group: string; versions: string[]; preferred: string }[] {
    const groups = new Map<string, { versions: Set<string>; preferred: string }>();
    for (const d of this.byGR.values()) {
      let g = groups.get(d.group);
      if (!g) groups.set(d.group, (g = { versions: new Set(), preferred: d.storageVersion }));
      for (const v of d.versions) if (v.served !== false) g.versions.add(v.version);
    }
    return [...groups.entries()].map(([group, g]) => ({ group, versions: sortVersions([...g.versions]), preferred: pickPreferred(group, g) }));
  }
}

function pickPreferred(_group: string, g: { versions: Set<string>; preferred: string }) {
  return sortVersions([...g.versions])[0] ?? g.preferred;
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, then others alphabetically. */
export function sortVersions(vs: string[]): string[] {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 3, major: 0, minor: 0, v };
    const rank = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return { rank, major: Number(m[1]), minor: Number(m[3] ?? 0), v };
  };
  return [...vs].sort((a, b) => {
    const x = parse(a), y = parse(b);
    if (x.rank !== y.rank) return x.rank - y.rank;
    if (x.rank === 3) return a.localeCompare(b);
    if (x.major !== y.major) return y.major - x.major;
    return y.minor - x.minor;
  });
}
