import { FALLBACK_GROUP_ID, messageGroupId } from '../../../lambda/bridge/sqs-entries';
import type { OutgoingMessage } from '../../../lambda/producer/event';
import { describeOrderingKey, orderingKeyOf } from '../../../lambda/producer/ordering-key';

const message = (id: string, body: unknown): OutgoingMessage => ({
  id,
  correlationId: id,
  body: Buffer.from(JSON.stringify(body)),
  poison: false,
});

describe('orderingKeyOf (the routing key the consistent-hash exchange hashes)', () => {
  it('is the message id by default (standard queues)', () => {
    expect(orderingKeyOf(undefined)(message('m-1', { payload: { customer: 'a' } }))).toBe('m-1');
    expect(orderingKeyOf('')(message('m-2', {}))).toBe('m-2');
    expect(describeOrderingKey(undefined)).toBe('message id');
  });

  it('is the FIFO group, computed exactly as the bridge computes the SQS MessageGroupId', () => {
    const key = orderingKeyOf('payload.customer');
    const m = message('m-1', { payload: { customer: 'customer-7' } });
    expect(key(m)).toBe('customer-7');
    expect(key(m)).toBe(messageGroupId(m.body.toString('utf8'), 'payload.customer'));
    expect(describeOrderingKey('payload.customer')).toBe('FIFO group field payload.customer');
  });

  it('falls back to the bridge group of a message without the field, so both hops still agree', () => {
    const key = orderingKeyOf('payload.customer');
    expect(key(message('m-1', { payload: {} }))).toBe(FALLBACK_GROUP_ID);
    expect(key({ id: 'x', correlationId: 'x', body: Buffer.from('not json'), poison: true })).toBe(FALLBACK_GROUP_ID);
  });
});
