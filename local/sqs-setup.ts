import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalSettings, SqsQueueSettings } from './template-reader';

/**
 * Creates the template's SQS queues in the embedded emulator with the same attributes: FIFO or standard,
 * visibility timeout, retention and the redrive policy (the emulator moves a message to the DLQ on the receive
 * after `maxReceiveCount`, as SQS does). `timeScale` shrinks visibility timeouts only, and only when asked.
 */

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  /** Visibility timeout actually applied (after the time scale). */
  readonly visibilityTimeoutSec: number;
}

export interface LocalQueues {
  readonly source: LocalQueue;
  readonly deadLetter: LocalQueue;
  readonly receipts: LocalQueue;
}

/** Visibility timeout after scaling: whole seconds (what SQS accepts), never below 1. */
export function scaledVisibilityTimeout(seconds: number, timeScale: number): number {
  if (timeScale === 1) return seconds;
  return Math.max(1, Math.ceil(seconds * timeScale));
}

export async function createLocalQueues(
  client: SQSClient,
  settings: LocalSettings,
  timeScale: number,
): Promise<LocalQueues> {
  const deadLetter = await createQueue(client, settings.deadLetterQueue, timeScale);
  const source = await createQueue(client, settings.sourceQueue, timeScale, deadLetter.arn);
  // Without a receipts queue in the template (verification output switched off) the local run still needs one.
  const receiptsSettings: SqsQueueSettings = settings.receiptsQueue ?? {
    logicalId: 'LocalReceipts',
    fifo: false,
    contentBasedDeduplication: false,
    visibilityTimeoutSec: 30,
    messageRetentionSec: 86_400,
  };
  const receipts = await createQueue(client, receiptsSettings, timeScale);
  return { source, deadLetter, receipts };
}

async function createQueue(
  client: SQSClient,
  queue: SqsQueueSettings,
  timeScale: number,
  deadLetterArn?: string,
): Promise<LocalQueue> {
  const visibilityTimeoutSec = scaledVisibilityTimeout(queue.visibilityTimeoutSec, timeScale);
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(visibilityTimeoutSec),
    MessageRetentionPeriod: String(queue.messageRetentionSec),
  };
  if (queue.fifo) {
    attributes.FifoQueue = 'true';
    if (queue.contentBasedDeduplication) attributes.ContentBasedDeduplication = 'true';
  }
  if (queue.redrive && deadLetterArn) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: deadLetterArn,
      maxReceiveCount: queue.redrive.maxReceiveCount,
    });
  }
  const name = queue.fifo ? `${queue.logicalId}.fifo` : queue.logicalId;
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`the SQS emulator did not return a URL for ${name}`);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '', visibilityTimeoutSec };
}
