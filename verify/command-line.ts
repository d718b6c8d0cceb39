import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-args';

/**
 * `parseArgs` as the project's commands use it, with the two things a person typing options expects of it:
 * a negative number after an option that takes a value is that option's value (so `--messages -5` gets the range
 * message every other bad value gets, not "argument is ambiguous"), and an unknown option names the closest valid
 * one. Every refusal is a {@link UsageError} (exit code 2).
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ options: O; strict: true; args: string[] }>>['values'] {
  const args = joinNegativeValues(argv, options);
  const unknown = args.find((arg) => arg.startsWith('--') && !(optionName(arg) in options));
  if (unknown !== undefined) throw new UsageError(unknownOptionMessage(optionName(unknown), Object.keys(options)));
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function optionName(arg: string): string {
  return arg.slice(2).split('=')[0];
}

/** `--name -5` → `--name=-5` for options that take a value, so the value reaches the option's own check. */
function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    const takesValue = arg.startsWith('--') && !arg.includes('=') && options[optionName(arg)]?.type === 'string';
    if (takesValue && next !== undefined && /^-[\d.]/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return args;
}

/** "unknown option --mesages; did you mean --messages?" — or the list of valid options when nothing is close. */
export function unknownOptionMessage(name: string, valid: readonly string[]): string {
  const ranked = valid
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  // Within a third of the name's length (at least 2 edits) counts as a typo rather than a different option.
  if (best && best.distance <= Math.max(2, Math.floor(name.length / 3))) {
    return `unknown option --${name}; did you mean --${best.candidate}?`;
  }
  return `unknown option --${name}; valid options: ${valid.map((v) => `--${v}`).join(', ')}`;
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
