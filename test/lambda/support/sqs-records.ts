import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** An SQS entry as the bridge sends it. */
export interface SentEntry {
  readonly MessageBody?: string;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}

let sequence = 0;

/** The Lambda SQS record for an entry, as the SQS event source would deliver it. */
export function sqsRecordFor(entry: SentEntry, options: { messageId?: string; receiveCount?: number } = {}): SQSRecord {
  const attributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    attributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: options.messageId ?? `sqs-${++sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: entry.MessageBody ?? '',
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1714564800000',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '1714564800000',
    },
    messageAttributes: attributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:target',
    awsRegion: 'us-east-1',
  };
}
