import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { defaultTopology } from '../../lib/config/topology';
import type { RabbitMqTopology } from '../../lib/constructs/rabbitmq-topology';
import { topologyStack } from './construct-fixture';

// One synthesized stack with the defaults is shared: bundling the handler is the slow part.
let fixture: ReturnType<typeof topologyStack>;
let template: Template;
beforeAll(() => {
  fixture = topologyStack();
  template = Template.fromStack(fixture.stack);
});

const handlerId = (): string =>
  fixture.stack.getLogicalId(fixture.topology.onEventFunction.node.defaultChild as CfnElement);
const resourceOf = (
  type: string,
  match: object,
): [string, { Properties: Record<string, unknown>; DependsOn?: string[] }] => {
  const found = Object.entries(template.findResources(type, match));
  expect(found).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, unknown>; DependsOn?: string[] }];
};

describe('the Custom::RabbitMqTopology resource', () => {
  test('carries the definition as JSON, the endpoint and secret ARNs, and is served by the Provider framework', () => {
    template.hasResourceProperties('Custom::RabbitMqTopology', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopologyProviderframeworkonEvent'), 'Arn'] },
      Topology: JSON.stringify(defaultTopology()),
      ManagementEndpoint: 'https://b-1234.mq.eu-west-1.amazonaws.com',
      AdminSecretArn: { Ref: Match.stringLikeRegexp('^AdminSecret') },
      UserSecretArns: {
        producer: { Ref: Match.stringLikeRegexp('^TopologyUserproducer') },
        'event-source': { Ref: Match.stringLikeRegexp('^TopologyUsereventsource') },
      },
      RetainOnDelete: false,
      Revision: Match.absent(),
    });
  });

  test('holds no password: only generated secrets, and the resource names secrets by ARN', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/"SecretString"/);
    expect(json).not.toMatch(/"password"\s*:/i);
    const [, resource] = resourceOf('Custom::RabbitMqTopology', {});
    expect(Object.keys(resource.Properties).sort()).toEqual(
      ['AdminSecretArn', 'ManagementEndpoint', 'RetainOnDelete', 'ServiceToken', 'Topology', 'UserSecretArns'].sort(),
    );
  });

  test('is created after, and deleted before, the broker ingress rule and the handler security group', () => {
    const [, resource] = resourceOf('Custom::RabbitMqTopology', {});
    const [ingressId] = resourceOf('AWS::EC2::SecurityGroupIngress', {});
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([ingressId, expect.stringMatching(/^TopologyHandlerSecurityGroup/)]),
    );
  });

  test('a revision is passed through so that changing it re-applies the topology', () => {
    const { stack } = topologyStack({ revision: '2' });
    Template.fromStack(stack).hasResourceProperties('Custom::RabbitMqTopology', { Revision: '2' });
  });
});

describe('the handler function', () => {
  test('is our own function on nodejs24.x, arm64, with memory and timeout set', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 120,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'rabbitmq-topology' }) },
    });
  });

  test('runs in the VPC subnets with its own security group', () => {
    const [, fn] = resourceOf('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
    expect(fn.Properties.VpcConfig).toEqual({
      SubnetIds: [
        { Ref: expect.stringMatching(/^VpcPrivateSubnet1/) },
        { Ref: expect.stringMatching(/^VpcPrivateSubnet2/) },
      ],
      SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^TopologyHandlerSecurityGroup/), 'GroupId'] }],
    });
  });

  test('writes to an explicit log group with the given retention', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
    const [, fn] = resourceOf('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/^TopologyHandlerLogs/) } });
  });

  test('may read the admin secret and the user secrets, and nothing else in Secrets Manager', () => {
    const [, policy] = resourceOf('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TopologyHandlerRole') }] },
    });
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement;
    const secretStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    for (const statement of secretStatements) {
      expect(statement.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    }
    const refs = secretStatements
      .flatMap((s) => [s.Resource].flat() as { Ref: string }[])
      .map((r) => r.Ref)
      .sort();
    expect(refs).toHaveLength(3);
    expect(refs.join(' ')).toMatch(/^AdminSecret\S+ TopologyUsereventsource\S+ TopologyUserproducer\S+$/);
  });

  test('is bundled as every project function (FUNCTION_BUNDLING): the AWS SDK inside, a source map without sources', () => {
    const [, fn] = resourceOf('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
    const s3Key = (fn.Properties.Code as { S3Key: string }).S3Key;
    const bundle = path.join(fixture.app.synth().directory, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    // Only the SDK's optional CRT signers stay try-required, as in every bundle; no client package is left external.
    expect(code).not.toMatch(/require\(["']@aws-sdk\/client-/);
    // The Secrets Manager client's JSON protocol target prefix: the client itself is in the bundle.
    expect(code.includes('secretsmanager.')).toBe(true);
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  test('has no AWS managed policy on its role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^RabbitMQ topology handler'),
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('the Provider framework function', () => {
  test('runs on a runtime Lambda still accepts, outside the VPC', () => {
    const [, fn] = resourceOf('AWS::Lambda::Function', { Properties: { Handler: 'framework.onEvent' } });
    // aws-cdk-lib picks the latest Node.js runtime it knows per region (nodejs24.x in 2.276); Lambda refuses
    // nodejs18.x and older and has deprecated nodejs20.x, so anything below 22 fails here.
    expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(Runtime.ALL.map((r) => r.name)).toContain(fn.Properties.Runtime);
    expect(fn.Properties.VpcConfig).toBeUndefined();
  });
});

describe('network', () => {
  test("admits the handler to the broker's security group on 443 only", () => {
    const [, ingress] = resourceOf('AWS::EC2::SecurityGroupIngress', {});
    expect(ingress.Properties).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BrokerSecurityGroup/), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^TopologyHandlerSecurityGroup/), 'GroupId'] },
    });
  });

  test('lets nothing in to the handler and lets it out on HTTPS only', () => {
    const [, sg] = resourceOf('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^RabbitMQ topology handler') },
    });
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const egress = sg.Properties.SecurityGroupEgress as { FromPort: number; ToPort: number; IpProtocol: string }[];
    expect(egress.length).toBeGreaterThan(0);
    for (const rule of egress) expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
  });
});

describe('per-user secrets', () => {
  test.each(['producer', 'event-source'])(
    '%s gets a generated { username, password } secret Amazon MQ accepts',
    (name) => {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Delete',
        Properties: {
          Description: Match.stringLikeRegexp(`^RabbitMQ user "${name}"`),
          GenerateSecretString: {
            SecretStringTemplate: JSON.stringify({ username: name }),
            GenerateStringKey: 'password',
            PasswordLength: 32,
            ExcludePunctuation: true,
            ExcludeCharacters: ',:=',
            IncludeSpace: false,
            RequireEachIncludedType: true,
          },
        },
      });
    },
  );

  test('userSecret returns the secret the resource hands to the handler', () => {
    const topology: RabbitMqTopology = fixture.topology;
    const ref = fixture.stack.resolve(topology.userSecret('producer').secretArn) as { Ref: string };
    template.hasResourceProperties('Custom::RabbitMqTopology', { UserSecretArns: Match.objectLike({ producer: ref }) });
  });

  test('userSecret of an unknown user names the user and the users that exist', () => {
    expect(() => fixture.topology.userSecret('nobody')).toThrow(
      /RabbitMqTopology.userSecret: got "nobody"; allowed: a user of the topology \(producer, event-source\)/,
    );
  });
});

describe('retainOnDelete', () => {
  test('is passed to the handler and keeps the secrets and log groups, except when the first create rolls back', () => {
    const retained = Template.fromStack(topologyStack({ retainOnDelete: true }).stack);
    retained.hasResourceProperties('Custom::RabbitMqTopology', { RetainOnDelete: true });
    const kept = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };
    expect(Object.values(retained.findResources('AWS::SecretsManager::Secret', kept))).toHaveLength(2);
    expect(Object.values(retained.findResources('AWS::Logs::LogGroup', kept))).toHaveLength(2);
  });
});

describe('synth-time validation', () => {
  test('an invalid topology is refused with the validation message', () => {
    const bad = { ...defaultTopology(), producerUser: 'guest' };
    expect(() => topologyStack({ topology: bad })).toThrow(
      /topology.producerUser: got "guest"; must name a declared user/,
    );
  });

  test('a management endpoint that is not https://HOST is refused', () => {
    expect(() => topologyStack({ managementEndpoint: 'http://broker:15672' })).toThrow(
      /RabbitMqTopology managementEndpoint: got "http:\/\/broker:15672"; expected https:\/\/HOST/,
    );
  });
});

test('cdk-nag AwsSolutions and Serverless report nothing unacknowledged on the topology construct', () => {
  const findings = [new AwsSolutionsChecks(fixture.app), new ServerlessChecks(fixture.app)].flatMap((pack) =>
    pack
      .validateScope(fixture.app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
      .filter((finding) => finding.includes('/Topology/')),
  );
  expect(findings).toEqual([]);
});

test('handler logical id is stable (renaming it would replace the function)', () => {
  expect(handlerId()).toMatch(/^TopologyOnEventHandler/);
});

test('snapshot of the topology resources (asset hashes stripped; a safety net beside the assertions above)', () => {
  const resources = Object.fromEntries(
    Object.entries(template.toJSON().Resources as Record<string, unknown>).filter(([id]) => id.startsWith('Topology')),
  );
  expect(resources).toMatchSnapshot();
});
