// apps/v1 kinds (Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision) with their
// legacy versions, and the extensions/v1beta1 workload kinds served from apps storage.
// The implementation lives in ./workloads/.
import type { ResourceDescriptor } from '../descriptor.js';
import { appsDescriptors } from './workloads/apps-kinds.js';

export const descriptors: ResourceDescriptor[] = appsDescriptors;
