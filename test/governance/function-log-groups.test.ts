import { Match } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../lib/config/stages';
import { resourcesOfType, synthStage } from '../stacks/stack-fixture';

/**
 * Every AWS::Lambda::Function of every stage — ours, the CDK's own helpers (Custom::VpcRestrictDefaultSG, the
 * LogRetention singleton, the Provider framework) and @cdklabs/cdk-amazonmq's — writes to a log group of the stack
 * with the stage's retention, removal policy and log key. Otherwise Lambda creates /aws/lambda/<name> on first use,
 * kept forever, and it outlives `cdk destroy`.
 */
const CASES: [string, Record<string, unknown>][] = [
  ['dev', {}],
  ['prod', {}],
  ['dev', { queues: { fifo: true, messageGroupIdField: 'type' } }],
];

describe.each(CASES)('stage %s %j', (stage, overrides) => {
  const s = synthStage(stage, overrides);
  const config = loadStageConfig(stage, overrides);
  const functions = resourcesOfType(s.json, 'AWS::Lambda::Function');
  const logGroups = resourcesOfType(s.json, 'AWS::Logs::LogGroup') as Record<
    string,
    { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
  const logKey = Object.keys(resourcesOfType(s.json, 'AWS::KMS::Key')).find((id) => id.startsWith('LogEncryptionKey'));

  test('the CDK helpers and the library helpers are among the functions checked', () => {
    const ids = Object.keys(functions);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    for (const helper of [
      'CustomVpcRestrictDefaultSG',
      'LogRetention',
      'TopologyProviderframeworkonEvent',
      'MqEventSource',
    ]) {
      expect([helper, ids.some((id) => id.includes(helper))]).toEqual([helper, true]);
    }
  });

  test.each(Object.keys(functions))('%s logs to a stack log group with the stage retention', (id) => {
    const ref = (functions[id].Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
    expect(ref).toBeDefined();
    const logGroup = logGroups[ref as string];
    expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKey, 'Arn'] });
    if (config.retainData) {
      expect(logGroup.DeletionPolicy).toMatch(/^Retain/);
    } else {
      expect([logGroup.DeletionPolicy, logGroup.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
    }
  });

  test('every log group of the stack, not only the functions’, has the stage retention and the log key', () => {
    s.template.allResources('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({
        RetentionInDays: config.logRetentionDays,
        KmsKeyId: { 'Fn::GetAtt': [logKey, 'Arn'] },
      }),
    });
  });
});
