import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One structured logger and one metrics buffer per container, as Powertools recommends: module scope, so warm
 * invocations reuse them. Service name, namespace and level come from the standard POWERTOOLS_* variables.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'mq-cloud-integration' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'MqCloudIntegration',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'mq-cloud-integration',
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';
