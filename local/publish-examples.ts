/**
 * What `npm start -- --serve` prints so a person coming from the RabbitMQ tutorials can publish into the running
 * pipeline at once. The tutorials' "hello world" publishes to the default exchange of the default vhost into a queue
 * named `hello`, which nothing here reads; these examples carry the vhost, exchange, routing key, credentials and a
 * body that satisfies the message contract (lambda/shared/message.ts), with publisher confirms and `mandatory`, as
 * our own producer publishes.
 */

export interface PublishTarget {
  /** Broker host and AMQP port as the publisher reaches them. */
  readonly host: string;
  readonly port: number;
  readonly vhost: string;
  readonly exchange: string;
  /**
   * Routing key to publish with. @default - the example message's id: the producer's exchange hashes the routing key
   * (the ordering key) onto a shard queue, and our producer uses the message id
   */
  readonly routingKey?: string;
  readonly username: string;
  /** Printed only when it is the local broker's well-known default (`guest`); otherwise a placeholder. */
  readonly password: string;
}

/** A contract-valid message body (fixed id: re-running an example is a duplicate the consumer absorbs). */
export function exampleMessage(id: string): Record<string, unknown> {
  return {
    id,
    type: 'sample.event',
    payload: { hello: 'world' },
    createdAt: '2026-01-01T00:00:00.000Z',
    correlationId: id,
  };
}

/** `amqp://user:pass@host:port/vhost` with the vhost URL-encoded, as pika and amqp-publish parse it. */
export function amqpUrlFor(target: PublishTarget): string {
  const password = target.password === 'guest' ? 'guest' : '$RABBITMQ_PASSWORD';
  return `amqp://${encodeURIComponent(target.username)}:${password}@${target.host}:${target.port}/${encodeURIComponent(target.vhost)}`;
}

/** Python pika, the tutorials' client: a confirm channel, `mandatory`, persistent, the message id set. */
export function pikaExample(target: PublishTarget): string {
  const body = JSON.stringify(exampleMessage('hello-from-pika'));
  return [
    "python3 - <<'PY'",
    'import pika',
    `connection = pika.BlockingConnection(pika.URLParameters(${JSON.stringify(amqpUrlFor(target))}))`,
    'channel = connection.channel()',
    'channel.confirm_delivery()  # basic_publish now raises unless the broker confirms',
    `body = ${JSON.stringify(body)}`,
    `channel.basic_publish(exchange=${JSON.stringify(target.exchange)}, routing_key=${JSON.stringify(target.routingKey ?? 'hello-from-pika')}, body=body, mandatory=True,`,
    "    properties=pika.BasicProperties(message_id='hello-from-pika', content_type='application/json', delivery_mode=2))",
    "print('confirmed')",
    'connection.close()',
    'PY',
  ].join('\n');
}

/** Debian's amqp-tools: no message-id option, so the message is reported by its body's `id`. */
export function amqpPublishExample(target: PublishTarget): string {
  const body = JSON.stringify(exampleMessage('hello-from-amqp-publish'));
  return (
    `amqp-publish --url='${amqpUrlFor(target)}' --exchange='${target.exchange}' ` +
    `--routing-key='${target.routingKey ?? 'hello-from-amqp-publish'}' --persistent --content-type=application/json --body='${body}'`
  );
}

/** The whole block `--serve` prints. */
export function publishExamples(target: PublishTarget): string {
  return [
    // Unindented: a heredoc's terminator and Python's statements must start their lines to paste as they are.
    'Publish from Python (pip install pika):',
    pikaExample(target),
    'or with amqp-publish (apt-get install amqp-tools):',
    amqpPublishExample(target),
    `Not the tutorials' queue_declare('hello') on the default vhost: nothing reads it. Use vhost "${target.vhost}" and exchange "${target.exchange}".`,
  ].join('\n');
}
