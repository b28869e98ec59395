// Helpers shared by the workload kinds (apps, batch, autoscaling, policy): label selectors,
// Go-style rendering of values in field errors, int-or-percent checks, pod template hooks,
// and the table cells every workload prints (CONTAINERS, IMAGES, SELECTOR).
import * as core from '../core.js';
import { ApiError, type FieldError, GoValue, invalid, goStringMap as goStringMapValue, goStringSlice as goStringSliceValue } from '../../errors.js';
import { validateAnnotations, validateLabels, validateNonnegative } from '../../validation.js';
import type { KubeObject } from '../../types.js';
import { isSet } from '../misc-helpers.js';
import { jsonEqual } from '../core/util.js';
import { type Requirement, labelSelectorFromObject, labelSelectorToString, matchesLabels, validateLabelSelector, formatLabels } from '../../selectors.js';

// ---- Go %#v rendering -------------------------------------------------------------------
// Kubernetes prints non-scalar bad values with Go's %#v (e.g. `map[string]string{"app":"x"}`);
// GoValue (errors.ts) carries that text through to the message.
export const goValue = (text: string) => new GoValue(text);

const q = (s: string) => JSON.stringify(s);

export const goStringMap = (m: unknown): string => goStringMapValue(m).text;
export const goStringSlice = (v: unknown): string => goStringSliceValue(v).text;
export function goLabelSelector(sel: any): string {
  const exprs = Array.isArray(sel?.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e: any) => `v1.LabelSelectorRequirement{Key:${q(String(e?.key ?? ''))}, Operator:${q(String(e?.operator ?? ''))}, Values:${goStringSlice(e?.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel?.matchLabels)}, MatchExpressions:${exprs}}`;
}
export function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${q(String(v ?? ''))}}`;
}
/** A struct rendered the way %#v does, with already-rendered field values. */
export function goStruct(type: string, fields: [string, string][]): string {
  return `${type}{${fields.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}
export const goPtr = (type: string, present: boolean) => (present ? `(*${type})(0xc000000000)` : `(*${type})(nil)`);
export const goStr = (v: unknown) => q(String(v ?? ''));

// ---- label selectors --------------------------------------------------------------------

export type { Requirement };

/** metav1.LabelSelectorAsSelector: undefined selector = matches nothing; `error` when it does not convert. */
export function selectorRequirements(sel: any): { nothing: boolean; reqs: Requirement[]; error?: string } {
  if (sel === undefined || sel === null) return { nothing: true, reqs: [] };
  try {
    return { nothing: false, reqs: labelSelectorFromObject(sel) ?? [] };
  } catch (e) {
    if (e instanceof ApiError) return { nothing: false, reqs: [], error: e.message };
    throw e;
  }
}

/** Whether a (valid) selector matches a label set. An undefined selector matches nothing; {} everything. */
export function selectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  const { nothing, reqs, error } = selectorRequirements(sel);
  if (nothing || error) return false;
  return matchesLabels(reqs, labels);
}

export function selectorIsEmpty(sel: any): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/** metav1.FormatLabelSelector: the selector's string form, "<none>" when empty, "<error>" when invalid. */
export const formatLabelSelector = (sel: any): string => labelSelectorToString(sel);

export { formatLabels };

/** unversionedvalidation.ValidateLabelSelector (strict label values). */
export { validateLabelSelector };

// ---- numbers and int-or-percent ------------------------------------------------------------

export const nonNegative = validateNonnegative;

const percentRe = /^[0-9]+%$/;
export const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** appsvalidation.ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return percentRe.test(v) ? [] : [invalid(path, goValue(goIntOrString(v)), PERCENT_MSG)];
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, 'must be greater than or equal to 0')] : [];
  return [];
}
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (percentRe.test(v)) return parseInt(v.slice(0, -1), 10);
    const n = parseInt(v, 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}
export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || !percentRe.test(v)) return [];
  return parseInt(v.slice(0, -1), 10) > 100 ? [invalid(path, goValue(goIntOrString(v)), 'must not be greater than 100%')] : [];
}

// ---- pod templates ----------------------------------------------------------------------
// core.ts owns PodSpec defaulting and validation; it exports defaultPodSpec and
// validatePodTemplateSpec. They are looked up on the module namespace so this module loads
// (and the workload rules work) even while core.ts is still being written.
type CoreHooks = {
  defaultPodSpec?: (spec: any) => void;
  validatePodTemplateSpec?: (tpl: any, fieldPath: string) => FieldError[];
};
const coreHooks = core as unknown as CoreHooks;

/** Applies the PodSpec defaults to a pod template (creating spec if absent). */
export function defaultPodTemplate(tpl: any): void {
  if (!tpl || typeof tpl !== 'object') return;
  if (!tpl.spec || typeof tpl.spec !== 'object') tpl.spec = {};
  if (typeof coreHooks.defaultPodSpec === 'function') coreHooks.defaultPodSpec(tpl.spec);
  else if (!tpl.spec.restartPolicy) tpl.spec.restartPolicy = 'Always';
}

/** apivalidation.ValidatePodTemplateSpec (labels, annotations, pod spec). */
export function validatePodTemplate(tpl: any, path: string): FieldError[] {
  if (typeof coreHooks.validatePodTemplateSpec === 'function') return coreHooks.validatePodTemplateSpec(tpl ?? {}, path);
  return validateTemplateMeta(tpl, path);
}

/** The template metadata checks StatefulSets run instead of full pod validation. */
export function validateTemplateMeta(tpl: any, path: string): FieldError[] {
  return [...validateLabels(tpl?.metadata?.labels, `${path}.labels`), ...validateAnnotations(tpl?.metadata?.annotations, `${path}.annotations`)];
}

// ---- table cells ------------------------------------------------------------------------

export function containersCell(podSpec: any): string {
  return ((podSpec?.containers ?? []) as any[]).map((c) => c?.name ?? '').join(',');
}
export function imagesCell(podSpec: any): string {
  return ((podSpec?.containers ?? []) as any[]).map((c) => c?.image ?? '').join(',');
}

// ---- misc -------------------------------------------------------------------------------

export { isSet };
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export { jsonEqual };

/** Returns obj.spec, creating it. */
export function specOf(obj: KubeObject): any {
  if (!obj.spec || typeof obj.spec !== 'object') obj.spec = {};
  return obj.spec;
}

/** Legacy defaulting shared by extensions/v1beta1 and apps/v1beta1: selector and labels from the template labels. */
export function defaultSelectorAndLabelsFromTemplate(obj: KubeObject): void {
  const spec = specOf(obj);
  const labels = spec.template?.metadata?.labels;
  if (labels && typeof labels === 'object') {
    if (spec.selector === undefined || spec.selector === null) spec.selector = { matchLabels: clone(labels) };
    if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) obj.metadata.labels = clone(labels);
  }
}
