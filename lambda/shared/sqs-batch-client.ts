import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';

/** The one SQS call the bridge and the receipt sink make; an `SQSClient` fits, and tests can wrap one. */
export interface SqsBatchClient {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}
