import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage } from '../../lambda/shared/message';
import {
  amqpPublishExample,
  amqpUrlFor,
  pikaExample,
  publishExamples,
  type PublishTarget,
} from '../../local/publish-examples';
import { bodyId } from '../../verify/queue-drain';

const TARGET: PublishTarget = {
  host: '127.0.0.1',
  port: 5672,
  vhost: 'integration',
  exchange: 'events',
  routingKey: 'event',
  username: 'guest',
  password: 'guest',
};

describe('--serve publish examples', () => {
  test('pika: the vhost in the URL, a confirm channel, mandatory, the exchange and routing key', () => {
    const text = pikaExample(TARGET);
    expect(text).toContain('pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/integration")');
    expect(text).toContain('channel.confirm_delivery()');
    expect(text).toContain('exchange="events", routing_key="event"');
    expect(text).toContain('mandatory=True');
    expect(text).toContain('delivery_mode=2');
    expect(text.split('\n').at(-1)).toBe('PY');
  });

  test.each([
    ['pika', pikaExample(TARGET), /body = "((?:[^"\\]|\\.)*)"/],
    ['amqp-publish', amqpPublishExample(TARGET), /--body='([^']*)'/],
  ])('%s: the body satisfies the message contract', (_name, text, pattern) => {
    const match = pattern.exec(text);
    expect(match).not.toBeNull();
    const raw = _name === 'pika' ? (JSON.parse(`"${match![1]}"`) as string) : match![1];
    expect(() => decodeMessage(Buffer.from(raw))).not.toThrow();
  });

  test('amqp-publish: exchange, routing key, persistent, JSON content type', () => {
    expect(amqpPublishExample(TARGET)).toMatch(
      /^amqp-publish --url='amqp:\/\/guest:guest@127\.0\.0\.1:5672\/integration' --exchange='events' --routing-key='event' --persistent --content-type=application\/json --body='\{/,
    );
  });

  test('a password other than the default guest is never printed', () => {
    const url = amqpUrlFor({ ...TARGET, username: 'admin', password: 's3cret-value' });
    expect(url).toBe('amqp://admin:$RABBITMQ_PASSWORD@127.0.0.1:5672/integration');
    expect(publishExamples({ ...TARGET, password: 's3cret-value' })).not.toContain('s3cret-value');
  });

  test('a vhost with a slash is URL-encoded', () => {
    expect(amqpUrlFor({ ...TARGET, vhost: '/' })).toBe('amqp://guest:guest@127.0.0.1:5672/%2F');
  });

  test("the block warns off the tutorials' default-vhost hello queue", () => {
    expect(publishExamples(TARGET)).toMatch(/queue_declare\('hello'\).*nothing reads it/);
  });
});

describe('bodyId names a message that has no AMQP message id', () => {
  test.each([
    ['{"id":"order-7"}', 'order-7'],
    ['{"id":""}', undefined],
    ['{"id":7}', undefined],
    ['not json', undefined],
    [undefined, undefined],
  ])('%s → %s', (body, expected) => {
    expect(bodyId(body)).toBe(expected);
  });
});

test("the README's pika example is the one --serve prints for the dev stage", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  // The dev stage's producer exchange, routing by the message id (the ordering key), as our producer does.
  expect(readme).toContain(pikaExample({ ...TARGET, exchange: 'events.by-key', routingKey: undefined }));
});
