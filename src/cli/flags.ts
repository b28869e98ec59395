// Flags with an environment variable and a config-file key each: --data-dir, SAMPAN_DATA_DIR,
// data-dir in the YAML file given by --config. Flags win over the environment, which wins over the file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface FlagSpec {
  name: string;
  help: string;
  default?: string;
  boolean?: boolean;
}

export function parseFlags(argv: string[], specs: FlagSpec[]): { values: Record<string, string | undefined>; rest: string[] } {
  const known = new Map(specs.map((s) => [s.name, s]));
  const fromFlags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const spec = known.get(name);
    if (!spec) throw new Error(`unknown flag: --${name}`);
    if (eq > 0) fromFlags[name] = a.slice(eq + 1);
    else if (spec.boolean) fromFlags[name] = 'true';
    else {
      if (i + 1 >= argv.length) throw new Error(`flag needs an argument: --${name}`);
      fromFlags[name] = argv[++i];
    }
  }
  let fromFile: Record<string, unknown> = {};
  const configPath = fromFlags['config'] ?? process.env.SAMPAN_CONFIG;
  if (configPath) {
    const parsed = parse(readFileSync(configPath, 'utf8'));
    if (parsed && typeof parsed === 'object') fromFile = parsed as Record<string, unknown>;
  }
  const values: Record<string, string | undefined> = {};
  for (const s of specs) {
    const env = process.env[`SAMPAN_${s.name.toUpperCase().replace(/-/g, '_')}`];
    const file = fromFile[s.name];
    values[s.name] = fromFlags[s.name] ?? env ?? (file === undefined ? undefined : String(file)) ?? s.default;
  }
  return { values, rest };
}

export function usage(cmd: string, summary: string, specs: FlagSpec[]): string {
  const lines = [`Usage: sampan ${cmd} [flags]`, '', summary, '', 'Flags (each also SAMPAN_<NAME> in the environment, or <name> in --config FILE):'];
  for (const s of specs) lines.push(`  --${s.name}${s.boolean ? '' : ' VALUE'}`.padEnd(34) + s.help + (s.default !== undefined ? ` (default ${s.default})` : ''));
  return lines.join('\n');
}
