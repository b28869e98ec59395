// autoscaling HorizontalPodAutoscaler (stored as autoscaling/v2, also served as autoscaling/v1)
// and policy PodDisruptionBudget (policy/v1, with the legacy policy/v1beta1).
import { define, definition, kindSchema, str, int32, int64, obj, arr, ref, time, quantity, mapOf, intOrString, type Schema } from '../../schema.js';
import type { ResourceDescriptor, TableDef } from '../../descriptor.js';
import type { KubeObject } from '../../types.js';
import { type FieldError, invalid, required, notSupported, forbiddenField } from '../../errors.js';
import { nameColumn, ageColumn, age, col } from '../../table.js';
import { isValidPathSegmentName } from '../../validation.js';
import { goValue, goStruct, validateLabelSelector, validatePositiveIntOrPercent, isNotMoreThan100Percent, clone, jsonEqual, specOf, isSet, num } from './common.js';

const V2 = 'io.k8s.api.autoscaling.v2';
const V1 = 'io.k8s.api.autoscaling.v1';

// ---- HPA schemas ----
define(`${V2}.CrossVersionObjectReference`, obj(
  { kind: str('Kind of the referent, e.g. Deployment.'), name: str('Name of the referent.'), apiVersion: str('API version of the referent.') },
  'Identifies the scaled object.',
  { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
));
define(`${V2}.MetricIdentifier`, obj({ name: str('Name of the metric.'), selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', 'Narrows the metric by label.') }, 'Names a metric.', { required: ['name'] }));
define(`${V2}.MetricTarget`, obj(
  {
    type: str('"Utilization", "Value" or "AverageValue".'),
    value: quantity('Target value of the metric.'),
    averageValue: quantity('Target value of the metric averaged over the pods.'),
    averageUtilization: int32('Target percentage of the resource request, averaged over the pods (Resource metrics only).'),
  },
  'The target value of a metric.',
  { required: ['type'] },
));
define(`${V2}.MetricValueStatus`, obj(
  { value: quantity('Current value.'), averageValue: quantity('Current value averaged over the pods.'), averageUtilization: int32('Current percentage of the resource request, averaged over the pods.') },
  'The current value of a metric.',
));
const src = (name: string, props: Record<string, Schema>, d: string, req: string[]) => define(`${V2}.${name}`, obj(props, d, { required: req }));
src('ResourceMetricSource', { name: str('Resource name (cpu, memory).'), target: ref(`${V2}.MetricTarget`, 'Target value.') }, 'A per-pod resource metric such as CPU, as reported by the metrics API.', ['name', 'target']);
src('ContainerResourceMetricSource', { name: str('Resource name.'), target: ref(`${V2}.MetricTarget`, 'Target value.'), container: str('Container whose usage is measured.') }, 'A resource metric of one container in each pod.', ['name', 'target', 'container']);
src('PodsMetricSource', { metric: ref(`${V2}.MetricIdentifier`, 'The metric.'), target: ref(`${V2}.MetricTarget`, 'Target value.') }, 'A custom metric averaged over the pods.', ['metric', 'target']);
src('ObjectMetricSource', { describedObject: ref(`${V2}.CrossVersionObjectReference`, 'The object the metric describes.'), target: ref(`${V2}.MetricTarget`, 'Target value.'), metric: ref(`${V2}.MetricIdentifier`, 'The metric.') }, 'A metric describing a single object.', ['describedObject', 'target', 'metric']);
src('ExternalMetricSource', { metric: ref(`${V2}.MetricIdentifier`, 'The metric.'), target: ref(`${V2}.MetricTarget`, 'Target value.') }, 'A metric not tied to any cluster object.', ['metric', 'target']);
define(`${V2}.MetricSpec`, obj(
  {
    type: str('"ContainerResource", "External", "Object", "Pods" or "Resource".'),
    object: ref(`${V2}.ObjectMetricSource`, 'Object metric.'),
    pods: ref(`${V2}.PodsMetricSource`, 'Pods metric.'),
    resource: ref(`${V2}.ResourceMetricSource`, 'Resource metric.'),
    containerResource: ref(`${V2}.ContainerResourceMetricSource`, 'Container resource metric.'),
    external: ref(`${V2}.ExternalMetricSource`, 'External metric.'),
  },
  'One metric to scale on; set the field named by type.',
  { required: ['type'] },
));
src('ResourceMetricStatus', { name: str('Resource name.'), current: ref(`${V2}.MetricValueStatus`, 'Current value.') }, 'Current value of a resource metric.', ['name', 'current']);
src('ContainerResourceMetricStatus', { name: str('Resource name.'), current: ref(`${V2}.MetricValueStatus`, 'Current value.'), container: str('Container name.') }, 'Current value of a container resource metric.', ['name', 'current', 'container']);
src('PodsMetricStatus', { metric: ref(`${V2}.MetricIdentifier`, 'The metric.'), current: ref(`${V2}.MetricValueStatus`, 'Current value.') }, 'Current value of a pods metric.', ['metric', 'current']);
src('ObjectMetricStatus', { metric: ref(`${V2}.MetricIdentifier`, 'The metric.'), current: ref(`${V2}.MetricValueStatus`, 'Current value.'), describedObject: ref(`${V2}.CrossVersionObjectReference`, 'The object.') }, 'Current value of an object metric.', ['metric', 'current', 'describedObject']);
src('ExternalMetricStatus', { metric: ref(`${V2}.MetricIdentifier`, 'The metric.'), current: ref(`${V2}.MetricValueStatus`, 'Current value.') }, 'Current value of an external metric.', ['metric', 'current']);
define(`${V2}.MetricStatus`, obj(
  {
    type: str('Metric source type.'),
    object: ref(`${V2}.ObjectMetricStatus`, 'Object metric.'),
    pods: ref(`${V2}.PodsMetricStatus`, 'Pods metric.'),
    resource: ref(`${V2}.ResourceMetricStatus`, 'Resource metric.'),
    containerResource: ref(`${V2}.ContainerResourceMetricStatus`, 'Container resource metric.'),
    external: ref(`${V2}.ExternalMetricStatus`, 'External metric.'),
  },
  'The last read value of one metric.',
  { required: ['type'] },
));
define(`${V2}.HPAScalingPolicy`, obj(
  { type: str('"Pods" or "Percent".'), value: int32('Amount of change allowed; must be greater than 0.'), periodSeconds: int32('Window the policy applies over, 1 to 1800 seconds.') },
  'One limit on how fast the replica count may change.',
  { required: ['type', 'value', 'periodSeconds'] },
));
define(`${V2}.HPAScalingRules`, obj(
  {
    stabilizationWindowSeconds: int32('Seconds of past recommendations considered, 0 to 3600.'),
    selectPolicy: str('"Max" (default), "Min" or "Disabled": which policy wins.'),
    policies: arr(ref(`${V2}.HPAScalingPolicy`), 'Allowed changes; at least one.', { listType: 'atomic' }),
    tolerance: quantity('Relative difference tolerated before scaling (alpha).'),
  },
  'Scaling behaviour in one direction.',
));
define(`${V2}.HorizontalPodAutoscalerBehavior`, obj(
  { scaleUp: ref(`${V2}.HPAScalingRules`, 'Rules for scaling up.'), scaleDown: ref(`${V2}.HPAScalingRules`, 'Rules for scaling down.') },
  'How fast the autoscaler scales up and down.',
));
define(`${V2}.HorizontalPodAutoscalerSpec`, obj(
  {
    scaleTargetRef: ref(`${V2}.CrossVersionObjectReference`, 'The object to scale; it must have a scale subresource.'),
    minReplicas: int32('Lower replica limit. Defaults to 1.'),
    maxReplicas: int32('Upper replica limit; cannot be lower than minReplicas.'),
    metrics: arr(ref(`${V2}.MetricSpec`), 'Metrics used to compute the desired replica count; the largest wins. Defaults to 80% CPU utilization.', { listType: 'atomic' }),
    behavior: ref(`${V2}.HorizontalPodAutoscalerBehavior`, 'Scaling behaviour in each direction.'),
  },
  'The desired behaviour of a HorizontalPodAutoscaler.',
  { required: ['scaleTargetRef', 'maxReplicas'] },
));
define(`${V2}.HorizontalPodAutoscalerCondition`, obj(
  { type: str('AbleToScale, ScalingActive or ScalingLimited.'), status: str('True, False or Unknown.'), lastTransitionTime: time('When the condition last changed.'), reason: str('Reason for the last transition.'), message: str('Human-readable details.') },
  'The state of an autoscaler at a point in time.',
  { required: ['type', 'status'] },
));
define(`${V2}.HorizontalPodAutoscalerStatus`, obj(
  {
    observedGeneration: int64('The generation the autoscaler last acted on.'),
    lastScaleTime: time('When the replica count last changed.'),
    currentReplicas: int32('Current number of replicas.'),
    desiredReplicas: int32('Desired number of replicas.'),
    currentMetrics: arr(ref(`${V2}.MetricStatus`), 'Last read values of the metrics.', { listType: 'atomic' }),
    conditions: arr(ref(`${V2}.HorizontalPodAutoscalerCondition`), 'Observations of the autoscaler state.', { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' }),
  },
  'The observed state of a HorizontalPodAutoscaler.',
  { required: ['desiredReplicas'] },
));
kindSchema(`${V2}.HorizontalPodAutoscaler`, [{ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }], 'Scales a workload\'s replica count to keep metrics near their targets.', {
  spec: ref(`${V2}.HorizontalPodAutoscalerSpec`, 'Desired behaviour.'),
  status: ref(`${V2}.HorizontalPodAutoscalerStatus`, 'Most recently observed state. Read-only.'),
});
define(`${V1}.CrossVersionObjectReference`, obj(
  { kind: str('Kind of the referent.'), name: str('Name of the referent.'), apiVersion: str('API version of the referent.') },
  'Identifies the scaled object.',
  { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
));
define(`${V1}.HorizontalPodAutoscalerSpec`, obj(
  {
    scaleTargetRef: ref(`${V1}.CrossVersionObjectReference`, 'The object to scale.'),
    minReplicas: int32('Lower replica limit. Defaults to 1.'),
    maxReplicas: int32('Upper replica limit.'),
    targetCPUUtilizationPercentage: int32('Target average CPU utilization, as a percentage of the requested CPU. Defaults to 80.'),
  },
  'The desired behaviour of a HorizontalPodAutoscaler (autoscaling/v1).',
  { required: ['scaleTargetRef', 'maxReplicas'] },
));
define(`${V1}.HorizontalPodAutoscalerStatus`, obj(
  {
    observedGeneration: int64('The generation the autoscaler last acted on.'),
    lastScaleTime: time('When the replica count last changed.'),
    currentReplicas: int32('Current number of replicas.'),
    desiredReplicas: int32('Desired number of replicas.'),
    currentCPUUtilizationPercentage: int32('Current average CPU utilization as a percentage of the requested CPU.'),
  },
  'The observed state of a HorizontalPodAutoscaler (autoscaling/v1).',
  { required: ['currentReplicas', 'desiredReplicas'] },
));
const hpaV1Schema = kindSchema(`${V1}.HorizontalPodAutoscaler`, [{ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }], 'Scales a workload\'s replica count on CPU utilization.', {
  spec: ref(`${V1}.HorizontalPodAutoscalerSpec`, 'Desired behaviour.'),
  status: ref(`${V1}.HorizontalPodAutoscalerStatus`, 'Most recently observed state. Read-only.'),
});
if (!definition(`${V1}.Scale`)) {
  define(`${V1}.ScaleSpec`, obj({ replicas: int32('Desired number of replicas.') }, 'Desired scale.'));
  define(`${V1}.ScaleStatus`, obj({ replicas: int32('Actual number of replicas.'), selector: str('Label query over the pods, in string form.') }, 'Current scale.', { required: ['replicas'] }));
  kindSchema(`${V1}.Scale`, [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }], 'The scale subresource of a workload.', {
    spec: ref(`${V1}.ScaleSpec`, 'Desired scale.'),
    status: ref(`${V1}.ScaleStatus`, 'Current scale. Read-only.'),
  });
}

// ---- HPA defaults, conversion, validation ----
const cpuMetric = (pct: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pct } } });
const scaleUpDefaults = () => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
const scaleDownDefaults = () => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
function fillRules(rules: any, defaults: any) {
  if (!rules) return defaults;
  const out = { ...rules };
  if (!isSet(out.stabilizationWindowSeconds) && isSet(defaults.stabilizationWindowSeconds)) out.stabilizationWindowSeconds = defaults.stabilizationWindowSeconds;
  if (!isSet(out.selectPolicy)) out.selectPolicy = defaults.selectPolicy;
  if (!Array.isArray(out.policies) || out.policies.length === 0) out.policies = defaults.policies;
  return out;
}
/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
export function defaultHPAV2(obj: KubeObject): void {
  const spec = specOf(obj);
  if (!isSet(spec.minReplicas)) spec.minReplicas = 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) spec.metrics = [cpuMetric(80)];
  if (spec.behavior && typeof spec.behavior === 'object') {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

const ANN_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const ANN_CURRENT = 'autoscaling.alpha.kubernetes.io/current-metrics';
const ANN_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const ANN_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization' && isSet(m.resource?.target?.averageUtilization);

/** autoscaling/v1 → v2: targetCPUUtilizationPercentage becomes a cpu Utilization metric; the annotations v2→v1 left behind are restored. */
export function hpaV1ToV2(o: KubeObject): KubeObject {
  const out = clone(o);
  out.apiVersion = 'autoscaling/v2';
  const spec = out.spec ?? (out.spec = {});
  const ann: Record<string, string> = { ...(out.metadata.annotations ?? {}) };
  const metrics: any[] = [];
  const take = (k: string) => {
    const v = ann[k];
    delete ann[k];
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  };
  const other = take(ANN_METRICS);
  if (isSet(spec.targetCPUUtilizationPercentage)) metrics.push(cpuMetric(spec.targetCPUUtilizationPercentage));
  if (Array.isArray(other)) metrics.push(...other);
  delete spec.targetCPUUtilizationPercentage;
  if (metrics.length) spec.metrics = metrics;
  const behavior = take(ANN_BEHAVIOR);
  if (behavior && typeof behavior === 'object') spec.behavior = behavior;
  const current = take(ANN_CURRENT);
  const conditions = take(ANN_CONDITIONS);
  if (out.status) {
    const st = out.status;
    const cur: any[] = [];
    if (isSet(st.currentCPUUtilizationPercentage)) cur.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } });
    if (Array.isArray(current)) cur.push(...current);
    delete st.currentCPUUtilizationPercentage;
    if (cur.length) st.currentMetrics = cur;
    if (Array.isArray(conditions)) st.conditions = conditions;
  }
  if (Object.keys(ann).length) out.metadata.annotations = ann;
  else delete out.metadata.annotations;
  return out;
}
/** autoscaling/v2 → v1: the cpu Utilization metric becomes targetCPUUtilizationPercentage; other metrics, behavior and conditions go to annotations. */
export function hpaV2ToV1(o: KubeObject): KubeObject {
  const out = clone(o);
  out.apiVersion = 'autoscaling/v1';
  const spec = out.spec ?? (out.spec = {});
  const ann: Record<string, string> = { ...(out.metadata.annotations ?? {}) };
  const metrics: any[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  if (others.length) ann[ANN_METRICS] = JSON.stringify(others);
  delete spec.metrics;
  if (spec.behavior) ann[ANN_BEHAVIOR] = JSON.stringify(spec.behavior);
  delete spec.behavior;
  const st = out.status ?? (out.status = {});
  const cur: any[] = Array.isArray(st.currentMetrics) ? st.currentMetrics : [];
  const cpuCur = cur.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu' && isSet(m.resource?.current?.averageUtilization));
  if (cpuCur) st.currentCPUUtilizationPercentage = cpuCur.resource.current.averageUtilization;
  const otherCur = cur.filter((m) => m !== cpuCur);
  if (otherCur.length) ann[ANN_CURRENT] = JSON.stringify(otherCur);
  delete st.currentMetrics;
  if (Array.isArray(st.conditions) && st.conditions.length) ann[ANN_CONDITIONS] = JSON.stringify(st.conditions);
  delete st.conditions;
  if (!isSet(st.currentReplicas)) st.currentReplicas = 0;
  if (!isSet(st.desiredReplicas)) st.desiredReplicas = 0;
  if (Object.keys(ann).length) out.metadata.annotations = ann;
  else delete out.metadata.annotations;
  return out;
}

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'];
function quantitySign(q: unknown): number {
  const n = parseFloat(String(q));
  return Number.isNaN(n) ? 0 : Math.sign(n);
}
function validateMetricTarget(t: any, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!t?.type) errs.push(required(`${p}.type`, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(t?.type)) errs.push(invalid(`${p}.type`, t?.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  if (isSet(t?.value) && quantitySign(t.value) !== 1) errs.push(invalid(`${p}.value`, goValue(String(t.value)), 'must be positive'));
  if (isSet(t?.averageValue) && quantitySign(t.averageValue) !== 1) errs.push(invalid(`${p}.averageValue`, goValue(String(t.averageValue)), 'must be positive'));
  if (isSet(t?.averageUtilization) && t.averageUtilization < 1) errs.push(invalid(`${p}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  return errs;
}
function validateMetricSpec(m: any, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m?.type) errs.push(required(`${p}.type`, 'must specify a metric source type'));
  if (!METRIC_TYPES.includes(m?.type)) errs.push(notSupported(`${p}.type`, m?.type ?? '', METRIC_TYPES));
  const present = ['object', 'pods', 'resource', 'external', 'containerResource'].filter((k) => isSet(m?.[k]));
  const first = present[0];
  if (first === 'resource' || first === 'containerResource') {
    const r = m[first];
    const rp = `${p}.${first}`;
    if (!r.name) errs.push(required(`${rp}.name`, 'must specify a resource name'));
    if (first === 'containerResource' && !r.container) errs.push(required(`${rp}.container`, 'must specify a container'));
    errs.push(...validateMetricTarget(r.target, `${rp}.target`));
    if (!isSet(r.target?.averageUtilization) && !isSet(r.target?.averageValue)) errs.push(required(`${rp}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
    if (isSet(r.target?.averageUtilization) && isSet(r.target?.averageValue)) errs.push(forbiddenField(`${rp}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
  } else if (first) {
    const s = m[first];
    const sp = `${p}.${first}`;
    if (!s.metric?.name) errs.push(required(`${sp}.metric.name`, 'must specify a metric name'));
    errs.push(...validateMetricTarget(s.target, `${sp}.target`));
  }
  const expected = ({ Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' } as Record<string, string>)[m?.type];
  if (expected && !isSet(m?.[expected])) errs.push(required(`${p}.${expected}`, 'must populate information for the given metric source'));
  if (present.length !== 1) for (const k of present) if (k !== expected) errs.push(forbiddenField(`${p}.${k}`, 'must populate the given metric source only'));
  return errs;
}
function validateScalingRules(r: any, p: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const w: number = r.stabilizationWindowSeconds;
  if (isSet(w) && w < 0) errs.push(invalid(`${p}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (isSet(w) && w > 3600) errs.push(invalid(`${p}.stabilizationWindowSeconds`, w, 'must be less than or equal to 3600'));
  if (isSet(r.selectPolicy) && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) errs.push(notSupported(`${p}.selectPolicy`, r.selectPolicy, ['Max', 'Min', 'Disabled']));
  const pols: any[] = Array.isArray(r.policies) ? r.policies : [];
  if (pols.length === 0) errs.push(required(`${p}.policies`, 'must specify at least one Policy'));
  pols.forEach((pol, i) => {
    const pp = `${p}.policies[${i}]`;
    if (pol?.type !== 'Pods' && pol?.type !== 'Percent') errs.push(notSupported(`${pp}.type`, pol?.type ?? '', ['Percent', 'Pods']));
    if (num(pol?.value) <= 0) errs.push(invalid(`${pp}.value`, num(pol?.value), 'must be greater than zero'));
    if (num(pol?.periodSeconds) <= 0) errs.push(invalid(`${pp}.periodSeconds`, num(pol?.periodSeconds), 'must be greater than zero'));
    if (num(pol?.periodSeconds) > 1800) errs.push(invalid(`${pp}.periodSeconds`, num(pol?.periodSeconds), 'must be less than or equal to 1800'));
  });
  return errs;
}
export function validateHPASpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (isSet(spec.minReplicas) && spec.minReplicas < 1) errs.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (num(spec.maxReplicas) < 1) errs.push(invalid('spec.maxReplicas', num(spec.maxReplicas), 'must be greater than 0'));
  if (isSet(spec.minReplicas) && num(spec.maxReplicas) < spec.minReplicas) errs.push(invalid('spec.maxReplicas', num(spec.maxReplicas), 'must be greater than or equal to `minReplicas`'));
  const ref = spec.scaleTargetRef ?? {};
  for (const f of ['kind', 'name']) {
    if (!ref[f]) errs.push(required(`spec.scaleTargetRef.${f}`));
    else for (const m of isValidPathSegmentName(String(ref[f]))) errs.push(invalid(`spec.scaleTargetRef.${f}`, ref[f], m));
  }
  ((spec.metrics ?? []) as any[]).forEach((m, i) => errs.push(...validateMetricSpec(m, `spec.metrics[${i}]`)));
  if (spec.behavior) {
    errs.push(...validateScalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateScalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

/** The TARGETS cell (formatHPAMetrics). */
export function hpaTargets(o: KubeObject): string {
  const specs: any[] = o.spec?.metrics ?? [];
  const statuses: any[] = o.status?.currentMetrics ?? [];
  if (!specs.length) return '<none>';
  const list: string[] = [];
  specs.forEach((s, i) => {
    const st = statuses[i];
    switch (s?.type) {
      case 'External':
      case 'Object': {
        const k = s.type === 'External' ? 'external' : 'object';
        const t = s[k]?.target ?? {};
        if (isSet(t.averageValue)) list.push(`${st?.[k]?.current?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`);
        else list.push(`${st?.[k] ? st[k].current?.value ?? '0' : '<unknown>'}/${t.value ?? '0'}`);
        break;
      }
      case 'Pods':
        list.push(`${st?.pods ? st.pods.current?.averageValue ?? '0' : '<unknown>'}/${s.pods?.target?.averageValue ?? '0'}`);
        break;
      case 'Resource':
      case 'ContainerResource': {
        const k = s.type === 'Resource' ? 'resource' : 'containerResource';
        const r = s[k] ?? {};
        if (isSet(r.target?.averageValue)) list.push(`${r.name}: ${st?.[k] ? st[k].current?.averageValue ?? '0' : '<unknown>'}/${r.target.averageValue}`);
        else {
          const cur = isSet(st?.[k]?.current?.averageUtilization) ? `${st[k].current.averageUtilization}%` : '<unknown>';
          const target = isSet(r.target?.averageUtilization) ? `${r.target.averageUtilization}%` : '<auto>';
          list.push(`${r.name}: ${cur}/${target}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

const hpaTable: TableDef = {
  columns: [
    nameColumn,
    col('Reference', 'The target object the autoscaler scales.'),
    col('Targets', 'Current and target values of the metrics.'),
    col('MinPods', 'Lower limit for the number of pods.'),
    col('MaxPods', 'Upper limit for the number of pods.', 'integer'),
    col('Replicas', 'Current number of replicas.', 'integer'),
    ageColumn,
  ],
  row: (o, now) => [
    o.metadata.name,
    `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`,
    hpaTargets(o),
    isSet(o.spec?.minReplicas) ? String(o.spec.minReplicas) : '<unset>',
    num(o.spec?.maxReplicas),
    num(o.status?.currentReplicas),
    age(o.metadata.creationTimestamp, now),
  ],
};

export const horizontalPodAutoscaler: ResourceDescriptor = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v2',
  schema: { $ref: `${V2}.HorizontalPodAutoscaler` },
  subresources: { status: true },
  defaults: (obj) => defaultHPAV2(obj),
  validate: (obj, ctx) => (ctx.subresource === 'status' ? [] : validateHPASpec(obj)),
  prepareCreate: (obj) => {
    obj.status = { currentMetrics: null, desiredReplicas: 0 };
  },
  table: hpaTable,
  versions: [
    { version: 'v2' },
    {
      version: 'v1',
      schema: hpaV1Schema,
      defaults: (o) => {
        const spec = specOf(o);
        if (!isSet(spec.minReplicas)) spec.minReplicas = 1;
      },
      toStorage: hpaV1ToV2,
      fromStorage: hpaV2ToV1,
    },
  ],
};

// ---- PodDisruptionBudget ----
const P1 = 'io.k8s.api.policy.v1';
const pdbSpecProps: Record<string, Schema> = {
  minAvailable: intOrString('Pods (a number or a percentage) that must stay available after an eviction.'),
  selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', 'Label query over the pods the budget covers. An empty selector selects every pod in the namespace.'),
  maxUnavailable: intOrString('Pods (a number or a percentage) that may be unavailable after an eviction. Mutually exclusive with minAvailable.'),
  unhealthyPodEvictionPolicy: str('When running but not yet healthy pods may be evicted: "IfHealthyBudget" (default behaviour) or "AlwaysAllow".'),
};
define(`${P1}.PodDisruptionBudgetSpec`, obj(pdbSpecProps, 'The desired disruption budget.'));
define(`${P1}.PodDisruptionBudgetStatus`, obj(
  {
    observedGeneration: int64('The generation the controller last acted on.'),
    disruptedPods: mapOf(time(), 'Pods whose eviction was allowed but not yet observed, with the time of the eviction.'),
    disruptionsAllowed: int32('Evictions currently allowed.'),
    currentHealthy: int32('Healthy pods now.'),
    desiredHealthy: int32('Minimum healthy pods wanted.'),
    expectedPods: int32('Pods counted by the budget.'),
    conditions: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition'), 'Observations; DisruptionAllowed tells whether evictions are possible.', { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' }),
  },
  'The observed state of a PodDisruptionBudget.',
  { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] },
));
kindSchema(`${P1}.PodDisruptionBudget`, [{ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }], 'Limits how many pods of a collection may be down at once through voluntary disruptions (evictions).', {
  spec: ref(`${P1}.PodDisruptionBudgetSpec`, 'The desired budget.'),
  status: ref(`${P1}.PodDisruptionBudgetStatus`, 'Most recently observed state. Read-only.'),
});
define('io.k8s.api.policy.v1beta1.PodDisruptionBudgetSpec', obj(pdbSpecProps, 'The desired disruption budget (policy/v1beta1: an empty selector selects no pods).'));
const pdbV1beta1Schema = kindSchema('io.k8s.api.policy.v1beta1.PodDisruptionBudget', [{ group: 'policy', version: 'v1beta1', kind: 'PodDisruptionBudget' }], 'Deprecated policy/v1beta1 PodDisruptionBudget; stored as policy/v1.', {
  spec: ref('io.k8s.api.policy.v1beta1.PodDisruptionBudgetSpec', 'The desired budget.'),
  status: ref(`${P1}.PodDisruptionBudgetStatus`, 'Most recently observed state. Read-only.'),
});

const EMPTY_SELECTOR_KEY = 'pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match';
const matchNoneV1 = () => ({ matchExpressions: [{ key: EMPTY_SELECTOR_KEY, operator: 'Exists' }] });
const matchAllV1beta1 = () => ({ matchExpressions: [{ key: EMPTY_SELECTOR_KEY, operator: 'DoesNotExist' }] });
/** policy/v1beta1 → v1: an empty selector selected nothing in v1beta1; in v1 it selects everything. */
export function pdbV1beta1ToV1(o: KubeObject): KubeObject {
  const out = clone(o);
  out.apiVersion = 'policy/v1';
  const sel = out.spec?.selector;
  if (sel && jsonEqual(sel, {})) out.spec.selector = matchNoneV1();
  else if (sel && jsonEqual(sel, matchAllV1beta1())) out.spec.selector = {};
  return out;
}
export function pdbV1ToV1beta1(o: KubeObject): KubeObject {
  const out = clone(o);
  const sel = out.spec?.selector;
  if (sel && jsonEqual(sel, matchNoneV1())) out.spec.selector = {};
  else if (sel && jsonEqual(sel, {})) out.spec.selector = matchAllV1beta1();
  return out;
}

export function validatePDBSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    const ptr = (v: unknown) => (isSet(v) ? '(*intstr.IntOrString)(0xc000000000)' : '(*intstr.IntOrString)(nil)');
    errs.push(invalid('spec', goValue(goStruct('policy.PodDisruptionBudgetSpec', [['MinAvailable', ptr(spec.minAvailable)], ['Selector', isSet(spec.selector) ? '(*v1.LabelSelector)(0xc000000000)' : '(*v1.LabelSelector)(nil)'], ['MaxUnavailable', ptr(spec.maxUnavailable)], ['UnhealthyPodEvictionPolicy', isSet(spec.unhealthyPodEvictionPolicy) ? '(*policy.UnhealthyPodEvictionPolicyType)(0xc000000000)' : '(*policy.UnhealthyPodEvictionPolicyType)(nil)']])), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!isSet(spec[f])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    errs.push(...isNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (isSet(spec.unhealthyPodEvictionPolicy) && !['AlwaysAllow', 'IfHealthyBudget'].includes(spec.unhealthyPodEvictionPolicy))
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
  return errs;
}
function validatePDBStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) if (num(st[f]) < 0) errs.push(invalid(`status.${f}`, num(st[f]), 'must be greater than or equal to 0'));
  return errs;
}
const intOrStrCell = (v: unknown) => (isSet(v) ? String(v) : 'N/A');
const pdbTable: TableDef = {
  columns: [
    nameColumn,
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 'integer'),
    ageColumn,
  ],
  row: (o, now) => [o.metadata.name, intOrStrCell(o.spec?.minAvailable), intOrStrCell(o.spec?.maxUnavailable), num(o.status?.disruptionsAllowed), age(o.metadata.creationTimestamp, now)],
};
export const podDisruptionBudget: ResourceDescriptor = {
  group: 'policy',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  shortNames: ['pdb'],
  namespaced: true,
  storageVersion: 'v1',
  schema: { $ref: `${P1}.PodDisruptionBudget` },
  subresources: { status: true },
  hasGeneration: true,
  validate: (obj, ctx) => (ctx.subresource === 'status' ? validatePDBStatus(obj.status) : validatePDBSpec(obj)),
  prepareCreate: (obj) => {
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  table: pdbTable,
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta1',
      deprecationWarning: 'policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget',
      schema: pdbV1beta1Schema,
      toStorage: pdbV1beta1ToV1,
      fromStorage: pdbV1ToV1beta1,
    },
  ],
};

