// batch/v1 Job and CronJob (plus batch/v1beta1 CronJob), autoscaling HorizontalPodAutoscaler
// (v2 stored, v1 served) and policy PodDisruptionBudget (v1, v1beta1 served).
// The implementation lives in ./workloads/.
import type { ResourceDescriptor } from '../descriptor.js';
import { job, cronJob } from './workloads/batch-kinds.js';
import { horizontalPodAutoscaler, podDisruptionBudget } from './workloads/autoscaling-policy.js';

export const descriptors: ResourceDescriptor[] = [job, cronJob, horizontalPodAutoscaler, podDisruptionBudget];
