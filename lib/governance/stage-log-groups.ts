import { type IAspect, type RemovalPolicy, CfnResource, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface StageLogGroupsProps {
  /** Retention of every log group of the stack. */
  readonly retention: RetentionDays;
  /** What happens to every log group when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** The key every log group is encrypted with. */
  readonly encryptionKey: IKey;
}

/**
 * One rule for every log group a stack holds, whoever wrote the construct: encrypted with the stage's key, kept for
 * the stage's retention, removed (or retained) with the stage's policy. And every `AWS::Lambda::Function` writes to a
 * log group of the stack: the CDK's own helper functions (`Custom::VpcRestrictDefaultSG`, the `LogRetention`
 * singleton) and libraries' functions otherwise log to a group Lambda creates on first use, with no retention, that
 * outlives `cdk destroy`. Apply it to the stack with `Aspects.of(stack).add(new StageLogGroups(...), { priority:
 * AspectPriority.MUTATING })`; it acts once, on the stack.
 */
export class StageLogGroups implements IAspect {
  constructor(private readonly props: StageLogGroupsProps) {}

  visit(node: IConstruct): void {
    if (!Stack.isStack(node)) return;
    for (const fn of node.node.findAll().filter(isLambdaFunction)) {
      if (loggingConfigOf(fn)?.LogGroup === undefined) this.addLogGroup(fn);
    }
    for (const logGroup of node.node.findAll().filter((c): c is CfnLogGroup => c instanceof CfnLogGroup)) {
      logGroup.retentionInDays = this.props.retention;
      logGroup.kmsKeyId = this.props.encryptionKey.keyArn;
      logGroup.applyRemovalPolicy(this.props.removalPolicy);
    }
  }

  private addLogGroup(fn: CfnResource): void {
    const scope = fn.node.scope as IConstruct;
    const logGroup = new LogGroup(scope, `${fn.node.id}LogGroup`, {
      retention: this.props.retention,
      removalPolicy: this.props.removalPolicy,
      encryptionKey: this.props.encryptionKey,
    });
    if (fn instanceof CfnFunction) {
      fn.loggingConfig = { ...(fn.loggingConfig as object | undefined), logGroup: logGroup.logGroupName };
    } else {
      fn.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
    }
  }
}

function isLambdaFunction(c: IConstruct): c is CfnResource {
  return CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function';
}

/**
 * The `LoggingConfig` a function was given. CDK's singleton providers are plain `CfnResource`s whose properties are
 * only reachable through the (stable, protected) `_cfnProperties`; `CfnFunction` keeps them in its typed field.
 */
function loggingConfigOf(fn: CfnResource): { LogGroup?: unknown } | undefined {
  if (fn instanceof CfnFunction) {
    const config = fn.loggingConfig as { logGroup?: unknown } | undefined;
    return config === undefined ? undefined : { LogGroup: config.logGroup };
  }
  const properties = (fn as unknown as { _cfnProperties?: { LoggingConfig?: { LogGroup?: unknown } } })._cfnProperties;
  return properties?.LoggingConfig;
}
