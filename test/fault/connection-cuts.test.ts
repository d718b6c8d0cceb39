import { sleep } from '../../local/timing';
import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';
import { startTcpProxy } from './support/tcp-proxy';

/**
 * Every AMQP connection — the producer's, the RabbitMQ event source's, the dead-letter reader's — goes through a
 * TCP proxy that cuts them all, again and again, while the producer keeps publishing and the event source keeps
 * consuming (as a network blip or a load balancer reset would). Both clients must come back on their own within a
 * bounded time, messages in flight at a cut count as failed (never as sent), and nothing confirmed is lost.
 *
 * A cut meets the producer in one of two states, and which one depends on timing: after its invocation got a
 * confirm, the messages in flight fail (`channel-closed`); before any confirm on a connection reused from an earlier
 * invocation, the producer takes the connection for stale and publishes the whole invocation again on a new one
 * (lambda/producer/publish-attempt.ts), so nothing fails. Each cut must show one or the other.
 */

const CUTS = 6;
const CUT_INTERVAL_MS = 700;
const PER_INVOCATION = 100;
/** Pause between producer invocations: a steady stream rather than one burst. */
const INVOCATION_PAUSE_MS = 80;
/** Both clients must be back (consuming, or publishing with confirms) this soon after each cut. */
const RECONNECT_BOUND_MS = 5_000;

const scenario = useFaultScenario('cuts');

test('connections cut repeatedly: producer and event source reconnect within the bound, nothing lost', async () => {
  const through = await startTcpProxy(scenario.broker.amqpPort);
  scenario.closeAfterwards(() => through.close());
  const run = await scenario.startRun({ amqpUrl: `amqp://guest:guest@127.0.0.1:${through.port}` });
  const { pipeline: p, ledger } = run;

  // Each cut is made from inside the publish path, so it always lands while the producer has messages in flight.
  type Cut = { at: number; connections: number; eventSourceBackMs?: number };
  let armed: ((cut: Cut) => void) | undefined;
  // Invocations published again after a cut found their connection stale (one burst of republished ids each).
  let republishBursts = 0;
  let republishing = false;
  run.onEachPublish((_published, republished) => {
    if (republished && !republishing) republishBursts += 1;
    republishing = republished;
    const fire = armed;
    armed = undefined;
    fire?.({ at: Date.now(), connections: through.cutAll() });
  });
  const cuts: Cut[] = [];
  const cutter = (async () => {
    for (let n = 0; n < CUTS; n++) {
      await sleep(CUT_INTERVAL_MS);
      const cut = await new Promise<Cut>((resolve) => (armed = resolve));
      cuts.push(cut);
      // The event source notices the closed socket at once and reconnects on its own (no invocation drives it).
      const before = p.rabbitMqSources[0].statistics.reconnects;
      while (p.rabbitMqSources[0].statistics.reconnects === before && Date.now() - cut.at < RECONNECT_BOUND_MS) {
        await sleep(20);
      }
      if (p.rabbitMqSources[0].statistics.reconnects > before) cut.eventSourceBackMs = Date.now() - cut.at;
    }
  })();

  // The producer publishes until the last cut is behind it, plus one invocation to show it is back for good.
  const invocations: { start: number; end: number; confirmed: number }[] = [];
  let cutsDone = false;
  void cutter.then(() => (cutsDone = true));
  while (!cutsDone || invocations.length === 0 || invocations[invocations.length - 1].start < cuts[CUTS - 1].at) {
    const start = Date.now();
    const result = await run.publish(PER_INVOCATION);
    invocations.push({ start, end: Date.now(), confirmed: result.confirmed });
    await sleep(INVOCATION_PAUSE_MS);
  }
  await cutter;

  // Producer back = the first invocation started after the cut that had messages confirmed.
  const producerBackMs = cuts.map((cut) => {
    const back = invocations.find((i) => i.start >= cut.at && i.confirmed > 0);
    return back ? back.end - cut.at : Infinity;
  });
  const eventSourceBackMs = cuts.map((cut) => cut.eventSourceBackMs ?? Infinity);
  const outcome = await run.finish('connections cut repeatedly', 120_000, () => ({
    cuts: cuts.length,
    connectionsCut: cuts.reduce((n, c) => n + c.connections, 0),
    failedInFlight: ledger.failures.length,
    republishedInvocations: republishBursts,
    maxProducerBackMs: Math.max(...producerBackMs),
    maxEventSourceBackMs: Math.max(...eventSourceBackMs),
  }));
  const { report } = outcome;

  expect(cuts).toHaveLength(CUTS);
  // Each cut found the producer and the event source connected (and the dead-letter reader, once it has read).
  expect(cuts.every((c) => c.connections >= 2)).toBe(true);
  expect(Math.max(...producerBackMs)).toBeLessThan(RECONNECT_BOUND_MS);
  expect(Math.max(...eventSourceBackMs)).toBeLessThan(RECONNECT_BOUND_MS);
  expect(p.rabbitMqSources[0].statistics.reconnects).toBeGreaterThanOrEqual(CUTS);
  // Each cut failed the messages in flight (saying why) or made the producer publish its invocation again.
  expect(ledger.failures.length + republishBursts).toBeGreaterThanOrEqual(CUTS);
  for (const failure of ledger.failures) {
    expect(['channel-closed', 'connection-failed']).toContain(failure.code);
    expect(failure.reason).toMatch(/channel closed before the broker confirmed|connect/i);
  }

  const sent = invocations.length * PER_INVOCATION;
  expectFaultCounts(outcome, {
    sent,
    confirmed: sent - ledger.failures.length,
    // Every confirmed id arrives; one failed at a cut may too (the broker took it, the confirm was cut off).
    delivered: report.delivered,
    effects: report.delivered,
    deadLettered: 0,
    lost: 0,
  });
  expect(report.delivered).toBeGreaterThanOrEqual(report.confirmed);
}, 240_000);
