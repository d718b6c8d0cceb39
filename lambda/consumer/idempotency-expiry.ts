import {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  MAX_IDEMPOTENCY_EXPIRY_SECONDS,
  MIN_IDEMPOTENCY_EXPIRY_SECONDS,
} from '../../lib/config/idempotency';
import { integerEnv, type Environment } from '../shared/env';

/** The variable the stack sets from the stage's queue retentions (see lib/config/idempotency.ts). */
export const IDEMPOTENCY_EXPIRY_VARIABLE = 'IDEMPOTENCY_EXPIRY_SECONDS';

/**
 * How long the consumer remembers a message id, from `IDEMPOTENCY_EXPIRY_SECONDS`: whole seconds from 60 to 365 days.
 * Unset (outside the stack) it is 29 days, which covers any SQS retention; a malformed value stops the function
 * with a `ConfigurationError` naming the variable, the value and the range instead of guessing.
 */
export function idempotencyExpirySecondsFromEnv(env: Environment): number {
  return integerEnv(
    env,
    IDEMPOTENCY_EXPIRY_VARIABLE,
    DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
    MIN_IDEMPOTENCY_EXPIRY_SECONDS,
    MAX_IDEMPOTENCY_EXPIRY_SECONDS,
  );
}
