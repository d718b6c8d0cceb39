import { connect } from 'amqplib';

const endpoint = process.env.BROKER_AMQPS_ENDPOINT ?? 'amqp://127.0.0.1:5672';
const exchange = process.env.EXCHANGE ?? 'events';
const routingKey = process.env.ROUTING_KEY ?? 'event';

/** Publishes `count` messages with publisher confirms and returns the confirmed ids. */
export const handler = async (event: { count?: number } = {}): Promise<{ ids: string[] }> => {
  const connection = await connect(endpoint);
  try {
    const channel = await connection.createConfirmChannel();
    const ids: string[] = [];
    for (let i = 0; i < (event.count ?? 1); i++) {
      const id = crypto.randomUUID();
      channel.publish(exchange, routingKey, Buffer.from(JSON.stringify({ id })), { persistent: true, messageId: id });
      ids.push(id);
    }
    await channel.waitForConfirms();
    return { ids };
  } finally {
    await connection.close();
  }
};
