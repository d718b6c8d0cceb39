import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../lib/config/stages';
import { IntegrationStack } from '../../lib/stacks/integration-stack';

// The topology's contract with the rest of the stack: the event source starts only after the topology exists, and
// each client authenticates as its own topology user, never as the broker admin.
let template: Template;
let topologyId: string;
beforeAll(() => {
  const app = new App();
  template = Template.fromStack(
    new IntegrationStack(app, 'MqCloudIntegration-dev', { config: loadStageConfig('dev') }),
  );
  topologyId = Object.keys(template.findResources('Custom::RabbitMqTopology'))[0];
});

const rabbitMqMapping = () => {
  const found = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { SourceAccessConfigurations: Match.arrayWith([Match.objectLike({ Type: 'BASIC_AUTH' })]) },
    }),
  );
  expect(found).toHaveLength(1);
  return found[0] as {
    DependsOn?: string[];
    Properties: { SourceAccessConfigurations: { Type: string; URI: unknown }[] };
  };
};

test('the stack has exactly one topology resource', () => {
  template.resourceCountIs('Custom::RabbitMqTopology', 1);
});

test('the RabbitMQ event source mapping depends on the topology resource', () => {
  expect(rabbitMqMapping().DependsOn).toContain(topologyId);
});

test("the event source authenticates with the event-source user's generated secret", () => {
  const auth = rabbitMqMapping().Properties.SourceAccessConfigurations.find((c) => c.Type === 'BASIC_AUTH');
  expect(auth?.URI).toEqual({ Ref: expect.stringMatching(/^TopologyUsereventsource/) });
});

test("the producer reads the producer user's generated secret", () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({ BROKER_SECRET_ARN: { Ref: Match.stringLikeRegexp('^TopologyUserproducer') } }),
    },
  });
});
