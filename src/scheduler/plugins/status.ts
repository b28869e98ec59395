// A filter plugin's verdict on one node, as the scheduling framework's Status: Unschedulable
// (preemption might help) or UnschedulableAndUnresolvable (it cannot), with the reasons the
// FailedScheduling message counts.
export const enum Code {
  Unschedulable = 1,
  UnschedulableAndUnresolvable = 2,
}

export interface Status {
  code: Code;
  reasons: string[];
  plugin: string;
}

export const status = (plugin: string, code: Code, ...reasons: string[]): Status => ({ code, reasons, plugin });
