import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What a synth's policy validation found, read from the `validation-report.json` CDK writes into the cloud assembly:
 * every plugin (cdk-nag's packs, the Control Tower rules) with its open violations and its acknowledged ones.
 */

/** A rule a template breaks, at the constructs that break it. */
export interface Violation {
  readonly plugin: string;
  /** The plugin's rule name (cfn-guard: `lambda_inside_vpc_check`; cdk-nag: `AwsSolutions-IAM5`). */
  readonly rule: string;
  readonly description: string;
  /** Construct paths, or logical ids where CDK could not map a resource to a construct. */
  readonly at: readonly string[];
}

/** A violation acknowledged in code: where, and why. */
export interface AcknowledgedViolation extends Violation {
  /** Construct path the acknowledgment was made on (it covers everything below it). */
  readonly acknowledgedAt: string;
  readonly reason: string;
}

export interface ValidationFindings {
  readonly violations: readonly Violation[];
  readonly acknowledged: readonly AcknowledgedViolation[];
}

interface ReportViolation {
  readonly ruleName: string;
  readonly description?: string;
  readonly violatingConstructs?: readonly {
    readonly constructPath?: string;
    readonly cloudFormationResource?: { readonly logicalId?: string };
  }[];
  readonly reason?: string;
  readonly acknowledgedAt?: string;
}

interface Report {
  readonly pluginReports?: readonly {
    readonly pluginName: string;
    readonly violations?: readonly ReportViolation[];
    readonly suppressedViolations?: readonly ReportViolation[];
  }[];
}

/** File name CDK gives the report (`cxapi.VALIDATION_REPORT_FILE`). */
export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** The findings of the synth whose cloud assembly is `outdir`; none when no plugin reported anything. */
export function readValidationFindings(outdir: string): ValidationFindings {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(path.join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as Report;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { violations: [], acknowledged: [] };
    throw error;
  }
  const violations: Violation[] = [];
  const acknowledged: AcknowledgedViolation[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) violations.push(toViolation(plugin.pluginName, v));
    for (const v of plugin.suppressedViolations ?? []) {
      acknowledged.push({
        ...toViolation(plugin.pluginName, v),
        acknowledgedAt: v.acknowledgedAt ?? '(unknown)',
        reason: v.reason ?? '',
      });
    }
  }
  return { violations, acknowledged };
}

function toViolation(plugin: string, v: ReportViolation): Violation {
  return {
    plugin,
    rule: v.ruleName,
    description: v.description ?? '',
    at: (v.violatingConstructs ?? []).map(
      (c) => c.constructPath ?? c.cloudFormationResource?.logicalId ?? '(unknown resource)',
    ),
  };
}
