import { resourcesOfType, synthStage, type SynthesizedStage } from './stack-fixture';

/**
 * What AWS would refuse or what would block a retry, checked on the synthesized template of every stage:
 * - CloudWatch evaluates at most one Metrics Insights query per alarm and per GetMetricData call (one dashboard
 *   widget); an alarm with two is CREATE_FAILED after the broker's 20-minute create ("Metrics Insights quotas").
 * - A resource with a plain `Retain` deletion policy survives the rollback of a failed first create and blocks the
 *   retry; `RetainExceptOnCreate` keeps data only once the stack was created.
 */

const SELECT = /\bSELECT\b/g;

function selectCount(value: unknown): number {
  return (JSON.stringify(value).match(SELECT) ?? []).length;
}

/** Each widget of the dashboard, with every CloudFormation reference replaced by a placeholder. */
function dashboardWidgets(s: SynthesizedStage): { properties: { title?: string } }[] {
  const dashboards = Object.values(resourcesOfType(s.json, 'AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(text) as { widgets: { properties: { title?: string } }[] }).widgets;
}

describe.each(['dev', 'prod'])('stage %s', (stage) => {
  const s = synthStage(stage);

  test('no alarm holds more than one Metrics Insights query', () => {
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm');
    const offenders = Object.entries(alarms)
      .map(([id, alarm]) => ({ id, queries: selectCount(alarm.Properties) }))
      .filter((a) => a.queries > 1);
    expect(Object.keys(alarms).length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });

  test('no dashboard widget holds more than one Metrics Insights query', () => {
    const offenders = dashboardWidgets(s)
      .map((w) => ({ title: w.properties.title, queries: selectCount(w) }))
      .filter((w) => w.queries > 1);
    expect(offenders).toEqual([]);
  });

  test('the memory and disk alarms still watch the broker', () => {
    const alarms = Object.values(resourcesOfType(s.json, 'AWS::CloudWatch::Alarm')).map((a) =>
      JSON.stringify(a.Properties),
    );
    expect(alarms.filter((a) => a.includes('RabbitMQMemUsed'))).toHaveLength(1);
    expect(alarms.filter((a) => a.includes('RabbitMQDiskFree'))).toHaveLength(1);
  });
});

describe('a failed first deploy of prod can be retried', () => {
  const prod = synthStage('prod');
  const resources = Object.entries(
    (prod.json.Resources ?? {}) as Record<
      string,
      { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >,
  );

  test('nothing has a plain Retain deletion policy (it would survive the create rollback)', () => {
    expect(resources.filter(([, r]) => r.DeletionPolicy === 'Retain').map(([id, r]) => `${id} ${r.Type}`)).toEqual([]);
  });

  test('what prod keeps is kept on update and delete, but not when the create rolls back', () => {
    const kept = resources.filter(([, r]) => r.DeletionPolicy === 'RetainExceptOnCreate');
    const types = new Set(kept.map(([, r]) => r.Type));
    for (const type of [
      'AWS::SQS::Queue',
      'AWS::DynamoDB::Table',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
    ]) {
      expect(types).toContain(type);
    }
    for (const [, r] of kept) expect(r.UpdateReplacePolicy).toBe('Retain');
  });

  test('no SQS queue has a fixed name: the source queue name carries the stack id, so a retried create cannot collide', () => {
    for (const [id, queue] of Object.entries(resourcesOfType(prod.json, 'AWS::SQS::Queue'))) {
      const name = queue.Properties?.QueueName;
      if (name === undefined) continue;
      expect({ id, name: typeof name }).toEqual({ id, name: 'object' });
      expect(JSON.stringify(name)).toContain('AWS::StackId');
    }
  });
});
