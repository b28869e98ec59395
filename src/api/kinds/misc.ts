import type { ResourceDescriptor } from '../descriptor.js';
export const descriptors: ResourceDescriptor[] = [];
