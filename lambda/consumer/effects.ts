import { randomUUID } from 'node:crypto';
import {
  IdempotencyPersistenceLayerError,
  makeIdempotent,
  type IdempotencyConfig,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Message } from '../shared/message';
import type { JsonValue, ProcessingContext, ProcessMessage } from './process-message';

/**
 * What the idempotency store keeps for a message id: the id of the effect it had, and what `processMessage`
 * returned. Every receipt — of the delivery that performed the effect and of each duplicate absorbed afterwards —
 * carries the effect id, so a lost receipt of the effect is made up for by any later one, and the report counts
 * effects as distinct effect ids rather than as receipts that happened to be written.
 */
interface StoredEffect {
  readonly effectId: string;
  readonly result: JsonValue;
}

/** What one delivery of a valid message did. */
export interface EffectOutcome {
  /** This delivery ran `processMessage` (false: a duplicate, absorbed). */
  readonly effect: boolean;
  /** The effect this delivery performed or was absorbed by; absent for records stored before effect ids existed. */
  readonly effectId?: string;
}

export interface IdempotentEffectOptions {
  readonly processMessage: ProcessMessage;
  readonly persistenceStore: BasePersistenceLayer;
  readonly config: IdempotencyConfig;
  /** Called once per business effect. @default - none */
  readonly onEffect?: (message: Message) => void;
  /** Called when an effect ran but its idempotency record could not be completed (to log and count it). */
  readonly onUnrecordedEffect: (message: Message, effectId: string, cause: unknown) => void;
  /** Effect id generator. @default crypto.randomUUID */
  readonly newEffectId?: () => string;
}

function isStoredEffect(value: unknown): value is StoredEffect {
  return typeof value === 'object' && value !== null && typeof (value as StoredEffect).effectId === 'string';
}

/**
 * Runs `processMessage` through Powertools Idempotency keyed by message id. When the effect ran but its success
 * record could not be written (the store refused the update), the delivery still counts as processed: failing it
 * would make SQS bring the message back and run the effect a second time for certain. The record stays
 * `INPROGRESS` until its in-progress expiry, so a later copy of the message can still run the effect again — the
 * case docs/handlers.md spells out — and that effect is reported by its own receipt.
 */
export function createIdempotentEffect(
  options: IdempotentEffectOptions,
): (message: Message, context: ProcessingContext) => Promise<EffectOutcome> {
  const newEffectId = options.newEffectId ?? randomUUID;
  // Deliveries whose call actually ran `processMessage` (rather than replaying a stored result), with their effect.
  const performed = new WeakMap<ProcessingContext, StoredEffect>();
  const perform = async (message: Message, context: ProcessingContext): Promise<StoredEffect> => {
    const result = await options.processMessage(message, context);
    const stored: StoredEffect = { effectId: newEffectId(), result: result ?? null };
    performed.set(context, stored);
    options.onEffect?.(message);
    return stored;
  };
  const idempotentPerform = makeIdempotent(perform, {
    persistenceStore: options.persistenceStore,
    config: options.config,
    dataIndexArgument: 0,
  });

  return async (message, context) => {
    let stored: unknown;
    try {
      stored = await idempotentPerform(message, context);
    } catch (error) {
      const effect = performed.get(context);
      if (!effect || !(error instanceof IdempotencyPersistenceLayerError)) throw error;
      options.onUnrecordedEffect(message, effect.effectId, error.cause);
      return { effect: true, effectId: effect.effectId };
    }
    const effect = performed.has(context);
    return isStoredEffect(stored) ? { effect, effectId: stored.effectId } : { effect };
  };
}
