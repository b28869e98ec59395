// ConfigMaps, Secrets and ServiceAccounts: key rules, the 1 MiB size limit, immutability, Secret
// types with their required keys, and stringData folded into data.
import type { KubeObject } from '../../types.js';
import type { ResourceDescriptor } from '../../descriptor.js';
import { type FieldError, invalid, required, forbiddenField, tooLongBytes, immutable } from '../../errors.js';
import { age, col, nameColumn, ageColumn } from '../../table.js';
import { coreRef } from './schemas.js';
import { isConfigKey } from './pod.js';
import { isObj, keys, list } from './util.js';

const MAX_SIZE = 1024 * 1024;

function validateKeys(m: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of keys(m)) for (const msg of isConfigKey(k)) errs.push(invalid(`${field}[${k}]`, k, msg));
  return errs;
}

const b64len = (v: unknown) => {
  if (typeof v !== 'string') return 0;
  try {
    return Buffer.from(v, 'base64').length;
  } catch {
    return v.length;
  }
};
const isBase64 = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0;

// ---------------------------------------------------------------- ConfigMap

function defaultConfigMap(cm: KubeObject) {
  // ConfigMap data values are strings; numbers and booleans in manifests are stored quoted.
  if (isObj(cm.data)) for (const k of Object.keys(cm.data)) if (typeof cm.data[k] === 'number' || typeof cm.data[k] === 'boolean') cm.data[k] = String(cm.data[k]);
}

function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateKeys(cm.data, 'data'));
  errs.push(...validateKeys(cm.binaryData, 'binaryData'));
  let size = 0;
  for (const v of Object.values(isObj(cm.data) ? cm.data : {})) size += Buffer.byteLength(String(v ?? ''));
  for (const [k, v] of Object.entries(isObj(cm.binaryData) ? cm.binaryData : {})) {
    if (isObj(cm.data) && k in cm.data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    if (!isBase64(v)) errs.push(invalid(`binaryData[${k}]`, '<binary>', 'must be base64 encoded'));
    size += b64len(v);
  }
  if (size > MAX_SIZE) errs.push(tooLongBytes('', MAX_SIZE));
  return errs;
}

function validateImmutability(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
    for (const f of fields) if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errs.push(forbiddenField(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configMapDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('ConfigMap'),
  defaults: (obj) => defaultConfigMap(obj),
  validate: (obj) => validateConfigMap(obj),
  validateUpdate: (obj, old) => [...validateImmutability(obj, old, ['data', 'binaryData']), ...validateConfigMap(obj)],
  table: {
    columns: [nameColumn, col('Data', 'Number of data keys.', 'integer'), ageColumn],
    row: (obj, now) => [obj.metadata.name, keys(obj.data).length + keys(obj.binaryData).length, age(obj.metadata.creationTimestamp, now)],
  },
};

// ---------------------------------------------------------------- Secret

export function defaultSecret(s: KubeObject) {
  if (!s.type) s.type = 'Opaque';
  if (isObj(s.stringData)) {
    s.data = isObj(s.data) ? s.data : {};
    for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete s.stringData;
}

function validateSecret(s: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isObj(s.data) ? s.data : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigKey(k)) errs.push(invalid(`data[${k}]`, k, msg));
    if (v !== null && !isBase64(v)) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64 encoded'));
    size += b64len(v);
  }
  if (size > MAX_SIZE) errs.push(tooLongBytes('data', MAX_SIZE));
  const has = (k: string) => Object.prototype.hasOwnProperty.call(data, k);
  const decoded = (k: string) => Buffer.from(String(data[k] ?? ''), 'base64').toString('utf8');
  /** A key that must be present and hold JSON (the docker config secret types). */
  const requireJSON = (k: string): void => {
    if (!has(k)) {
      errs.push(required(`data[${k}]`, ''));
      return;
    }
    try {
      JSON.parse(decoded(k));
    } catch (e) {
      errs.push(invalid(`data[${k}]`, '<secret contents redacted>', (e as Error).message));
    }
  };
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name']) errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      break;
    case 'kubernetes.io/dockercfg':
      requireJSON('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      requireJSON('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]', ''), required('data[password]', ''));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required('data[ssh-privatekey]', ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.key')) errs.push(required('data[tls.key]', ''));
      if (!has('tls.crt')) errs.push(required('data[tls.crt]', ''));
      break;
  }
  return errs;
}

function validateSecretUpdate(s: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if ((s.type ?? '') !== (old.type ?? '')) errs.push(immutable('type', s.type ?? ''));
  errs.push(...validateImmutability(s, old, ['data']));
  errs.push(...validateSecret(s));
  return errs;
}

export const secretDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('Secret'),
  defaults: (obj) => defaultSecret(obj),
  validate: (obj) => validateSecret(obj),
  validateUpdate: (obj, old) => validateSecretUpdate(obj, old),
  table: {
    columns: [nameColumn, col('Type', 'The type of the secret.'), col('Data', 'Number of data keys.', 'integer'), ageColumn],
    row: (obj, now) => [obj.metadata.name, obj.type ?? '', keys(obj.data).length, age(obj.metadata.creationTimestamp, now)],
  },
  fieldSelectors: { type: (o) => o.type ?? '' },
};

// ---------------------------------------------------------------- ServiceAccount

export const serviceAccountDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('ServiceAccount'),
  subresources: { extra: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }] },
  validate(obj) {
    const errs: FieldError[] = [];
    list(obj.secrets).forEach((s: any, i: number) => {
      if (!s?.name) errs.push(required(`secrets[${i}].name`, ''));
    });
    list(obj.imagePullSecrets).forEach((s: any, i: number) => {
      if (!s?.name) errs.push(required(`imagePullSecrets[${i}].name`, ''));
    });
    return errs;
  },
  table: {
    columns: [nameColumn, col('Secrets', 'Number of secrets listed on the account.', 'integer'), ageColumn],
    row: (obj, now) => [obj.metadata.name, list(obj.secrets).length, age(obj.metadata.creationTimestamp, now)],
  },
};
