// A small protocol-buffers writer and the encoding of an OpenAPI v2 (Swagger) JSON document
// into gnostic's `openapi.v2.Document` message, which is what client-go asks /openapi/v2 for
// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
// Field numbers follow github.com/google/gnostic-models openapiv2/OpenAPIv2.proto. Vendor
// extensions, defaults and enum values travel as `Any { yaml }`; JSON text is valid YAML, so
// values are written as JSON.

type J = any;

/** Appends protobuf wire-format fields to a growing buffer. */
export class ProtoWriter {
  private chunks: Buffer[] = [];
  private size = 0;

  private push(b: Buffer) {
    this.chunks.push(b);
    this.size += b.length;
  }
  private varint(n: number | bigint) {
    let v = BigInt.asUintN(64, BigInt(n));
    const bytes: number[] = [];
    while (v > 0x7fn) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Buffer.from(bytes));
  }
  private tag(field: number, wire: number) {
    this.varint((field << 3) | wire);
  }
  /** string field (omitted when empty, as proto3 does). */
  string(field: number, s: string | undefined) {
    if (s === undefined || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }
  bool(field: number, v: boolean | undefined) {
    if (!v) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }
  /** bool written even when false (a oneof member's presence is meaningful). */
  boolAlways(field: number, v: boolean) {
    this.tag(field, 0);
    this.varint(v ? 1 : 0);
    return this;
  }
  int64(field: number, v: number | undefined) {
    if (v === undefined || v === 0) return this;
    this.tag(field, 0);
    this.varint(Math.trunc(v));
    return this;
  }
  double(field: number, v: number | undefined) {
    if (v === undefined || v === 0) return this;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.tag(field, 1);
    this.push(b);
    return this;
  }
  /** Embedded message field; written even when empty (presence matters for oneofs). */
  message(field: number, m: ProtoWriter | Buffer) {
    const b = m instanceof ProtoWriter ? m.finish() : m;
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

const w = () => new ProtoWriter();

// ---- gnostic openapi.v2 messages ----

/** Any { string yaml = 2 } */
function any(v: J): ProtoWriter {
  return w().string(2, JSON.stringify(v));
}

/** repeated NamedAny vendor_extension: every x-* key of `o`. */
function vendorExtensions(out: ProtoWriter, field: number, o: J) {
  for (const k of Object.keys(o)) {
    if (!k.startsWith('x-') || o[k] === undefined) continue;
    out.message(field, w().string(1, k).message(2, any(o[k])));
  }
}

function strings(out: ProtoWriter, field: number, list: J) {
  if (!Array.isArray(list)) return;
  for (const s of list) {
    // repeated strings keep empty entries
    const b = Buffer.from(String(s), 'utf8');
    out.message(field, b);
  }
}

export function encodeSchema(s: J): ProtoWriter {
  const o = w();
  if (!s || typeof s !== 'object') return o;
  o.string(1, s.$ref);
  o.string(2, s.format);
  o.string(3, s.title);
  o.string(4, s.description);
  if (s.default !== undefined) o.message(5, any(s.default));
  o.double(6, s.multipleOf);
  o.double(7, s.maximum);
  o.bool(8, s.exclusiveMaximum);
  o.double(9, s.minimum);
  o.bool(10, s.exclusiveMinimum);
  o.int64(11, s.maxLength);
  o.int64(12, s.minLength);
  o.string(13, s.pattern);
  o.int64(14, s.maxItems);
  o.int64(15, s.minItems);
  o.bool(16, s.uniqueItems);
  o.int64(17, s.maxProperties);
  o.int64(18, s.minProperties);
  strings(o, 19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) o.message(20, any(e));
  if (s.additionalProperties !== undefined) {
    // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }
    const ap = w();
    if (typeof s.additionalProperties === 'boolean') {
      ap.boolAlways(2, s.additionalProperties);
    } else ap.message(1, encodeSchema(s.additionalProperties));
    o.message(21, ap);
  }
  if (s.type !== undefined) {
    const t = w();
    strings(t, 1, Array.isArray(s.type) ? s.type : [s.type]);
    o.message(22, t);
  }
  if (s.items !== undefined) {
    const it = w();
    for (const x of Array.isArray(s.items) ? s.items : [s.items]) it.message(1, encodeSchema(x));
    o.message(23, it);
  }
  if (Array.isArray(s.allOf)) for (const x of s.allOf) o.message(24, encodeSchema(x));
  if (s.properties && typeof s.properties === 'object') {
    const p = w();
    for (const [k, v] of Object.entries(s.properties)) p.message(1, w().string(1, k).message(2, encodeSchema(v)));
    o.message(25, p);
  }
  o.string(26, s.discriminator);
  o.bool(27, s.readOnly);
  if (s.example !== undefined) o.message(30, any(s.example));
  vendorExtensions(o, 31, s);
  return o;
}

/** Query, path and header parameters share one layout up to `name`; the rest differs by offset. */
function encodeNonBody(p: J): ProtoWriter {
  const sub = w().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
  let variant: number;
  if (p.in === 'query' || p.in === 'formData') {
    variant = p.in === 'query' ? 3 : 2;
    sub.bool(5, p.allowEmptyValue).string(6, p.type).string(7, p.format).string(9, p.collectionFormat);
    if (p.default !== undefined) sub.message(10, any(p.default));
    sub.bool(20, p.uniqueItems);
    if (Array.isArray(p.enum)) for (const e of p.enum) sub.message(21, any(e));
    vendorExtensions(sub, 23, p);
  } else {
    variant = p.in === 'path' ? 4 : 1;
    sub.string(5, p.type).string(6, p.format).string(8, p.collectionFormat);
    if (p.default !== undefined) sub.message(9, any(p.default));
    sub.bool(19, p.uniqueItems);
    if (Array.isArray(p.enum)) for (const e of p.enum) sub.message(20, any(e));
    vendorExtensions(sub, 22, p);
  }
  return w().message(variant, sub);
}

/** ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } } */
function encodeParametersItem(p: J): ProtoWriter {
  if (p.$ref) return w().message(2, w().string(1, p.$ref).string(2, p.description));
  const param = w();
  if (p.in === 'body') {
    const b = w().string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
    if (p.schema) b.message(5, encodeSchema(p.schema));
    vendorExtensions(b, 6, p);
    param.message(1, b);
  } else {
    param.message(2, encodeNonBody(p));
  }
  return w().message(1, param);
}

function encodeResponses(r: J): ProtoWriter {
  const out = w();
  for (const [code, resp] of Object.entries<J>(r ?? {})) {
    if (code.startsWith('x-')) continue;
    let value: ProtoWriter;
    if (resp.$ref) value = w().message(2, w().string(1, resp.$ref));
    else {
      const rr = w().string(1, resp.description);
      if (resp.schema) rr.message(2, w().message(1, encodeSchema(resp.schema)));
      vendorExtensions(rr, 5, resp);
      value = w().message(1, rr);
    }
    out.message(1, w().string(1, code).message(2, value));
  }
  vendorExtensions(out, 2, r ?? {});
  return out;
}

function encodeOperation(op: J): ProtoWriter {
  const o = w();
  strings(o, 1, op.tags);
  o.string(2, op.summary).string(3, op.description).string(5, op.operationId);
  strings(o, 6, op.produces);
  strings(o, 7, op.consumes);
  for (const p of op.parameters ?? []) o.message(8, encodeParametersItem(p));
  if (op.responses) o.message(9, encodeResponses(op.responses));
  strings(o, 10, op.schemes);
  o.bool(11, op.deprecated);
  vendorExtensions(o, 13, op);
  return o;
}

const METHOD_FIELDS: [string, number][] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function encodePathItem(item: J): ProtoWriter {
  const o = w().string(1, item.$ref);
  for (const [m, f] of METHOD_FIELDS) if (item[m]) o.message(f, encodeOperation(item[m]));
  for (const p of item.parameters ?? []) o.message(9, encodeParametersItem(p));
  vendorExtensions(o, 10, item);
  return o;
}

/** Encodes an OpenAPI v2 JSON document as a gnostic openapi.v2.Document. */
export function encodeOpenAPIV2Document(doc: J): Buffer {
  const o = w().string(1, doc.swagger);
  if (doc.info) {
    const info = w().string(1, doc.info.title).string(2, doc.info.version).string(3, doc.info.description);
    vendorExtensions(info, 7, doc.info);
    o.message(2, info);
  }
  o.string(3, doc.host).string(4, doc.basePath);
  strings(o, 5, doc.schemes);
  strings(o, 6, doc.consumes);
  strings(o, 7, doc.produces);
  if (doc.paths) {
    const paths = w();
    vendorExtensions(paths, 1, doc.paths);
    for (const [k, v] of Object.entries<J>(doc.paths)) if (!k.startsWith('x-')) paths.message(2, w().string(1, k).message(2, encodePathItem(v)));
    o.message(8, paths);
  }
  if (doc.definitions) {
    const defs = w();
    for (const [k, v] of Object.entries<J>(doc.definitions)) defs.message(1, w().string(1, k).message(2, encodeSchema(v)));
    o.message(9, defs);
  }
  vendorExtensions(o, 16, doc);
  return o.finish();
}

// ---- a minimal reader, enough to inspect encoded documents (tests, debugging) ----

export interface ProtoField {
  field: number;
  wire: number;
  /** varint value (wire 0), raw bytes (wire 2) or the 8 bytes of a fixed64 (wire 1). */
  value: bigint | Buffer;
}

/** Splits one message into its fields (no schema needed). Throws on malformed input. */
export function readFields(b: Buffer): ProtoField[] {
  const out: ProtoField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= b.length) throw new Error('truncated varint');
      const byte = b[i++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (field === 0) throw new Error('field number 0');
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) {
      if (i + 8 > b.length) throw new Error('truncated fixed64');
      out.push({ field, wire, value: b.subarray(i, i + 8) });
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      if (i + len > b.length) throw new Error('truncated bytes');
      out.push({ field, wire, value: b.subarray(i, i + len) });
      i += len;
    } else if (wire === 5) {
      if (i + 4 > b.length) throw new Error('truncated fixed32');
      out.push({ field, wire, value: b.subarray(i, i + 4) });
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
