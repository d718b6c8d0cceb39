import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { OUTPUTS } from '../../lib/stacks/integration-stack';
import { resourcesOfType, synthStage } from '../stacks/stack-fixture';

// The real stack for both stages: the monitoring must find the broker, queues and functions it is wired to.
const stages = { dev: synthStage('dev'), prod: synthStage('prod') };

describe.each(Object.entries(stages))('%s stack', (stage, s) => {
  const alarms = Object.values(resourcesOfType(s.json, 'AWS::CloudWatch::Alarm'));
  const topicRef = { Ref: s.stack.getLogicalId(s.stack.monitoring.alarmTopic.node.defaultChild as never) };

  test('has all 18 alarms, each notifying the alarm topic on ALARM and OK', () => {
    expect(alarms).toHaveLength(18);
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties?.OKActions).toEqual([topicRef]);
    }
  });

  test('broker alarms use the configured broker name', () => {
    const brokerName = s.stack.config.broker.brokerName;
    const text = JSON.stringify(alarms);
    expect(text).toContain(`WHERE Broker = '${brokerName}'`);
    expect(text).toContain(`{"Name":"Broker","Value":"${brokerName}"}`);
  });

  test('function alarms watch the stack’s producer, bridge and consumer', () => {
    const fnRefs = new Set(
      alarms
        .flatMap((a) => (a.Properties?.Dimensions ?? []) as { Name: string; Value: { Ref?: string } }[])
        .filter((d) => d.Name === 'FunctionName')
        .map((d) => d.Value.Ref),
    );
    const expected = ['producer', 'bridge', 'consumer'].map((f) =>
      s.stack.getLogicalId(s.stack.functions[f as 'producer'].node.defaultChild as never),
    );
    expect([...fnRefs].sort()).toEqual(expected.sort());
  });

  test('has one dashboard and outputs its name and the alarm topic', () => {
    expect(Object.keys(resourcesOfType(s.json, 'AWS::CloudWatch::Dashboard'))).toHaveLength(1);
    const outputs = s.json.Outputs as Record<string, unknown>;
    expect(outputs).toHaveProperty(OUTPUTS.alarmTopicArn);
    expect(outputs).toHaveProperty(OUTPUTS.dashboardName);
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('cdk-nag %s reports nothing on the monitoring resources', (_pack, pack) => {
    expect(pack().validateScope(s.stack.monitoring).violations).toEqual([]);
  });

  test('uses the stage’s monitoring thresholds', () => {
    const cpu = alarms.find((a) => String(a.Properties?.AlarmDescription).includes('#broker-cpu'));
    expect(cpu?.Properties?.Threshold).toBe(s.stack.config.monitoring.thresholds.brokerCpuPercent);
    expect(stage === 'prod' ? 80 : 90).toBe(s.stack.config.monitoring.thresholds.brokerCpuPercent);
  });
});
