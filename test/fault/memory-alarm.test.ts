import { sleep } from '../../local/timing';
import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';
import type { PrivateBroker } from './support/private-broker';

/**
 * A memory alarm makes RabbitMQ stop reading from publishing connections: without care a producer waits forever.
 * The producer must fail every message of the invocation within its confirm timeout with an error that says the
 * broker blocks publishers, count none of them as sent, and publish normally once the alarm clears. Nothing it
 * reported failed while the broker was blocked may arrive later: a caller that retries those with fresh ids would
 * otherwise get two effects (issue 17, item 10).
 */

const CONFIRM_TIMEOUT_MS = 2_000;
/** Scheduling slack on a shared two-core machine on top of the confirm timeout. */
const SLACK_MS = 3_000;

async function memoryAlarm(broker: PrivateBroker): Promise<boolean | undefined> {
  const response = await fetch(`${broker.managementUrl}/api/nodes/${encodeURIComponent(broker.nodeName)}`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  return response.ok ? ((await response.json()) as { mem_alarm?: boolean }).mem_alarm : undefined;
}

async function waitForAlarm(broker: PrivateBroker, raised: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await memoryAlarm(broker)) !== raised) {
    if (Date.now() > deadline) throw new Error(`memory alarm did not become ${raised} within 15 s`);
    await sleep(200);
  }
}

const scenario = useFaultScenario('mem-alarm');

test('memory alarm: the producer fails within its confirm timeout saying why, and recovers when it clears', async () => {
  const { broker } = scenario;
  const run = await scenario.startRun({ confirmTimeoutMs: CONFIRM_TIMEOUT_MS });
  const invoke = async (count: number) => {
    const began = Date.now();
    const result = await run.publish(count);
    return { result, ms: Date.now() - began };
  };

  const before = await invoke(200);
  expect(before.result.confirmed).toBe(200);

  // A watermark no node can stay under: the alarm goes off at once.
  await broker.ctl('set_vm_memory_high_watermark', '0.0000001');
  await waitForAlarm(broker, true);
  // Once on the connection that was blocked mid-publish, once on the fresh connection the producer opens next.
  const blocked = [await invoke(100), await invoke(50)];
  for (const { result, ms } of blocked) {
    expect(ms).toBeLessThan(CONFIRM_TIMEOUT_MS + SLACK_MS);
    expect(result.confirmed).toBe(0);
    expect(result.ids).toEqual([]);
    expect(new Set(result.failed.map((f) => f.code))).toEqual(new Set(['broker-blocked']));
    // At most the first message went on the wire (RabbitMQ says it blocks only once it reads a publish); the rest
    // were never published.
    expect(result.failed[0].reason).toMatch(/(said it|not published: the broker) blocks publishers \(low on memory/);
    expect(result.failed.slice(1).every((f) => !f.published)).toBe(true);
    expect(result.failed[1].reason).toMatch(/^not published: the broker blocks publishers \(low on memory/);
  }

  await broker.ctl('set_vm_memory_high_watermark', '0.4');
  await waitForAlarm(broker, false);
  const after = await invoke(200);
  expect(after.result.confirmed).toBe(200);
  expect(after.ms).toBeLessThan(CONFIRM_TIMEOUT_MS);

  const outcome = await run.finish('memory alarm', 90_000, () => ({
    failedWhileBlocked: run.ledger.failures.length,
    blockedInvocationMs: Math.max(...blocked.map((b) => b.ms)),
  }));
  expectFaultCounts(outcome, {
    sent: 550,
    confirmed: 400,
    // Nothing failed while blocked arrives once the alarm clears: the producer publishes no more than the one
    // message that makes RabbitMQ block the connection, and resets the connection so the broker drops it unread.
    delivered: 400,
    effects: 400,
    deadLettered: 0,
    lost: 0,
  });
  const failedWhileBlocked = new Set(blocked.flatMap(({ result }) => result.failed.map((f) => f.id)));
  expect(failedWhileBlocked.size).toBe(150);
  expect(outcome.receipts.filter((r) => failedWhileBlocked.has(r.id))).toEqual([]);
  expect(outcome.deadLetters.filter((d) => failedWhileBlocked.has(d.id ?? ''))).toEqual([]);
}, 240_000);
