// Cron schedules as the CronJob controller evaluates them: fields, names, steps, descriptors,
// time zones and DST, missed-schedule counting and job naming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, mostRecentScheduleTime, nextScheduleDelay, formatRFC3339, formatRFC1123Z, parseGoDuration } from '../../src/controllers/cronjob/schedule.js';
import { jobNameFor, jobFromTemplate } from '../../src/controllers/cronjob/cronjob.js';

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const nexts = (spec: string, from: string, n: number, zone = 'UTC') => {
  const s = parseSchedule(spec, zone);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = s.next(t)!;
    out.push(new Date(t).toISOString());
  }
  return out;
};

test('five-field schedules: steps, ranges, lists and names', () => {
  assert.deepEqual(nexts('*/1 * * * *', '2024-01-01T00:00:30Z', 2), ['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
  assert.deepEqual(nexts('*/15 9-10 * * *', '2024-01-01T10:40:00Z', 3), ['2024-01-01T10:45:00.000Z', '2024-01-02T09:00:00.000Z', '2024-01-02T09:15:00.000Z']);
  assert.deepEqual(nexts('0 0 1,15 * *', '2024-02-10T00:00:00Z', 2), ['2024-02-15T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  assert.deepEqual(nexts('30 6 * JAN-Mar mon', '2024-03-26T00:00:00Z', 2), ['2025-01-06T06:30:00.000Z', '2025-01-13T06:30:00.000Z']);
  // a step from a start value runs to the field's maximum
  assert.deepEqual(nexts('50/5 * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:50:00.000Z', '2024-01-01T00:55:00.000Z', '2024-01-01T01:50:00.000Z']);
  // with both day fields restricted, either may match; with one '*', both must
  assert.deepEqual(nexts('0 0 13 * 5', '2024-09-01T00:00:00Z', 2), ['2024-09-06T00:00:00.000Z', '2024-09-13T00:00:00.000Z']);
  assert.deepEqual(nexts('0 0 * * 5', '2024-09-01T00:00:00Z', 1), ['2024-09-06T00:00:00.000Z']);
  // an exact time strictly after from
  assert.deepEqual(nexts('0 12 * * *', '2024-01-01T12:00:00Z', 1), ['2024-01-02T12:00:00.000Z']);
  // never (31 February): no activation within five years
  assert.equal(parseSchedule('0 0 31 2 *', 'UTC').next(at('2024-01-01T00:00:00Z')), undefined);
});

test('descriptors and @every', () => {
  assert.deepEqual(nexts('@hourly', '2024-01-01T00:10:00Z', 1), ['2024-01-01T01:00:00.000Z']);
  assert.deepEqual(nexts('@daily', '2024-01-01T00:10:00Z', 1), ['2024-01-02T00:00:00.000Z']);
  assert.deepEqual(nexts('@midnight', '2024-01-01T00:10:00Z', 1), ['2024-01-02T00:00:00.000Z']);
  assert.deepEqual(nexts('@weekly', '2024-01-01T00:10:00Z', 1), ['2024-01-07T00:00:00.000Z']);
  assert.deepEqual(nexts('@monthly', '2024-01-01T00:10:00Z', 1), ['2024-02-01T00:00:00.000Z']);
  assert.deepEqual(nexts('@yearly', '2024-01-01T00:10:00Z', 1), ['2025-01-01T00:00:00.000Z']);
  assert.deepEqual(nexts('@annually', '2024-01-01T00:10:00Z', 1), ['2025-01-01T00:00:00.000Z']);
  assert.deepEqual(nexts('@every 90s', '2024-01-01T00:00:00.400Z', 2), ['2024-01-01T00:01:30.000Z', '2024-01-01T00:03:00.000Z']);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.throws(() => parseSchedule('@fortnightly', 'UTC'), /unrecognized descriptor: @fortnightly/);
  assert.throws(() => parseSchedule('* * * *', 'UTC'), /expected exactly 5 fields, found 4: \[\* \* \* \*\]/);
  assert.throws(() => parseSchedule('* * * * 7', 'UTC'), /end of range \(7\) above maximum \(6\): 7/);
});

test('time zones and daylight saving time', () => {
  // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer
  assert.deepEqual(nexts('0 9 * * *', '2024-03-09T00:00:00Z', 2, 'America/New_York'), ['2024-03-09T14:00:00.000Z', '2024-03-10T13:00:00.000Z']);
  // 02:30 does not exist on the spring-forward day in Berlin (02:00 → 03:00): that day is skipped
  assert.deepEqual(nexts('30 2 * * *', '2024-03-30T12:00:00Z', 2, 'Europe/Berlin'), ['2024-04-01T00:30:00.000Z', '2024-04-02T00:30:00.000Z']);
  // 02:30 happens twice on the fall-back day and robfig/cron (so Kubernetes) runs at both
  assert.deepEqual(nexts('30 2 * * *', '2024-10-26T12:00:00Z', 3, 'Europe/Berlin'), ['2024-10-27T00:30:00.000Z', '2024-10-27T01:30:00.000Z', '2024-10-28T01:30:00.000Z']);
  // hourly runs keep a one-hour spacing across the change
  assert.deepEqual(nexts('0 * * * *', '2024-10-27T00:10:00Z', 3, 'Europe/Berlin'), ['2024-10-27T01:00:00.000Z', '2024-10-27T02:00:00.000Z', '2024-10-27T03:00:00.000Z']);
  // half-hour zones
  assert.deepEqual(nexts('0 0 * * *', '2024-01-01T00:00:00Z', 1, 'Asia/Kolkata'), ['2024-01-01T18:30:00.000Z']);
  assert.equal(formatRFC3339(at('2024-07-01T10:00:00Z'), 'Europe/Berlin'), '2024-07-01T12:00:00+02:00');
  assert.equal(formatRFC3339(at('2024-07-01T10:00:00Z'), 'UTC'), '2024-07-01T10:00:00Z');
  assert.equal(formatRFC3339(at('2024-01-01T10:00:00Z'), 'America/New_York'), '2024-01-01T05:00:00-05:00');
  assert.equal(formatRFC1123Z(at('2024-07-01T10:00:00Z')), 'Mon, 01 Jul 2024 10:00:00 +0000');
});

test('most recent schedule time, missed runs and the next requeue', () => {
  const sched = parseSchedule('*/1 * * * *', 'UTC');
  const created = at('2024-01-01T00:00:10Z');
  // not due yet
  assert.deepEqual(mostRecentScheduleTime({ creationTimestamp: created }, at('2024-01-01T00:00:50Z'), sched, true), { earliest: created, missed: 'none' });
  // due once
  const one = mostRecentScheduleTime({ creationTimestamp: created }, at('2024-01-01T00:01:05Z'), sched, true);
  assert.equal(iso(one.mostRecent), '2024-01-01T00:01:00.000Z');
  assert.equal(one.missed, 'none');
  // several missed: the latest wins
  const few = mostRecentScheduleTime({ creationTimestamp: created }, at('2024-01-01T00:10:05Z'), sched, true);
  assert.equal(iso(few.mostRecent), '2024-01-01T00:10:00.000Z');
  assert.equal(few.missed, 'few');
  // more than 100 missed
  const many = mostRecentScheduleTime({ creationTimestamp: created }, at('2024-01-01T05:00:05Z'), sched, true);
  assert.equal(many.missed, 'many');
  assert.equal(iso(many.mostRecent), '2024-01-01T05:00:00.000Z');
  // a starting deadline limits how far back the controller looks
  const bounded = mostRecentScheduleTime({ creationTimestamp: created, startingDeadlineSeconds: 200 }, at('2024-01-01T05:00:05Z'), sched, true);
  assert.equal(bounded.missed, 'few');
  // after the last schedule time the next run is one minute later, plus 100 ms
  assert.equal(nextScheduleDelay({ creationTimestamp: created, lastScheduleTime: at('2024-01-01T00:01:00Z') }, at('2024-01-01T00:01:05Z'), sched), 55_100);
  // the impossible 31 February
  const never = mostRecentScheduleTime({ creationTimestamp: created }, at('2024-03-05T00:00:00Z'), parseSchedule('0 0 31 2 *', 'UTC'), true);
  assert.equal(never.mostRecent, undefined);
});

test('jobs are named after their scheduled minute and carry the scheduled timestamp', () => {
  const t = at('2024-07-01T10:00:00Z');
  assert.equal(jobNameFor('hello', t), `hello-${t / 60_000}`);
  const cj = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'ns', uid: 'u1' },
    spec: { timeZone: 'Europe/Berlin', jobTemplate: { metadata: { labels: { a: 'b' }, annotations: { x: 'y' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } } },
  };
  const job = jobFromTemplate(cj, t);
  assert.equal(job.metadata.name, 'hello-28663800');
  assert.deepEqual(job.metadata.labels, { a: 'b' });
  assert.deepEqual(job.metadata.annotations, { x: 'y', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-07-01T12:00:00+02:00' });
  assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
});
