import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workQueue } from '../../src/client/workqueue.js';

test('work queue: dedupes keys, runs one sync at a time, retries not-done and failed keys', async () => {
  const seen: string[] = [];
  let active = 0;
  let maxActive = 0;
  let failOnce = true;
  let notDoneOnce = true;
  const q = workQueue(
    async (k) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      seen.push(k);
      if (k === 'fail' && failOnce) {
        failOnce = false;
        throw new Error('boom');
      }
      if (k === 'later' && notDoneOnce) {
        notDoneOnce = false;
        return false;
      }
      return true;
    },
    { notDoneDelayMs: 20, onError: () => 20 },
  );
  void q.add('a');
  void q.add('a');
  void q.add('fail');
  await q.add('later');
  assert.deepEqual(seen, ['a', 'fail', 'later']);
  assert.equal(maxActive, 1);
  await new Promise((r) => setTimeout(r, 80));
  await q.drained();
  assert.deepEqual(seen.sort(), ['a', 'fail', 'fail', 'later', 'later']);
  q.stop();
  await q.add('after-stop');
  assert.ok(!seen.includes('after-stop'));
});
