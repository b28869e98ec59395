// Decoding of Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`)
// into the JSON shape the rest of the server works with.
//
// A body is the magic prefix "k8s\0" followed by a runtime.Unknown message:
//   1 typeMeta { 1 apiVersion, 2 kind }, 2 raw (the typed object's own encoding),
//   3 contentEncoding, 4 contentType.
// `raw` is decoded with the message tables in messages.ts. Field numbers not in a table are
// rejected rather than dropped, so nothing a client sent is lost silently.
import { ApiError } from '../../api/errors.js';
import { messageDef, topLevelMessage, type FieldDef, type MessageDef } from './messages.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

const PROTO_PACKAGE: Record<string, string> = {
  core: 'k8s.io.api.core.v1',
  meta: 'k8s.io.apimachinery.pkg.apis.meta.v1',
  apps: 'k8s.io.api.apps.v1',
  batch: 'k8s.io.api.batch.v1',
  rbac: 'k8s.io.api.rbac.v1',
  policy: 'k8s.io.api.policy.v1',
  networking: 'k8s.io.api.networking.v1',
  autoscalingV1: 'k8s.io.api.autoscaling.v1',
  autoscalingV2: 'k8s.io.api.autoscaling.v2',
  authentication: 'k8s.io.api.authentication.v1',
  certificates: 'k8s.io.api.certificates.v1',
  discovery: 'k8s.io.api.discovery.v1',
  coordination: 'k8s.io.api.coordination.v1',
  scheduling: 'k8s.io.api.scheduling.v1',
};

/** The protobuf full name of a table message, e.g. `k8s.io.api.core.v1.Pod`. */
function protoName(qualified: string): string {
  const dot = qualified.indexOf('.');
  return `${PROTO_PACKAGE[qualified.slice(0, dot)] ?? qualified.slice(0, dot)}.${qualified.slice(dot + 1)}`;
}

function bad(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

// ------------------------------------------------------------------ wire reader

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw bad('unable to decode protobuf: unexpected end of varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw bad('unable to decode protobuf: varint overflow');
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (len < 0 || this.pos + len > this.end) throw bad('unable to decode protobuf: length exceeds the message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  fixed64(): Buffer {
    if (this.pos + 8 > this.end) throw bad('unable to decode protobuf: unexpected end of fixed64');
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }
  fixed32(): Buffer {
    if (this.pos + 4 > this.end) throw bad('unable to decode protobuf: unexpected end of fixed32');
    const out = this.buf.subarray(this.pos, this.pos + 4);
    this.pos += 4;
    return out;
  }
  /** Reads a tag; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const t = Number(this.varint());
    return [t >>> 3, t & 7];
  }
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.fixed64();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_I32) this.fixed32();
    else throw bad(`unable to decode protobuf: unsupported wire type ${wire}`);
  }
}

/** Iterates the fields of a message buffer. */
function* fieldsOf(buf: Buffer): Generator<{ num: number; wire: number; r: Reader }> {
  const r = new Reader(buf);
  while (!r.done()) {
    const [num, wire] = r.tag();
    if (num === 0) throw bad('unable to decode protobuf: illegal field number 0');
    yield { num, wire, r };
  }
}

// ------------------------------------------------------------------ special types

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function rfc3339(seconds: bigint, micros?: number): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw bad('unable to decode protobuf: time out of range');
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micros === undefined ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

/** meta/v1 Time: seconds only (Kubernetes drops nanoseconds when decoding); empty → zero time (omitted). */
function decodeTime(buf: Buffer, micro: boolean): string | undefined {
  if (buf.length === 0) return undefined;
  let seconds = 0n;
  let nanos = 0;
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_VARINT) seconds = BigInt.asIntN(64, r.varint());
    else if (num === 2 && wire === WIRE_VARINT) nanos = Number(BigInt.asIntN(32, r.varint()));
    else throw bad(`unable to decode protobuf field ${num} of ${micro ? 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime' : 'k8s.io.apimachinery.pkg.apis.meta.v1.Time'}`);
  }
  if (!micro) return rfc3339(seconds);
  // MicroTime keeps sub-second precision; its JSON form has exactly six fractional digits.
  let s = seconds;
  let n = nanos;
  if (n < 0 || n >= 1e9) {
    s += BigInt(Math.floor(n / 1e9));
    n = ((n % 1e9) + 1e9) % 1e9;
  }
  return rfc3339(s, Math.floor(n / 1000));
}

function fracDigits(v: bigint, div: bigint, digits: number): string {
  const whole = v / div;
  const frac = v % div;
  if (frac === 0n) return String(whole);
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration.String(), which is how metav1.Duration marshals to JSON. */
export function goDurationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fracDigits(u, 1000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${fracDigits(u, 1_000_000n, 6)}ms`;
  const totalSeconds = u / 1_000_000_000n;
  const secPart = fracDigits((totalSeconds % 60n) * 1_000_000_000n + (u % 1_000_000_000n), 1_000_000_000n, 9);
  let out = `${secPart}s`;
  const minutes = totalSeconds / 60n;
  if (minutes > 0n) {
    out = `${minutes % 60n}m${out}`;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

function decodeDuration(buf: Buffer): string {
  let ns = 0n;
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_VARINT) ns = BigInt.asIntN(64, r.varint());
    else throw bad(`unable to decode protobuf field ${num} of k8s.io.apimachinery.pkg.apis.meta.v1.Duration`);
  }
  return goDurationString(ns);
}

function decodeQuantity(buf: Buffer): string {
  let s = '';
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_LEN) s = r.bytes().toString('utf8');
    else throw bad(`unable to decode protobuf field ${num} of k8s.io.apimachinery.pkg.api.resource.Quantity`);
  }
  return s === '' ? '0' : s;
}

/** intstr.IntOrString: type 0 → intVal (number), type 1 → strVal (string). */
function decodeIntOrString(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_VARINT) type = Number(BigInt.asIntN(64, r.varint()));
    else if (num === 2 && wire === WIRE_VARINT) intVal = Number(BigInt.asIntN(32, r.varint()));
    else if (num === 3 && wire === WIRE_LEN) strVal = r.bytes().toString('utf8');
    else throw bad(`unable to decode protobuf field ${num} of k8s.io.apimachinery.pkg.util.intstr.IntOrString`);
  }
  return type === 1 ? strVal : intVal;
}

/** runtime.RawExtension and meta/v1 FieldsV1: field 1 holds JSON bytes. */
function decodeRawJson(buf: Buffer, what: string): unknown {
  let raw: Buffer | undefined;
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_LEN) raw = r.bytes();
    else throw bad(`unable to decode protobuf field ${num} of ${what}`);
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw bad(`unable to decode protobuf: ${what} does not hold JSON: ${(e as Error).message}`);
  }
}

function decodeExtraValue(buf: Buffer): string[] {
  const items: string[] = [];
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1 && wire === WIRE_LEN) items.push(r.bytes().toString('utf8'));
    else throw bad(`unable to decode protobuf field ${num} of ExtraValue`);
  }
  return items;
}

// ------------------------------------------------------------------ typed values

const NUMERIC = new Set(['b', 'i32', 'i64', 'f64']);

function wireMismatch(f: FieldDef, owner: MessageDef, wire: number): ApiError {
  return bad(`unable to decode protobuf field ${f.num} (${f.name || 'inline'}) of ${protoName(owner.name)}: unexpected wire type ${wire}`);
}

/** Decodes one numeric scalar from a varint / fixed value. */
function numericValue(type: string, wire: number, r: Reader, f: FieldDef, owner: MessageDef): unknown {
  if (type === 'f64') {
    if (wire !== WIRE_I64) throw wireMismatch(f, owner, wire);
    return r.fixed64().readDoubleLE(0);
  }
  if (wire !== WIRE_VARINT) throw wireMismatch(f, owner, wire);
  const v = r.varint();
  if (type === 'b') return v !== 0n;
  if (type === 'i32') return Number(BigInt.asIntN(32, v));
  return Number(BigInt.asIntN(64, v));
}

/** Decodes a length-delimited value of a non-numeric type. */
function lenValue(type: string, buf: Buffer, scalar: boolean): unknown {
  if (!scalar) return decodeMessage(messageDef(type)!, buf);
  switch (type) {
    case 's':
      return buf.toString('utf8');
    case 'by':
      return buf.toString('base64');
    case 'Q':
      return decodeQuantity(buf);
    case 'IOS':
      return decodeIntOrString(buf);
    case 'T':
      return decodeTime(buf, false);
    case 'MT':
      return decodeTime(buf, true);
    case 'D':
      return decodeDuration(buf);
    case 'RAW':
      return decodeRawJson(buf, 'k8s.io.apimachinery.pkg.runtime.RawExtension');
    case 'F1':
      return decodeRawJson(buf, 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1');
    case 'EV':
      return decodeExtraValue(buf);
    default:
      throw bad(`unable to decode protobuf: unknown type ${type}`);
  }
}

/** The zero value a map entry gets when its value field is absent. */
function zeroOf(type: string, scalar: boolean): unknown {
  if (!scalar) return {};
  switch (type) {
    case 's':
    case 'by':
      return '';
    case 'b':
      return false;
    case 'i32':
    case 'i64':
    case 'f64':
    case 'IOS':
      return 0;
    case 'Q':
      return '0';
    case 'D':
      return '0s';
    case 'EV':
      return [];
    default:
      return null;
  }
}

/** Whether a decoded scalar equals Go's zero value (left out of JSON unless the field is a pointer). */
function isZero(type: string, v: unknown): boolean {
  if (v === undefined) return true;
  switch (type) {
    case 's':
      return v === '';
    case 'b':
      return v === false;
    case 'i32':
    case 'i64':
    case 'f64':
      return v === 0;
    case 'IOS':
      return v === 0 || v === '';
    case 'Q':
      return v === '0';
    default:
      return false;
  }
}

function decodeMapEntry(f: FieldDef, owner: MessageDef, buf: Buffer): [string, unknown] {
  let key = '';
  let value: unknown;
  let have = false;
  for (const { num, wire, r } of fieldsOf(buf)) {
    if (num === 1) {
      if (wire !== WIRE_LEN) throw wireMismatch(f, owner, wire);
      key = r.bytes().toString('utf8');
    } else if (num === 2) {
      value = f.scalar && NUMERIC.has(f.type) ? numericValue(f.type, wire, r, f, owner) : wire === WIRE_LEN ? lenValue(f.type, r.bytes(), f.scalar) : (() => { throw wireMismatch(f, owner, wire); })();
      have = true;
    } else {
      throw bad(`unable to decode protobuf field ${num} of map entry ${f.name} of ${protoName(owner.name)}`);
    }
  }
  if (!have || value === undefined) value = zeroOf(f.type, f.scalar);
  return [key, value];
}

function decodeMessage(def: MessageDef, buf: Buffer, into: Record<string, unknown> = {}): Record<string, unknown> {
  const out = into;
  for (const { num, wire, r } of fieldsOf(buf)) {
    const f = def.fields.get(num);
    if (!f) throw bad(`unable to decode protobuf field ${num} of ${protoName(def.name)}`);

    if (f.map) {
      if (wire !== WIRE_LEN) throw wireMismatch(f, def, wire);
      const [k, v] = decodeMapEntry(f, def, r.bytes());
      const m = (out[f.name] ??= {}) as Record<string, unknown>;
      m[k] = v;
      continue;
    }

    if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (f.scalar && NUMERIC.has(f.type)) {
        if (wire === WIRE_LEN) {
          // packed encoding
          const sub = new Reader(r.bytes());
          const inner = f.type === 'f64' ? WIRE_I64 : WIRE_VARINT;
          while (!sub.done()) list.push(numericValue(f.type, inner, sub, f, def));
        } else list.push(numericValue(f.type, wire, r, f, def));
      } else {
        if (wire !== WIRE_LEN) throw wireMismatch(f, def, wire);
        const v = lenValue(f.type, r.bytes(), f.scalar);
        list.push(v === undefined ? null : v);
      }
      continue;
    }

    if (!f.scalar) {
      if (wire !== WIRE_LEN) throw wireMismatch(f, def, wire);
      const sub = messageDef(f.type);
      if (!sub) throw bad(`unable to decode protobuf: no message table for ${protoName(f.type)}`);
      if (f.name === '') {
        decodeMessage(sub, r.bytes(), out); // inline embedding
      } else {
        const prev = out[f.name];
        out[f.name] = decodeMessage(sub, r.bytes(), prev && typeof prev === 'object' && !Array.isArray(prev) ? (prev as Record<string, unknown>) : {});
      }
      continue;
    }

    const v = NUMERIC.has(f.type) ? numericValue(f.type, wire, r, f, def) : wire === WIRE_LEN ? lenValue(f.type, r.bytes(), true) : (() => { throw wireMismatch(f, def, wire); })();
    if (v === undefined) {
      delete out[f.name];
      continue;
    }
    if (f.type === 'by' || f.emitZero || !isZero(f.type, v)) out[f.name] = v;
    else delete out[f.name];
  }
  return out;
}

// ------------------------------------------------------------------ envelope

/** Whether a body starts with the Kubernetes protobuf magic prefix. */
export function isKubeProtobuf(buf: Buffer): boolean {
  return buf.length >= 4 && buf.subarray(0, 4).equals(PROTOBUF_MAGIC);
}

/**
 * Decodes a Kubernetes protobuf body (magic + runtime.Unknown) into apiVersion, kind and the
 * object in its JSON shape (without apiVersion/kind). Throws a 400 ApiError on malformed input,
 * unknown kinds or field numbers missing from the tables.
 */
export function decodeKubeProtobuf(buf: Buffer): DecodedProtobuf {
  if (buf.length === 0) throw bad('the body of the request was empty');
  if (!isKubeProtobuf(buf)) throw bad('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  let contentEncoding = '';
  for (const { num, wire, r } of fieldsOf(buf.subarray(4))) {
    if (wire !== WIRE_LEN) throw bad(`unable to decode protobuf field ${num} of k8s.io.apimachinery.pkg.runtime.Unknown: unexpected wire type ${wire}`);
    const b = r.bytes();
    if (num === 1) {
      for (const t of fieldsOf(b)) {
        if (t.wire !== WIRE_LEN) throw bad(`unable to decode protobuf field ${t.num} of k8s.io.apimachinery.pkg.runtime.TypeMeta`);
        const s = t.r.bytes().toString('utf8');
        if (t.num === 1) apiVersion = s;
        else if (t.num === 2) kind = s;
        else throw bad(`unable to decode protobuf field ${t.num} of k8s.io.apimachinery.pkg.runtime.TypeMeta`);
      }
    } else if (num === 2) raw = b;
    else if (num === 3) contentEncoding = b.toString('utf8');
    else if (num === 4) {
      const ct = b.toString('utf8');
      if (ct !== '' && ct !== 'application/vnd.kubernetes.protobuf') throw bad(`unable to decode protobuf: unsupported embedded content type ${JSON.stringify(ct)}`);
    } else throw bad(`unable to decode protobuf field ${num} of k8s.io.apimachinery.pkg.runtime.Unknown`);
  }
  if (contentEncoding !== '') throw bad(`unable to decode protobuf: unsupported content encoding ${JSON.stringify(contentEncoding)}`);
  if (kind === '') throw bad("Object 'Kind' is missing in protobuf body");
  const def = topLevelMessage(apiVersion, kind);
  if (!def) throw bad(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`);
  const object = decodeMessage(def, raw);
  return { apiVersion, kind, object };
}
