import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { MqClient } from '@aws-sdk/client-mq';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SQSClientResolvedConfig,
} from '@aws-sdk/client-sqs';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { DeployedClients } from '../../../verify/deployed-run';

/**
 * What the deployed-check tests share: in-memory SQS queues behind an aws-sdk-client-mock stub (a received message
 * stays hidden, as its visibility timeout would keep it, until deleted), the clients, a clock that never waits,
 * and a captured stdout/stderr for the CLI.
 */

export type SqsStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, SQSClientResolvedConfig>;

export class FakeQueues {
  private readonly queues = new Map<string, { pending: Message[]; inflight: Map<string, Message> }>();
  private handle = 0;

  /** Answers ReceiveMessage and DeleteMessageBatch from the in-memory queues (call after each `reset`). */
  install(sqs: SqsStub): void {
    sqs.on(ReceiveMessageCommand).callsFake((input: { QueueUrl: string }) => {
      const q = this.queue(input.QueueUrl);
      const visible = q.pending.splice(0, 10);
      visible.forEach((m) => q.inflight.set(m.ReceiptHandle!, m));
      return { Messages: visible.length ? visible : undefined };
    });
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: { ReceiptHandle: string }[] }) => {
      const q = this.queue(input.QueueUrl);
      input.Entries.forEach((e) => q.inflight.delete(e.ReceiptHandle));
      return { Successful: input.Entries.map((_, i) => ({ Id: String(i) })), Failed: [] };
    });
  }

  clear(): void {
    this.queues.clear();
  }

  enqueue(url: string, body: unknown, attributes?: Message['MessageAttributes']): void {
    this.handle += 1;
    this.queue(url).pending.push({
      MessageId: `mid-${this.handle}`,
      ReceiptHandle: `rh-${this.handle}`,
      Body: JSON.stringify(body),
      ...(attributes ? { MessageAttributes: attributes } : {}),
    });
  }

  /** Messages left in a queue (not deleted). */
  remaining(url: string): Message[] {
    const q = this.queue(url);
    return [...q.pending, ...q.inflight.values()];
  }

  private queue(url: string) {
    const q = this.queues.get(url) ?? { pending: [], inflight: new Map<string, Message>() };
    this.queues.set(url, q);
    return q;
  }
}

export function fakeClients(): DeployedClients {
  return {
    cloudFormation: new CloudFormationClient({}),
    lambda: new LambdaClient({}),
    sqs: new SQSClient({}),
    mq: new MqClient({}),
  };
}

/** A clock whose sleeps only move time on. */
export const fastClock = () => {
  let t = 1_700_000_000_000;
  return { now: () => (t += 10), sleep: async (ms: number) => void (t += ms) };
};

/** Captured stdout and stderr for `main`. */
export function capturedIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    streams: {
      stdout: { write: (c: string) => out.push(c) > 0 } as unknown as NodeJS.WritableStream,
      stderr: { write: (c: string) => err.push(c) > 0, isTTY: false } as unknown as NodeJS.WritableStream,
    },
  };
}
