// Every built-in kind outside core, apps and batch, one module per API group.
import type { ResourceDescriptor } from '../descriptor.js';
import { descriptors as networking } from './networking.js';
import { descriptors as rbac } from './rbac.js';
import { descriptors as storage } from './storage-k8s.js';
import { descriptors as coordination } from './coordination.js';
import { descriptors as discovery } from './discovery-k8s.js';
import { descriptors as events } from './events-k8s.js';
import { descriptors as certificates } from './certificates.js';
import { descriptors as scheduling } from './scheduling.js';
import { descriptors as node } from './node-k8s.js';
import { descriptors as flowcontrol } from './flowcontrol.js';
import { descriptors as admissionregistration } from './admissionregistration.js';
import { descriptors as apiregistration } from './apiregistration.js';
import { descriptors as authnAuthz } from './authn-authz.js';

export { builtinPriorityClasses } from './scheduling.js';
export { eventsV1ToCore, coreToEventsV1 } from './events-k8s.js';
export { ingressLegacyToV1, ingressV1ToLegacy } from './networking.js';

export const descriptors: ResourceDescriptor[] = [
  ...networking,
  ...rbac,
  ...storage,
  ...coordination,
  ...discovery,
  ...events,
  ...certificates,
  ...scheduling,
  ...node,
  ...flowcontrol,
  ...admissionregistration,
  ...apiregistration,
  ...authnAuthz,
];
