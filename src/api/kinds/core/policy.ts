// LimitRanges and ResourceQuotas: quantity validation with Kubernetes' messages and their tables.
import type { KubeObject } from '../../types.js';
import type { ResourceDescriptor } from '../../descriptor.js';
import { type FieldError, invalid, required, duplicate, forbiddenField, notSupported } from '../../errors.js';
import { isQualifiedName } from '../../validation.js';
import { canonicalQuantity, compareQuantity, parseQuantity } from '../../quantity.js';
import { age, col, nameColumn, ageColumn, createdAtColumn } from '../../table.js';
import { coreRef } from './schemas.js';
import { type Obj, goQuantity, isObj, list, keys, validateResourceList, canonicalizeResourceList, isStandardOrQualifiedResource } from './util.js';

// ---------------------------------------------------------------- LimitRange

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const cq = (v: unknown) => canonicalQuantity(v) ?? String(v);

function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = new Set<string>();
  list(lr.spec?.limits).forEach((l: any, i: number) => {
    const f = `spec.limits[${i}]`;
    if (!isObj(l)) return;
    const t: string = l.type ?? '';
    if (!t) errs.push(required(`${f}.type`, ''));
    else if (isQualifiedName(t).length) for (const m of isQualifiedName(t)) errs.push(invalid(`${f}.type`, t, m));
    else if (!t.includes('/') && !LIMIT_TYPES.includes(t)) errs.push(invalid(`${f}.type`, t, 'must be a standard limit type or fully qualified'));
    if (types.has(t)) errs.push(duplicate(`${f}.type`, t));
    types.add(t);
    const maps: Record<string, Obj> = {};
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      maps[k] = isObj(l[k]) ? l[k] : {};
      for (const r of Object.keys(maps[k])) if (!isStandardOrQualifiedResource(r)) errs.push(invalid(`${f}.${k}[${r}]`, r, 'must be a standard resource type or fully qualified'));
      errs.push(...validateResourceList(l[k], `${f}.${k}`, false));
    }
    if (t === 'Pod') {
      if (keys(l.default).length) errs.push(forbiddenField(`${f}.default`, "may not be specified when `type` is 'Pod'"));
      if (keys(l.defaultRequest).length) errs.push(forbiddenField(`${f}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    if (t === 'PersistentVolumeClaim' && maps.min.storage === undefined && maps.max.storage === undefined)
      errs.push(required(`${f}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    const all = new Set(Object.values(maps).flatMap((m) => Object.keys(m)));
    const ok = (v: unknown) => v !== undefined && parseQuantity(String(v)) !== null;
    for (const k of [...all].sort()) {
      const min = maps.min[k], max = maps.max[k], def = maps.default[k], dreq = maps.defaultRequest[k], ratio = maps.maxLimitRequestRatio[k];
      if (ok(min) && ok(max) && compareQuantity(min, max) > 0) errs.push(invalid(`${f}.min[${k}]`, goQuantity(min), `min value ${cq(min)} is greater than max value ${cq(max)}`));
      if (ok(dreq) && ok(min) && compareQuantity(min, dreq) > 0) errs.push(invalid(`${f}.defaultRequest[${k}]`, goQuantity(dreq), `min value ${cq(min)} is greater than default request value ${cq(dreq)}`));
      if (ok(dreq) && ok(max) && compareQuantity(dreq, max) > 0) errs.push(invalid(`${f}.defaultRequest[${k}]`, goQuantity(dreq), `default request value ${cq(dreq)} is greater than max value ${cq(max)}`));
      if (ok(dreq) && ok(def) && compareQuantity(dreq, def) > 0) errs.push(invalid(`${f}.defaultRequest[${k}]`, goQuantity(dreq), `default request value ${cq(dreq)} is greater than default limit value ${cq(def)}`));
      if (ok(def) && ok(min) && compareQuantity(min, def) > 0) errs.push(invalid(`${f}.default[${k}]`, goQuantity(min), `min value ${cq(min)} is greater than default value ${cq(def)}`));
      if (ok(def) && ok(max) && compareQuantity(def, max) > 0) errs.push(invalid(`${f}.default[${k}]`, goQuantity(max), `default value ${cq(def)} is greater than max value ${cq(max)}`));
      if (ok(ratio) && compareQuantity(ratio, '1') < 0) errs.push(invalid(`${f}.maxLimitRequestRatio[${k}]`, goQuantity(ratio), `ratio ${cq(ratio)} is less than 1`));
    }
  });
  return errs;
}

export const limitRangeDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  shortNames: ['limits'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('LimitRange'),
  defaults(obj) {
    for (const l of list(obj.spec?.limits)) {
      if (!isObj(l)) continue;
      for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) canonicalizeResourceList(l[k]);
      // SetDefaults_LimitRangeItem: containers get default limits from max and requests from the limits.
      if (l.type === 'Container') {
        const def: Obj = isObj(l.default) ? l.default : {};
        const req: Obj = isObj(l.defaultRequest) ? l.defaultRequest : {};
        for (const [r, v] of Object.entries(isObj(l.max) ? l.max : {})) if (def[r] === undefined) def[r] = v;
        for (const [r, v] of Object.entries(def)) if (req[r] === undefined) req[r] = v;
        for (const [r, v] of Object.entries(isObj(l.min) ? l.min : {})) if (req[r] === undefined) req[r] = v;
        if (Object.keys(def).length) l.default = def;
        if (Object.keys(req).length) l.defaultRequest = req;
      }
    }
  },
  validate: (obj) => validateLimitRange(obj),
  validateUpdate: (obj) => validateLimitRange(obj),
  table: {
    columns: [nameColumn, createdAtColumn],
    row: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp ?? ''],
  },
};

// ---------------------------------------------------------------- ResourceQuota

const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
const integerResources = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);

function validateResourceQuota(rq: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(rq.spec) ? rq.spec : {};
  for (const [k, v] of Object.entries(isObj(spec.hard) ? spec.hard : {})) {
    const f = `spec.hard[${k}]`;
    if (!isStandardOrQualifiedResource(k)) errs.push(invalid(f, k, 'must be a standard resource for quota'));
    const q = parseQuantity(String(v));
    if (!q) continue;
    if ((integerResources.has(k) || k.startsWith('count/')) && q.nanos % 1_000_000_000n !== 0n) errs.push(invalid(f, goQuantity(v), 'must be an integer'));
  }
  errs.push(...validateResourceList(spec.hard, 'spec.hard', false));
  const scopes = list(spec.scopes);
  for (const s of scopes) if (!QUOTA_SCOPES.includes(s)) {
    errs.push(invalid('spec.scopes', scopes, 'unsupported scope'));
    break;
  }
  if (scopes.includes('Terminating') && scopes.includes('NotTerminating')) errs.push(invalid('spec.scopes', scopes, 'conflicting scopes'));
  if (scopes.includes('BestEffort') && scopes.includes('NotBestEffort')) errs.push(invalid('spec.scopes', scopes, 'conflicting scopes'));
  list(spec.scopeSelector?.matchExpressions).forEach((r: any, i: number) => {
    const f = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!QUOTA_SCOPES.includes(r?.scopeName)) errs.push(invalid(`${f}.scopeName`, r?.scopeName ?? '', 'unsupported scope'));
    const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    if (!ops.includes(r?.operator)) errs.push(notSupported(`${f}.operator`, r?.operator ?? '', ops));
    const vals = list(r?.values);
    if ((r?.operator === 'In' || r?.operator === 'NotIn') && !vals.length) errs.push(required(`${f}.values`, 'must be at least one value when `operator` is \'In\' or \'NotIn\' for scope selector'));
    if ((r?.operator === 'Exists' || r?.operator === 'DoesNotExist') && vals.length) errs.push(invalid(`${f}.values`, vals, 'must be no value when `operator` is \'Exist\' or \'DoesNotExist\' for scope selector'));
  });
  return errs;
}

function quotaRow(rq: KubeObject, now: Date): unknown[] {
  const hard: Obj = isObj(rq.status?.hard) ? rq.status.hard : {};
  const used: Obj = isObj(rq.status?.used) ? rq.status.used : {};
  const req: string[] = [];
  const lim: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const cell = `${r}: ${canonicalQuantity(used[r]) ?? '0'}/${canonicalQuantity(hard[r]) ?? '0'}`;
    const pieces = r.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(cell);
  }
  return [rq.metadata.name, age(rq.metadata.creationTimestamp, now), req.join(', '), lim.join(', ')];
}

export const resourceQuotaDescriptor: ResourceDescriptor = {
  group: '',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  shortNames: ['quota'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: coreRef('ResourceQuota'),
  subresources: { status: true },
  defaults(obj) {
    canonicalizeResourceList(obj.spec?.hard);
    canonicalizeResourceList(obj.status?.hard);
    canonicalizeResourceList(obj.status?.used);
  },
  prepareCreate(obj) {
    obj.status = {};
  },
  validate: (obj) => validateResourceQuota(obj),
  validateUpdate: (obj) => validateResourceQuota(obj),
  table: {
    columns: [nameColumn, ageColumn, col('Request', 'Usage and limits of the non-limit resources.'), col('Limit', 'Usage and limits of the limits.* resources.')],
    row: quotaRow,
  },
};
