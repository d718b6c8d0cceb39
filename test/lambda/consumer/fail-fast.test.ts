import '../support/quiet';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createSqsFailFast } from '../../../lambda/consumer/fail-fast';
import { createConsumerHandler, type ConsumerDependencies, type FailFast } from '../../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../../lambda/consumer/local-persistence-layer';
import { encodeMessage } from '../../../lambda/shared/message';
import { sampleMessage } from '../support/events';
import { sqsRecordFor } from '../support/sqs-records';

/**
 * Fail-fast: a record that fails the message contract is made visible again at once (it cannot become valid, so the
 * visibility timeout's backoff only delays its way to the DLQ); every other failure keeps the visibility timeout.
 */

const event = (records: SQSRecord[]): SQSEvent => ({ Records: records });
const valid = (id: string) => sqsRecordFor({ MessageBody: encodeMessage(sampleMessage(id)) }, { messageId: id });
const invalid = (id: string) => sqsRecordFor({ MessageBody: '{"id":"p","type":"poison"}' }, { messageId: id });

function consumer(failFast: FailFast, overrides: Partial<ConsumerDependencies> = {}) {
  const warnings: [string, Record<string, unknown>][] = [];
  const handler = createConsumerHandler({
    processMessage: async () => null,
    persistenceStore: new LocalPersistenceLayer(),
    failFast,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (m, a) => void warnings.push([m, a ?? {}]),
    },
    ...overrides,
  });
  return { handler, warnings };
}

/** A fail-fast that records which records it was asked to release. */
function recordingFailFast(behaviour: (record: SQSRecord) => Promise<void> = async () => undefined) {
  const released: string[] = [];
  const failFast: FailFast = {
    retryNow: async (record) => {
      released.push(record.messageId);
      await behaviour(record);
    },
  };
  return { failFast, released };
}

describe('consumer fail-fast', () => {
  it('makes an invalid record visible again at once and still reports it as failed', async () => {
    const { failFast, released } = recordingFailFast();
    const { handler } = consumer(failFast);
    const response = await handler(event([valid('good'), invalid('bad')]));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(released).toEqual(['bad']);
  });

  it('releases every invalid record of an all-invalid batch', async () => {
    const { failFast, released } = recordingFailFast();
    const { handler } = consumer(failFast);
    const response = await handler(event([invalid('a'), invalid('b')]));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a', 'b']);
    expect(released.sort()).toEqual(['a', 'b']);
  });

  it('leaves a transient processing failure to its visibility timeout (the backoff it deserves)', async () => {
    const { failFast, released } = recordingFailFast();
    const { handler } = consumer(failFast, {
      processMessage: async () => {
        throw new Error('downstream unavailable');
      },
    });
    expect(await handler(event([valid('a')]))).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(released).toEqual([]);
  });

  it('leaves a record whose receipt could not be stored to its visibility timeout', async () => {
    const { failFast, released } = recordingFailFast();
    const { handler } = consumer(failFast, {
      outcomes: {
        record: async () => {
          throw new Error('receipts queue unavailable');
        },
      },
    });
    expect(await handler(event([valid('a')]))).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(released).toEqual([]);
  });

  it('still reports the record, and finishes the batch, when the visibility change fails', async () => {
    const { failFast, released } = recordingFailFast(async () => {
      throw new Error('AccessDenied: not authorized to perform sqs:ChangeMessageVisibility');
    });
    const { handler, warnings } = consumer(failFast);
    const response = await handler(event([invalid('bad'), valid('good')]));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(released).toEqual(['bad']);
    expect(warnings).toContainEqual([
      'Could not make the invalid message visible again; it waits for its visibility timeout',
      { sqsMessageId: 'bad', error: 'AccessDenied: not authorized to perform sqs:ChangeMessageVisibility' },
    ]);
  });

  it('without failFast an invalid record is reported as before', async () => {
    const handler = createConsumerHandler({ processMessage: async () => null });
    expect(await handler(event([invalid('bad')]))).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});

describe('createSqsFailFast', () => {
  const sqsMock = mockClient(SQSClient);
  afterEach(() => sqsMock.reset());

  it('sets the visibility timeout of the record to 0 on the source queue, by its receipt handle', async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    const failFast = createSqsFailFast({ sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://q/source' });
    const record = invalid('bad');
    await failFast.retryNow(record);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://q/source', ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 },
    ]);
  });

  it("rejects with SQS's error, so the handler can log it", async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const failFast = createSqsFailFast({ sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'q' });
    await expect(failFast.retryNow(invalid('bad'))).rejects.toThrow(/ReceiptHandleIsInvalid/);
  });
});
