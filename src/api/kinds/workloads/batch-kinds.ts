// batch/v1 Job and CronJob (with the legacy batch/v1beta1 CronJob): schemas, Kubernetes'
// defaults, selector generation, validation and tables.
import { define, kindSchema, str, int32, int64, bool, obj, arr, ref, time, setList, type Schema } from '../../schema.js';
import type { ResourceDescriptor, TableDef, RequestContext } from '../../descriptor.js';
import type { KubeObject } from '../../types.js';
import { type FieldError, invalid, required, notSupported, immutable, tooLong } from '../../errors.js';
import { nameColumn, ageColumn, age, col, wideCol, humanDuration } from '../../table.js';
import { isDNS1123Label, isQualifiedName, isDNS1123Subdomain } from '../../validation.js';
import {
  goValue, goStringMap, goLabelSelector, selectorRequirements, selectorMatches, validateLabelSelector, nonNegative,
  defaultPodTemplate, validatePodTemplate, containersCell, imagesCell, formatLabelSelector, clone, jsonEqual, specOf, isSet, num,
} from './common.js';
import { cronScheduleError, loadLocationError } from './cron.js';
import { defineListSchemas } from '../misc-helpers.js';

const TPL = 'io.k8s.api.core.v1.PodTemplateSpec';
const SEL = 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector';

// ---- schemas ----
define('io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', obj(
  {
    containerName: str('Restricts the check to the container with this name; empty means every container.'),
    operator: str('"In" or "NotIn": how the exit codes are compared with values.'),
    values: setList(int32(), 'Exit codes to compare with; sorted, unique, at most 255.'),
  },
  'Matches failed pods by their containers\' exit codes (successful containers, exit 0, are ignored).',
  { required: ['operator', 'values'] },
));
define('io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern', obj(
  { type: str('The pod condition type to match.'), status: str('The condition status to match; defaults to True.') },
  'Matches failed pods by a pod condition.',
  { required: ['type'] },
));
define('io.k8s.api.batch.v1.PodFailurePolicyRule', obj(
  {
    action: str('What happens when the rule matches: FailJob, FailIndex, Ignore or Count.'),
    onExitCodes: ref('io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', 'Requirement on container exit codes.'),
    onPodConditions: arr(ref('io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern'), 'Requirement on pod conditions; any match satisfies it.', { listType: 'atomic' }),
  },
  'One rule of a pod failure policy; exactly one of onExitCodes and onPodConditions.',
  { required: ['action'] },
));
define('io.k8s.api.batch.v1.PodFailurePolicy', obj(
  { rules: arr(ref('io.k8s.api.batch.v1.PodFailurePolicyRule'), 'Rules evaluated in order; the first match decides. At most 20.', { listType: 'atomic' }) },
  'How pod failures count towards the backoff limit.',
  { required: ['rules'] },
));
define('io.k8s.api.batch.v1.SuccessPolicyRule', obj(
  {
    succeededIndexes: str('Indexes that must succeed, as a list of intervals like "1,3-5,7".'),
    succeededCount: int32('How many of the selected indexes must succeed.'),
  },
  'One success criterion of an Indexed Job.',
));
define('io.k8s.api.batch.v1.SuccessPolicy', obj(
  { rules: arr(ref('io.k8s.api.batch.v1.SuccessPolicyRule'), 'The job succeeds as soon as one rule is met. At most 20.', { listType: 'atomic' }) },
  'When an Indexed Job may be declared successful before every index has succeeded.',
  { required: ['rules'] },
));
const jobSpecProps: Record<string, Schema> = {
  parallelism: int32('Maximum number of pods running at once. Defaults to 1.'),
  completions: int32('Number of successful pods needed. Unset means any success completes the job (work queue).'),
  activeDeadlineSeconds: int64('Seconds the job may be active before the system terminates it.'),
  podFailurePolicy: ref('io.k8s.api.batch.v1.PodFailurePolicy', 'How failed pods are counted; requires restartPolicy Never.'),
  successPolicy: ref('io.k8s.api.batch.v1.SuccessPolicy', 'Early success criteria for Indexed Jobs.'),
  backoffLimit: int32('Number of retries before the job is marked failed. Defaults to 6.'),
  backoffLimitPerIndex: int32('Retries allowed per index of an Indexed Job.'),
  maxFailedIndexes: int32('How many indexes may fail before the whole job fails (with backoffLimitPerIndex).'),
  selector: ref(SEL, 'Label query over pods. Generated from the job uid unless manualSelector is true.'),
  manualSelector: bool('Set to true to provide your own selector instead of the generated one.'),
  template: ref(TPL, 'The pods to run. restartPolicy must be OnFailure or Never.'),
  ttlSecondsAfterFinished: int32('Seconds after the job finishes before it is deleted automatically.'),
  completionMode: str('"NonIndexed" (default) or "Indexed" (each pod gets an index 0..completions-1).'),
  suspend: bool('Whether the job is suspended (no pods are created; running ones are terminated). Defaults to false.'),
  podReplacementPolicy: str('When a replacement pod is created: "TerminatingOrFailed" (default) or "Failed".'),
  managedBy: str('The controller that reconciles the job; empty or kubernetes.io/job-controller means the built-in one.'),
};
define('io.k8s.api.batch.v1.JobSpec', obj(jobSpecProps, 'The desired behaviour of a Job.', { required: ['template'] }));
define('io.k8s.api.batch.v1.JobCondition', obj(
  {
    type: str('Type of job condition: Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet.'),
    status: str('True, False or Unknown.'),
    lastProbeTime: time('When the condition was last checked.'),
    lastTransitionTime: time('When the condition last changed status.'),
    reason: str('One-word CamelCase reason for the last transition.'),
    message: str('Human-readable details about the last transition.'),
  },
  'The state of a job at a point in time.',
  { required: ['type', 'status'] },
));
define('io.k8s.api.batch.v1.UncountedTerminatedPods', obj(
  { succeeded: setList(str(), 'UIDs of succeeded pods not yet counted in status.'), failed: setList(str(), 'UIDs of failed pods not yet counted in status.') },
  'Finished pods the controller has not yet accounted for.',
));
define('io.k8s.api.batch.v1.JobStatus', obj(
  {
    conditions: arr(ref('io.k8s.api.batch.v1.JobCondition'), 'Observations of the job state.', { listType: 'atomic', strategy: 'merge', mergeKey: 'type' }),
    startTime: time('When the controller started working on the job.'),
    completionTime: time('When the job completed.'),
    active: int32('Pods pending or running.'),
    succeeded: int32('Pods that succeeded.'),
    failed: int32('Pods that failed.'),
    terminating: int32('Pods terminating.'),
    completedIndexes: str('Completed indexes of an Indexed Job, as intervals.'),
    failedIndexes: str('Failed indexes (with backoffLimitPerIndex), as intervals.'),
    uncountedTerminatedPods: ref('io.k8s.api.batch.v1.UncountedTerminatedPods', 'Finished pods not yet counted.'),
    ready: int32('Active pods with a Ready condition.'),
  },
  'The observed state of a Job.',
));
kindSchema('io.k8s.api.batch.v1.Job', [{ group: 'batch', version: 'v1', kind: 'Job' }], 'Runs pods until a given number complete successfully.', {
  spec: ref('io.k8s.api.batch.v1.JobSpec', 'Desired behaviour of the job.'),
  status: ref('io.k8s.api.batch.v1.JobStatus', 'Most recently observed state. Read-only.'),
});
const jobTemplateSpec = obj(
  { metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'Metadata of the jobs created from this template.'), spec: ref('io.k8s.api.batch.v1.JobSpec', 'Specification of the jobs.') },
  'The job a CronJob creates at each scheduled time.',
);
define('io.k8s.api.batch.v1.JobTemplateSpec', jobTemplateSpec);
const cronJobSpecProps: Record<string, Schema> = {
  schedule: str('The schedule in cron format (five fields, or @hourly, @daily, @weekly, @monthly, @yearly).'),
  timeZone: str('IANA time zone the schedule is interpreted in; defaults to the controller\'s local time zone.'),
  startingDeadlineSeconds: int64('Seconds after a missed scheduled time during which the job may still start.'),
  concurrencyPolicy: str('"Allow" (default), "Forbid" or "Replace": what to do when the previous job is still running.'),
  suspend: bool('Suspends future runs (running jobs are not affected). Defaults to false.'),
  jobTemplate: ref('io.k8s.api.batch.v1.JobTemplateSpec', 'The job to create.'),
  successfulJobsHistoryLimit: int32('How many successful jobs to keep. Defaults to 3.'),
  failedJobsHistoryLimit: int32('How many failed jobs to keep. Defaults to 1.'),
};
define('io.k8s.api.batch.v1.CronJobSpec', obj(cronJobSpecProps, 'The desired schedule and job of a CronJob.', { required: ['schedule', 'jobTemplate'] }));
define('io.k8s.api.batch.v1.CronJobStatus', obj(
  {
    active: arr(ref('io.k8s.api.core.v1.ObjectReference'), 'Jobs currently running.', { listType: 'atomic' }),
    lastScheduleTime: time('When a job was last scheduled.'),
    lastSuccessfulTime: time('When a job last completed successfully.'),
  },
  'The observed state of a CronJob.',
));
kindSchema('io.k8s.api.batch.v1.CronJob', [{ group: 'batch', version: 'v1', kind: 'CronJob' }], 'Creates Jobs on a repeating schedule.', {
  spec: ref('io.k8s.api.batch.v1.CronJobSpec', 'Desired schedule and job.'),
  status: ref('io.k8s.api.batch.v1.CronJobStatus', 'Most recently observed state. Read-only.'),
});
// batch/v1beta1 names its own JobTemplateSpec, with the same shape
define('io.k8s.api.batch.v1beta1.JobTemplateSpec', jobTemplateSpec);
define('io.k8s.api.batch.v1beta1.CronJobSpec', obj({ ...cronJobSpecProps, jobTemplate: ref('io.k8s.api.batch.v1beta1.JobTemplateSpec', 'The job to create.') }, 'The desired schedule and job of a CronJob (batch/v1beta1).', { required: ['schedule', 'jobTemplate'] }));
const cronJobV1beta1Schema = kindSchema('io.k8s.api.batch.v1beta1.CronJob', [{ group: 'batch', version: 'v1beta1', kind: 'CronJob' }], 'Deprecated batch/v1beta1 CronJob; stored as batch/v1.', {
  spec: ref('io.k8s.api.batch.v1beta1.CronJobSpec', 'Desired schedule and job.'),
  status: ref('io.k8s.api.batch.v1.CronJobStatus', 'Most recently observed state. Read-only.'),
});
defineListSchemas('batch', 'v1', ['Job', 'CronJob']);

// ---- Job ----
export const LEGACY_CONTROLLER_UID = 'controller-uid';
export const LEGACY_JOB_NAME = 'job-name';
export const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';


/** SetDefaults_Job (batch/v1). */
export function defaultJobSpec(obj: KubeObject): void {
  const spec = specOf(obj);
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (!isSet(spec.parallelism)) spec.parallelism = 1;
  if (!isSet(spec.backoffLimit)) spec.backoffLimit = isSet(spec.backoffLimitPerIndex) ? 2147483647 : 6;
  const labels = spec.template?.metadata?.labels;
  if (labels && typeof labels === 'object' && (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0)) obj.metadata.labels = clone(labels);
  if (!isSet(spec.completionMode)) spec.completionMode = 'NonIndexed';
  if (!isSet(spec.suspend)) spec.suspend = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule?.onPodConditions ?? []) if (p && !p.status) p.status = 'True';
  if (!isSet(spec.podReplacementPolicy)) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplate(spec.template ?? (spec.template = {}));
}

/** The job strategy's selector generation: template labels and a selector on the job's uid. */
export function generateJobSelector(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec.manualSelector === true) return;
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!spec.template || typeof spec.template !== 'object') spec.template = {};
  if (!spec.template.metadata || typeof spec.template.metadata !== 'object') spec.template.metadata = {};
  const labels: Record<string, string> = (spec.template.metadata.labels ??= {});
  for (const k of [LEGACY_JOB_NAME, JOB_NAME]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) if (!(k in labels)) labels[k] = uid;
  if (!spec.selector || typeof spec.selector !== 'object') spec.selector = {};
  if (!spec.selector.matchLabels || typeof spec.selector.matchLabels !== 'object') spec.selector.matchLabels = {};
  if (!(CONTROLLER_UID in spec.selector.matchLabels)) spec.selector.matchLabels[CONTROLLER_UID] = uid;
  if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) obj.metadata.labels = { ...labels };
}

function hasLabel(tpl: any, key: string, expected: string): FieldError[] {
  const labels = tpl?.metadata?.labels ?? {};
  const path = `spec.template.metadata.labels[${key}]`;
  if (!(key in labels)) return [required(path, expected)];
  if (labels[key] !== expected) return [invalid(path, goValue(goStringMap(labels)), expected)];
  return [];
}
function validateGeneratedSelector(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  if (spec.manualSelector === true || !isSet(spec.selector)) return [];
  const errs: FieldError[] = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  errs.push(...hasLabel(spec.template, LEGACY_CONTROLLER_UID, uid), ...hasLabel(spec.template, LEGACY_JOB_NAME, name));
  errs.push(...hasLabel(spec.template, CONTROLLER_UID, uid), ...hasLabel(spec.template, JOB_NAME, name));
  const expected = { [CONTROLLER_UID]: uid, [JOB_NAME]: name, [LEGACY_CONTROLLER_UID]: uid, [LEGACY_JOB_NAME]: name };
  if (!selectorRequirements(spec.selector).error && !selectorMatches(spec.selector, expected))
    errs.push(invalid('spec.selector', goValue(goLabelSelector(spec.selector)), '`selector` not auto-generated'));
  return errs;
}

function validatePodFailurePolicy(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules: any[] = spec.podFailurePolicy?.rules ?? [];
  if (rules.length > 20) errs.push({ type: 'FieldValueTooMany', field: `${path}.rules`, detail: `must have at most 20 items` });
  const names = new Set<string>([...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map((c: any) => c?.name));
  const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
  rules.forEach((rule, i) => {
    const rp = `${path}.rules[${i}]`;
    if (!rule?.action) errs.push(required(`${rp}.action`, `valid values: ${JSON.stringify(actions).replace(/,/g, ' ')}`));
    else if (rule.action === 'FailIndex') {
      if (!isSet(spec.backoffLimitPerIndex)) errs.push(invalid(`${rp}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!actions.includes(rule.action)) errs.push(notSupported(`${rp}.action`, rule.action, actions));
    const oec = rule?.onExitCodes;
    if (oec) {
      const op = `${rp}.onExitCodes`;
      if (!oec.operator) errs.push(required(`${op}.operator`, 'valid values: ["In" "NotIn"]'));
      else if (oec.operator !== 'In' && oec.operator !== 'NotIn') errs.push(notSupported(`${op}.operator`, oec.operator, ['In', 'NotIn']));
      if (isSet(oec.containerName) && !names.has(oec.containerName)) errs.push(invalid(`${op}.containerName`, oec.containerName, 'must be one of the container or initContainer names in the pod template'));
      const values: number[] = Array.isArray(oec.values) ? oec.values : [];
      if (values.length === 0) errs.push(invalid(`${op}.values`, goValue('[]int32(nil)'), 'at least one value is required'));
      else if (values.length > 255) errs.push({ type: 'FieldValueTooMany', field: `${op}.values`, detail: 'must have at most 255 items' });
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (oec.operator === 'In' && v === 0) errs.push(invalid(`${op}.values[${j}]`, v, 'must not be 0 for the In operator'));
        if (seen.has(v)) errs.push({ type: 'FieldValueDuplicate', field: `${op}.values[${j}]`, value: v });
        else seen.add(v);
        if (j > 0 && values[j - 1] > v) ordered = false;
      });
      if (!ordered) errs.push(invalid(`${op}.values`, goValue(`[]int32{${values.join(', ')}}`), 'must be ordered'));
    }
    const conds: any[] = rule?.onPodConditions ?? [];
    conds.forEach((c, j) => {
      const cp = `${rp}.onPodConditions[${j}]`;
      for (const m of isQualifiedName(String(c?.type ?? ''))) errs.push(invalid(`${cp}.type`, c?.type ?? '', m));
      if (!c?.status) errs.push(required(`${cp}.status`, 'valid values: ["False" "True" "Unknown"]'));
      else if (!['False', 'True', 'Unknown'].includes(c.status)) errs.push(notSupported(`${cp}.status`, c.status, ['False', 'True', 'Unknown']));
    });
    if (oec && conds.length > 0) errs.push(invalid(rp, goValue('field.OmitValueType{}'), 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!oec && conds.length === 0) errs.push(invalid(rp, goValue('field.OmitValueType{}'), 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

/** validateJobSpec: the checks shared by Job.spec and CronJob.spec.jobTemplate.spec. */
function validateJobSpecCommon(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) errs.push(...nonNegative(spec[f], `${path}.${f}`));
  if (isSet(spec.maxFailedIndexes)) {
    errs.push(...nonNegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`));
    if (!isSet(spec.backoffLimitPerIndex)) errs.push(required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (isSet(spec.managedBy)) {
    const mb = String(spec.managedBy);
    const slash = mb.indexOf('/');
    if (slash <= 0) errs.push(invalid(`${path}.managedBy`, mb, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    else for (const m of isDNS1123Subdomain(mb.slice(0, slash))) errs.push(invalid(`${path}.managedBy`, mb.slice(0, slash), m));
    if (mb.length > 63) errs.push(tooLong(`${path}.managedBy`, mb, 63));
  }
  const mode = spec.completionMode;
  if (isSet(mode)) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (!isSet(spec.completions)) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
      if (num(spec.parallelism) > 100000) errs.push(invalid(`${path}.parallelism`, spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
      if (isSet(spec.completions) && isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > spec.completions) errs.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
    }
  }
  if (!isSet(mode) || mode === 'NonIndexed') {
    if (isSet(spec.backoffLimitPerIndex)) errs.push(invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (isSet(spec.maxFailedIndexes)) errs.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
  if (spec.successPolicy) {
    if (mode !== 'Indexed') errs.push(invalid(`${path}.successPolicy`, goValue('batch.SuccessPolicy{...}'), 'requires indexed completion mode'));
    else {
      const rules: any[] = spec.successPolicy.rules ?? [];
      if (rules.length === 0) errs.push(required(`${path}.successPolicy.rules`, 'at least one rules must be specified when the successPolicy is specified'));
      rules.forEach((r, i) => {
        const rp = `${path}.successPolicy.rules[${i}]`;
        if (!isSet(r?.succeededCount) && !isSet(r?.succeededIndexes)) errs.push(required(rp, 'at least one of succeededCount or succeededIndexes must be specified'));
        if (isSet(r?.succeededCount)) {
          errs.push(...nonNegative(r.succeededCount, `${rp}.succeededCount`));
          if (r.succeededCount > num(spec.completions)) errs.push(invalid(`${rp}.succeededCount`, r.succeededCount, `must be less than or equal to ${num(spec.completions)} (the number of specified completions)`));
        }
      });
    }
  }
  const prp = spec.podReplacementPolicy;
  if (isSet(prp)) {
    if (spec.podFailurePolicy) {
      if (prp !== 'Failed') errs.push(notSupported(`${path}.podReplacementPolicy`, prp, ['Failed']));
    } else if (prp !== 'Failed' && prp !== 'TerminatingOrFailed') errs.push(notSupported(`${path}.podReplacementPolicy`, prp, ['Failed', 'TerminatingOrFailed']));
  }
  errs.push(...validatePodTemplate(spec.template ?? {}, `${path}.template`));
  const rp = spec.template?.spec?.restartPolicy ?? '';
  if (rp === 'Always' || rp === '') errs.push(required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && rp !== 'Never') errs.push(invalid(`${path}.template.spec.restartPolicy`, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

export function validateJobSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!isSet(spec.selector)) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (isSet(spec.selector) && !selectorRequirements(spec.selector).error && !selectorMatches(spec.selector, spec.template?.metadata?.labels))
    errs.push(invalid('spec.template.metadata.labels', goValue(goStringMap(spec.template?.metadata?.labels)), '`selector` does not match template `labels`'));
  return errs;
}

export function validateJob(obj: KubeObject): FieldError[] {
  const errs = validateGeneratedSelector(obj);
  errs.push(...validateJobSpec(obj));
  const spec = obj.spec ?? {};
  if (spec.completionMode === 'Indexed' && num(spec.completions) > 0) {
    const host = `${obj.metadata.name}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length) errs.push(invalid('metadata.name', obj.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
  }
  return errs;
}

export function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = obj.spec ?? {}, os = old.spec ?? {};
  const errs = validateJobSpec(obj);
  if (!jsonEqual(spec.completions, os.completions) && !(spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && isSet(spec.completions)))
    errs.push(immutable('spec.completions', spec.completions ?? null));
  if (!jsonEqual(spec.selector, os.selector)) errs.push(immutable('spec.selector', goValue(goLabelSelector(spec.selector))));
  // A suspended job that never started may change its scheduling directives.
  let oldTpl = os.template;
  if (os.suspend === true && spec.suspend === true && !old.status?.startTime) {
    oldTpl = clone(os.template ?? {});
    const t = spec.template ?? {};
    oldTpl.metadata = { ...(oldTpl.metadata ?? {}), labels: t.metadata?.labels, annotations: t.metadata?.annotations };
    oldTpl.spec = { ...(oldTpl.spec ?? {}), nodeSelector: t.spec?.nodeSelector, tolerations: t.spec?.tolerations, schedulingGates: t.spec?.schedulingGates };
    if (t.spec?.affinity || oldTpl.spec.affinity) {
      const aff = { ...(oldTpl.spec.affinity ?? {}) };
      if (t.spec?.affinity?.nodeAffinity) aff.nodeAffinity = t.spec.affinity.nodeAffinity;
      else delete aff.nodeAffinity;
      oldTpl.spec.affinity = Object.keys(aff).length || t.spec?.affinity ? aff : undefined;
    }
  }
  if (!jsonEqual(spec.template, oldTpl)) errs.push(immutable('spec.template', goValue('core.PodTemplateSpec{...}')));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    if (!jsonEqual(spec[f], os[f])) errs.push(immutable(`spec.${f}`, typeof spec[f] === 'object' && spec[f] !== null ? goValue(`batch.${f[0].toUpperCase()}${f.slice(1)}{...}`) : (spec[f] ?? null)));
  }
  return errs;
}

function validateJobStatus(st: any): FieldError[] {
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) errs.push(...nonNegative(st[f], `status.${f}`));
  return errs;
}

const hasCondition = (o: KubeObject, type: string) => ((o.status?.conditions ?? []) as any[]).some((c) => c?.type === type && c?.status === 'True');
function jobStatusCell(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}
export function jobCompletionsCell(o: KubeObject): string {
  const succeeded = num(o.status?.succeeded);
  if (isSet(o.spec?.completions)) return `${succeeded}/${o.spec.completions}`;
  const parallelism = num(o.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}
export function jobDurationCell(o: KubeObject, now: Date): string {
  const start = o.status?.startTime;
  if (!start) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}
const wide = [wideCol('Containers', 'Names of each container in the template.'), wideCol('Images', 'Images referenced by each container in the template.'), wideCol('Selector', 'Label query over pods that should match the pod count.')];
const jobTable: TableDef = {
  columns: [
    nameColumn,
    col('Status', 'Status of the job.'),
    col('Completions', 'The desired number of successfully finished pods the job should be run with.'),
    col('Duration', 'Time required to complete the job.'),
    ageColumn,
    ...wide,
  ],
  row: (o, now) => [o.metadata.name, jobStatusCell(o), jobCompletionsCell(o), jobDurationCell(o, now), age(o.metadata.creationTimestamp, now), containersCell(o.spec?.template?.spec), imagesCell(o.spec?.template?.spec), formatLabelSelector(o.spec?.selector)],
};

export const job: ResourceDescriptor = {
  group: 'batch',
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: { $ref: 'io.k8s.api.batch.v1.Job' },
  subresources: { status: true },
  hasGeneration: true,
  defaultPropagation: 'Orphan',
  defaults: (obj, ctx) => {
    defaultJobSpec(obj);
    // Kubernetes generates the selector when the job is created (its uid is known by then);
    // the generic path validates right after defaulting, so it happens here.
    if (!obj.metadata.resourceVersion && obj.metadata.uid && ctx.subresource !== 'status') generateJobSelector(obj);
  },
  validate: (obj, ctx) => (ctx.subresource === 'status' ? validateJobStatus(obj.status) : validateJob(obj)),
  validateUpdate: (obj, old, ctx) => (ctx.subresource === 'status' ? validateJobStatus(obj.status) : validateJobUpdate(obj, old)),
  prepareCreate: (obj) => {
    generateJobSelector(obj);
    obj.status = {};
  },
  table: jobTable,
  fieldSelectors: { 'status.successful': (o) => String(num(o.status?.succeeded)) },
};

// ---- CronJob ----

export function defaultCronJob(obj: KubeObject): void {
  const spec = specOf(obj);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (!isSet(spec.suspend)) spec.suspend = false;
  if (!isSet(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (!isSet(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  if (!spec.jobTemplate || typeof spec.jobTemplate !== 'object') spec.jobTemplate = {};
  if (!spec.jobTemplate.spec || typeof spec.jobTemplate.spec !== 'object') spec.jobTemplate.spec = {};
  defaultPodTemplate(spec.jobTemplate.spec.template ?? (spec.jobTemplate.spec.template = {}));
}

const tzPartRe = /^[A-Za-z.\-_0-9+]{1,14}$/;
function validateTimeZone(tz: unknown, path: string): FieldError[] {
  if (!isSet(tz)) return [];
  const s = String(tz);
  if (s.length === 0) return [invalid(path, s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) if (part === '.' || part === '..' || part.startsWith('-') || !tzPartRe.test(part)) return [invalid(path, s, `unknown time zone ${s}`)];
  const errs: FieldError[] = [];
  if (s.toLowerCase() === 'local') errs.push(invalid(path, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  const e = loadLocationError(s);
  if (e) errs.push(invalid(path, s, e));
  return errs;
}

export function validateCronJobSpec(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const schedule = spec.schedule ?? '';
  if (schedule === '') errs.push(required('spec.schedule'));
  else {
    const e = cronScheduleError(String(schedule));
    if (e) errs.push(invalid('spec.schedule', schedule, e));
    const allowTZ = !!old && String(old.spec?.schedule ?? '').includes('TZ');
    if (allowTZ && String(schedule).includes('TZ') && isSet(spec.timeZone)) errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && String(schedule).includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || !jsonEqual(old.spec?.timeZone, spec.timeZone)) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  const cp = spec.concurrencyPolicy ?? '';
  if (cp === '') errs.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jt = spec.jobTemplate?.spec ?? {};
  errs.push(...validateJobSpecCommon(jt, 'spec.jobTemplate.spec'));
  if (isSet(jt.selector)) errs.push(invalid('spec.jobTemplate.spec.selector', goValue(goLabelSelector(jt.selector)), '`selector` will be auto-generated'));
  if (jt.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}
export function validateCronJobCreate(obj: KubeObject): FieldError[] {
  const errs = validateCronJobSpec(obj);
  const name = obj.metadata.name ?? '';
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

const cronJobTable: TableDef = {
  columns: [
    nameColumn,
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'The time zone name for the given schedule.'),
    col('Suspend', 'Whether subsequent executions are suspended.', 'boolean'),
    col('Active', 'Number of currently running jobs.', 'integer'),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    ...wide,
  ],
  row: (o, now) => {
    const suspend = o.spec?.suspend;
    const jt = o.spec?.jobTemplate?.spec;
    return [
      o.metadata.name,
      o.spec?.schedule ?? '',
      isSet(o.spec?.timeZone) ? o.spec.timeZone : '<none>',
      isSet(suspend) ? (suspend ? 'True' : 'False') : '<unset>',
      (o.status?.active ?? []).length,
      o.status?.lastScheduleTime ? age(o.status.lastScheduleTime, now) : '<none>',
      age(o.metadata.creationTimestamp, now),
      containersCell(jt?.template?.spec),
      imagesCell(jt?.template?.spec),
      formatLabelSelector(jt?.selector),
    ];
  },
};

export const cronJob: ResourceDescriptor = {
  group: 'batch',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  storageVersion: 'v1',
  schema: { $ref: 'io.k8s.api.batch.v1.CronJob' },
  subresources: { status: true },
  hasGeneration: true,
  defaults: (obj) => defaultCronJob(obj),
  validate: (obj, ctx: RequestContext) => (ctx.subresource === 'status' ? [] : validateCronJobCreate(obj)),
  validateUpdate: (obj, old, ctx) => (ctx.subresource === 'status' ? [] : validateCronJobSpec(obj, old)),
  prepareCreate: (obj) => {
    obj.status = {};
  },
  table: cronJobTable,
  versions: [
    { version: 'v1' },
    {
      version: 'v1beta1',
      deprecationWarning: 'batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob',
      schema: cronJobV1beta1Schema,
      defaults: (o) => {
        const spec = specOf(o);
        if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
        if (!isSet(spec.suspend)) spec.suspend = false;
        if (!isSet(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
        if (!isSet(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
      },
      toStorage: (o) => ({ ...clone(o), apiVersion: 'batch/v1' }),
      fromStorage: (o) => clone(o),
    },
  ],
};

