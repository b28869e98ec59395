// Request bodies: size limit (413 over 3 MiB), JSON or YAML by Content-Type, duplicate-field
// detection for strict decoding.
import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../api/errors.js';
import { decodeKubeProtobuf } from './protobuf/decode.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (e) => !failed && reject(e));
  });
}

export type MediaKind = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

export function mediaKind(contentType: string | undefined): MediaKind | undefined {
  const ct = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  switch (ct) {
    case '':
    case 'application/json':
    case '*/*':
      return 'json';
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return 'yaml';
    case 'application/vnd.kubernetes.protobuf':
      return 'protobuf';
    case 'application/json-patch+json':
      return 'json-patch';
    case 'application/merge-patch+json':
      return 'merge-patch';
    case 'application/strategic-merge-patch+json':
      return 'strategic-merge-patch';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return ct.endsWith('yaml') ? 'apply-patch' : undefined;
    default:
      return undefined;
  }
}

export interface Decoded {
  value: unknown;
  /** Duplicate keys found while decoding (strict decoding rejects them). */
  duplicates: string[];
}

/** Decodes JSON (or YAML for yaml and apply-patch), reporting duplicate fields like Kubernetes' strict decoder. */
export function decodeBody(buf: Buffer, kind: MediaKind): Decoded {
  if (kind === 'protobuf') {
    const { apiVersion, kind: k, object } = decodeKubeProtobuf(buf);
    return { value: { apiVersion, kind: k, ...object }, duplicates: [] };
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  if (kind === 'yaml' || kind === 'apply-patch') {
    const trimmed = text.trimStart();
    if (kind === 'apply-patch' && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
      return decodeJson(text);
    }
    let docs;
    try {
      docs = parseAllDocuments(text, { uniqueKeys: false });
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length !== 1) throw badRequest('error converting YAML to JSON: yaml: expected a single document');
    const doc = list[0];
    if (doc.errors.length) throw badRequest(`error converting YAML to JSON: yaml: ${doc.errors[0].message.split('\n')[0]}`);
    return { value: doc.toJSON(), duplicates: [] };
  }
  return decodeJson(text);
}

function decodeJson(text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding request body: ${jsonErrorMessage(e as Error)}`);
  }
  const duplicates = findDuplicateKeys(text);
  return { value, duplicates };
}

function jsonErrorMessage(e: Error): string {
  return `couldn't get version/kind; json parse error: ${e.message}`;
}

/**
 * Scans JSON text for keys repeated in the same object (JSON.parse keeps the last silently).
 * Returns paths like `metadata.name`. Cheap single pass; only runs for valid JSON.
 */
export function findDuplicateKeys(text: string): string[] {
  const dups: string[] = [];
  // quick reject: most bodies have no duplicates; the scan is linear anyway.
  const stack: { keys: Set<string> | null; path: string; pendingKey: string | null; index: number }[] = [];
  let i = 0;
  const n = text.length;
  let lastString = '';
  let expectKey = false;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') {
          s += text.slice(j, j + 2);
          j += 2;
        } else s += text[j++];
      }
      lastString = s.includes('\\') ? safeUnescape(s) : s;
      i = j + 1;
      const top = stack[stack.length - 1];
      if (top && top.keys && expectKey) {
        // it is a key if followed by ':'
        let k = i;
        while (k < n && /\s/.test(text[k])) k++;
        if (text[k] === ':') {
          if (top.keys.has(lastString)) dups.push(top.path ? `${top.path}.${lastString}` : lastString);
          top.keys.add(lastString);
          top.pendingKey = lastString;
          expectKey = false;
        }
      }
      continue;
    }
    if (c === '{') {
      const parent = stack[stack.length - 1];
      const path = !parent ? '' : parent.keys ? (parent.path ? `${parent.path}.${parent.pendingKey}` : parent.pendingKey ?? '') : `${parent.path}[${parent.index}]`;
      stack.push({ keys: new Set(), path, pendingKey: null, index: 0 });
      expectKey = true;
    } else if (c === '[') {
      const parent = stack[stack.length - 1];
      const path = !parent ? '' : parent.keys ? (parent.path ? `${parent.path}.${parent.pendingKey}` : parent.pendingKey ?? '') : `${parent.path}[${parent.index}]`;
      stack.push({ keys: null, path, pendingKey: null, index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.keys) expectKey = true;
        else top.index++;
      }
    }
    i++;
  }
  return dups;
}

function safeUnescape(s: string): string {
  try {
    return JSON.parse(`"${s}"`);
  } catch {
    return s;
  }
}

export function requireMedia(contentType: string | undefined, allowed: MediaKind[], acceptedNames: string[]): MediaKind {
  const k = mediaKind(contentType);
  if (!k || !allowed.includes(k)) throw unsupportedMediaType(acceptedNames);
  return k;
}
