import { startFauxqs } from 'fauxqs';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
test('fauxqs runs in jest', async () => {
  const s = await startFauxqs({ port: 0, logger: false });
  const c = new SQSClient({ endpoint: `http://127.0.0.1:${s.port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const q = await c.send(new CreateQueueCommand({ QueueName: 'a' }));
  await c.send(new SendMessageCommand({ QueueUrl: q.QueueUrl, MessageBody: 'hi' }));
  const r = await c.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl }));
  expect(r.Messages?.[0].Body).toBe('hi');
  await s.stop();
});
