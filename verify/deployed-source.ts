import { DescribeBrokerCommand, type MqClient } from '@aws-sdk/client-mq';
import type { DeadLetter } from './accounting';
import type { DeployedClients } from './deployed-run';
import type { StackOutputs } from './stack-outputs';

/**
 * What `npm run verify` needs of one source of the deployed stack: which producer function to invoke, what to note
 * from its answers, where the source's own dead letters are (if it has any readable from outside the VPC), and what
 * to say about it in the report. Everything else (invoking, draining the receipts queue and the SQS DLQ, accounting)
 * is shared; each source is a file of its own (this one: RabbitMQ; kafka-deployed-source.ts: Kafka).
 */
export interface DeployedSource {
  /** The producer function to invoke (same event and answer for every source). */
  readonly producerFunctionName: string;
  /** The RabbitMQ broker as described before the run; absent for other sources. */
  readonly broker?: BrokerSummary;
  /** Notes a producer answer (Kafka: where each message landed). */
  noteAnswer(answer: unknown): void;
  /** One pass over the source's own dead letters; those whose id is in `ids`. */
  drainDeadLetters(ids: ReadonlySet<string>): Promise<DeadLetter[]>;
  /** Facts for the report, read after the run (Kafka: the failed batches found). */
  facts(): Record<string, string | number | boolean>;
}

/** Builds a source from the stack's outputs, refusing with a {@link VerifyError} or a StackOutputsError. */
export type DeployedSourceFactory = (
  clients: DeployedClients,
  outputs: StackOutputs,
  stackName: string,
) => Promise<DeployedSource>;

export interface BrokerSummary {
  readonly name: string;
  readonly state: string;
  readonly engineVersion: string;
  readonly deploymentMode: string;
  readonly instanceType: string;
}

/** A deployed-check precondition failed (broker not running, producer error); the message says which. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/**
 * RabbitMQ: the broker must be RUNNING. The broker is private, so its dead-letter queue cannot be read from here: a
 * message stuck there shows as lost (the DLQ depth alarm names it).
 */
export const rabbitMqDeployedSource: DeployedSourceFactory = async (clients, outputs) => {
  const broker = await describeBroker(clients.mq, outputs.brokerId);
  if (broker.state !== 'RUNNING') {
    throw new VerifyError(
      `Broker ${broker.name} is ${broker.state}; verify needs it RUNNING (try again after the maintenance or reboot).`,
    );
  }
  return {
    producerFunctionName: outputs.producerFunctionName,
    broker,
    noteAnswer: () => undefined,
    drainDeadLetters: async () => [],
    facts: () => ({
      broker: broker.name,
      brokerState: broker.state,
      engineVersion: broker.engineVersion,
      deploymentMode: broker.deploymentMode,
      instanceType: broker.instanceType,
    }),
  };
};

async function describeBroker(mq: MqClient, brokerId: string): Promise<BrokerSummary> {
  const out = await mq.send(new DescribeBrokerCommand({ BrokerId: brokerId }));
  return {
    name: out.BrokerName ?? brokerId,
    state: out.BrokerState ?? 'UNKNOWN',
    engineVersion: out.EngineVersion ?? 'unknown',
    deploymentMode: out.DeploymentMode ?? 'unknown',
    instanceType: out.HostInstanceType ?? 'unknown',
  };
}
