// `sampan sim-nodes` flags → startSimNodes options, with the errors a user should see for bad values.
import { parseQuantity } from '../api/quantity.js';
import { parseLabels, parseTaints } from './node.js';
import type { SimNodesOptions } from './simnode.js';

export { startSimNodes } from './simnode.js';

export function simNodesOptionsFromFlags(v: Record<string, string | undefined>): SimNodesOptions {
  if (v.count === undefined) throw new Error('--count is required');
  const count = Number(v.count);
  if (!/^\d+$/.test(v.count) || count < 1) throw new Error(`invalid --count "${v.count}": want a positive integer`);
  const quantity = (flag: string) => {
    const s = v[flag]!;
    const q = parseQuantity(s);
    if (!q || q.nanos < 0n) throw new Error(`invalid --${flag} "${s}": not a quantity (e.g. 32, 500m, 256Gi)`);
    return s;
  };
  const seconds = (flag: string) => {
    const s = v[flag]!;
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`invalid --${flag} "${s}": want a number of seconds ≥ 0`);
    return n;
  };
  const pods = v.pods!;
  if (!/^\d+$/.test(pods)) throw new Error(`invalid --pods "${pods}": want a whole number`);
  const prefix = v['name-prefix'] ?? 'sim-node-';
  if (!/^[a-z0-9]([-a-z0-9.]*)?$/.test(prefix)) throw new Error(`invalid --name-prefix "${prefix}": node names are lower-case DNS names`);
  return {
    count,
    namePrefix: prefix,
    cpu: quantity('cpu'),
    memory: quantity('memory'),
    pods,
    ephemeralStorage: quantity('ephemeral-storage'),
    labels: v.labels ? parseLabels(v.labels) : {},
    taints: v.taints ? parseTaints(v.taints) : [],
    runSeconds: seconds('run-seconds'),
    maxGraceSeconds: seconds('max-grace-seconds'),
  };
}
