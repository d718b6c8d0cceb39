import type { RabbitMqEventInput, RabbitMqRecordInput } from '../../../lambda/bridge/rabbitmq-event';
import { encodeMessage, type Message } from '../../../lambda/shared/message';

/** A valid message with the given id. */
export function sampleMessage(id: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    type: 'sample.event',
    payload: { id },
    createdAt: '2024-05-01T12:00:00.000Z',
    correlationId: `corr-${id}`,
    runId: 'run-1',
    ...extra,
  };
}

/** A RabbitMQ record shaped as Lambda delivers it (absent properties `null`, string headers as byte arrays). */
export function rabbitRecord(body: Buffer | string, properties: Record<string, unknown> = {}): RabbitMqRecordInput {
  const data = (typeof body === 'string' ? Buffer.from(body, 'utf8') : body).toString('base64');
  return {
    basicProperties: {
      contentType: 'application/json',
      contentEncoding: null,
      headers: null,
      deliveryMode: 2,
      priority: null,
      correlationId: null,
      replyTo: null,
      expiration: null,
      messageId: null,
      timestamp: 'Jan 1, 1970, 12:33:41 AM',
      type: null,
      userId: null,
      appId: null,
      clusterId: null,
      bodySize: Buffer.from(data, 'base64').byteLength,
      ...properties,
    } as RabbitMqRecordInput['basicProperties'],
    redelivered: false,
    data,
  };
}

/** A record carrying a valid message. */
export function messageRecord(id: string, extra: Partial<Message> = {}): RabbitMqRecordInput {
  const message = sampleMessage(id, extra);
  return rabbitRecord(encodeMessage(message), { messageId: id, correlationId: message.correlationId });
}

/** An event for `queue::vhost`. */
export function rabbitEvent(records: RabbitMqRecordInput[], key = 'events.to-sqs::integration'): RabbitMqEventInput {
  return {
    eventSource: 'aws:rmq',
    eventSourceArn: 'arn:aws:mq:us-east-1:000000000000:broker:test:b-1',
    rmqMessagesByQueue: { [key]: records },
  };
}

/** Lambda's rendering of an AMQP long string header. */
export const bytesOf = (text: string) => ({ bytes: [...Buffer.from(text, 'utf8')] });
