/**
 * Import first in handler tests: Powertools reads these when the shared logger and metrics are built, and the
 * tests assert on results, not on log lines or EMF output. Set them yourself to see the output.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'MqCloudIntegrationTest';
process.env.POWERTOOLS_SERVICE_NAME ??= 'mq-cloud-integration-test';

/** A logger that drops everything, for handlers whose log lines a test does not assert on. */
export const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
