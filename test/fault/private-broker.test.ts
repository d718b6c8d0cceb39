import { connect } from 'amqplib';
import { createPrivateBroker } from './support/private-broker';

test('a private node starts on its own ports, survives kill -9 and restarts', async () => {
  const broker = await createPrivateBroker('selftest');
  try {
    await broker.start();
    const conn = await connect(broker.amqpUrl);
    await conn.close();
    await broker.kill();
    await expect(connect(broker.amqpUrl)).rejects.toThrow(/ECONNREFUSED/);
    await broker.start();
    const again = await connect(broker.amqpUrl);
    await again.close();
  } finally {
    await broker.destroy();
  }
}, 120_000);
