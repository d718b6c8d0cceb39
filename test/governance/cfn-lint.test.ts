import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CfnLintFinding, ensureCfnLint, pinnedCfnLintVersion, runCfnLint } from '../../governance/cfn-lint';

/**
 * cfn-lint, pinned, from the project's virtual environment (created on first use: allow minutes then), with the
 * committed config. A template with an unknown AWS::AmazonMQ::Broker property is reported by rule and path.
 */
let bin: string;
let dir: string;

beforeAll(() => {
  bin = ensureCfnLint(() => undefined);
  dir = mkdtempSync(path.join(tmpdir(), 'mq-cfn-lint-'));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(brokerProperties: Record<string, unknown>): CfnLintFinding[] {
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.json`);
  const template = {
    Resources: {
      Broker: {
        Type: 'AWS::AmazonMQ::Broker',
        Properties: {
          BrokerName: 'lint-probe',
          EngineType: 'RABBITMQ',
          EngineVersion: '3.13',
          HostInstanceType: 'mq.t3.micro',
          DeploymentMode: 'SINGLE_INSTANCE',
          PubliclyAccessible: false,
          AutoMinorVersionUpgrade: true,
          Users: [{ Username: 'admin', Password: '{{resolve:secretsmanager:admin:SecretString:password}}' }],
          ...brokerProperties,
        },
      },
    },
  };
  writeFileSync(file, JSON.stringify(template));
  return runCfnLint(bin, [file]);
}

test('the pinned version is the one installed', () => {
  expect(pinnedCfnLintVersion()).toMatch(/^\d+\.\d+\.\d+$/);
});

test('an unknown AWS::AmazonMQ::Broker property is reported as E3002 at its path', () => {
  const findings = lint({ EncryptedAtRestEverywhere: true });
  expect(findings.map((f) => [f.rule, f.level, f.path])).toEqual([
    ['E3002', 'Error', 'Resources/Broker/Properties/EncryptedAtRestEverywhere'],
  ]);
}, 120_000);

test('a valid broker has no finding', () => {
  expect(lint({})).toEqual([]);
}, 120_000);
