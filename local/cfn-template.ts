/**
 * A synthesized CloudFormation template as the local runtime reads it: the JSON shapes, references between resources
 * and literal values, and the error for a template that lacks what is needed. Knows nothing of the stack's resources;
 * template-reader.ts says which ones matter.
 */

/** A CloudFormation template as JSON (only what this reader looks at is typed). */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** The template does not contain what the local runtime needs. */
export class TemplateReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateReadError';
  }
}

/** Logical id named by `{ Ref: X }` or `{ 'Fn::GetAtt': [X, ...] }`; undefined for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/**
 * A property that must be a literal number (a number, or a numeric string as CloudFormation allows): `fallback` when
 * absent (the service default), an error naming `field` when absent without a default (`NaN`) or not a literal.
 */
export function literalNumber(value: unknown, fallback: number, field: string): number {
  if (value === undefined || value === null) {
    if (Number.isNaN(fallback)) throw new TemplateReadError(`${field} is missing`);
    return fallback;
  }
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TemplateReadError(`${field} must be a literal number in the template, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
