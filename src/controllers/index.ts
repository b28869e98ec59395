// Every component the controller manager starts, in start order. Add one line per component.
import type { Component } from './manager.js';
import { replicaSetComponent, replicationControllerComponent } from './replicaset/replicaset.js';
import { deploymentComponent } from './deployment/deployment.js';
import { statefulSetController } from './statefulset/statefulset.js';
import { daemonSetController } from './daemonset/daemonset.js';
import { serviceAccountController } from './serviceaccount/serviceaccount.js';
import { endpointsController } from './endpoints/endpoints.js';
import { endpointSliceController } from './endpointslice/endpointslice.js';
import { nodeLifecycleController } from './nodelifecycle/nodelifecycle.js';
import { taintEvictionController } from './nodelifecycle/tainteviction.js';
import { podGCController } from './podgc/podgc.js';
import { nodeIpamComponent } from './nodeipam/nodeipam.js';
import { simNodesComponent } from '../simnode/component.js';
import { schedulerComponent } from '../scheduler/scheduler.js';
import { persistentVolumeBinder } from './volume/binder.js';
import { localPathProvisionerComponent } from './volume/localpath.js';
import { pvcProtectionComponent, pvProtectionComponent } from './volume/protection.js';
import { resourceQuotaComponent } from './resourcequota/resourcequota.js';
import { disruptionComponent } from './disruption/disruption.js';
import { jobComponent } from './job/job.js';
import { cronJobComponent } from './cronjob/cronjob.js';
import { ttlAfterFinishedComponent } from './ttlafterfinished/ttlafterfinished.js';

export const components: Component[] = [
  replicaSetComponent,
  replicationControllerComponent,
  deploymentComponent,
  statefulSetController,
  daemonSetController,
  serviceAccountController,
  endpointsController,
  endpointSliceController,
  nodeLifecycleController,
  taintEvictionController,
  podGCController,
  nodeIpamComponent,
  simNodesComponent,
  schedulerComponent,
  persistentVolumeBinder,
  localPathProvisionerComponent,
  pvcProtectionComponent,
  pvProtectionComponent,
  resourceQuotaComponent,
  disruptionComponent,
  jobComponent,
  cronJobComponent,
  ttlAfterFinishedComponent,
];
