// Job controller arithmetic: pod-failure back-off, completed-index intervals, pending indexes,
// pod failure and success policies, pods built from the template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDuration, nextBackoffRecord, remainingBackoff, podFinishedTime } from '../../src/controllers/job/backoff.js';
import { formatIndexes, parseIndexes, withIndexes, totalIndexes, hasIndex } from '../../src/controllers/job/indexes.js';
import { matchPodFailurePolicy } from '../../src/controllers/job/podfailurepolicy.js';
import { firstPendingIndexes, matchSuccessPolicy, podFromTemplate, activePodsForRemoval } from '../../src/controllers/job/job.js';
import type { KubeObject } from '../../src/api/types.js';

const pod = (name: string, o: { phase?: string; finishedAt?: string; exitCode?: number; conditions?: any[]; index?: number; created?: string } = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', uid: name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', annotations: o.index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(o.index) } },
  status: {
    phase: o.phase ?? 'Running',
    conditions: o.conditions,
    containerStatuses: o.finishedAt ? [{ name: 'c', state: { terminated: { exitCode: o.exitCode ?? 0, finishedAt: o.finishedAt } } }] : [{ name: 'c', state: { running: {} } }],
  },
});

test('back-off: 10 s doubling per failure since the last success, capped at 6 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDuration(n) / 1000), [0, 10, 20, 40, 80, 160, 320, 360, 360]);
  const f1 = pod('a', { phase: 'Failed', finishedAt: '2024-01-01T00:00:10Z', exitCode: 1 });
  const f2 = pod('b', { phase: 'Failed', finishedAt: '2024-01-01T00:00:30Z', exitCode: 1 });
  const ok = pod('c', { phase: 'Succeeded', finishedAt: '2024-01-01T00:00:20Z' });
  assert.equal(podFinishedTime(f1), Date.parse('2024-01-01T00:00:10Z'));
  let rec = nextBackoffRecord(undefined, [], [f1]);
  assert.deepEqual(rec, { failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2024-01-01T00:00:10Z') });
  assert.equal(remainingBackoff(rec, Date.parse('2024-01-01T00:00:14Z')), 6000);
  assert.equal(remainingBackoff(rec, Date.parse('2024-01-01T00:00:21Z')), 0);
  rec = nextBackoffRecord(rec, [], [f2]);
  assert.equal(rec.failuresAfterLastSuccess, 2);
  assert.equal(remainingBackoff(rec, Date.parse('2024-01-01T00:00:40Z')), 10_000);
  // a success resets the count; only failures after it count
  rec = nextBackoffRecord(rec, [ok], [f1, f2]);
  assert.deepEqual(rec, { failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2024-01-01T00:00:30Z') });
  assert.deepEqual(nextBackoffRecord(rec, [ok], []), { failuresAfterLastSuccess: 0, lastFailureTime: undefined });
});

test('completed indexes are written as Kubernetes writes intervals', () => {
  assert.equal(formatIndexes(withIndexes([], [0, 1, 2, 4])), '0-2,4');
  assert.equal(formatIndexes(withIndexes([], [0, 1, 3, 5, 6, 7])), '0,1,3,5-7');
  assert.equal(formatIndexes(withIndexes(parseIndexes('0-2,7', 10), [3, 5, 6])), '0-3,5-7');
  assert.deepEqual(parseIndexes('1,3-5,9', 5), [{ first: 1, last: 1 }, { first: 3, last: 4 }]);
  assert.equal(totalIndexes(parseIndexes('0-2,4', 10)), 4);
  assert.equal(hasIndex(parseIndexes('0-2,4', 10), 3), false);
  assert.equal(hasIndex(parseIndexes('0-2,4', 10), 4), true);
  assert.deepEqual(firstPendingIndexes(parseIndexes('0,2', 6), [1, 4], 3, 6), [3, 5]);
  assert.deepEqual(firstPendingIndexes([], [], 2, 6), [0, 1]);
});

test('pod failure policy: exit codes, conditions, first match wins', () => {
  const policy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [42] } },
    ],
  };
  assert.deepEqual(matchPodFailurePolicy(policy, pod('p', { phase: 'Failed', finishedAt: '2024-01-01T00:00:00Z', exitCode: 42 })), {
    message: 'Container c for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
    countFailed: true,
    action: 'FailJob',
  });
  assert.deepEqual(matchPodFailurePolicy(policy, pod('p', { phase: 'Failed', finishedAt: '2024-01-01T00:00:00Z', exitCode: 3 })), { countFailed: true, action: 'Count' });
  assert.deepEqual(matchPodFailurePolicy(policy, pod('p', { phase: 'Failed', finishedAt: '2024-01-01T00:00:00Z', exitCode: 42, conditions: [{ type: 'DisruptionTarget', status: 'True' }] })), { countFailed: false, action: 'Ignore' });
  const byCondition = { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
  assert.equal(matchPodFailurePolicy(byCondition, pod('p', { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).message, 'Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0');
  assert.deepEqual(matchPodFailurePolicy(undefined, pod('p')), { countFailed: true });
});

test('success policy and pods from the template', () => {
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0,2' }] }, 5, parseIndexes('0-1', 5)), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0,2' }, { succeededCount: 2 }] }, 5, parseIndexes('0-1', 5)), 'Matched rules at index 1');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-3', succeededCount: 2 }] }, 5, parseIndexes('2,4', 5)), undefined);
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'ns', uid: 'u' },
    spec: { completionMode: 'Indexed', completions: 3, template: { metadata: { labels: { 'job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
  };
  const p = podFromTemplate(job, 2);
  assert.equal(p.metadata.generateName, 'pi-2-');
  assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.equal(p.metadata.labels!['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(p.metadata.annotations!['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(p.spec.hostname, 'pi-2');
  assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  assert.equal(job.spec.template.spec.containers[0].env, undefined, 'the job is not changed');
  assert.equal(podFromTemplate({ ...job, spec: { ...job.spec, completionMode: 'NonIndexed' } }, -1).metadata.generateName, 'pi-');
  // duplicated and out-of-range indexes are removed first
  const pods = [pod('a', { index: 0 }), pod('b', { index: 0, created: '2024-01-01T00:01:00Z' }), pod('c', { index: 7 }), pod('d', { index: 1 })];
  assert.deepEqual(activePodsForRemoval(job, pods, 0).map((x) => x.metadata.name).sort(), ['b', 'c']);
});
