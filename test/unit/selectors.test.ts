import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromMap,
  matchesLabels,
  labelSelectorToString,
  selectorToString,
  validateLabelSelector,
  parseFieldSelector,
  matchesFields,
  fieldRequiresExactMatch,
  fieldSelectorToString,
  escapeFieldValue,
} from '../../src/api/selectors.js';
import { ApiError, fieldErrorText } from '../../src/api/errors.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail('expected an error');
}

test('parses equality, set-based and existence requirements, sorted by key', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector('app=nginx'), [{ key: 'app', op: '=', values: ['nginx'] }]);
  assert.deepEqual(parseLabelSelector('tier==web, app != db'), [
    { key: 'app', op: '!=', values: ['db'] },
    { key: 'tier', op: '==', values: ['web'] },
  ]);
  assert.deepEqual(parseLabelSelector('env in (prod, dev),!canary,track'), [
    { key: 'canary', op: '!', values: [] },
    { key: 'env', op: 'in', values: ['dev', 'prod'] },
    { key: 'track', op: 'exists', values: [] },
  ]);
  assert.deepEqual(parseLabelSelector('x notin (a)'), [{ key: 'x', op: 'notin', values: ['a'] }]);
  assert.deepEqual(parseLabelSelector('n>5,m<10'), [
    { key: 'm', op: 'lt', values: ['10'] },
    { key: 'n', op: 'gt', values: ['5'] },
  ]);
  assert.deepEqual(parseLabelSelector('example.com/role=db'), [{ key: 'example.com/role', op: '=', values: ['db'] }]);
});

test('parser edge cases follow Kubernetes: empty values, keyword values, duplicates', () => {
  assert.deepEqual(parseLabelSelector('a='), [{ key: 'a', op: '=', values: [''] }]);
  assert.deepEqual(parseLabelSelector('a=,b=c'), [
    { key: 'a', op: '=', values: [''] },
    { key: 'b', op: '=', values: ['c'] },
  ]);
  assert.deepEqual(parseLabelSelector('x in ()'), [{ key: 'x', op: 'in', values: [''] }]);
  assert.deepEqual(parseLabelSelector('x in (foo,,baz),y,z notin ()'), [
    { key: 'x', op: 'in', values: ['', 'baz', 'foo'] },
    { key: 'y', op: 'exists', values: [] },
    { key: 'z', op: 'notin', values: [''] },
  ]);
  assert.deepEqual(parseLabelSelector('x in (b,a,b)'), [{ key: 'x', op: 'in', values: ['a', 'b'] }]);
  // "in" and "notin" are plain words where a key or value is expected
  assert.deepEqual(parseLabelSelector('in in (in,notin)'), [{ key: 'in', op: 'in', values: ['in', 'notin'] }]);
  assert.deepEqual(parseLabelSelector('  a  =  b  '), [{ key: 'a', op: '=', values: ['b'] }]);
});

test('syntax errors carry the parser messages as 400 BadRequest', () => {
  assert.equal(badRequestMessage(() => parseLabelSelector('a b')), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(badRequestMessage(() => parseLabelSelector('a=b c')), "found 'c', expected: ',' or 'end of string'");
  assert.equal(badRequestMessage(() => parseLabelSelector('a=b,')), "found '', expected: identifier after ','");
  assert.equal(badRequestMessage(() => parseLabelSelector(',a')), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(badRequestMessage(() => parseLabelSelector('x in a')), "unable to parse requirement: found 'a' expected: '('");
  assert.equal(badRequestMessage(() => parseLabelSelector('x in (a')), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(badRequestMessage(() => parseLabelSelector('x in (=)')), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  assert.equal(badRequestMessage(() => parseLabelSelector('!=a')), "found '!=', expected: !, identifier, or 'end of string'");
  assert.equal(badRequestMessage(() => parseLabelSelector('!,a')), "unable to parse requirement: found ',', expected: identifier");
  assert.equal(badRequestMessage(() => parseLabelSelector('a=(')), "unable to parse requirement: found '(', expected: identifier");
});

test('invalid keys and values are rejected with field-error texts', () => {
  assert.equal(
    badRequestMessage(() => parseLabelSelector('-a=b')),
    `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
  );
  assert.equal(
    badRequestMessage(() => parseLabelSelector('a=-b')),
    `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  );
  assert.equal(
    badRequestMessage(() => parseLabelSelector('a>x')),
    `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
  );
  // two errors are aggregated in brackets
  const m = badRequestMessage(() => parseLabelSelector('a>-x'));
  assert.match(m, /^unable to parse requirement: \[values\[0\]: Invalid value: "-x": for 'Gt', 'Lt' operators, the value must be an integer, values\[0\]\[a\]: Invalid value: "-x": a valid label/);
});

test('matching: equality, sets, existence, numeric comparison', () => {
  const labels = { app: 'nginx', tier: 'web', n: '7' };
  const m = (s: string, l: Record<string, string> = labels) => matchesLabels(parseLabelSelector(s), l);
  assert.equal(m(''), true);
  assert.equal(m('app=nginx'), true);
  assert.equal(m('app==nginx,tier=web'), true);
  assert.equal(m('app=nginx,tier=db'), false);
  assert.equal(m('app!=db'), true);
  assert.equal(m('missing!=x'), true, '!= matches when the label is absent');
  assert.equal(m('app in (nginx,apache)'), true);
  assert.equal(m('app notin (nginx)'), false);
  assert.equal(m('missing notin (x)'), true);
  assert.equal(m('missing in (x)'), false);
  assert.equal(m('app'), true);
  assert.equal(m('!app'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('n>5'), true);
  assert.equal(m('n>7'), false);
  assert.equal(m('n<10'), true);
  assert.equal(m('app>1'), false, 'a non-integer label value never compares');
  assert.equal(m('missing>1'), false);
  assert.equal(m('a='), false, 'empty value requires the label to exist with value ""');
  assert.equal(m('a=', { a: '' }), true);
  assert.equal(matchesLabels(parseLabelSelector('app=nginx'), undefined), false);
  assert.equal(matchesLabels(null, labels), false, 'a null selector matches nothing');
  assert.equal(matchesLabels([], {}), true);
});

test('LabelSelector objects: null matches nothing, empty matches everything', () => {
  assert.equal(labelSelectorFromObject(null), null);
  assert.equal(labelSelectorFromObject(undefined), null);
  assert.deepEqual(labelSelectorFromObject({}), []);
  assert.deepEqual(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }), []);
  const sel = labelSelectorFromObject({
    matchLabels: { tier: 'web', app: 'nginx' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'track', operator: 'Exists' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
    ],
  });
  assert.deepEqual(
    sel!.map((r) => r.key),
    ['app', 'canary', 'env', 'tier', 'track', 'zone'],
  );
  assert.equal(matchesLabels(sel, { app: 'nginx', tier: 'web', env: 'dev', track: '1', zone: 'a' }), true);
  assert.equal(matchesLabels(sel, { app: 'nginx', tier: 'web', env: 'dev', track: '1', canary: 'y' }), false);
  assert.equal(matchesLabels(sel, { app: 'nginx', tier: 'web', env: 'test', track: '1' }), false);
  assert.equal(
    badRequestMessage(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equal', values: ['x'] }] })),
    '"Equal" is not a valid label selector operator',
  );
  assert.deepEqual(labelSelectorFromMap({ b: '2', a: '1' }), [
    { key: 'a', op: '=', values: ['1'] },
    { key: 'b', op: '=', values: ['2'] },
  ]);
  assert.deepEqual(labelSelectorFromMap(undefined), []);
});

test('FormatLabelSelector strings', () => {
  assert.equal(labelSelectorToString(null), '<none>');
  assert.equal(labelSelectorToString({}), '<none>');
  assert.equal(labelSelectorToString({ matchLabels: { app: 'nginx' } }), 'app=nginx');
  assert.equal(
    labelSelectorToString({ matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }),
    'app=nginx,tier in (web)',
  );
  assert.equal(
    labelSelectorToString({
      matchExpressions: [
        { key: 'x', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'e', operator: 'Exists' },
        { key: 'd', operator: 'DoesNotExist' },
      ],
    }),
    '!d,e,x notin (a,b)',
  );
  assert.equal(labelSelectorToString({ matchExpressions: [{ key: 'x', operator: 'Bogus', values: [] }] }), '<error>');
  assert.equal(selectorToString(parseLabelSelector('b==1,a!=2,c>3,d<4')), 'a!=2,b==1,c>3,d<4');
  // the string form parses back to the same selector
  const s = 'env in (dev,prod),!canary,track,app=nginx';
  assert.deepEqual(parseLabelSelector(selectorToString(parseLabelSelector(s))), parseLabelSelector(s));
});

test('validateLabelSelector messages', () => {
  const texts = (sel: unknown) => validateLabelSelector(sel, 'spec.selector').map(fieldErrorText);
  assert.deepEqual(texts(null), []);
  assert.deepEqual(texts({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }), []);
  assert.deepEqual(texts({ matchExpressions: [{ key: 'a', operator: 'Equal', values: ['b'] }] }), [
    'spec.selector.matchExpressions[0].operator: Invalid value: "Equal": not a valid selector operator',
  ]);
  assert.deepEqual(texts({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(texts({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(texts({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), [
    "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
  const bad = texts({ matchLabels: { 'bad key!': 'v' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['-x'] }] });
  assert.equal(bad.length, 2);
  assert.match(bad[0], /^spec\.selector\.matchLabels: Invalid value: "bad key!": name part must consist of/);
  assert.match(bad[1], /^spec\.selector\.matchExpressions\[0\]\.values\[0\]: Invalid value: "-x": a valid label must be/);
  const badKey = texts({ matchExpressions: [{ key: '-k', operator: 'Exists' }] });
  assert.match(badKey[0], /^spec\.selector\.matchExpressions\[0\]\.key: Invalid value: "-k": name part must consist of/);
});

test('field selectors: operators, sorting, escapes', () => {
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('status.phase=Running'), [{ field: 'status.phase', op: '=', value: 'Running' }]);
  assert.deepEqual(parseFieldSelector('spec.nodeName!=n1,metadata.name==x'), [
    { field: 'metadata.name', op: '==', value: 'x' },
    { field: 'spec.nodeName', op: '!=', value: 'n1' },
  ]);
  assert.deepEqual(parseFieldSelector('spec.nodeName='), [{ field: 'spec.nodeName', op: '=', value: '' }]);
  assert.deepEqual(parseFieldSelector('a=b,,c=d'), [
    { field: 'a', op: '=', value: 'b' },
    { field: 'c', op: '=', value: 'd' },
  ]);
  assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\w'), [{ field: 'a', op: '=', value: 'x,y=z\\w' }]);
  assert.equal(badRequestMessage(() => parseFieldSelector('foo')), "invalid selector: 'foo'; can't understand 'foo'");
  assert.equal(badRequestMessage(() => parseFieldSelector('a=b,bar')), "invalid selector: 'a=b,bar'; can't understand 'bar'");
  assert.equal(badRequestMessage(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescapedRune character in value: 61');
  assert.equal(badRequestMessage(() => parseFieldSelector('a=b\\n')), 'invalid field selector: invalid escape sequence: \\n');
  assert.equal(badRequestMessage(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
  assert.equal(escapeFieldValue('x,y=z\\'), 'x\\,y\\=z\\\\');
  const reqs = parseFieldSelector('a=x\\,y,b!=2');
  assert.equal(fieldSelectorToString(reqs), 'a=x\\,y,b!=2');
  assert.deepEqual(parseFieldSelector(fieldSelectorToString(reqs)), reqs);
});

test('field selector matching and exact-match lookup', () => {
  const fields: Record<string, string> = { 'metadata.name': 'web-1', 'status.phase': 'Running', 'spec.nodeName': '' };
  const get = (f: string) => fields[f];
  const m = (s: string) => matchesFields(parseFieldSelector(s), get);
  assert.equal(m(''), true);
  assert.equal(m('status.phase=Running'), true);
  assert.equal(m('status.phase==Pending'), false);
  assert.equal(m('status.phase!=Pending'), true);
  assert.equal(m('spec.nodeName='), true, 'an unscheduled pod has an empty nodeName');
  assert.equal(m('spec.nodeName!='), false);
  assert.equal(m('metadata.name=web-1,status.phase!=Running'), false);
  assert.equal(m('unknown.field='), true, 'an unknown field reads as empty');
  assert.equal(fieldRequiresExactMatch(parseFieldSelector('metadata.name=x,spec.nodeName!=y'), 'metadata.name'), 'x');
  assert.equal(fieldRequiresExactMatch(parseFieldSelector('spec.nodeName!=y'), 'spec.nodeName'), undefined);
});
