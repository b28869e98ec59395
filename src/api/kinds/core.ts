// The core/v1 kinds (group ""). Importing this module registers their schemas
// (io.k8s.api.core.v1.*); `descriptors` is what the server registers.
import type { ResourceDescriptor } from '../descriptor.js';
import './core/schemas.js';
import { badRequest } from '../errors.js';
import { QUANTITY_REGEX_MSG } from '../quantity.js';
import { findInvalidQuantity } from './core/util.js';
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

const base: ResourceDescriptor[] = [
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

/**
 * A malformed quantity fails decoding in Kubernetes (400, before defaulting and validation):
 * `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression ...`.
 */
function rejectInvalidQuantities(d: ResourceDescriptor): ResourceDescriptor {
  const inner = d.defaults;
  return {
    ...d,
    defaults(obj, ctx) {
      if (findInvalidQuantity(obj, d.schema)) throw badRequest(`${d.kind} in version "v1" cannot be handled as a ${d.kind}: ${QUANTITY_REGEX_MSG}`);
      const b64 = d.kind === 'Secret' ? obj.data : d.kind === 'ConfigMap' ? obj.binaryData : undefined;
      for (const v of b64 && typeof b64 === 'object' ? Object.values(b64) : []) {
        const at = illegalBase64At(v);
        if (at >= 0) throw badRequest(`${d.kind} in version "v1" cannot be handled as a ${d.kind}: illegal base64 data at input byte ${at}`);
      }
      inner?.(obj, ctx);
    },
  };
}

export const descriptors: ResourceDescriptor[] = base.map(rejectInvalidQuantities);

/** Offset Go's base64 decoder reports for malformed standard base64, or -1 when valid. */
function illegalBase64At(v: unknown): number {
  if (typeof v !== 'string') return -1;
  const s = v.replace(/[\r\n]/g, '');
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  const pad = s.indexOf('=');
  if (bad >= 0 && (pad < 0 || bad < pad)) return bad;
  if (pad >= 0) {
    const tail = s.slice(pad);
    if (!/^={1,2}$/.test(tail) || s.length % 4 !== 0 || pad % 4 < 2) return pad;
    return -1;
  }
  return s.length % 4 === 0 ? -1 : s.length - (s.length % 4);
}
