// kube-scheduler's metrics, registered in the server's /metrics registry.
import { counter, gauge, histogram } from '../apiserver/metrics.js';
import type { SchedulingQueue } from './queue.js';

const exp = (start: number, factor: number, n: number) => Array.from({ length: n }, (_, i) => Number((start * factor ** i).toPrecision(6)));

export const PROFILE = 'default-scheduler';

export const scheduleAttempts = counter('scheduler_schedule_attempts_total', 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.');
export const attemptDuration = histogram('scheduler_scheduling_attempt_duration_seconds', 'Scheduling attempt latency in seconds (scheduling algorithm + binding)', exp(0.001, 2, 15));
export const algorithmDuration = histogram('scheduler_scheduling_algorithm_duration_seconds', 'Scheduling algorithm latency in seconds', exp(0.001, 2, 15));
export const sliDuration = histogram('scheduler_pod_scheduling_sli_duration_seconds', 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.', exp(0.01, 2, 20));
export const podAttempts = histogram('scheduler_pod_scheduling_attempts', 'Number of attempts to successfully schedule a pod.', exp(1, 2, 5));
export const preemptionAttempts = counter('scheduler_preemption_attempts_total', 'Total preemption attempts in the cluster till now');
export const preemptionVictims = histogram('scheduler_preemption_victims', 'Number of selected preemption victims', exp(1, 2, 7));

export const queues = new Set<SchedulingQueue>();
gauge('scheduler_pending_pods', 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.', () => {
  let active = 0;
  let backoff = 0;
  let unschedulable = 0;
  for (const q of queues) {
    const s = q.sizes();
    active += s.active;
    backoff += s.backoff;
    unschedulable += s.unschedulable;
  }
  return [
    [{ queue: 'active' }, active],
    [{ queue: 'backoff' }, backoff],
    [{ queue: 'unschedulable' }, unschedulable],
    [{ queue: 'gated' }, gatedCount()],
  ];
});

let gatedCounter = () => 0;
const gatedCount = () => gatedCounter();
export function setGatedCounter(f: () => number) {
  gatedCounter = f;
}
