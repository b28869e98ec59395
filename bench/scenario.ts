// What every benchmark scenario provides to the harness (bench/run.ts).

/** full: the published targets; quick: a fast check (~30 s); tiny: seconds, for the smoke test. */
export type Preset = 'full' | 'quick' | 'tiny';

export type Figure = number | string | boolean | string[] | null;
export type Figures = Record<string, Figure>;

export interface ScenarioContext {
  preset: Preset;
  /** Progress notes for a human (stderr); never on stdout. */
  log(msg: string): void;
  /**
   * When set, run the server under `node --cpu-prof` writing into a fresh folder below this one,
   * and report the hot functions of each phase.
   */
  serverCpuProfDir?: string;
}

export interface Scenario {
  name: string;
  summary: string;
  /** Figures shown in the human table row, in order (all figures still go to the JSON line). */
  columns: string[];
  run(ctx: ScenarioContext): Promise<Figures>;
}
