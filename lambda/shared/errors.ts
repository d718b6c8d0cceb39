/**
 * Typed errors shared by the handlers. Each message names the field, the value received and what is allowed, so an
 * operator can fix the input from the log line alone.
 */

/** Renders a received value for an error message: JSON, shortened so a huge payload cannot flood a log line. */
export function describeValue(value: unknown, maxLength = 120): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
}

/** An environment variable is missing or malformed: the function cannot start. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    /** The environment variable. */
    readonly variable: string,
    /** What was found (never a secret: only non-secret variables are validated this way). */
    readonly received: string | undefined,
    /** What is allowed. */
    readonly allowed: string,
  ) {
    super(
      received === undefined
        ? `Environment variable ${variable} is not set; expected ${allowed}`
        : `Environment variable ${variable} is ${describeValue(received)}; expected ${allowed}`,
    );
  }
}

/** The producer was invoked with an event it cannot honour; nothing was published. */
export class InvalidProducerEventError extends Error {
  override readonly name = 'InvalidProducerEventError';
  constructor(
    readonly field: string,
    readonly received: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid producer event: ${field} is ${describeValue(received)}; expected ${allowed}`);
  }
}

/** Why a body is not a valid message. Also the value of the `bridge.invalid-reason` attribute's prefix. */
export type InvalidMessageReason =
  'empty-body' | 'unsupported-content-encoding' | 'not-utf8' | 'not-json' | 'schema-invalid' | 'oversized';

/** A message body that does not satisfy the contract in `message.ts`. Never retryable: it will not get better. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(
    readonly reason: InvalidMessageReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** The broker's or the secret's answer made a connection impossible. */
export class BrokerConnectionError extends Error {
  override readonly name = 'BrokerConnectionError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** One record the bridge could not hand to SQS. */
export interface ForwardFailure {
  /** AMQP message id, or `#<index>` when the record has none. */
  readonly id: string;
  /** SQS error code (e.g. `InvalidMessageContents`) or the bridge's own (`Oversized`). */
  readonly code: string;
  readonly message: string;
}

/**
 * The bridge did not forward every record. Thrown so the RabbitMQ event source redelivers the whole batch
 * (Amazon MQ sources have no partial batch response); records already forwarded arrive again and the idempotent
 * consumer absorbs them.
 */
export class ForwardingError extends Error {
  override readonly name = 'ForwardingError';
  constructor(
    readonly failures: readonly ForwardFailure[],
    readonly total: number,
  ) {
    const shown = failures
      .slice(0, 20)
      .map((f) => `${f.id} (${f.code}: ${f.message})`)
      .join('; ');
    const more = failures.length > 20 ? `; and ${failures.length - 20} more` : '';
    super(`SQS did not accept ${failures.length} of ${total} records: ${shown}${more}`);
  }
}
