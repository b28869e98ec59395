// Every built-in kind. Importing this module registers their schemas.
import './meta.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { descriptors as core } from './core.js';
import { descriptors as apps } from './apps.js';
import { descriptors as batch } from './batch.js';
import { descriptors as misc } from './misc.js';
import { descriptors as apiextensions } from './apiextensions.js';

export function builtinDescriptors(): ResourceDescriptor[] {
  return [...core, ...apps, ...batch, ...misc, ...apiextensions];
}
