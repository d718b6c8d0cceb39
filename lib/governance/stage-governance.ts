import { AspectPriority, Aspects, type RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { acknowledgeControl, CONTROLS } from './control-tower';
import { LogEncryptionKey } from './log-encryption-key';
import { StageLogGroups } from './stage-log-groups';

/** Control Tower asks for a year of logs (CT.CLOUDWATCH.PR.2). */
export const ONE_YEAR_OF_LOGS_DAYS = 365;

export interface StageGovernanceProps {
  /** Retention of every log group, in days. */
  readonly logRetentionDays: number;
  /** Removal policy of the log groups and their key. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Whether the stage keeps its data when deleted (`retainData`): only a disposable stage may keep logs < a year. */
  readonly retainData: boolean;
  /** The broker's deployment mode: only a disposable stage may run a single instance. */
  readonly brokerDeploymentMode: string;
}

/**
 * What every stage does for the Control Tower controls that span the whole stack: one KMS key for its log groups,
 * every log group (every function's included) encrypted, kept and removed the stage's way. A disposable stage
 * (`retainData: false`, e.g. dev) may keep logs for less than a year and run a single-instance broker; those
 * acknowledgments are made here, with their reasons, and never for a stage that retains data.
 */
export function applyStageGovernance(stack: Stack, props: StageGovernanceProps): LogEncryptionKey {
  const logKey = new LogEncryptionKey(stack, 'LogEncryptionKey', { removalPolicy: props.logRemovalPolicy });
  Aspects.of(stack).add(
    new StageLogGroups({
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy: props.logRemovalPolicy,
      encryptionKey: logKey.key,
    }),
    { priority: AspectPriority.MUTATING },
  );
  if (!props.retainData && props.logRetentionDays < ONE_YEAR_OF_LOGS_DAYS) {
    acknowledgeControl(
      stack,
      CONTROLS.logRetentionOneYear,
      `A disposable stage (retainData false): cdk destroy deletes its log groups with everything else, so a year of retention could not be kept anyway; it keeps logs ${props.logRetentionDays} days. Stages that retain data keep them at least ${ONE_YEAR_OF_LOGS_DAYS} days.`,
    );
  }
  if (!props.retainData && props.brokerDeploymentMode === 'SINGLE_INSTANCE') {
    acknowledgeControl(
      stack,
      CONTROLS.rabbitMqMultiAz,
      'A disposable stage (retainData false) runs a single-instance broker (mq.t3.micro exists only as one) to test at a fraction of the cost; a broker restart interrupts it. Stages that retain data run CLUSTER_MULTI_AZ.',
    );
  }
  return logKey;
}
