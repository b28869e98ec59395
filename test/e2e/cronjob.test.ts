// CronJobs through kubectl on a server with simulated nodes: a one-minute schedule creates a Job
// named after its scheduled minute, `kubectl create job --from=cronjob/...`, history limits,
// and invalid schedules rejected with Kubernetes' messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually } from './harness.js';

const NS = 'cron';

const cronJob = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: {
      schedule: '*/1 * * * *',
      ...spec,
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: { template: { metadata: { annotations: { 'sim.sampan.io/run-seconds': '1' } }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    },
  });

test('cronjobs schedule jobs, instantiate them by hand, keep history and reject bad schedules', { timeout: 120_000 }, async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '2'] });
  try {
    await c.k(`create namespace ${NS}`);

    // invalid schedules and time zones are rejected at validation
    const bad = await c.kubectl(['apply', '-f', '-'], { input: cronJob('bad', { schedule: '61 * * * *' }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /^The CronJob "bad" is invalid: spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
    const fields = await c.kubectl(['apply', '-f', '-'], { input: cronJob('bad', { schedule: '* * *' }) });
    assert.match(fields.stderr, /spec\.schedule: Invalid value: "\* \* \*": expected exactly 5 fields, found 3: \[\* \* \*\]/);
    const tzInSchedule = await c.kubectl(['apply', '-f', '-'], { input: cronJob('bad', { schedule: 'TZ=UTC 0 * * * *' }) });
    assert.match(tzInSchedule.stderr, /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
    const badZone = await c.kubectl(['apply', '-f', '-'], { input: cronJob('bad', { timeZone: 'Mars/Olympus' }) });
    assert.match(badZone.stderr, /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);

    // a one-minute schedule
    const before = Date.now();
    await c.k(['apply', '-f', '-'], cronJob('every', { timeZone: 'Europe/Berlin', successfulJobsHistoryLimit: 3 }));
    const nextMinute = Math.floor(before / 60_000) + 1;
    const job = await eventually(
      async () => {
        const jobs = JSON.parse(await c.k(`get jobs -n ${NS} -l team=a -o json`)).items.filter((j: any) => j.metadata.ownerReferences?.[0]?.name === 'every');
        assert.equal(jobs.length, 1);
        return jobs[0];
      },
      { timeoutMs: 70_000, intervalMs: 500 },
    );
    assert.ok([nextMinute, nextMinute + 1].includes(Number(job.metadata.name.slice('every-'.length))), job.metadata.name);
    const scheduled = Number(job.metadata.name.slice('every-'.length)) * 60_000;
    const stamp = job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+0[12]:00$/);
    assert.equal(Date.parse(stamp), scheduled);
    const cj = JSON.parse(await c.k(`get cronjob every -n ${NS} -o json`));
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'every', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(Date.parse(cj.status.lastScheduleTime), scheduled);
    await c.k(`wait --for=condition=complete job/${job.metadata.name} -n ${NS} --timeout=30s`);
    await eventually(async () => {
      const cur = JSON.parse(await c.k(`get cronjob every -n ${NS} -o json`));
      assert.equal(cur.status.active, undefined);
      assert.ok(cur.status.lastSuccessfulTime);
      const ev = (JSON.parse(await c.k(`get events -n ${NS} --field-selector involvedObject.name=every -o json`)).items as any[]).map((e) => `${e.reason} ${e.message}`);
      assert.ok(ev.includes(`SuccessfulCreate Created job ${job.metadata.name}`), ev.join('\n'));
      assert.ok(ev.includes(`SawCompletedJob Saw completed job: ${job.metadata.name}, status: Complete`), ev.join('\n'));
    });
    const table = await c.k(`get cronjob every -n ${NS}`);
    assert.match(table.split('\n')[0], /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    assert.match(table.split('\n')[1], /^every\s+\*\/1 \* \* \* \*\s+Europe\/Berlin\s+False\s+0\s+\d+s\s+\d+s$/);

    // kubectl create job --from=cronjob; history limits trim finished jobs
    await c.k(['patch', 'cronjob', 'every', '-n', NS, '--type=merge', '-p', '{"spec":{"suspend":true,"successfulJobsHistoryLimit":1}}']);
    assert.equal(await c.k(`create job manual --from=cronjob/every -n ${NS}`), 'job.batch/manual created\n');
    const manual = JSON.parse(await c.k(`get job manual -n ${NS} -o json`));
    assert.equal(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(manual.metadata.ownerReferences[0].name, 'every');
    await c.k(`wait --for=condition=complete job/manual -n ${NS} --timeout=30s`);
    // two successful jobs, limit 1: the older one goes
    await eventually(async () => {
      const names = JSON.parse(await c.k(`get jobs -n ${NS} -o json`)).items.map((j: any) => j.metadata.name);
      assert.deepEqual(names, ['manual']);
    });
    await eventually(async () => {
      const ev = (JSON.parse(await c.k(`get events -n ${NS} --field-selector involvedObject.name=every -o json`)).items as any[]).map((e) => `${e.reason} ${e.message}`);
      assert.ok(ev.includes(`SuccessfulDelete Deleted job ${job.metadata.name}`), ev.join('\n'));
    });
  } finally {
    await c.stop();
    c.cleanup();
  }
});
