import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * One structured logger and one metrics buffer per container, as Powertools recommends: module scope, so warm
 * invocations reuse them. Service name, namespace and level come from the standard POWERTOOLS_* variables.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'mq-cloud-integration' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'MqCloudIntegration',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'mq-cloud-integration',
});

export { MetricUnit };

/** The logging the handlers do; the Powertools `Logger` fits, and so does a silent stub in a benchmark. */
export interface LoggerLike {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** The metrics the handlers emit; the Powertools `Metrics` fits. */
export interface MetricsLike {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void;
  publishStoredMetrics(): void;
}
