// OpenAPI definitions for apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet,
// ControllerRevision) and the legacy extensions/v1beta1, apps/v1beta1 and apps/v1beta2 shapes.
// Descriptions are our own words. Pod templates are referenced by name (core.ts defines them).
import { define, definition, kindSchema, str, int32, int64, bool, obj, arr, ref, intOrString, time, type Schema } from '../../schema.js';
import { conditionList, defineListSchemas } from '../misc-helpers.js';

const TPL = 'io.k8s.api.core.v1.PodTemplateSpec';
const SEL = 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector';

if (!definition('io.k8s.apimachinery.pkg.runtime.RawExtension'))
  define('io.k8s.apimachinery.pkg.runtime.RawExtension', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'An embedded object of any kind, kept as JSON.' });

const condition = (what: string): Schema =>
  obj(
    {
      type: str(`Type of ${what} condition.`),
      status: str('True, False or Unknown.'),
      lastUpdateTime: time('When the condition was last updated.'),
      lastTransitionTime: time('When the condition last changed status.'),
      reason: str('One-word CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    `The state of a ${what} at a point in time.`,
    { required: ['type', 'status'] },
  );

// ---- Deployment ----
define('io.k8s.api.apps.v1.RollingUpdateDeployment', obj(
  {
    maxUnavailable: intOrString('How many pods (a number or a percentage of desired pods, rounded down) may be unavailable during the update. Defaults to 25%. Cannot be 0 when maxSurge is 0.'),
    maxSurge: intOrString('How many pods (a number or a percentage of desired pods, rounded up) may be created above the desired count during the update. Defaults to 25%. Cannot be 0 when maxUnavailable is 0.'),
  },
  'Parameters of a rolling update.',
));
define('io.k8s.api.apps.v1.DeploymentStrategy', obj(
  {
    type: str('"Recreate" or "RollingUpdate" (the default).', { enum: ['Recreate', 'RollingUpdate'] }),
    rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateDeployment', 'Rolling update parameters; only with type RollingUpdate.'),
  },
  'How old pods are replaced by new ones.',
));
const deploymentSpecProps: Record<string, Schema> = {
  replicas: int32('Desired number of pods. Defaults to 1.'),
  selector: ref(SEL, 'Label query over pods this deployment manages. Must match the template labels. Required and immutable in apps/v1.'),
  template: ref(TPL, 'The pods to create. Its restartPolicy may only be "Always".'),
  strategy: ref('io.k8s.api.apps.v1.DeploymentStrategy', 'How existing pods are replaced by new ones.'),
  minReadySeconds: int32('Seconds a new pod must be ready, with no container crashing, to count as available. Defaults to 0.'),
  revisionHistoryLimit: int32('How many old ReplicaSets to keep for rollback. Defaults to 10.'),
  paused: bool('Whether the deployment is paused (template changes start no rollout).'),
  progressDeadlineSeconds: int32('Seconds a rollout may make no progress before it is reported as failed (condition Progressing=False, reason ProgressDeadlineExceeded). Defaults to 600.'),
};
define('io.k8s.api.apps.v1.DeploymentSpec', obj(deploymentSpecProps, 'The desired state of a Deployment.', { required: ['selector', 'template'] }));
define('io.k8s.api.apps.v1.DeploymentCondition', condition('deployment'));
define('io.k8s.api.apps.v1.DeploymentStatus', obj(
  {
    observedGeneration: int64('The generation the controller last acted on.'),
    replicas: int32('Pods targeted by this deployment (their labels match the selector).'),
    updatedReplicas: int32('Pods with the current template.'),
    readyReplicas: int32('Pods with a Ready condition.'),
    availableReplicas: int32('Pods ready for at least minReadySeconds.'),
    unavailableReplicas: int32('Pods still needed for the deployment to be at full capacity.'),
    conditions: conditionList('io.k8s.api.apps.v1.DeploymentCondition', 'Observations of the deployment state.'),
    collisionCount: int32('Counter used to avoid name collisions when naming the newest ReplicaSet.'),
  },
  'The observed state of a Deployment.',
));
kindSchema('io.k8s.api.apps.v1.Deployment', [{ group: 'apps', version: 'v1', kind: 'Deployment' }], 'Declarative updates for pods and ReplicaSets.', {
  spec: ref('io.k8s.api.apps.v1.DeploymentSpec', 'Desired behaviour of the deployment.'),
  status: ref('io.k8s.api.apps.v1.DeploymentStatus', 'Most recently observed state. Read-only.'),
});

// ---- ReplicaSet ----
define('io.k8s.api.apps.v1.ReplicaSetSpec', obj(
  {
    replicas: int32('Desired number of pods. Defaults to 1.'),
    minReadySeconds: int32('Seconds a new pod must be ready to count as available. Defaults to 0.'),
    selector: ref(SEL, 'Label query over pods; must match the template labels. Required.'),
    template: ref(TPL, 'The pods created when too few exist.'),
  },
  'The desired state of a ReplicaSet.',
  { required: ['selector'] },
));
define('io.k8s.api.apps.v1.ReplicaSetCondition', obj(
  {
    type: str('Type of replica set condition.'),
    status: str('True, False or Unknown.'),
    lastTransitionTime: time('When the condition last changed status.'),
    reason: str('Reason for the last transition.'),
    message: str('Human-readable details.'),
  },
  'The state of a replica set at a point in time.',
  { required: ['type', 'status'] },
));
define('io.k8s.api.apps.v1.ReplicaSetStatus', obj(
  {
    replicas: int32('Most recently observed number of pods.'),
    fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
    readyReplicas: int32('Pods with a Ready condition.'),
    availableReplicas: int32('Pods ready for at least minReadySeconds.'),
    observedGeneration: int64('The generation the controller last acted on.'),
    conditions: conditionList('io.k8s.api.apps.v1.ReplicaSetCondition', 'Observations of the replica set state.'),
  },
  'The observed state of a ReplicaSet.',
  { required: ['replicas'] },
));
kindSchema('io.k8s.api.apps.v1.ReplicaSet', [{ group: 'apps', version: 'v1', kind: 'ReplicaSet' }], 'Keeps a given number of pod replicas running.', {
  spec: ref('io.k8s.api.apps.v1.ReplicaSetSpec', 'Desired behaviour of the replica set.'),
  status: ref('io.k8s.api.apps.v1.ReplicaSetStatus', 'Most recently observed state. Read-only.'),
});

// ---- StatefulSet ----
define('io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', obj(
  {
    partition: int32('Pods with an ordinal at or above this number are updated; lower ones keep the old revision. Defaults to 0.'),
    maxUnavailable: intOrString('How many pods may be unavailable during the update (alpha, MaxUnavailableStatefulSet).'),
  },
  'Parameters of a StatefulSet rolling update.',
));
define('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', obj(
  {
    type: str('"RollingUpdate" (the default) or "OnDelete".', { enum: ['OnDelete', 'RollingUpdate'] }),
    rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', 'Rolling update parameters; only with type RollingUpdate.'),
  },
  'How the controller replaces pods when the template changes.',
));
define('io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', obj(
  {
    whenDeleted: str('What happens to claims from volumeClaimTemplates when the StatefulSet is deleted: "Retain" (default) or "Delete".'),
    whenScaled: str('What happens to claims of pods removed by a scale-down: "Retain" (default) or "Delete".'),
  },
  'Lifecycle of the claims created from volumeClaimTemplates.',
));
define('io.k8s.api.apps.v1.StatefulSetOrdinals', obj({ start: int32('The first ordinal; pods are numbered start .. start+replicas-1. Defaults to 0.') }, 'How pods are numbered.'));
const statefulSetSpecProps: Record<string, Schema> = {
  replicas: int32('Desired number of pods. Defaults to 1.'),
  selector: ref(SEL, 'Label query over pods; must match the template labels. Required.'),
  template: ref(TPL, 'The pods to create; each gets a stable name <statefulset>-<ordinal>.'),
  volumeClaimTemplates: arr(ref('io.k8s.api.core.v1.PersistentVolumeClaim'), 'Claims each pod gets, named <template>-<statefulset>-<ordinal>, mounted where a container mounts a volume of the same name.', { listType: 'atomic' }),
  serviceName: str('The headless Service that gives pods their DNS names <pod>.<serviceName>.'),
  podManagementPolicy: str('"OrderedReady" (the default: one pod at a time, in order) or "Parallel".', { enum: ['OrderedReady', 'Parallel'] }),
  updateStrategy: ref('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', 'How pods are replaced when the template changes.'),
  revisionHistoryLimit: int32('How many ControllerRevisions to keep. Defaults to 10.'),
  minReadySeconds: int32('Seconds a new pod must be ready to count as available. Defaults to 0.'),
  persistentVolumeClaimRetentionPolicy: ref('io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', 'Whether claims are deleted with the StatefulSet or on scale-down.'),
  ordinals: ref('io.k8s.api.apps.v1.StatefulSetOrdinals', 'How replica indices are numbered.'),
};
define('io.k8s.api.apps.v1.StatefulSetSpec', obj(statefulSetSpecProps, 'The desired state of a StatefulSet.', { required: ['selector', 'template'] }));
define('io.k8s.api.apps.v1.StatefulSetCondition', obj(
  {
    type: str('Type of statefulset condition.'),
    status: str('True, False or Unknown.'),
    lastTransitionTime: time('When the condition last changed status.'),
    reason: str('Reason for the last transition.'),
    message: str('Human-readable details.'),
  },
  'The state of a statefulset at a point in time.',
  { required: ['type', 'status'] },
));
define('io.k8s.api.apps.v1.StatefulSetStatus', obj(
  {
    observedGeneration: int64('The generation the controller last acted on.'),
    replicas: int32('Pods created by the controller.'),
    readyReplicas: int32('Pods with a Ready condition.'),
    currentReplicas: int32('Pods at currentRevision.'),
    updatedReplicas: int32('Pods at updateRevision.'),
    currentRevision: str('The revision that produced pods 0 .. currentReplicas-1.'),
    updateRevision: str('The revision that produces pods during an update.'),
    collisionCount: int32('Counter used to avoid name collisions of ControllerRevisions.'),
    conditions: conditionList('io.k8s.api.apps.v1.StatefulSetCondition', 'Observations of the statefulset state.'),
    availableReplicas: int32('Pods ready for at least minReadySeconds.'),
  },
  'The observed state of a StatefulSet.',
  { required: ['replicas'] },
));
kindSchema('io.k8s.api.apps.v1.StatefulSet', [{ group: 'apps', version: 'v1', kind: 'StatefulSet' }], 'Pods with stable identities and storage, created and updated in order.', {
  spec: ref('io.k8s.api.apps.v1.StatefulSetSpec', 'Desired identities and behaviour.'),
  status: ref('io.k8s.api.apps.v1.StatefulSetStatus', 'Most recently observed state. Read-only.'),
});

// ---- DaemonSet ----
define('io.k8s.api.apps.v1.RollingUpdateDaemonSet', obj(
  {
    maxUnavailable: intOrString('How many nodes (a number or a percentage) may be without an available daemon pod during the update. Defaults to 1. Cannot be 0 when maxSurge is 0.'),
    maxSurge: intOrString('How many nodes may run an extra, updated pod next to the old one during the update. Defaults to 0.'),
  },
  'Parameters of a DaemonSet rolling update.',
));
define('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', obj(
  {
    type: str('"RollingUpdate" (the default) or "OnDelete".', { enum: ['OnDelete', 'RollingUpdate'] }),
    rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateDaemonSet', 'Rolling update parameters; only with type RollingUpdate.'),
  },
  'How daemon pods are replaced when the template changes.',
));
const daemonSetSpecProps: Record<string, Schema> = {
  selector: ref(SEL, 'Label query over pods; must match the template labels.'),
  template: ref(TPL, 'The pod to run on every eligible node. Its restartPolicy may only be "Always".'),
  updateStrategy: ref('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', 'How pods are replaced when the template changes.'),
  minReadySeconds: int32('Seconds a new pod must be ready to count as available. Defaults to 0.'),
  revisionHistoryLimit: int32('How many old ControllerRevisions to keep. Defaults to 10.'),
};
define('io.k8s.api.apps.v1.DaemonSetSpec', obj(daemonSetSpecProps, 'The desired state of a DaemonSet.', { required: ['selector', 'template'] }));
define('io.k8s.api.apps.v1.DaemonSetCondition', obj(
  {
    type: str('Type of DaemonSet condition.'),
    status: str('True, False or Unknown.'),
    lastTransitionTime: time('When the condition last changed status.'),
    reason: str('Reason for the last transition.'),
    message: str('Human-readable details.'),
  },
  'The state of a DaemonSet at a point in time.',
  { required: ['type', 'status'] },
));
define('io.k8s.api.apps.v1.DaemonSetStatus', obj(
  {
    currentNumberScheduled: int32('Nodes running at least one daemon pod that should run it.'),
    numberMisscheduled: int32('Nodes running a daemon pod that should not.'),
    desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
    numberReady: int32('Nodes whose daemon pod is ready.'),
    observedGeneration: int64('The generation the controller last acted on.'),
    updatedNumberScheduled: int32('Nodes running the updated daemon pod.'),
    numberAvailable: int32('Nodes whose daemon pod has been ready for minReadySeconds.'),
    numberUnavailable: int32('Nodes that should run the daemon pod and have none available.'),
    collisionCount: int32('Counter used to avoid name collisions of ControllerRevisions.'),
    conditions: conditionList('io.k8s.api.apps.v1.DaemonSetCondition', 'Observations of the DaemonSet state.'),
  },
  'The observed state of a DaemonSet.',
  { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] },
));
kindSchema('io.k8s.api.apps.v1.DaemonSet', [{ group: 'apps', version: 'v1', kind: 'DaemonSet' }], 'Runs one copy of a pod on every eligible node.', {
  spec: ref('io.k8s.api.apps.v1.DaemonSetSpec', 'Desired behaviour of the daemon set.'),
  status: ref('io.k8s.api.apps.v1.DaemonSetStatus', 'Most recently observed state. Read-only.'),
});

// ---- ControllerRevision ----
kindSchema('io.k8s.api.apps.v1.ControllerRevision', [{ group: 'apps', version: 'v1', kind: 'ControllerRevision' }], 'An immutable snapshot of a controller\'s state (StatefulSet and DaemonSet templates), used for updates and rollbacks.', {
  data: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The serialized state (a patch holding the template).'),
  revision: int64('The revision number of this state.'),
}, { required: ['revision'] });

// ---- lists ----
defineListSchemas('apps', 'v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']);

// ---- legacy versions ----
// Shapes identical to apps/v1 except for the fields below; the rest refers to the v1 definitions.
define('io.k8s.api.extensions.v1beta1.RollbackConfig', obj({ revision: int64('The revision to roll back to; 0 means the last one.') }, 'Deprecated: the rollback request of older API versions.'));
define('io.k8s.api.apps.v1beta1.RollbackConfig', obj({ revision: int64('The revision to roll back to; 0 means the last one.') }, 'Deprecated: the rollback request of older API versions.'));

type Legacy = { group: string; version: string; pkg: string };
function legacyKind(l: Legacy, kind: string, description: string, specProps: Record<string, Schema>, extraSpec: Record<string, Schema>): Schema {
  const specName = `io.k8s.api.${l.pkg}.${l.version}.${kind}Spec`;
  define(specName, obj({ ...specProps, ...extraSpec }, `The desired state of a ${kind} (${l.group}/${l.version}).`, { required: ['template'] }));
  const name = `io.k8s.api.${l.pkg}.${l.version}.${kind}`;
  kindSchema(name, [{ group: l.group, version: l.version, kind }], description, {
    spec: ref(specName, `Desired behaviour of the ${kind}.`),
    status: ref(`io.k8s.api.apps.v1.${kind}Status`, 'Most recently observed state. Read-only.'),
  });
  return { $ref: name };
}
const ext: Legacy = { group: 'extensions', version: 'v1beta1', pkg: 'extensions' };
const b1: Legacy = { group: 'apps', version: 'v1beta1', pkg: 'apps' };
const b2: Legacy = { group: 'apps', version: 'v1beta2', pkg: 'apps' };

export const legacySchemas = {
  extDeployment: legacyKind(ext, 'Deployment', 'Deprecated extensions/v1beta1 Deployment; stored as apps/v1.', deploymentSpecProps, { rollbackTo: ref('io.k8s.api.extensions.v1beta1.RollbackConfig', 'Deprecated and ignored.') }),
  extDaemonSet: legacyKind(ext, 'DaemonSet', 'Deprecated extensions/v1beta1 DaemonSet; stored as apps/v1.', daemonSetSpecProps, { templateGeneration: int64('Deprecated: the generation of the template, kept in the deprecated.daemonset.template.generation annotation.') }),
  extReplicaSet: legacyKind(ext, 'ReplicaSet', 'Deprecated extensions/v1beta1 ReplicaSet; stored as apps/v1.', (definition('io.k8s.api.apps.v1.ReplicaSetSpec') as Schema).properties!, {}),
  b1Deployment: legacyKind(b1, 'Deployment', 'Deprecated apps/v1beta1 Deployment; stored as apps/v1.', deploymentSpecProps, { rollbackTo: ref('io.k8s.api.apps.v1beta1.RollbackConfig', 'Deprecated and ignored.') }),
  b1StatefulSet: legacyKind(b1, 'StatefulSet', 'Deprecated apps/v1beta1 StatefulSet; stored as apps/v1.', statefulSetSpecProps, {}),
  b2Deployment: legacyKind(b2, 'Deployment', 'Deprecated apps/v1beta2 Deployment; stored as apps/v1.', deploymentSpecProps, {}),
  b2StatefulSet: legacyKind(b2, 'StatefulSet', 'Deprecated apps/v1beta2 StatefulSet; stored as apps/v1.', statefulSetSpecProps, {}),
  b2DaemonSet: legacyKind(b2, 'DaemonSet', 'Deprecated apps/v1beta2 DaemonSet; stored as apps/v1.', daemonSetSpecProps, {}),
  b2ReplicaSet: legacyKind(b2, 'ReplicaSet', 'Deprecated apps/v1beta2 ReplicaSet; stored as apps/v1.', (definition('io.k8s.api.apps.v1.ReplicaSetSpec') as Schema).properties!, {}),
};

