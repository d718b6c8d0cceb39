// The SQS emulator's own thread (started by local/sqs-emulator.ts): fauxqs serves HTTP here, so the emulated SQS
// service does not share an event loop with the handlers and event sources that call it, as the regional endpoint
// does not share a CPU with a Lambda function. Plain ESM (no TypeScript): a worker thread loads it with Node alone,
// under tsx and under Jest alike.
import { parentPort, workerData } from 'node:worker_threads';
import { startFauxqs } from 'fauxqs';

try {
  const server = await startFauxqs({ port: workerData.port, logger: false });
  parentPort.on('message', (message) => {
    if (message?.type !== 'stop') return;
    server.stop().then(
      () => parentPort.postMessage({ type: 'stopped' }),
      (error) => parentPort.postMessage({ type: 'stopped', error: String(error?.message ?? error) }),
    );
  });
  parentPort.postMessage({ type: 'ready', port: server.port });
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: String(error?.stack ?? error) });
}
