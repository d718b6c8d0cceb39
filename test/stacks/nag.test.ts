import { App, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { nagPacks } from '../../lib/nag';
import { synthStage } from './stack-fixture';

/**
 * cdk-nag AwsSolutions and Serverless packs: zero unacknowledged findings per stage, and every acknowledgment says
 * why in words specific to the resource (not a blanket "ok").
 */
describe.each(['dev', 'prod'])('stage %s', (stage) => {
  const s = synthStage(stage);

  test('AwsSolutions and Serverless report no unacknowledged finding', () => {
    const findings = nagPacks(s.app).flatMap((pack) => {
      const report = pack.validateScope(s.app);
      return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    });
    expect(findings).toEqual([]);
  });

  test('every acknowledgment carries a specific reason', () => {
    const acknowledgments = s.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgments.length).toBeGreaterThan(10);
    for (const [id, reason] of acknowledgments) {
      expect([id, reason.length >= 40]).toEqual([id, true]);
      expect(reason).not.toMatch(/^(ok|fine|n\/a|not needed|false positive)\.?$/i);
    }
  });
});

test('an unacknowledged finding is reported (the check can fail)', () => {
  const app = new App();
  const stack = new Stack(app, 'Unacknowledged');
  new Secret(stack, 'Secret');
  const [awsSolutions] = nagPacks(app);
  expect(awsSolutions.validateScope(app).violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SMG4']);
});
