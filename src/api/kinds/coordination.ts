// coordination.k8s.io: Lease (leader election and node heartbeats).
import { define, str, int32, obj, ref, kindSchema, microTime } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, forbiddenField, notSupported } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObj, isSet, nameColumn, col, ageColumn, age } from './misc-helpers.js';

const C = 'io.k8s.api.coordination.v1';

define(`${C}.LeaseSpec`, obj({
  holderIdentity: str('Identity of the current holder of the lease.'),
  leaseDurationSeconds: int32('How long candidates wait after the last renewal before taking the lease over.'),
  acquireTime: microTime('When the current holder acquired the lease.'),
  renewTime: microTime('When the current holder last renewed the lease.'),
  leaseTransitions: int32('How many times the lease has changed holders.'),
  strategy: str('How a coordinated leader election picks the holder (OldestEmulationVersion). Used with preferredHolder.'),
  preferredHolder: str('The holder a coordinated leader election wants; the current holder should release the lease for it.'),
}, 'Desired state of a lease.'));

const leaseV1 = kindSchema(`${C}.Lease`, [{ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }], 'A lease: a named lock with a holder and a renewal time, used for leader election and node heartbeats.', {
  spec: ref(`${C}.LeaseSpec`, 'Desired state of the lease.'),
});

export function validateLeaseSpec(spec: any, f = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec)) return errs;
  if (isSet(spec.leaseDurationSeconds) && spec.leaseDurationSeconds <= 0) errs.push(invalid(`${f}.leaseDurationSeconds`, spec.leaseDurationSeconds, 'must be greater than 0'));
  if (isSet(spec.leaseTransitions) && spec.leaseTransitions < 0) errs.push(invalid(`${f}.leaseTransitions`, spec.leaseTransitions, 'must be greater than or equal to 0'));
  if (isSet(spec.strategy) && spec.strategy !== 'OldestEmulationVersion') errs.push(notSupported(`${f}.strategy`, spec.strategy, ['OldestEmulationVersion']));
  if (spec.preferredHolder && !spec.strategy) errs.push(forbiddenField(`${f}.preferredHolder`, 'may only be specified if `strategy` is defined'));
  return errs;
}

export const lease: ResourceDescriptor = {
  group: 'coordination.k8s.io',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: leaseV1,
  validate: (o: KubeObject) => validateLeaseSpec(o.spec),
  validateUpdate: (o: KubeObject) => validateLeaseSpec(o.spec),
  table: {
    columns: [nameColumn, col('Holder', 'Identity of the current holder.'), ageColumn],
    row: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o.metadata.creationTimestamp, now)],
  },
};

export const descriptors: ResourceDescriptor[] = [lease];
