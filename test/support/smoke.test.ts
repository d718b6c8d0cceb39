import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startSqsEmulator } from '../../local/sqs-emulator';

test('the embedded SQS emulator starts inside Jest and round-trips a message', async () => {
  const sqs = await startSqsEmulator();
  try {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'smoke' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hi' }));
    const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(received.Messages?.[0].Body).toBe('hi');
  } finally {
    await sqs.stop();
  }
});
