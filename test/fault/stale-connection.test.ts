import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';
import { startTcpProxy } from './support/tcp-proxy';

/**
 * A warm Lambda container reuses the producer's AMQP connection, but a container can stay frozen for minutes: the
 * broker may close the connection meanwhile (missed heartbeats), or the network path may drop silently. The next
 * invocation then publishes on a dead connection. Before issue 17 (item 11) every message of that invocation failed
 * (`channel-closed`), or waited out the whole confirm timeout on a silent path. Now a reused connection that fails
 * before any confirm is dropped, and the invocation publishes once more, with the same ids, on a new one.
 */

/** Long, so that waiting it out (the defect) and the stale-connection timeout (the fix) differ on a loaded machine. */
const CONFIRM_TIMEOUT_MS = 20_000;
/** The producer's default: how long the first confirm on a reused connection may take before it counts as stale. */
const STALE_CONNECTION_TIMEOUT_MS = 2_000;
const PER_INVOCATION = 200;

const scenario = useFaultScenario('stale');

test('a connection gone stale between invocations: the next invocation reconnects and every message is confirmed', async () => {
  const through = await startTcpProxy(scenario.broker.amqpPort);
  scenario.closeAfterwards(() => through.close());
  const run = await scenario.startRun({
    amqpUrl: `amqp://guest:guest@127.0.0.1:${through.port}`,
    confirmTimeoutMs: CONFIRM_TIMEOUT_MS,
  });
  const invoke = async () => {
    const began = Date.now();
    const result = await run.publish(PER_INVOCATION);
    return { result, ms: Date.now() - began };
  };

  // The event source is connected already; the producer connects on its first invocation.
  let producerConnections = through.acceptedConnections;
  const warm = await invoke();
  expect(warm.result.confirmed).toBe(PER_INVOCATION);

  // The broker closed the connection while the container was frozen; the producer learns it when it writes.
  expect(through.staleAll(producerConnections)).toBe(1);
  producerConnections = through.acceptedConnections;
  const afterClose = await invoke();
  expect(afterClose.result.failed).toEqual([]);
  expect(afterClose.result.confirmed).toBe(PER_INVOCATION);
  expect(through.acceptedConnections).toBe(producerConnections + 1);

  // The path dropped silently: no close, no reset, no confirm. Waited out for the stale timeout, not the confirm one.
  expect(through.blackholeAll(producerConnections)).toBe(1);
  const afterDrop = await invoke();
  expect(afterDrop.result.failed).toEqual([]);
  expect(afterDrop.result.confirmed).toBe(PER_INVOCATION);
  expect(afterDrop.ms).toBeGreaterThanOrEqual(STALE_CONNECTION_TIMEOUT_MS - 50);
  expect(afterDrop.ms).toBeLessThan(CONFIRM_TIMEOUT_MS);

  const outcome = await run.finish('stale connection between invocations', 120_000, () => ({
    afterCloseMs: afterClose.ms,
    afterDropMs: afterDrop.ms,
  }));
  expectFaultCounts(outcome, {
    sent: 3 * PER_INVOCATION,
    confirmed: 3 * PER_INVOCATION,
    delivered: 3 * PER_INVOCATION,
    effects: 3 * PER_INVOCATION,
    deadLettered: 0,
    lost: 0,
  });
}, 240_000);
