// Every built-in kind outside core, apps and batch, one module per API group.
import type { ResourceDescriptor } from '../descriptor.js';
import { descriptors as networking } from './networking.js';
import { descriptors as rbac } from './rbac.js';
import { descriptors as storage } from './storage-k8s.js';

export const descriptors: ResourceDescriptor[] = [...networking, ...rbac, ...storage];
