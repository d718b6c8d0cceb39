import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startSqsEmulator, startSqsEmulatorOnThread } from '../../local/sqs-emulator';

/** The SQS emulator on its own worker thread (the bench's shard-scaling runs): same API, another event loop. */
describe('startSqsEmulatorOnThread', () => {
  test('serves SQS from a worker thread through the same client: a message round-trips', async () => {
    const sqs = await startSqsEmulatorOnThread();
    try {
      expect(sqs.runsOn).toBe('worker-thread');
      const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'threaded' }));
      await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hi' }));
      const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      expect(received.Messages?.[0].Body).toBe('hi');
    } finally {
      await sqs.stop();
    }
  });

  test('stop is idempotent and frees the port', async () => {
    const sqs = await startSqsEmulatorOnThread();
    const port = Number(new URL(sqs.endpoint).port);
    await Promise.all([sqs.stop(), sqs.stop()]);
    const again = await startSqsEmulator({ port });
    await again.stop();
  });

  test('a port in use is a start failure that says so', async () => {
    const taken = await startSqsEmulator();
    try {
      const port = Number(new URL(taken.endpoint).port);
      await expect(startSqsEmulatorOnThread({ port })).rejects.toThrow(
        /SQS emulator thread failed to start: .*EADDRINUSE/,
      );
    } finally {
      await taken.stop();
    }
  });
});
