// Small helpers shared by the non-core built-in groups (networking, rbac, storage, ...): label
// selector validation and formatting, IP/CIDR parsing, Go-style value rendering and the
// checks Kubernetes' validation packages repeat everywhere.
import { isIP } from 'node:net';
import { type FieldError, GoValue, invalid, notSupported, goStringSlice } from '../errors.js';
import { type KubeObject, deepClone } from '../types.js';
import { isObj, list, jsonEqual } from './core/util.js';
import { type LabelSelectorObject, labelSelectorToString, validateLabelSelector } from '../selectors.js';
import type { TableColumn } from '../descriptor.js';
import { validateQualifiedName, validateDNS1123Label } from '../validation.js';
import { define, obj, ref, str, time, arr, int64, keyedList } from '../schema.js';
import { age, nameColumn, ageColumn, col } from '../table.js';

export { isObj, list };
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;
/** Deep equality for JSON values (key order and undefined members ignored). */
export const deepEqual = jsonEqual;

// ---- Go-style values ----

/** %#v of a []string: `[]string{"a", "b"}` (nil: `[]string(nil)`). */
export const goStrings = goStringSlice;

/** %#v of a []byte: `[]byte{0x2d, 0x2d}`. */
export function goBytes(b: Uint8Array): GoValue {
  if (b.length === 0) return new GoValue('[]byte{}');
  return new GoValue(`[]byte{${Array.from(b, (x) => `0x${x.toString(16)}`).join(', ')}}`);
}

// ---- names and label selectors ----

export { validateQualifiedName, validateDNS1123Label };

export { validateLabelSelector };

/** metav1.FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` for an empty selector. */
export const formatLabelSelector = (sel: unknown): string => labelSelectorToString(sel as LabelSelectorObject | null | undefined);

// ---- IP addresses and CIDRs ----

/** Parses an IPv4 or IPv6 address to a bigint and its family (undefined when invalid). Leading zeros are accepted for IPv4, like ParseIPSloppy. */
export function parseIP(s: string): { family: 4 | 6; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
  }
  if (isIP(s) !== 6) return undefined;
  let str6 = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str6);
  if (v4) {
    const p = parseIP(v4[1]);
    if (!p) return undefined;
    str6 = str6.slice(0, -v4[1].length) + `${(p.value >> 16n).toString(16)}:${(p.value & 0xffffn).toString(16)}`;
  }
  const [head, tail] = str6.includes('::') ? str6.split('::') : [str6, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return { family: 6, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export interface CIDR {
  family: 4 | 6;
  base: bigint; // network address (host bits cleared)
  bits: number;
}

export function parseCIDR(s: string): CIDR | undefined {
  const i = s.indexOf('/');
  if (i < 0) return undefined;
  const ip = parseIP(s.slice(0, i));
  const maskText = s.slice(i + 1);
  if (!ip || !/^\d{1,3}$/.test(maskText)) return undefined;
  const bits = Number(maskText);
  const width = ip.family === 4 ? 32 : 128;
  if (bits > width) return undefined;
  const hostBits = BigInt(width - bits);
  return { family: ip.family, base: (ip.value >> hostBits) << hostBits, bits };
}

export function cidrContains(c: CIDR, family: 4 | 6, addr: bigint): boolean {
  if (c.family !== family) return false;
  const width = c.family === 4 ? 32 : 128;
  const hostBits = BigInt(width - c.bits);
  return addr >> hostBits === c.base >> hostBits;
}

// ---- conversions ----

/** A converter for versions whose shapes are identical: a deep copy with another apiVersion. */
export const asVersion = (apiVersion: string) => (o: KubeObject): KubeObject => ({ ...deepClone(o), apiVersion });

// ---- common field checks ----

export function immutableField(newV: unknown, oldV: unknown, field: string, shown: unknown = newV): FieldError[] {
  return deepEqual(newV, oldV) ? [] : [invalid(field, shown ?? 'null', 'field is immutable')];
}

export function enumField(v: unknown, field: string, allowed: string[]): FieldError[] {
  if (v === undefined || v === null) return [];
  return allowed.includes(v as string) ? [] : [notSupported(field, v, allowed)];
}

export const MAX_INT32 = 2147483647;

// ---- schema fragments ----

/** A status condition as most non-core groups spell it (metav1.Condition-like, without observedGeneration). */
export function conditionSchema(desc: string, withUpdateTime = false, withObservedGeneration = false) {
  const p: Record<string, any> = {
    type: str('Kind of condition.'),
    status: str('True, False or Unknown.'),
    lastTransitionTime: time('When the condition last changed status.'),
    reason: str('Machine-readable, CamelCase reason for the last transition.'),
    message: str('Human-readable details about the last transition.'),
  };
  if (withUpdateTime) p.lastUpdateTime = time('When the condition was last updated.');
  if (withObservedGeneration) p.observedGeneration = int64('The generation the condition was computed for.');
  return obj(p, desc);
}

/** A conditions list keyed by type (strategic merge and server-side apply). */
export const conditionList = (name: string, desc: string) => keyedList(ref(name), 'type', desc);

/** Registers `io.k8s.api.<group>.<version>.<Kind>List` for each kind (apiVersion, kind, list metadata, items). */
export function defineListSchemas(group: string, version: string, kinds: string[]): void {
  for (const k of kinds) {
    define(`io.k8s.api.${group}.${version}.${k}List`, {
      type: 'object',
      description: `A list of ${k} objects.`,
      required: ['items'],
      properties: {
        apiVersion: str('APIVersion of this representation.'),
        kind: str('Kind of this representation.'),
        metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'Standard list metadata.'),
        items: arr(ref(`io.k8s.api.${group}.${version}.${k}`), `The ${k} objects.`),
      },
      'x-kubernetes-group-version-kind': [{ group, version, kind: `${k}List` }],
    });
  }
}

// ---- tables ----

export { nameColumn, ageColumn, col, age };
export type { TableColumn };
