import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ConsumerOutcomes } from '../../lib/constructs/consumer-outcomes';

function build(props: ConstructorParameters<typeof ConsumerOutcomes>[2] = {}) {
  const stack = new Stack(new App(), 'OutcomesTest');
  const outcomes = new ConsumerOutcomes(stack, 'Outcomes', props);
  const role = new Role(stack, 'Consumer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  outcomes.grantIdempotency(role);
  return { stack, outcomes, template: Template.fromStack(stack) };
}

describe('idempotency table', () => {
  const { stack, outcomes, template } = build();

  test('key id (string), TTL on expiration, on-demand, point-in-time recovery, AWS managed encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('the grant is item reads and writes on this table only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
            Resource: [stack.resolve(outcomes.idempotencyTable.tableArn)],
          },
        ],
      },
    });
  });

  test('records live 29 days unless told otherwise: the longest redelivery window SQS allows, plus a day', () => {
    expect(outcomes.idempotencyExpiry.toSeconds()).toBe(29 * 86_400);
  });

  test('no receipts queue unless asked for', () => {
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(outcomes.receiptsQueue).toBeUndefined();
  });
});

test('the receipts queue is encrypted, TLS-only and keeps receipts one day', () => {
  const { outcomes, template } = build({ receipts: true });
  expect(outcomes.receiptsQueue).toBeDefined();
  template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 86_400 });
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('a retained table survives the stack', () => {
  build({ removalPolicy: RemovalPolicy.RETAIN }).template.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
});

describe('idempotency expiry', () => {
  test('is the one given', () => {
    expect(build({ idempotencyExpiry: Duration.days(15) }).outcomes.idempotencyExpiry.toSeconds()).toBe(1_296_000);
  });

  test.each([
    [Duration.seconds(59), 59],
    [Duration.days(366), 31_622_400],
  ])('%s is refused with the allowed range', (expiry, seconds) => {
    expect(() => build({ idempotencyExpiry: expiry })).toThrow(
      new RegExp(
        `Invalid ConsumerOutcomes 'Outcomes' \\(1 problem\\):\\n {2}- props\\.idempotencyExpiry: got ${seconds}; allowed: an integer from 60 to 31,536,000 seconds \\(1 minute to 365 days\\)`,
      ),
    );
  });
});
