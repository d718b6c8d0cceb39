import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  QueueWithDeadLetterQueue,
  type QueueWithDeadLetterQueueProps,
} from '../../lib/constructs/queue-with-dead-letter-queue';

function build(props: Partial<QueueWithDeadLetterQueueProps> = {}) {
  const stack = new Stack(new App(), 'QueueTest');
  const queues = new QueueWithDeadLetterQueue(stack, 'Queues', { consumerTimeout: Duration.seconds(30), ...props });
  return { stack, queues, template: Template.fromStack(stack) };
}

describe('defaults', () => {
  const { stack, queues, template } = build();
  const queueId = () => stack.getLogicalId(queues.queue.node.defaultChild as never);
  const dlqId = () => stack.getLogicalId(queues.deadLetterQueue.node.defaultChild as never);

  test('two standard queues, both encrypted with SQS managed keys', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, FifoQueue: Match.absent() });
  });

  test('visibility timeout = 6 x consumer timeout; 4 days retention; redrive after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queues.visibilityTimeout.toSeconds()).toBe(180);
    expect(queues.maxReceiveCount).toBe(5);
  });

  test('the DLQ keeps messages 14 days and admits only this queue as its source', () => {
    const queueName = Template.fromStack(stack).toJSON().Resources[queueId()].Properties.QueueName;
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [Match.anyValue()] },
    });
    const dlq = Template.fromStack(stack).toJSON().Resources[dlqId()].Properties.RedriveAllowPolicy;
    const [prefix, stackIdPart] = queueName['Fn::Join'][1];
    expect(JSON.stringify(dlq.sourceQueueArns[0])).toContain(`:${prefix}`);
    expect(JSON.stringify(dlq.sourceQueueArns[0])).toContain(JSON.stringify(stackIdPart));
  });

  test('the queue name ends with the first group of the stack id, new for every stack created', () => {
    const queueName = Template.fromStack(stack).toJSON().Resources[queueId()].Properties.QueueName;
    expect(queueName).toEqual({
      'Fn::Join': [
        '',
        [
          expect.stringMatching(/^QueueTestQueues[A-F0-9]{8}-$/),
          {
            'Fn::Select': [
              0,
              { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
            ],
          },
        ],
      ],
    });
  });

  test('both queues refuse requests without TLS', () => {
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('both queues are deleted with the stack by default', () => {
    expect(Object.values(template.findResources('AWS::SQS::Queue')).map((r) => r.DeletionPolicy)).toEqual([
      'Delete',
      'Delete',
    ]);
  });
});

test('the visibility timeout covers the batching window too, and is at least 30 s', () => {
  expect(
    build({
      consumerTimeout: Duration.seconds(10),
      consumerBatchingWindow: Duration.seconds(5),
    }).queues.visibilityTimeout.toSeconds(),
  ).toBe(65);
  expect(build({ consumerTimeout: Duration.seconds(3) }).queues.visibilityTimeout.toSeconds()).toBe(30);
});

test('FIFO makes both queues FIFO, without content-based deduplication', () => {
  const { template } = build({ fifo: true });
  template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true, ContentBasedDeduplication: Match.absent() });
  const named = Object.values(template.findResources('AWS::SQS::Queue')).filter((q) => q.Properties.QueueName);
  expect(named).toHaveLength(1);
  expect(JSON.stringify(named[0].Properties.QueueName)).toMatch(/\.fifo"\]\]\}$/);
});

test('retained queues keep their messages when the stack goes', () => {
  const { template } = build({
    removalPolicy: RemovalPolicy.RETAIN,
    deadLetterRemovalPolicy: RemovalPolicy.RETAIN,
    maxReceiveCount: 3,
  });
  expect(Object.values(template.findResources('AWS::SQS::Queue')).map((r) => r.DeletionPolicy)).toEqual([
    'Retain',
    'Retain',
  ]);
  template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
});
