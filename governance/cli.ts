import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { STAGE_NAMES } from '../lib/config/stages';
import { CONTROL_TOWER_PLUGIN, controlIdOf } from '../lib/governance/control-tower';
import { CFN_LINT_CONFIG, ensureCfnLint, pinnedCfnLintVersion, runCfnLint } from './cfn-lint';
import { synthVariant, type SynthOutcome } from './synth-variant';
import type { AcknowledgedViolation } from './validation-report';
import { VARIANTS } from './variants';

/**
 * `npm run check:templates`: synthesizes every stage with every variant (governance/variants.ts), with cdk-nag and
 * AWS Control Tower's proactive controls running inside the synth, then lints every template with cfn-lint. Prints
 * each acknowledged Control Tower control with its reason. Exit 0 when nothing is open, 1 when a template breaks a
 * rule, 2 when the check could not run.
 */
const ROOT = path.resolve(__dirname, '..');
const OUT_ROOT = path.join(ROOT, 'cdk.out.check');

function main(): number {
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let cfnLint: string;
  try {
    cfnLint = ensureCfnLint(log);
  } catch (error) {
    process.stderr.write(`check:templates: could not set up cfn-lint: ${(error as Error).message}\n`);
    return 2;
  }
  const guard = readPackageVersion('@cdklabs/cdk-validator-cfnguard');
  log(
    `check:templates — cfn-lint ${pinnedCfnLintVersion()}, Control Tower rules of @cdklabs/cdk-validator-cfnguard ${guard}`,
  );
  rmSync(OUT_ROOT, { recursive: true, force: true });
  mkdirSync(OUT_ROOT, { recursive: true });

  const outcomes: SynthOutcome[] = [];
  for (const stage of STAGE_NAMES) {
    for (const variant of VARIANTS) {
      const outcome = synthVariant(stage, variant, OUT_ROOT);
      outcomes.push(outcome);
      log(`  ${outcome.label.padEnd(14)} ${describe(outcome)}`);
    }
  }
  const synthesized = outcomes.filter((o) => o.status === 'synthesized');
  const byTemplate = new Map(synthesized.map((o) => [o.templatePath, o.label]));
  const findings = runCfnLint(cfnLint, [...byTemplate.keys()]);
  log(
    `cfn-lint: ${count(findings, 'Error')} errors, ${count(findings, 'Warning')} warnings, ${count(findings, 'Informational')} informational over ${synthesized.length} templates (ignored, with reasons in ${path.basename(CFN_LINT_CONFIG)}: ${ignoredRules().join(', ') || 'none'})`,
  );
  for (const f of findings)
    log(`  ${byTemplate.get(f.file) ?? f.file}: ${f.rule} ${f.level} at ${f.path}: ${f.message}`);

  printAcknowledgedControls(
    log,
    synthesized.flatMap((o) => o.acknowledged.map((a) => ({ label: o.label, ack: a }))),
  );

  const open = synthesized.reduce((n, o) => n + o.violations.length, 0);
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (open === 0 && failed === 0 && findings.length === 0) {
    log(`PASS: ${synthesized.length} templates, 0 cfn-lint findings, 0 open policy violations (${seconds} s)`);
    return 0;
  }
  log(
    `FAIL: ${failed} synth failures, ${open} open policy violations, ${findings.length} cfn-lint findings (${seconds} s)`,
  );
  return 1;
}

function describe(o: SynthOutcome): string {
  if (o.status === 'failed') return `FAILED: ${o.error}`;
  const violations = o.violations.map(
    (v) => `\n      ${controlIdOf(v.rule) ?? v.plugin} ${v.rule}: ${v.description} at ${v.at.join(', ')}`,
  );
  return `synthesized; ${o.violations.length} open violations, ${o.acknowledged.length} acknowledged${violations.join('')}`;
}

/** Each acknowledged Control Tower control once, with where, why, and the templates it applies to. */
function printAcknowledgedControls(
  log: (line: string) => void,
  acks: readonly { label: string; ack: AcknowledgedViolation }[],
): void {
  const grouped = new Map<string, { ack: AcknowledgedViolation; at: string; labels: Set<string> }>();
  for (const { label, ack } of acks.filter((a) => a.ack.plugin === CONTROL_TOWER_PLUGIN)) {
    const at = ack.acknowledgedAt.split('/').slice(1).join('/') || '(stack)';
    const key = `${ack.rule}|${at}|${ack.reason}`;
    const entry = grouped.get(key) ?? { ack, at, labels: new Set<string>() };
    entry.labels.add(label);
    grouped.set(key, entry);
  }
  log(`Acknowledged Control Tower controls (${grouped.size}):`);
  const sorted = [...grouped.values()].sort((a, b) => `${a.ack.rule}${a.at}`.localeCompare(`${b.ack.rule}${b.at}`));
  for (const { ack, at, labels } of sorted) {
    log(`  ${controlIdOf(ack.rule) ?? ack.rule} (${ack.rule}) at ${at} [${[...labels].join(', ')}]`);
    log(`    ${ack.reason}`);
  }
}

function count(findings: readonly { level: string }[], level: string): number {
  return findings.filter((f) => f.level === level).length;
}

function ignoredRules(): string[] {
  const text = readFileSync(CFN_LINT_CONFIG, 'utf8');
  return [...text.matchAll(/^\s*-\s*([EWI]\d+)\s*$/gm)].map((m) => m[1]);
}

function readPackageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

process.exitCode = main();
