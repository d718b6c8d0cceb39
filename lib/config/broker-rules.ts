import { addIssue as issue, isUnresolved, type ConfigIssue } from './config-issue';

/**
 * Amazon MQ for RabbitMQ rules that AWS enforces only at deploy time (often twenty minutes into a broker creation),
 * checked at synth instead (ARCHITECTURE §4).
 */

/** Engine versions Amazon MQ offers for new RabbitMQ brokers (3.11 and 3.12 reached end of support). */
export const RABBITMQ_ENGINE_VERSIONS = ['3.13', '4.2'] as const;

/** Host instance types Amazon MQ offers for RabbitMQ. */
export const RABBITMQ_INSTANCE_TYPES = [
  'mq.t3.micro',
  'mq.m5.large',
  'mq.m5.xlarge',
  'mq.m5.2xlarge',
  'mq.m5.4xlarge',
  'mq.m7g.medium',
  'mq.m7g.large',
  'mq.m7g.xlarge',
  'mq.m7g.2xlarge',
  'mq.m7g.4xlarge',
  'mq.m7g.8xlarge',
  'mq.m7g.12xlarge',
  'mq.m7g.16xlarge',
] as const;

export const BROKER_DEPLOYMENT_MODES = ['SINGLE_INSTANCE', 'CLUSTER_MULTI_AZ'] as const;

/** Amazon MQ: 1–50 characters, letters, digits, `-` and `_` only. */
const BROKER_NAME = /^[A-Za-z0-9_-]{1,50}$/;
/** Amazon MQ: 2–100 characters of letters, digits, `-` `.` `_` `~`. */
const BROKER_USERNAME = /^[A-Za-z0-9\-._~]{2,100}$/;

/** What the broker rules look at; the stage config and the broker construct props both provide it. */
export interface BrokerSettings {
  readonly brokerName: string;
  readonly engineVersion: string;
  readonly instanceType: string;
  readonly deploymentMode: string;
  readonly adminUsername: string;
  readonly autoMinorVersionUpgrade: boolean;
  readonly publiclyAccessible: boolean;
  readonly kmsKeyArn?: string;
  readonly auditLogs: boolean;
}

/** The engine / instance / mode matrix and the naming and security rules of ARCHITECTURE §4. */
export function checkBrokerSettings(b: BrokerSettings, prefix = 'broker'): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!isUnresolved(b.brokerName) && !BROKER_NAME.test(b.brokerName ?? '')) {
    issue(
      out,
      `${prefix}.brokerName`,
      b.brokerName,
      'allowed: 1-50 characters of A-Z a-z 0-9 - _ (no spaces, brackets, wildcards or other special characters)',
    );
  }
  const versionKnown = (RABBITMQ_ENGINE_VERSIONS as readonly string[]).includes(b.engineVersion);
  if (!versionKnown) {
    issue(
      out,
      `${prefix}.engineVersion`,
      b.engineVersion,
      `allowed: ${RABBITMQ_ENGINE_VERSIONS.join(', ')} (3.11 and 3.12 reached end of support)`,
    );
  }
  const typeKnown = (RABBITMQ_INSTANCE_TYPES as readonly string[]).includes(b.instanceType);
  if (!typeKnown) {
    issue(out, `${prefix}.instanceType`, b.instanceType, `allowed: ${RABBITMQ_INSTANCE_TYPES.join(', ')}`);
  }
  if (!(BROKER_DEPLOYMENT_MODES as readonly string[]).includes(b.deploymentMode)) {
    issue(
      out,
      `${prefix}.deploymentMode`,
      b.deploymentMode,
      `allowed: ${BROKER_DEPLOYMENT_MODES.join(', ')} (ACTIVE_STANDBY_MULTI_AZ is ActiveMQ only)`,
    );
  }
  if (versionKnown && typeKnown && b.engineVersion.startsWith('4.') && !b.instanceType.startsWith('mq.m7g.')) {
    issue(
      out,
      `${prefix}.engineVersion`,
      b.engineVersion,
      `RabbitMQ 4.x runs only on mq.m7g.* instance types, not on ${b.instanceType}; use 3.13 or an mq.m7g.* instance type`,
    );
  }
  if (b.instanceType === 'mq.t3.micro') {
    if (versionKnown && b.engineVersion !== '3.13') {
      issue(
        out,
        `${prefix}.instanceType`,
        b.instanceType,
        `mq.t3.micro runs only RabbitMQ 3.13, not ${b.engineVersion}; use an mq.m7g.* instance type`,
      );
    }
    if (b.deploymentMode === 'CLUSTER_MULTI_AZ') {
      issue(
        out,
        `${prefix}.instanceType`,
        b.instanceType,
        'mq.t3.micro is single-instance only (testing); a CLUSTER_MULTI_AZ broker needs mq.m5.* or mq.m7g.*',
      );
    }
  }
  if (b.autoMinorVersionUpgrade !== true) {
    issue(
      out,
      `${prefix}.autoMinorVersionUpgrade`,
      b.autoMinorVersionUpgrade,
      'must be true: Amazon MQ requires automatic minor version upgrades for RabbitMQ 3.13 and later',
    );
  }
  if (b.publiclyAccessible !== false) {
    issue(
      out,
      `${prefix}.publiclyAccessible`,
      b.publiclyAccessible,
      'must be false: the broker is reachable only inside the VPC',
    );
  }
  if (b.kmsKeyArn !== undefined) {
    issue(
      out,
      `${prefix}.kmsKeyArn`,
      b.kmsKeyArn,
      'must be left out: Amazon MQ refuses a customer managed KMS key for RabbitMQ brokers (they use an AWS owned key)',
    );
  }
  if (b.auditLogs !== false) {
    issue(
      out,
      `${prefix}.auditLogs`,
      b.auditLogs,
      'must be false: RabbitMQ brokers have no audit log (only general logs)',
    );
  }
  if (!isUnresolved(b.adminUsername)) {
    if (!BROKER_USERNAME.test(b.adminUsername ?? '')) {
      issue(out, `${prefix}.adminUsername`, b.adminUsername, 'allowed: 2-100 characters of A-Z a-z 0-9 - . _ ~');
    } else if (b.adminUsername.toLowerCase() === 'guest') {
      issue(
        out,
        `${prefix}.adminUsername`,
        b.adminUsername,
        'the username "guest" is refused by Amazon MQ; choose another name',
      );
    }
  }
  return out;
}

/**
 * Subnets per deployment mode: a single instance takes exactly one subnet; a cluster spans three AZs and takes one
 * private subnet in each (AWS accepts fewer for a private cluster, but then its endpoint is not in every AZ it runs in).
 */
export function checkBrokerSubnets(
  field: string,
  deploymentMode: string,
  subnetCount: number,
  distinctAzCount: number,
): ConfigIssue[] {
  if (isUnresolved(subnetCount)) return [];
  if (deploymentMode === 'SINGLE_INSTANCE' && subnetCount !== 1) {
    return [{ field, value: subnetCount, problem: 'a SINGLE_INSTANCE broker takes exactly 1 subnet' }];
  }
  if (deploymentMode === 'CLUSTER_MULTI_AZ' && (subnetCount !== 3 || distinctAzCount !== 3)) {
    return [
      {
        field,
        value: subnetCount,
        problem: `a CLUSTER_MULTI_AZ broker takes 3 private subnets in 3 distinct availability zones (got ${distinctAzCount} distinct AZs)`,
      },
    ];
  }
  return [];
}

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** The weekly two-hour window in which Amazon MQ applies upgrades and reboots cluster nodes one at a time. */
export function checkMaintenanceWindow(
  field: string,
  window: { readonly dayOfWeek: string; readonly timeOfDay: string; readonly timeZone: string },
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!DAYS.includes(window.dayOfWeek))
    issue(out, `${field}.dayOfWeek`, window.dayOfWeek, `allowed: ${DAYS.join(', ')}`);
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(window.timeOfDay ?? '')) {
    issue(out, `${field}.timeOfDay`, window.timeOfDay, 'allowed: 24-hour HH:MM, e.g. "03:00"');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: window.timeZone });
  } catch {
    issue(
      out,
      `${field}.timeZone`,
      window.timeZone,
      'allowed: an IANA time zone name such as "UTC" or "Europe/Berlin"',
    );
  }
  return out;
}
