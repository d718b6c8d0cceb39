import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchItemFailure, SQSEvent, SQSRecord } from 'aws-lambda';
import type { GenericLogger } from '@aws-lambda-powertools/commons/types';

/**
 * How the consumer walks a batch. A standard queue promises no order, so its records run in parallel and each fails
 * alone. A FIFO queue's batch holds each message group's records in order, and the consumer must keep that order:
 * Powertools' FIFO processor runs the records one at a time and, once a record fails, reports every later record of
 * the same group failed without running it, so SQS hands the group back from the failed record on.
 *
 * `skipGroupOnError: true` — only the failed record's group stops; records of other groups in the batch still run.
 * Their order does not depend on the failed group, and with at-least-once delivery and idempotency by message id
 * running them now is as safe as running them later; failing them instead would only redeliver them, and each
 * redelivery counts a receive towards `maxReceiveCount` for a record that never failed. (Powertools' default stops
 * the whole batch at the first failure, which AWS's Lambda guide describes for code that does not know the groups.)
 * A record without a `MessageGroupId` could not be told apart, so a batch holding one stops whole at a failure.
 */

/** The event comes from a FIFO queue: its source ARN names a `.fifo` queue. */
export function isFifoEvent(event: SQSEvent): boolean {
  return event.Records.length > 0 && event.Records.every((r) => r.eventSourceARN?.endsWith('.fifo'));
}

/** Runs `handleRecord` over the batch, in parallel (standard) or in group order (FIFO); the records to retry. */
export async function processBatch(
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
  options: { readonly context?: Context; readonly logger: Pick<GenericLogger, 'debug' | 'warn' | 'error'> },
): Promise<SQSBatchItemFailure[]> {
  // An all-failed batch is an answer (every record failed), not a crash of the function.
  const common = { context: options.context, throwOnFullBatchFailure: false };
  const response = isFifoEvent(event)
    ? await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
        ...common,
        skipGroupOnError: event.Records.every((r) => r.attributes?.MessageGroupId),
      })
    : await processPartialResponse(
        event,
        handleRecord,
        new BatchProcessor(EventType.SQS, { logger: options.logger }),
        common,
      );
  return response.batchItemFailures.map(({ itemIdentifier }) => ({ itemIdentifier }));
}

/**
 * The records fail-fast makes visible again after a batch, last first: the invalid ones, and in a FIFO batch the
 * records that were not run because an invalid record of their group failed before them — left in flight they would
 * hold the whole group back for a visibility timeout, while the invalid record at its head cannot succeed anyway.
 * Last first, so a queue that puts a released record back at the front of its group (the local emulator) keeps the
 * group's order; SQS keeps it whatever the order of the calls.
 */
export function recordsToRelease(
  event: SQSEvent,
  failed: ReadonlySet<string>,
  ran: ReadonlySet<string>,
  invalid: ReadonlySet<string>,
): SQSRecord[] {
  const fifo = isFifoEvent(event);
  const blockedGroups = new Set<string | undefined>();
  const release: SQSRecord[] = [];
  for (const record of event.Records) {
    const group = record.attributes?.MessageGroupId;
    if (invalid.has(record.messageId)) {
      release.push(record);
      blockedGroups.add(group);
    } else if (fifo && failed.has(record.messageId) && !ran.has(record.messageId) && blockedGroups.has(group)) {
      release.push(record);
    }
  }
  return release.reverse();
}
