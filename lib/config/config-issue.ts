import { Token } from 'aws-cdk-lib';

/**
 * The shape of a validation problem and the helpers every rule uses. Rules are pure functions returning the problems
 * they found, so the stage config validation and the constructs share them. A value that is an unresolved CDK token
 * is skipped: it is only known at deploy time.
 */

/** One refused value: where it is, what it was and what would be accepted. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `broker.engineVersion`. */
  readonly field: string;
  /** The value received. */
  readonly value: unknown;
  /** Why it is refused and what is allowed. */
  readonly problem: string;
}

/** `field: got VALUE; problem` — one line per issue. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.field}: got ${JSON.stringify(issue.value)}; ${issue.problem}`;
}

/** Thrown when a configuration or construct props break a rule; lists every issue at once. */
export class ConfigValidationError extends Error {
  constructor(
    readonly context: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `${context} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n  - ${issues.map(formatIssue).join('\n  - ')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

/** Throws `ConfigValidationError` when `issues` is not empty. */
export function throwIfIssues(context: string, issues: readonly ConfigIssue[]): void {
  if (issues.length > 0) throw new ConfigValidationError(context, issues);
}

/** True when the value is a CDK token, known only at deploy time. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/** Adds an issue unless `value` is an unresolved token. */
export function addIssue(out: ConfigIssue[], field: string, value: unknown, problem: string): void {
  if (!isUnresolved(value)) out.push({ field, value, problem });
}

/** Integer in [min, max] (tokens pass). */
export function checkIntegerRange(field: string, value: number, min: number, max: number, unit = ''): ConfigIssue[] {
  if (isUnresolved(value)) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const suffix = unit ? ` ${unit}` : '';
    return [
      {
        field,
        value,
        problem: `allowed: an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}${suffix}`,
      },
    ];
  }
  return [];
}
