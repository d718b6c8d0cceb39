/**
 * A stack holding the Monitoring construct and the pieces it watches, built directly so the monitoring tests do not
 * depend on the infrastructure constructs: real SQS queues, real functions with inline code, and a broker stand-in
 * that hands out real AWS/AmazonMQ metrics exactly as AWS documents them.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { MonitoringConfig, devMonitoringDefaults } from '../../lib/config/monitoring';
import { Monitoring } from '../../lib/constructs/monitoring';
import { MonitoredBroker } from '../../lib/constructs/monitoring-metrics';

export const BROKER_NAME = 'mq-integration-dev';
export const QUEUES = {
  vhost: 'integration',
  sourceQueues: ['events.to-sqs'],
  deadLetterQueue: 'events.dead-letter',
};

export class FakeBroker implements MonitoredBroker {
  constructor(
    readonly brokerName: string,
    readonly deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ',
    readonly engineVersion: string,
    readonly instanceType: string,
  ) {}

  metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AmazonMQ',
      metricName,
      dimensionsMap: { Broker: this.brokerName },
      ...props,
    });
  }

  metricQueue(metricName: string, vhost: string, queue: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AmazonMQ',
      metricName,
      dimensionsMap: { Broker: this.brokerName, VirtualHost: vhost, Queue: queue },
    });
  }

  metricWorstNode(metricName: string, props: { period?: Duration; label?: string } = {}): cloudwatch.MathExpression {
    const aggregate = /Free/.test(metricName) ? 'MIN' : 'MAX';
    return new cloudwatch.MathExpression({
      expression: `SELECT ${aggregate}(${metricName}) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = '${this.brokerName}'`,
      period: props.period ?? Duration.minutes(5),
      label: props.label,
    });
  }
}

export interface FixtureOptions {
  readonly config?: MonitoringConfig;
  readonly deploymentMode?: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';
  readonly engineVersion?: string;
  readonly instanceType?: string;
}

export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly monitoring: Monitoring;
  readonly template: Template;
}

export function buildFixture(options: FixtureOptions = {}): Fixture {
  const app = new App();
  const stack = new Stack(app, 'MonitoringFixture');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue');
  const sourceQueue = new sqs.Queue(stack, 'SourceQueue', {
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const fn = (id: string, timeout: Duration) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
      timeout,
    });
  const monitoring = new Monitoring(stack, 'Monitoring', {
    config: options.config ?? devMonitoringDefaults,
    broker: new FakeBroker(
      BROKER_NAME,
      options.deploymentMode ?? 'SINGLE_INSTANCE',
      options.engineVersion ?? '3.13',
      options.instanceType ?? 'mq.m5.large',
    ),
    rabbitMqQueues: QUEUES,
    sourceQueue,
    deadLetterQueue,
    functions: {
      producer: fn('Producer', Duration.seconds(30)),
      bridge: fn('Bridge', Duration.seconds(60)),
      consumer: fn('Consumer', Duration.seconds(20)),
    },
  });
  return { app, stack, monitoring, template: Template.fromStack(stack) };
}

/** The CloudFormation properties of the alarm with construct id `id` under the Monitoring construct. */
export function alarmProperties(template: Template, id: string): Record<string, unknown> {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  const matches = Object.entries(alarms).filter(([logicalId]) =>
    new RegExp(`^Monitoring${id}[0-9A-F]{8}$`).test(logicalId),
  );
  if (matches.length !== 1) {
    throw new Error(`expected one alarm "${id}", found ${matches.length} among ${Object.keys(alarms).join(', ')}`);
  }
  return matches[0][1].Properties as Record<string, unknown>;
}

/** Logical id of the alarm topic. */
export function topicLogicalId(template: Template): string {
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  if (topics.length !== 1) throw new Error(`expected one topic, found ${topics.length}`);
  return topics[0];
}
