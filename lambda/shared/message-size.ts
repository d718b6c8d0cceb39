import { integerEnv, optionalEnv, type Environment } from './env';
import { ATTRIBUTE_ALLOWANCE_BYTES, SQS_MAX_MESSAGE_BYTES } from './sqs-limits';

/**
 * The one message size limit of the flow: a body must fit the broker (`max_message_size`, which RabbitMQ checks
 * against the body alone) and, with the attributes the bridge adds, an SQS message. The producer, the bridge, the
 * command-line `--size` and the docs all use the smaller of the two, so a body is refused before it is published,
 * never by a later hop.
 */

/** Largest body SQS can carry once the bridge has added its attributes. */
export const SQS_BODY_LIMIT_BYTES = SQS_MAX_MESSAGE_BYTES - ATTRIBUTE_ALLOWANCE_BYTES;

/** Environment variable with the largest body the functions accept (the derived limit). */
export const MAX_BODY_BYTES_ENV = 'MAX_BODY_BYTES';
/** Environment variable with the broker's `max_message_size`, named in every refusal. */
export const BROKER_MAX_MESSAGE_SIZE_ENV = 'BROKER_MAX_MESSAGE_SIZE_BYTES';

/** The size limit and the two limits it derives from. */
export interface MessageSizeLimit {
  /** Largest body accepted end to end: min(broker limit, SQS body limit). */
  readonly maxBodyBytes: number;
  /** The broker's `max_message_size`; undefined when only SQS bounds the body (tests, unknown broker). */
  readonly brokerMaxMessageSizeBytes?: number;
}

/** The limit for a broker whose `max_message_size` is `brokerMaxMessageSizeBytes` (undefined: SQS only). */
export function messageSizeLimit(brokerMaxMessageSizeBytes?: number): MessageSizeLimit {
  return {
    maxBodyBytes:
      brokerMaxMessageSizeBytes === undefined
        ? SQS_BODY_LIMIT_BYTES
        : Math.min(brokerMaxMessageSizeBytes, SQS_BODY_LIMIT_BYTES),
    brokerMaxMessageSizeBytes,
  };
}

/** Both limits in words, for refusals: `the smaller of the broker's max_message_size (…) and the SQS limit …`. */
export function describeSizeLimit(limit: MessageSizeLimit): string {
  const sqs = `the SQS limit of ${SQS_MAX_MESSAGE_BYTES} bytes less ${ATTRIBUTE_ALLOWANCE_BYTES} for the attributes the bridge adds (${SQS_BODY_LIMIT_BYTES})`;
  if (limit.brokerMaxMessageSizeBytes === undefined) return sqs;
  return `the smaller of the broker's max_message_size (${limit.brokerMaxMessageSizeBytes}) and ${sqs}`;
}

/** `maxBodyBytes` or the limit exceeded, as one phrase: `at most 524288 bytes: the smaller of …`. */
export function sizeLimitText(limit: MessageSizeLimit): string {
  return `at most ${limit.maxBodyBytes} bytes: ${describeSizeLimit(limit)}`;
}

/** RabbitMQ refuses a `max_message_size` above 512 MiB. */
const RABBITMQ_MAX_MESSAGE_SIZE_CEILING = 536_870_912;

/**
 * The limit a function enforces, from its environment (the template sets both variables): `MAX_BODY_BYTES`, which may
 * not exceed what the broker and SQS take, named with `BROKER_MAX_MESSAGE_SIZE_BYTES`. Without them, SQS's limit.
 */
export function messageSizeLimitFromEnv(env: Environment): MessageSizeLimit {
  const broker =
    optionalEnv(env, BROKER_MAX_MESSAGE_SIZE_ENV) === undefined
      ? undefined
      : integerEnv(env, BROKER_MAX_MESSAGE_SIZE_ENV, 0, 1, RABBITMQ_MAX_MESSAGE_SIZE_CEILING);
  const derived = messageSizeLimit(broker);
  const maxBodyBytes = integerEnv(env, MAX_BODY_BYTES_ENV, derived.maxBodyBytes, 1, derived.maxBodyBytes);
  return { maxBodyBytes, brokerMaxMessageSizeBytes: broker };
}

/** The variables `messageSizeLimitFromEnv` reads, for a function's environment in the template. */
export function sizeLimitEnvironment(limit: MessageSizeLimit): Record<string, string> {
  return {
    [MAX_BODY_BYTES_ENV]: String(limit.maxBodyBytes),
    ...(limit.brokerMaxMessageSizeBytes === undefined
      ? {}
      : { [BROKER_MAX_MESSAGE_SIZE_ENV]: String(limit.brokerMaxMessageSizeBytes) }),
  };
}
