import {
  RabbitMqBrokerConfiguration,
  RabbitMqBrokerConfigurationDefinition,
  RabbitMqBrokerEngineVersion,
} from '@cdklabs/cdk-amazonmq';
import type { Construct } from 'constructs';
import { brokerConfigurationData, type BrokerLimitSettings } from '../config/broker-limits';

/**
 * The Amazon MQ configuration (`AWS::AmazonMQ::Configuration`, engine RABBITMQ, base64 Cuttlefish data) that sets a
 * broker's resource limits and `consumer_timeout`, or undefined when the broker needs none (RabbitMQ 3 without a
 * consumer timeout). The broker references it by id and revision.
 *
 * A change of the data is a new revision of the same configuration; Amazon MQ applies it at the broker's next reboot
 * (the maintenance window, or a reboot an operator starts), not at deploy time — see docs/operations.md.
 */
export function brokerLimitsConfiguration(
  scope: Construct,
  id: string,
  props: BrokerLimitSettings & { readonly brokerName: string },
): RabbitMqBrokerConfiguration | undefined {
  const data = brokerConfigurationData(props);
  if (data === undefined) return undefined;
  return new RabbitMqBrokerConfiguration(scope, id, {
    engineVersion: RabbitMqBrokerEngineVersion.of(props.engineVersion),
    description: `Resource limits of the RabbitMQ broker ${props.brokerName} (applied at its next reboot)`,
    definition: RabbitMqBrokerConfigurationDefinition.data(data),
  });
}
