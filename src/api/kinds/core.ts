// The core/v1 kinds (group ""). Importing this module registers their schemas
// (io.k8s.api.core.v1.*); `descriptors` is what the server registers.
import type { ResourceDescriptor } from '../descriptor.js';
import './core/schemas.js';
import { podDescriptor, podTemplateDescriptor } from './core/pod.js';
import { serviceDescriptor, endpointsDescriptor } from './core/service.js';
import { configMapDescriptor, secretDescriptor, serviceAccountDescriptor } from './core/config.js';
import { namespaceDescriptor, nodeDescriptor, eventDescriptor, componentStatusDescriptor, bindingDescriptor } from './core/cluster.js';
import { persistentVolumeDescriptor, persistentVolumeClaimDescriptor } from './core/storage.js';
import { limitRangeDescriptor, resourceQuotaDescriptor } from './core/policy.js';
import { replicationControllerDescriptor } from './core/rc.js';

export { defaultPodSpec, defaultPod, validatePodSpec, validatePodTemplateSpec, podQOSClass, defaultImagePullPolicy, validateLabelSelector, validateNodeSelector, validateTolerations, podRow, containerCells } from './core/pod.js';
export { defaultService, serviceExternalIP, servicePorts, formatEndpoints } from './core/service.js';
export { defaultSecret } from './core/config.js';
export { componentStatuses } from './core/cluster.js';
export { accessModesString } from './core/storage.js';
export { defaultReplicationController } from './core/rc.js';
export { coreRef, VOLUME_SOURCES, PV_SOURCES } from './core/schemas.js';

export const descriptors: ResourceDescriptor[] = [
  namespaceDescriptor,
  podDescriptor,
  serviceDescriptor,
  endpointsDescriptor,
  configMapDescriptor,
  secretDescriptor,
  serviceAccountDescriptor,
  nodeDescriptor,
  eventDescriptor,
  replicationControllerDescriptor,
  persistentVolumeDescriptor,
  persistentVolumeClaimDescriptor,
  limitRangeDescriptor,
  resourceQuotaDescriptor,
  podTemplateDescriptor,
  bindingDescriptor,
  componentStatusDescriptor,
];
