// A small, strict argument parser: every command declares its options, anything else is a
// usage error (so a typo never silently changes what runs).
import { UsageError } from './errors';

export interface OptionSpec {
  /** Long name without dashes, e.g. "top-k". */
  name: string;
  /** 'string' options take a value (`--k 5` or `--k=5`); 'flag' options take none. */
  kind: 'string' | 'flag';
}

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `argv` (the arguments after the command name) against `specs`. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    // `-h` is the one short option, and only where an option may stand (`--text -h` is text).
    const arg = argv[i] === '-h' ? '--help' : argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for '${command}'`, command);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name} for '${command}'`, command);
    if (values.has(name) || flags.has(name)) throw new UsageError(`--${name} is given more than once`, command);
    if (spec.kind === 'flag') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command);
      flags.add(name);
      continue;
    }
    // The value may start with "-" (e.g. --text "-1"): a value option always takes the next argument.
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`, command);
    values.set(name, value);
  }
  return { values, flags };
}

/** An integer option within [min, max], or `fallback` when absent. */
export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number, max: number, command: string): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const value = /^[+]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`, command);
  }
  return value;
}
