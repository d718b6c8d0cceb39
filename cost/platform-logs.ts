import type { FunctionInventory } from './template-inventory';

/**
 * The lines Lambda itself writes to a function's log group for every invocation in the text log format: START, END
 * and REPORT (with the X-Ray ids when tracing is active). The handler cannot measure them locally, so they are
 * rebuilt here in AWS's documented format with a request id and typical figures, and counted.
 */
export function lambdaPlatformLogVolume(fn: Pick<FunctionInventory, 'memoryMb' | 'tracing'>): {
  readonly bytes: number;
  readonly events: number;
} {
  const requestId = '3f2a9c1e-7b4d-4e8a-9c0f-5d6e7f8a9b0c';
  const lines = [
    `START RequestId: ${requestId} Version: $LATEST\n`,
    `END RequestId: ${requestId}\n`,
    `REPORT RequestId: ${requestId}\tDuration: 123.45 ms\tBilled Duration: 124 ms\tMemory Size: ${fn.memoryMb} MB\t` +
      `Max Memory Used: 123 MB\t` +
      (fn.tracing
        ? 'XRAY TraceId: 1-674ad1f0-3c5e8a9b2d4f6a8c0e2b4d6f\tSegmentId: 5a7c9e1b3d5f7a9c\tSampled: true\t'
        : '') +
      '\n',
  ];
  return { bytes: lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0), events: lines.length };
}
