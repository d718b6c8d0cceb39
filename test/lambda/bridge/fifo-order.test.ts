import '../support/quiet';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { createBridgeHandler } from '../../../lambda/bridge/handler';
import type { SqsBatchClient } from '../../../lambda/bridge/forward';
import { ForwardingError } from '../../../lambda/shared/errors';
import { messageRecord, rabbitEvent } from '../support/events';

/**
 * FIFO order through the bridge, against a fake FIFO queue that keeps what it accepted per message group (with
 * SQS's deduplication) and fails the entries a rule picks, mid-group, the way SQS answers each entry of a call on
 * its own. Whatever SQS fails, a group's accepted messages must be in publish order.
 */

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/target.fifo';

type Entry = NonNullable<SendMessageBatchCommand['input']['Entries']>[number];
/** Decides the fate of one entry of a call: undefined accepts it. */
type Rule = (entry: Entry, call: number) => { readonly senderFault: boolean } | undefined;

class FakeFifoQueue implements SqsBatchClient {
  /** Accepted message ids (body ids) per group, in SQS's order. */
  readonly groups = new Map<string, string[]>();
  readonly calls: Entry[][] = [];
  /** Calls in flight and the groups they carry, to prove a group never has two at once. */
  private readonly inFlightGroups = new Set<string>();
  overlaps = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly rule: Rule = () => undefined) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const entries = command.input.Entries ?? [];
    const call = this.calls.push(entries);
    const groups = entries.map((e) => e.MessageGroupId as string);
    for (const g of groups) if (this.inFlightGroups.has(g)) this.overlaps++;
    groups.forEach((g) => this.inFlightGroups.add(g));
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    groups.forEach((g) => this.inFlightGroups.delete(g));
    const output: SendMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const entry of entries) {
      const fault = this.rule(entry, call);
      if (fault) {
        output.Failed!.push({
          Id: entry.Id,
          SenderFault: fault.senderFault,
          Code: 'InternalError',
          Message: 'injected',
        });
        continue;
      }
      const dedup = entry.MessageDeduplicationId as string;
      if (!this.seen.has(dedup)) {
        this.seen.add(dedup);
        const group = this.groups.get(entry.MessageGroupId as string) ?? [];
        group.push(JSON.parse(entry.MessageBody as string).id as string);
        this.groups.set(entry.MessageGroupId as string, group);
      }
      output.Successful!.push({ Id: entry.Id, MessageId: `sqs-${dedup}`, MD5OfMessageBody: '' });
    }
    return output;
  }
}

/** `perGroup` messages in each of `groups` groups, interleaved as a publisher of several streams would send them. */
function interleaved(
  groups: number,
  perGroup: number,
): { ids: Map<string, string[]>; records: ReturnType<typeof messageRecord>[] } {
  const ids = new Map<string, string[]>();
  const records = [];
  for (let n = 0; n < perGroup; n++) {
    for (let g = 0; g < groups; g++) {
      const id = `g${g}-${n}`;
      ids.set(`g${g}`, [...(ids.get(`g${g}`) ?? []), id]);
      records.push(messageRecord(id, { payload: { group: `g${g}` } }));
    }
  }
  return { ids, records };
}

const fifoBridge = (sqs: SqsBatchClient, parallelism = 4) =>
  createBridgeHandler({
    sqs,
    config: { queueUrl: QUEUE, parallelism, messageGroupIdField: 'payload.group', maxAttempts: 3 },
  });

describe('bridge to a FIFO queue', () => {
  it('keeps each group in order when SQS fails an entry mid-group and accepts the later ones', async () => {
    // The first time each g*-1 is offered, SQS fails it on its side (retryable) and accepts everything else.
    const failedOnce = new Set<string>();
    const sqs = new FakeFifoQueue((entry) => {
      const id = JSON.parse(entry.MessageBody as string).id as string;
      if (!id.endsWith('-1') || failedOnce.has(id)) return undefined;
      failedOnce.add(id);
      return { senderFault: false };
    });
    const { ids, records } = interleaved(3, 6);
    const result = await fifoBridge(sqs)(rabbitEvent(records));
    expect(result.forwarded).toBe(18);
    expect(failedOnce.size).toBe(3);
    expect(sqs.groups).toEqual(ids);
  });

  it('never puts two entries of one group in a call, nor a group in two calls at once', async () => {
    const sqs = new FakeFifoQueue();
    const { ids, records } = interleaved(25, 4);
    const result = await fifoBridge(sqs, 3)(rabbitEvent(records));
    for (const call of sqs.calls) {
      expect(new Set(call.map((e) => e.MessageGroupId)).size).toBe(call.length);
    }
    expect(sqs.overlaps).toBe(0);
    expect(sqs.groups).toEqual(ids);
    // Throughput with many groups: full calls of 10, three at a time — 25 groups × 4 rounds = 3 calls per round.
    expect(result.requests).toBe(12);
    expect(sqs.calls.filter((c) => c.length === 10)).toHaveLength(8);
    expect(sqs.maxInFlight).toBe(3);
  });

  it('sends a single group one message per call, each after the one before was accepted', async () => {
    const sqs = new FakeFifoQueue();
    const { ids, records } = interleaved(1, 5);
    expect(await fifoBridge(sqs, 8)(rabbitEvent(records))).toMatchObject({ forwarded: 5, requests: 5 });
    expect(sqs.calls.map((c) => c.length)).toEqual([1, 1, 1, 1, 1]);
    expect(sqs.maxInFlight).toBe(1);
    expect(sqs.groups).toEqual(ids);
  });

  it('stops a group at an entry SQS keeps failing, sends the other groups, and the redelivery restores order', async () => {
    let refuse = true;
    const sqs = new FakeFifoQueue((entry) =>
      refuse && JSON.parse(entry.MessageBody as string).id === 'g1-2' ? { senderFault: false } : undefined,
    );
    const { ids, records } = interleaved(3, 5);
    const error = (await fifoBridge(sqs)(rabbitEvent(records)).catch((e: unknown) => e)) as ForwardingError;
    expect(error).toBeInstanceOf(ForwardingError);
    expect(error.failures.map((f) => [f.id, f.code])).toEqual([
      ['g1-2', 'InternalError'],
      ['g1-3', 'NotSent'],
      ['g1-4', 'NotSent'],
    ]);
    // Nothing of g1 after g1-2 reached SQS; the other groups went through.
    expect(sqs.groups.get('g1')).toEqual(['g1-0', 'g1-1']);
    expect(sqs.groups.get('g0')).toEqual(ids.get('g0'));
    expect(sqs.groups.get('g2')).toEqual(ids.get('g2'));
    // Three attempts for g1-2, none for what follows it.
    const offered = sqs.calls.flat().map((e) => JSON.parse(e.MessageBody as string).id as string);
    expect(offered.filter((id) => id === 'g1-2')).toHaveLength(3);
    expect(offered).not.toContain('g1-3');

    // RabbitMQ redelivers the whole batch: SQS drops what it has, and g1 continues in order.
    refuse = false;
    await fifoBridge(sqs)(rabbitEvent(records));
    expect(sqs.groups).toEqual(ids);
  });

  it('stops a group at a sender fault without retrying it', async () => {
    const sqs = new FakeFifoQueue((entry) =>
      JSON.parse(entry.MessageBody as string).id === 'g0-0' ? { senderFault: true } : undefined,
    );
    const { records } = interleaved(2, 2);
    await expect(fifoBridge(sqs)(rabbitEvent(records))).rejects.toThrow(
      /SQS did not accept 2 of 4 records: g0-0 \(InternalError: injected\); g0-1 \(NotSent: not sent because g0-0, earlier in its message group, was not accepted/,
    );
    expect(sqs.groups.get('g0')).toBeUndefined();
    expect(sqs.groups.get('g1')).toEqual(['g1-0', 'g1-1']);
    expect(sqs.calls).toHaveLength(2);
  });
});

describe('FIFO deduplication id', () => {
  it('is the body id, so a publisher reusing an AMQP message-id for different messages loses none of them', async () => {
    const sqs = new FakeFifoQueue();
    const reused = { messageId: 'publisher-counter-1' };
    const records = ['a', 'b', 'c'].map((id) => ({
      ...messageRecord(id, { payload: { group: 'g' } }),
      basicProperties: { ...messageRecord(id).basicProperties, ...reused },
    }));
    expect(await fifoBridge(sqs)(rabbitEvent(records))).toMatchObject({ forwarded: 3 });
    expect(sqs.groups.get('g')).toEqual(['a', 'b', 'c']);
    expect(sqs.calls.flat().map((e) => e.MessageDeduplicationId)).toEqual(['a', 'b', 'c']);
  });

  it('drops a redelivered message: same body id, whatever its message-id', async () => {
    const sqs = new FakeFifoQueue();
    await fifoBridge(sqs)(rabbitEvent([messageRecord('x', { payload: { group: 'g' } })]));
    const again = messageRecord('x', { payload: { group: 'g' } });
    await fifoBridge(sqs)(rabbitEvent([{ ...again, basicProperties: { ...again.basicProperties, messageId: null } }]));
    expect(sqs.groups.get('g')).toEqual(['x']);
  });
});
