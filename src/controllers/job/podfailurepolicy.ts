// spec.podFailurePolicy: the first rule matching a failed pod (by a container's non-zero exit
// code or by a pod condition) decides whether the failure counts, is ignored, fails the index
// or fails the whole job (with Kubernetes' message).
import type { KubeObject } from '../../api/types.js';

export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PolicyMatch {
  /** The job failure message for FailJob. */
  message?: string;
  /** Whether the failure counts towards backoffLimit. */
  countFailed: boolean;
  action?: PodFailureAction;
}

function matchExitCodes(pod: KubeObject, req: any): any {
  const lists = [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []] as any[][];
  for (const list of lists) {
    for (const cs of list) {
      const term = cs?.state?.terminated;
      if (!term) continue;
      if (req.containerName && req.containerName !== cs.name) continue;
      const code = term.exitCode ?? 0;
      if (code === 0) continue;
      const inValues = (req.values ?? []).includes(code);
      if (req.operator === 'In' ? inValues : req.operator === 'NotIn' ? !inValues : false) return cs;
    }
  }
  return undefined;
}

function matchConditions(pod: KubeObject, patterns: any[]): any {
  for (const c of (pod.status?.conditions ?? []) as any[]) for (const p of patterns) if (c?.type === p?.type && c?.status === (p?.status ?? 'True')) return c;
  return undefined;
}

export function matchPodFailurePolicy(policy: any, pod: KubeObject): PolicyMatch {
  if (!policy) return { countFailed: true };
  const rules: any[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const action = rule?.action as PodFailureAction;
    let msg: string | undefined;
    if (rule?.onExitCodes) {
      const cs = matchExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      msg = `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${cs.state.terminated.exitCode} matching ${action} rule at index ${i}`;
    } else if (rule?.onPodConditions) {
      const c = matchConditions(pod, rule.onPodConditions);
      if (!c) continue;
      msg = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${c.type} matching ${action} rule at index ${i}`;
    } else continue;
    switch (action) {
      case 'Ignore':
        return { countFailed: false, action };
      case 'FailIndex':
        return { countFailed: true, action };
      case 'Count':
        return { countFailed: true, action };
      case 'FailJob':
        return { message: msg, countFailed: true, action };
    }
  }
  return { countFailed: true };
}
