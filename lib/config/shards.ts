import { checkIntegerRange, type ConfigIssue } from './config-issue';
import type { TopologyDefinition } from './topology';

/**
 * Shards of the RabbitMQ source: N quorum queues behind one consistent-hash exchange, one event source mapping each
 * (ARCHITECTURE §5). A RabbitMQ mapping runs one invocation at a time, so the shard count is the bridge's
 * concurrency and the integration's throughput multiplier.
 */

/**
 * Most shards a stage may declare. Each shard adds a quorum queue, an event source mapping (whose pollers place
 * network interfaces in every broker subnet: 3 per shard on a cluster), a consumer connection, a cleanup custom
 * resource and two alarms. 32 keeps the prod template (about 4 resources per shard) well inside CloudFormation's 500
 * resources, the pollers' interfaces (96 on a cluster) inside a /24 broker subnet and the default 5,000 network
 * interfaces per Region, the queues far below Amazon MQ's queue limits and CloudWatch's 500 monitored RabbitMQ queues,
 * and the bridge's concurrency (one per shard) well below the account's 1,000 (see docs/decisions.md).
 */
export const MAX_SHARDS = 32;

/** `eventSources.rabbitMq.shards`: an integer from 1 to {@link MAX_SHARDS}. */
export function checkShards(field: string, shards: number): ConfigIssue[] {
  const out = checkIntegerRange(field, shards, 1, MAX_SHARDS);
  return out.map((issue) => ({
    ...issue,
    problem: `${issue.problem} (one RabbitMQ quorum queue and event source mapping each; see docs/configuration.md)`,
  }));
}

/** A given topology must declare one source queue per shard (the default topology is built with the shard count). */
export function checkTopologyShards(field: string, topology: TopologyDefinition, shards: number): ConfigIssue[] {
  const declared = Array.isArray(topology.sourceQueues) ? topology.sourceQueues.length : 0;
  if (declared === shards) return [];
  return [
    {
      field,
      value: topology.sourceQueues,
      problem: `declares ${declared} source queue(s) but eventSources.rabbitMq.shards is ${shards}; allowed: exactly one source queue per shard`,
    },
  ];
}
