import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOfType, synthStage, type SynthesizedStage } from './stack-fixture';

/**
 * Shards in the template (ARCHITECTURE §5): one RabbitMQ mapping per shard queue on the one bridge function, and per
 * shard only a mapping, its cleanup custom resource and its alarms: never a function or a state machine.
 */
const FOUR = { eventSources: { rabbitMq: { shards: 4 } } };
let one: SynthesizedStage;
let four: SynthesizedStage;
beforeAll(() => {
  one = synthStage('dev');
  four = synthStage('dev', FOUR);
});

const rabbitMqMappings = (s: SynthesizedStage) =>
  Object.values(resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping')).filter((r) =>
    Array.isArray(r.Properties?.Queues),
  );
const count = (s: SynthesizedStage, type: string) => Object.keys(resourcesOfType(s.json, type)).length;
const bridgeId = (s: SynthesizedStage) => s.stack.getLogicalId(s.stack.functions.bridge.node.defaultChild as never);

test('4 shards: 4 RabbitMQ mappings, one per shard queue, all on the one bridge function', () => {
  const mappings = rabbitMqMappings(four);
  expect(mappings).toHaveLength(4);
  expect(mappings.map((m) => m.Properties?.Queues)).toEqual([
    ['events.to-sqs'],
    ['events.to-sqs.1'],
    ['events.to-sqs.2'],
    ['events.to-sqs.3'],
  ]);
  for (const m of mappings) expect(m.Properties?.FunctionName).toEqual({ Ref: bridgeId(four) });
  for (const m of mappings) {
    expect(m.Properties).toMatchObject({
      BatchSize: 100,
      SourceAccessConfigurations: [
        { Type: 'VIRTUAL_HOST', URI: 'integration' },
        { Type: 'BASIC_AUTH', URI: { Ref: expect.stringMatching(/^TopologyUsereventsource/) } },
      ],
    });
  }
});

test('as many functions and state machines with 4 shards as with 1', () => {
  expect(count(four, 'AWS::Lambda::Function')).toBe(count(one, 'AWS::Lambda::Function'));
  expect(count(four, 'AWS::StepFunctions::StateMachine')).toBe(count(one, 'AWS::StepFunctions::StateMachine'));
  expect(count(one, 'AWS::StepFunctions::StateMachine')).toBe(1);
});

test('each shard adds exactly a mapping, a cleanup resource and two alarms (RabbitMQ 3.13: queue metrics)', () => {
  const added = (type: string) => count(four, type) - count(one, type);
  expect(added('AWS::Lambda::EventSourceMapping')).toBe(3);
  expect(added('Custom::EventSourceMappingCleanup')).toBe(3);
  expect(added('AWS::CloudWatch::Alarm')).toBe(6);
  expect(Object.keys(four.json.Resources).length - Object.keys(one.json.Resources).length).toBe(12);
});

test("every mapping has its cleanup resource, which outlives the bridge's role (Lambda removes interfaces with it)", () => {
  const cleanups = Object.values(resourcesOfType(four.json, 'Custom::EventSourceMappingCleanup'));
  const mappingIds = Object.entries(resourcesOfType(four.json, 'AWS::Lambda::EventSourceMapping'))
    .filter(([, r]) => Array.isArray(r.Properties?.Queues))
    .map(([id]) => id);
  expect(cleanups.map((c) => c.Properties?.EsmId)).toEqual(mappingIds.map((id) => ({ Ref: id })));
  const role = four.stack.getLogicalId(four.stack.functions.bridge.role!.node.defaultChild as never);
  for (const c of cleanups) expect(c.DependsOn).toEqual(expect.arrayContaining([role]));
});

test('the cleanup function runs in the VPC with its own log group, and may delete only these mappings', () => {
  const s = four;
  const fnId = s.stack.getLogicalId(s.stack.functions.rabbitMqShards.cleanupFunction.node.defaultChild as never);
  const fn = resourcesOfType(s.json, 'AWS::Lambda::Function')[fnId];
  expect(fn.Properties).toMatchObject({
    VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
    LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/CleanupLogGroup/) } },
  });
  const statements = Object.values(resourcesOfType(s.json, 'AWS::IAM::Policy')).flatMap(
    (p) => (p.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
  );
  const mappingStatement = statements.find((st) => JSON.stringify(st.Action).includes('DeleteEventSourceMapping'));
  const mappingIds = Object.entries(resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping'))
    .filter(([, r]) => Array.isArray(r.Properties?.Queues))
    .map(([id]) => id);
  expect(mappingStatement?.Action).toEqual(['lambda:DeleteEventSourceMapping', 'lambda:GetEventSourceMapping']);
  // arn:PARTITION:lambda:REGION:ACCOUNT:event-source-mapping:UUID, one per mapping, nothing else.
  expect(mappingStatement?.Resource).toEqual(
    mappingIds.map((id) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':lambda:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':event-source-mapping:',
          { Ref: id },
        ],
      ],
    })),
  );
});

test('no @cdklabs/cdk-amazonmq deleter is left: no resource under an MqEsmDeleter path', () => {
  const paths = Object.values(four.json.Resources as Record<string, { Metadata?: Record<string, string> }>).map(
    (r) => r.Metadata?.['aws:cdk:path'] ?? '',
  );
  expect(paths.filter((p) => /MqEsmDeleter/.test(p))).toEqual([]);
});

test('the producer publishes to the consistent-hash exchange, routing by message id (no ORDERING_KEY_FIELD)', () => {
  const producerId = four.stack.getLogicalId(four.stack.functions.producer.node.defaultChild as never);
  const env = resourcesOfType(four.json, 'AWS::Lambda::Function')[producerId].Properties?.Environment as {
    Variables: Record<string, unknown>;
  };
  expect(env.Variables.EXCHANGE).toBe('events.by-key');
  expect(env.Variables.ORDERING_KEY_FIELD).toBeUndefined();
  expect(env.Variables.ROUTING_KEY).toBeUndefined();
});

test('with FIFO the producer routes by the FIFO group field', () => {
  const fifo = synthStage('dev', { queues: { fifo: true, messageGroupIdField: 'payload.customer' } });
  const producerId = fifo.stack.getLogicalId(fifo.stack.functions.producer.node.defaultChild as never);
  const env = resourcesOfType(fifo.json, 'AWS::Lambda::Function')[producerId].Properties?.Environment as {
    Variables: Record<string, unknown>;
  };
  expect(env.Variables.ORDERING_KEY_FIELD).toBe('payload.customer');
});

test('per shard: a no-consumer and a ready-messages alarm on its queue, each notifying the alarm topic', () => {
  for (const queue of ['events.to-sqs', 'events.to-sqs.1', 'events.to-sqs.2', 'events.to-sqs.3']) {
    for (const metric of ['ConsumerCount', 'MessageReadyCount']) {
      four.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: Match.arrayWith([{ Name: 'Queue', Value: queue }]),
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
    }
  }
});

test('the stack output lists the shard queues in order', () => {
  four.template.hasOutput('RabbitMqSourceQueues', {
    Value: 'events.to-sqs,events.to-sqs.1,events.to-sqs.2,events.to-sqs.3',
  });
});
