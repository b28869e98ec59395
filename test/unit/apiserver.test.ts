import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from '../../src/apiserver/request.js';
import { findDuplicateKeys, decodeBody, readBody } from '../../src/apiserver/body.js';
import { walk, validateValues, applyDefaults } from '../../src/api/structural.js';
import { obj, str, int32, arr, stringMap, define, ref } from '../../src/api/schema.js';
import { humanDuration } from '../../src/api/table.js';
import { parseAccept } from '../../src/apiserver/convert.js';
import { firstServiceIP, dnsServiceIP } from '../../src/apiserver/netutil.js';
import { Readable } from 'node:stream';

test('request info: namespaced, cluster-scoped, subresources, verbs', () => {
  const a = parseRequestInfo('GET', '/api/v1/namespaces/default/pods/web/log?follow=true');
  assert.deepEqual([a.isResourceRequest, a.verb, a.group, a.version, a.namespace, a.resource, a.name, a.subresource], [true, 'get', '', 'v1', 'default', 'pods', 'web', 'log']);
  const b = parseRequestInfo('GET', '/apis/apps/v1/deployments?watch=1');
  assert.deepEqual([b.verb, b.group, b.resource, b.namespace], ['watch', 'apps', 'deployments', '']);
  const c = parseRequestInfo('DELETE', '/api/v1/namespaces/x/configmaps');
  assert.equal(c.verb, 'deletecollection');
  const d = parseRequestInfo('PUT', '/api/v1/namespaces/x/finalize');
  assert.deepEqual([d.resource, d.name, d.subresource, d.namespace], ['namespaces', 'x', 'finalize', '']);
  const e = parseRequestInfo('GET', '/api/v1/namespaces/kube-system');
  assert.deepEqual([e.verb, e.resource, e.name], ['get', 'namespaces', 'kube-system']);
  assert.equal(parseRequestInfo('GET', '/apis/apps/v1').isResourceRequest, false);
  assert.equal(parseRequestInfo('GET', '/healthz').isResourceRequest, false);
});

test('duplicate JSON keys are found with their paths', () => {
  assert.deepEqual(findDuplicateKeys('{"a":1,"a":2}'), ['a']);
  assert.deepEqual(findDuplicateKeys('{"metadata":{"name":"x","name":"y"},"spec":{"c":[{"n":1,"n":2}]}}'), ['metadata.name', 'spec.c[0].n']);
  assert.deepEqual(findDuplicateKeys('{"a":"x\\"y","b":{"a":1}}'), []);
  assert.throws(() => decodeBody(Buffer.from('{"a":'), 'json'), /error decoding request body/);
  assert.deepEqual(decodeBody(Buffer.from('a: 1\nb: [x]\n'), 'yaml').value, { a: 1, b: ['x'] });
});

test('bodies over the limit are refused with 413', async () => {
  const big = Readable.from([Buffer.alloc(1024 * 1024), Buffer.alloc(1024 * 1024), Buffer.alloc(1024 * 1024 + 1)]) as any;
  big.headers = {};
  await assert.rejects(readBody(big), (e: any) => e.code === 413);
});

test('schema walk: unknown fields, pruning, types', () => {
  define('test.Thing', obj({ name: str(), count: int32(), tags: arr(str()), labels: stringMap(), child: obj({ a: str() }) }));
  const v: any = { name: 'x', bogus: 1, child: { a: 'b', zz: true }, labels: { any: 'ok' } };
  const r = walk(v, ref('test.Thing'), false);
  assert.deepEqual(r.unknown, ['bogus', 'child.zz']);
  assert.equal(v.bogus, 1);
  walk(v, ref('test.Thing'), true);
  assert.equal(v.bogus, undefined);
  assert.equal(v.child.zz, undefined);
  const t = walk({ count: 'x', tags: 'no' }, ref('test.Thing'), false);
  assert.equal(t.typeErrors.length, 2);
});

test('CRD-style value validation and defaults', () => {
  const s = obj({ replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 }, mode: { type: 'string', enum: ['a', 'b'] } }, undefined, { required: ['mode'] });
  const o: any = {};
  applyDefaults(o, s);
  assert.equal(o.replicas, 1);
  const errs = validateValues({ replicas: 11, mode: 'c' }, s, 'spec');
  assert.deepEqual(errs.map((e) => e.field).sort(), ['spec.mode', 'spec.replicas']);
  assert.match(String(errs.find((e) => e.field === 'spec.replicas')!.detail), /should be less than or equal to 10/);
});

test('AGE rendering matches kubectl', () => {
  assert.equal(humanDuration(5_000), '5s');
  assert.equal(humanDuration(233_000), '3m53s');
  assert.equal(humanDuration(7 * 3600_000), '7h');
  assert.equal(humanDuration(2 * 86400_000), '2d');
  assert.equal(humanDuration(15 * 60_000), '15m');
});

test('accept header: Table and metadata-only forms', () => {
  assert.deepEqual(parseAccept('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), { as: 'Table' });
  assert.deepEqual(parseAccept('application/json'), {});
  assert.deepEqual(parseAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), { as: 'PartialObjectMetadataList' });
});

test('service network addresses', () => {
  assert.equal(firstServiceIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(dnsServiceIP('10.96.0.0/12'), '10.96.0.10');
  assert.equal(firstServiceIP('10.100.5.7/16'), '10.100.0.1');
});
