import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { MessageSizeLimit } from '../lambda/shared/message-size';

/**
 * The stack outputs the deployed check needs (contract in docs/module-boundaries.md, "Stack outputs").
 * Physical names are generated, so outputs are the only way to find the resources from outside.
 */
export const OUTPUT_KEYS = {
  producerFunctionName: 'ProducerFunctionName',
  receiptsQueueUrl: 'ReceiptsQueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  queueUrl: 'QueueUrl',
  brokerId: 'BrokerId',
  maxBodyBytes: 'MaxBodyBytes',
  brokerMaxMessageSizeBytes: 'BrokerMaxMessageSizeBytes',
} as const;

/** Stack states in which the resources exist as deployed. */
const USABLE_STATUSES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE']);

export interface StackOutputs {
  readonly producerFunctionName: string;
  readonly receiptsQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The consumer's source queue; read for its visibility timeout and redrive (the drain budget). */
  readonly queueUrl?: string;
  readonly brokerId: string;
  /** The flow's size limit; undefined for a stack deployed before it was an output (the producer still checks). */
  readonly sizeLimit?: MessageSizeLimit;
  /** Every output by key: what a source's own outputs are read from (e.g. Kafka's, only when it is enabled). */
  readonly all: ReadonlyMap<string, string>;
}

/** The stack or one of its outputs is missing; the message names the stack, the key and what exists. */
export class StackOutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackOutputsError';
  }
}

export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw new StackOutputsError(
        `Stack ${stackName} does not exist in this account and region (deploy it, or pass --region).`,
      );
    }
    throw error;
  }
  const stack = stacks?.[0];
  if (!stack) throw new StackOutputsError(`Stack ${stackName} does not exist in this account and region.`);
  if (!USABLE_STATUSES.has(stack.StackStatus ?? '')) {
    throw new StackOutputsError(
      `Stack ${stackName} is ${stack.StackStatus}; verify needs a deployed stack (${[...USABLE_STATUSES].join(', ')}).`,
    );
  }
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const get = (key: string, required: boolean): string | undefined => {
    const value = outputs.get(key);
    if (!value && required) {
      const present = [...outputs.keys()].sort().join(', ') || 'none';
      throw new StackOutputsError(`Stack ${stackName} has no output ${key} (outputs present: ${present}).`);
    }
    return value || undefined;
  };
  return {
    producerFunctionName: get(OUTPUT_KEYS.producerFunctionName, true)!,
    receiptsQueueUrl: get(OUTPUT_KEYS.receiptsQueueUrl, true)!,
    deadLetterQueueUrl: get(OUTPUT_KEYS.deadLetterQueueUrl, true)!,
    queueUrl: get(OUTPUT_KEYS.queueUrl, false),
    brokerId: get(OUTPUT_KEYS.brokerId, true)!,
    sizeLimit: sizeLimitOf(get(OUTPUT_KEYS.maxBodyBytes, false), get(OUTPUT_KEYS.brokerMaxMessageSizeBytes, false)),
    all: outputs,
  };
}

function sizeLimitOf(maxBody: string | undefined, brokerMax: string | undefined): MessageSizeLimit | undefined {
  const maxBodyBytes = Number(maxBody);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) return undefined;
  const broker = Number(brokerMax);
  return { maxBodyBytes, brokerMaxMessageSizeBytes: Number.isInteger(broker) && broker > 0 ? broker : undefined };
}
