// Jobs through kubectl on a server with simulated nodes: completions/parallelism, back-off and
// backoffLimit, activeDeadlineSeconds, Indexed jobs, podFailurePolicy, suspend/resume and
// ttlSecondsAfterFinished. The scenarios run side by side on one cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type Cluster } from './harness.js';

const NS = 'jobs';

function jobYaml(name: string, o: { spec?: Record<string, unknown>; annotations?: Record<string, string>; restartPolicy?: string; grace?: number } = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      ...o.spec,
      template: {
        metadata: { annotations: { 'sim.sampan.io/run-seconds': '1', ...o.annotations } },
        spec: { restartPolicy: o.restartPolicy ?? 'Never', terminationGracePeriodSeconds: o.grace ?? 0, containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
}

const getJob = async (c: Cluster, name: string) => JSON.parse(await c.k(`get job ${name} -n ${NS} -o json`));
const jobPods = async (c: Cluster, name: string) => JSON.parse(await c.k(`get pods -n ${NS} -l batch.kubernetes.io/job-name=${name} -o json`)).items as any[];
const events = async (c: Cluster, name: string) =>
  (JSON.parse(await c.k(`get events -n ${NS} --field-selector involvedObject.name=${name},involvedObject.kind=Job -o json`)).items as any[]).map((e) => `${e.type} ${e.reason} ${e.message}`);
const row = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/);

test('jobs run to completion, back off, hit deadlines and policies, suspend, and expire', { timeout: 120_000 }, async () => {
  const c = await startCluster({ extraArgs: ['--sim-nodes', '2'] });
  try {
    await c.k(`create namespace ${NS}`);
    const scenarios: Record<string, () => Promise<void>> = {
      async completes() {
        assert.equal(await c.k(['apply', '-f', '-'], jobYaml('ok', { spec: { completions: 3, parallelism: 2 } })), 'job.batch/ok created\n');
        await c.k(`wait --for=condition=complete job/ok -n ${NS} --timeout=45s`);
        const out = await c.k(`get jobs ok -n ${NS}`);
        assert.match(out.split('\n')[0], /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
        const r = row(out, 'ok');
        assert.deepEqual(r.slice(0, 3), ['ok', 'Complete', '3/3']);
        assert.match(r[3], /^\d+s$/);
        const job = await getJob(c, 'ok');
        assert.equal(job.status.succeeded, 3);
        assert.equal(job.status.active, undefined);
        assert.equal(job.status.ready, 0);
        assert.equal(job.status.terminating, 0);
        assert.deepEqual(job.status.uncountedTerminatedPods, {});
        assert.ok(job.status.startTime && job.status.completionTime);
        assert.deepEqual(
          job.status.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]),
          [
            ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
            ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
          ],
        );
        const pods = await jobPods(c, 'ok');
        assert.equal(pods.length, 3);
        for (const p of pods) {
          assert.match(p.metadata.name, /^ok-[a-z0-9]{5}$/);
          assert.equal(p.status.phase, 'Succeeded');
          assert.deepEqual(p.metadata.finalizers ?? [], [], 'tracking finalizer removed once counted');
          assert.equal(p.metadata.labels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
          assert.equal(p.metadata.labels['controller-uid'], job.metadata.uid);
          assert.equal(p.metadata.labels['job-name'], 'ok');
          assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'ok', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
        }
        await eventually(async () => {
          const ev = await events(c, 'ok');
          for (const p of pods) assert.ok(ev.includes(`Normal SuccessfulCreate Created pod: ${p.metadata.name}`), ev.join('\n'));
          assert.ok(ev.includes('Normal Completed Job completed'), ev.join('\n'));
        });
      },
      async backoff() {
        await c.k(['apply', '-f', '-'], jobYaml('fails', { spec: { backoffLimit: 1 }, annotations: { 'sim.sampan.io/exit-code': '1' } }));
        await c.k(`wait --for=condition=failed job/fails -n ${NS} --timeout=60s`);
        const job = await getJob(c, 'fails');
        assert.equal(job.status.failed, 2);
        const failed = job.status.conditions.find((x: any) => x.type === 'Failed');
        assert.equal(failed.reason, 'BackoffLimitExceeded');
        assert.equal(failed.message, 'Job has reached the specified backoff limit');
        assert.equal(job.status.conditions.find((x: any) => x.type === 'FailureTarget').reason, 'BackoffLimitExceeded');
        const pods = (await jobPods(c, 'fails')).sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
        assert.equal(pods.length, 2);
        const firstFinished = Date.parse(pods[0].status.containerStatuses[0].state.terminated.finishedAt);
        const second = Date.parse(pods[1].metadata.creationTimestamp);
        assert.ok(second - firstFinished >= 9_000, `replacement waited ${second - firstFinished} ms`);
        assert.deepEqual(row(await c.k(`get jobs fails -n ${NS}`), 'fails').slice(0, 3), ['fails', 'Failed', '0/1']);
        await eventually(async () => assert.ok((await events(c, 'fails')).includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit')));
      },
      async deadline() {
        await c.k(['apply', '-f', '-'], jobYaml('slow', { spec: { activeDeadlineSeconds: 3, parallelism: 2, completions: 2 }, annotations: { 'sim.sampan.io/run-seconds': '300' } }));
        await c.k(`wait --for=condition=failed job/slow -n ${NS} --timeout=40s`);
        const job = await getJob(c, 'slow');
        const failed = job.status.conditions.find((x: any) => x.type === 'Failed');
        assert.equal(failed.reason, 'DeadlineExceeded');
        assert.equal(failed.message, 'Job was active longer than specified deadline');
        assert.equal(job.status.failed, 2, 'the terminated pods count as failed');
        assert.equal(job.status.active, undefined);
        await eventually(async () => assert.equal((await jobPods(c, 'slow')).filter((p) => !['Failed', 'Succeeded'].includes(p.status.phase)).length, 0));
      },
      async indexed() {
        await c.k(['apply', '-f', '-'], jobYaml('idx', { spec: { completions: 3, parallelism: 3, completionMode: 'Indexed' } }));
        await c.k(`wait --for=condition=complete job/idx -n ${NS} --timeout=45s`);
        const job = await getJob(c, 'idx');
        assert.equal(job.status.completedIndexes, '0-2');
        assert.equal(job.status.succeeded, 3);
        const pods = await jobPods(c, 'idx');
        assert.deepEqual(pods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
        for (const p of pods) {
          const ix = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
          assert.match(p.metadata.name, new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
          assert.equal(p.metadata.labels['batch.kubernetes.io/job-completion-index'], ix);
          assert.equal(p.spec.hostname, `idx-${ix}`);
          assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
        }
      },
      async podFailurePolicy() {
        await c.k(['apply', '-f', '-'], jobYaml('pfp', {
          spec: { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } }] } },
          annotations: { 'sim.sampan.io/exit-code': '42' },
        }));
        await c.k(`wait --for=condition=failed job/pfp -n ${NS} --timeout=40s`);
        const job = await getJob(c, 'pfp');
        const pod = (await jobPods(c, 'pfp'))[0];
        const failed = job.status.conditions.find((x: any) => x.type === 'Failed');
        assert.equal(failed.reason, 'PodFailurePolicy');
        assert.equal(failed.message, `Container c for pod ${NS}/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
        assert.equal(job.status.failed, 1);
      },
      async suspend() {
        await c.k(['apply', '-f', '-'], jobYaml('sus', { spec: { suspend: true } }));
        await eventually(async () => {
          const job = await getJob(c, 'sus');
          const s = job.status.conditions?.find((x: any) => x.type === 'Suspended');
          assert.deepEqual([s?.status, s?.reason, s?.message], ['True', 'JobSuspended', 'Job suspended']);
          assert.equal(job.status.startTime, undefined);
        });
        assert.deepEqual(row(await c.k(`get jobs sus -n ${NS}`), 'sus').slice(0, 3), ['sus', 'Suspended', '0/1']);
        assert.equal((await jobPods(c, 'sus')).length, 0);
        await c.k(['patch', 'job', 'sus', '-n', NS, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
        await c.k(`wait --for=condition=complete job/sus -n ${NS} --timeout=40s`);
        const job = await getJob(c, 'sus');
        const s = job.status.conditions.find((x: any) => x.type === 'Suspended');
        assert.deepEqual([s.status, s.reason, s.message], ['False', 'JobResumed', 'Job resumed']);
        const ev = await events(c, 'sus');
        assert.ok(ev.includes('Normal Suspended Job suspended') && ev.includes('Normal Resumed Job resumed'), ev.join('\n'));
      },
      async ttl() {
        await c.k(['apply', '-f', '-'], jobYaml('ttl', { spec: { ttlSecondsAfterFinished: 2 } }));
        await c.k(`wait --for=condition=complete job/ttl -n ${NS} --timeout=40s`);
        await eventually(async () => assert.match((await c.kubectl(['get', 'job', 'ttl', '-n', NS])).stderr, /NotFound/), { timeoutMs: 20_000 });
        await eventually(async () => assert.equal((await jobPods(c, 'ttl')).length, 0), { timeoutMs: 20_000 });
      },
    };
    const results = await Promise.allSettled(Object.entries(scenarios).map(([name, f]) => f().catch((e) => Promise.reject(Object.assign(e, { message: `${name}: ${e.message}` })))));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length) throw failures[0].reason;
  } finally {
    await c.stop();
    c.cleanup();
  }
});
