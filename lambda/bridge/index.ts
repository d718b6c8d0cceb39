import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});

interface RabbitMqEvent {
  rmqMessagesByQueue: Record<string, { data: string }[]>;
}

/** Forwards every RabbitMQ record to SQS; throws if any entry is refused so the batch is redelivered. */
export const handler = async (event: RabbitMqEvent): Promise<void> => {
  const records = Object.values(event.rmqMessagesByQueue ?? {}).flat();
  for (let i = 0; i < records.length; i += 10) {
    const entries = records.slice(i, i + 10).map((r, j) => ({
      Id: String(i + j),
      MessageBody: Buffer.from(r.data, 'base64').toString('utf8'),
    }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.TARGET_QUEUE_URL, Entries: entries }));
    if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} entries`);
  }
};
