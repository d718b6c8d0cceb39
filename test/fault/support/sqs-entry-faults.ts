import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** What the wrapped client did with the SendMessageBatch calls to the watched queue. */
export interface EntryFaultStats {
  calls: number;
  /** Entries answered as failed (`InternalError`, not a sender fault). */
  rejected: number;
  /** Entries the emulator accepted (duplicates SQS deduplicated included). */
  accepted: number;
}

/**
 * Wraps the pipeline's SQS client (the one the bridge was built with) so that SendMessageBatch calls to `queueUrl`
 * lose the entries `refuse` picks — answered failed with `SenderFault: false`, as SQS answers an internal error —
 * and pass the rest to the emulator. `refuse` sees each entry, its index in the call and the call's number (from 1).
 * Other queues and commands (receipts, the consumer's receives and deletes) pass untouched.
 */
export function failBridgeEntries(
  client: SQSClient,
  queueUrl: string,
  refuse: (entry: SendMessageBatchRequestEntry, index: number, call: number) => boolean,
): EntryFaultStats {
  const stats: EntryFaultStats = { calls: 0, rejected: 0, accepted: 0 };
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const intercepted = async (command: unknown): Promise<unknown> => {
    if (!(command instanceof SendMessageBatchCommand) || command.input.QueueUrl !== queueUrl) return send(command);
    const call = ++stats.calls;
    const entries = command.input.Entries ?? [];
    const refused = entries.filter((entry, i) => refuse(entry, i, call));
    const passed = entries.filter((entry) => !refused.includes(entry));
    const out: SendMessageBatchCommandOutput =
      passed.length > 0
        ? ((await send(
            new SendMessageBatchCommand({ ...command.input, Entries: passed }),
          )) as SendMessageBatchCommandOutput)
        : { Successful: [], Failed: [], $metadata: {} };
    stats.rejected += refused.length;
    stats.accepted += out.Successful?.length ?? 0;
    return {
      ...out,
      Failed: [
        ...(out.Failed ?? []),
        ...refused.map((e) => ({
          Id: e.Id,
          SenderFault: false,
          Code: 'InternalError',
          Message: 'injected by the fault test',
        })),
      ],
    };
  };
  (client as unknown as { send: typeof intercepted }).send = intercepted;
  return stats;
}
