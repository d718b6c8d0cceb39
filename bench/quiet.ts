/**
 * Stand-ins for the handlers' Powertools logger and metrics: one info line and one EMF blob per invocation cost
 * nothing measurable, but on stdout they would bury the bench's summary. Errors still reach stderr.
 */
export const quietLogger = {
  info: (): void => undefined,
  warn: (): void => undefined,
  debug: (): void => undefined,
  error: (message: string, ...details: unknown[]): void => {
    console.error(`[handler error] ${message}`, ...details.map((d) => JSON.stringify(d)));
  },
};

export const quietMetrics = {
  addMetric: (): void => undefined,
  publishStoredMetrics: (): void => undefined,
};
