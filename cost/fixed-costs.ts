import type { HandlerTimesFile } from './handler-times';
import { fixedLine, HOURS_PER_MONTH, type LineItem } from './line-items';
import { priceOf, type PriceTable } from './price-table';
import type { StackInventory } from './template-inventory';

/**
 * The part of the bill that does not depend on traffic: broker nodes, MSK brokers and their volumes, interface
 * endpoints per AZ, NAT gateways and their addresses, alarms (per alarm metric, Metrics Insights queries per time
 * series analyzed), dashboards, customer managed KMS keys, secrets, and the custom metrics the handlers publish.
 */
export function fixedLines(
  inventory: StackInventory,
  prices: PriceTable,
  handlerTimes: HandlerTimesFile,
  messagePathFunctions: readonly string[],
): LineItem[] {
  const lines: LineItem[] = [];
  const price = (id: string, what: string) => priceOf(prices, id, what);

  for (const broker of inventory.brokers) {
    const id = `amazonmq.instance-hour.${broker.instanceType}`;
    lines.push(
      fixedLine(
        `Amazon MQ broker ${broker.instanceType} × ${broker.nodes} node${broker.nodes === 1 ? '' : 's'} (${broker.deploymentMode})`,
        broker.nodes * HOURS_PER_MONTH,
        id,
        price(id, `Amazon MQ instance type ${broker.instanceType}`),
        `${broker.logicalId}: ${broker.nodes} node(s) × ${HOURS_PER_MONTH} h`,
      ),
    );
  }
  for (const cluster of inventory.mskClusters) {
    const id = `msk.broker-hour.${cluster.instanceType}`;
    lines.push(
      fixedLine(
        `MSK brokers ${cluster.instanceType} × ${cluster.brokerNodes}`,
        cluster.brokerNodes * HOURS_PER_MONTH,
        id,
        price(id, `MSK broker type ${cluster.instanceType}`),
        `${cluster.logicalId}: NumberOfBrokerNodes ${cluster.brokerNodes} × ${HOURS_PER_MONTH} h`,
      ),
      fixedLine(
        `MSK broker storage ${cluster.volumeGb} GB × ${cluster.brokerNodes}`,
        cluster.volumeGb * cluster.brokerNodes,
        'msk.storage-gb-month',
        price('msk.storage-gb-month', 'MSK storage'),
        `${cluster.logicalId}: EBS VolumeSize ${cluster.volumeGb} GB per broker, provisioned`,
      ),
    );
  }
  if (inventory.interfaceEndpoints.length > 0) {
    const azHours = inventory.interfaceEndpoints.reduce((sum, e) => sum + e.azs * HOURS_PER_MONTH, 0);
    const names = inventory.interfaceEndpoints.map((e) => `${e.service} ×${e.azs} AZ`).join(', ');
    lines.push(
      fixedLine(
        `Interface endpoints: ${names}`,
        azHours,
        'vpc.interface-endpoint-az-hour',
        price('vpc.interface-endpoint-az-hour', 'interface endpoint hours'),
        `each endpoint billed per AZ (subnet) it is in, ${HOURS_PER_MONTH} h`,
      ),
    );
  }
  if (inventory.natGateways > 0) {
    lines.push(
      fixedLine(
        `NAT gateways × ${inventory.natGateways}`,
        inventory.natGateways * HOURS_PER_MONTH,
        'vpc.nat-gateway-hour',
        price('vpc.nat-gateway-hour', 'NAT gateway hours'),
        `${inventory.natGateways} AWS::EC2::NatGateway × ${HOURS_PER_MONTH} h (data processed not included: no message crosses it)`,
      ),
    );
  }
  if (inventory.elasticIps > 0) {
    lines.push(
      fixedLine(
        `Public IPv4 addresses × ${inventory.elasticIps}`,
        inventory.elasticIps * HOURS_PER_MONTH,
        'vpc.public-ipv4-hour',
        price('vpc.public-ipv4-hour', 'public IPv4 address hours'),
        `${inventory.elasticIps} AWS::EC2::EIP × ${HOURS_PER_MONTH} h`,
      ),
    );
  }
  for (const kind of ['standard', 'metrics-insights'] as const) {
    const alarms = inventory.alarms.filter((a) => a.kind === kind);
    if (alarms.length === 0) continue;
    const metrics = alarms.reduce((sum, a) => sum + a.alarmMetrics, 0);
    lines.push(
      fixedLine(
        kind === 'standard'
          ? `CloudWatch alarms: ${alarms.length} standard (${metrics} alarm metrics)`
          : `CloudWatch alarms: ${alarms.length} on Metrics Insights queries (${metrics} time series analyzed)`,
        metrics,
        'cloudwatch.alarm-metric-month',
        price('cloudwatch.alarm-metric-month', 'alarm metrics'),
        kind === 'standard'
          ? 'one alarm metric per metric an alarm lists'
          : 'one alarm metric per time series each SELECT query analyzes (one per broker node)',
      ),
    );
  }
  const counted: [number, string, string, string][] = [
    [inventory.dashboards, 'CloudWatch dashboards', 'cloudwatch.dashboard-month', 'AWS::CloudWatch::Dashboard'],
    [inventory.kmsKeys, 'KMS customer managed keys', 'kms.key-month', 'AWS::KMS::Key'],
    [inventory.secrets, 'Secrets Manager secrets', 'secretsmanager.secret-month', 'AWS::SecretsManager::Secret'],
  ];
  for (const [count, name, id, type] of counted) {
    if (count > 0) lines.push(fixedLine(`${name} × ${count}`, count, id, price(id, name), `${count} ${type}`));
  }
  const measured = [...new Set(messagePathFunctions)].filter((name) => handlerTimes.functions[name]);
  const customMetrics = measured.reduce((sum, name) => sum + handlerTimes.functions[name].customMetrics, 0);
  if (customMetrics > 0) {
    lines.push(
      fixedLine(
        `CloudWatch custom metrics from handlers × ${customMetrics}`,
        customMetrics,
        'cloudwatch.custom-metric-month',
        price('cloudwatch.custom-metric-month', 'custom metrics'),
        `distinct embedded-metric-format metrics the bench saw ${measured.join(' and ')} publish`,
      ),
    );
  }
  return lines;
}
