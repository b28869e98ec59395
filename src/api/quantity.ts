// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): parsing, comparison and
// the canonical string form the API server stores ("0.5" -> "500m", "1024Mi" -> "1Gi").
//
// Values are kept exactly as a BigInt count of nano-units (10^-9), which covers every suffix from
// "n" to "E"/"Ei"; finer precision is rounded up, as Kubernetes does.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** Approximate numeric value (milli precision is exact for ordinary quantities). */
  value: number;
  /** Exact value in units of 10^-9. */
  nanos: bigint;
  /** Suffix family the quantity was written in; the canonical form keeps it. */
  format: QuantityFormat;
}

export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_REGEX_MSG = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
const quantityRe = new RegExp(QUANTITY_REGEX);

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const pow10 = (n: number) => 10n ** BigInt(n);

/** Parses a quantity string (or a JSON number); null when it is not a valid quantity. */
export function parseQuantity(input: string | number): Quantity | null {
  const s = typeof input === 'number' ? numberToString(input) : input;
  if (typeof s !== 'string' || s.length === 0) return null;
  const m = quantityRe.exec(s);
  if (!m) return null;
  let numPart = m[1];
  const suffix = m[2];
  let negative = false;
  if (numPart[0] === '+' || numPart[0] === '-') {
    negative = numPart[0] === '-';
    numPart = numPart.slice(1);
  }
  if (!/^(\d+\.?\d*|\.\d+)$/.test(numPart)) return null;
  const [intDigits, fracDigits = ''] = numPart.split('.');
  // value = digits * 10^(-fracLen), then scaled by the suffix
  const digits = BigInt((intDigits || '0') + fracDigits);
  let exp10 = -fracDigits.length;
  let exp2 = 0;
  let format: QuantityFormat;
  if (suffix in decimalSuffixes) {
    exp10 += decimalSuffixes[suffix];
    format = 'DecimalSI';
  } else if (suffix in binarySuffixes) {
    exp2 = binarySuffixes[suffix];
    format = 'BinarySI';
  } else {
    const e = /^[eE]([-+]?\d+)$/.exec(suffix);
    if (!e) return null;
    const n = Number(e[1]);
    if (!Number.isSafeInteger(n) || Math.abs(n) > 1000) return null;
    exp10 += n;
    format = 'DecimalExponent';
  }
  // nanos = digits * 2^exp2 * 10^(exp10 + 9), rounded up (away from zero) below nano precision
  let v = digits * (1n << BigInt(exp2));
  const shift = exp10 + 9;
  if (shift >= 0) v = v * pow10(shift);
  else {
    const div = pow10(-shift);
    const q = v / div;
    v = v % div === 0n ? q : q + 1n;
  }
  if (negative) v = -v;
  return { nanos: v, value: nanosToNumber(v), format };
}

function numberToString(n: number): string {
  if (!Number.isFinite(n)) return '';
  // JSON numbers such as 0.5 or 1e3 keep their written form where JS can express it.
  return String(n).replace('e+', 'e');
}

function nanosToNumber(v: bigint): number {
  const whole = v / 1_000_000_000n;
  const frac = v % 1_000_000_000n;
  return Number(whole) + Number(frac) / 1e9;
}

export const isValidQuantity = (v: unknown): boolean => (typeof v === 'string' || typeof v === 'number') && parseQuantity(v) !== null;

/** Numeric value of a quantity (0 when invalid or missing). */
export function quantityToNumber(v: unknown): number {
  if (typeof v !== 'string' && typeof v !== 'number') return 0;
  return parseQuantity(v)?.value ?? 0;
}

/** Value in milli-units, rounded up (what Kubernetes' MilliValue returns). */
export function quantityToMilli(v: unknown): number {
  if (typeof v !== 'string' && typeof v !== 'number') return 0;
  const q = parseQuantity(v);
  if (!q) return 0;
  const d = 1_000_000n;
  const m = q.nanos / d;
  return Number(q.nanos % d === 0n || q.nanos < 0n ? m : m + 1n);
}

/** -1, 0 or 1; invalid quantities compare as zero. */
export function compareQuantity(a: unknown, b: unknown): number {
  const x = typeof a === 'string' || typeof a === 'number' ? parseQuantity(a)?.nanos ?? 0n : 0n;
  const y = typeof b === 'string' || typeof b === 'number' ? parseQuantity(b)?.nanos ?? 0n : 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The canonical string Kubernetes serializes a quantity as. */
export function formatQuantity(q: Quantity): string {
  const v = q.nanos;
  if (v === 0n) return '0';
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI') {
    const wholeUnits = abs % 1_000_000_000n === 0n ? abs / 1_000_000_000n : -1n;
    // Small or fractional binary quantities are written in decimal form.
    if (wholeUnits >= 1024n) {
      let n = wholeUnits;
      let i = 0;
      const names = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
      while (i < 6 && n % 1024n === 0n) {
        n /= 1024n;
        i++;
      }
      return `${sign}${n}${names[i]}`;
    }
  }
  // decimal: the largest exponent (multiple of 3) that keeps the mantissa whole
  let exp = -9;
  let mant = abs;
  while (exp < 18 && mant % 1000n === 0n) {
    mant /= 1000n;
    exp += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${mant}${exp === 0 ? '' : `e${exp}`}`;
  const suffix = Object.keys(decimalSuffixes).find((k) => decimalSuffixes[k] === exp) ?? '';
  return `${sign}${mant}${suffix}`;
}

/** Canonical form of a quantity string/number; null when invalid. */
export function canonicalQuantity(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const q = parseQuantity(v);
  return q ? formatQuantity(q) : null;
}

/** Rewrites every valid value of a ResourceList (map of quantities) in canonical form, in place. */
export function canonicalizeResourceList(list: unknown): void {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return;
  const l = list as Record<string, unknown>;
  for (const k of Object.keys(l)) {
    const c = canonicalQuantity(l[k]);
    if (c !== null) l[k] = c;
  }
}

/** Quantity built from milli-units, in DecimalSI form ("250m", "2"). */
export function milliToQuantity(milli: number): string {
  return formatQuantity({ nanos: BigInt(Math.round(milli)) * 1_000_000n, value: milli / 1000, format: 'DecimalSI' });
}
