import { randomUUID } from 'node:crypto';
import type { LocalPipeline } from '../local/pipeline';
import { sleep } from '../local/timing';
import { accountForRun, type PublishedMessage, type VerificationReport } from '../verify/accounting';
import { drainOnce, parseReceipt, type ReceiptRecord } from '../verify/queue-drain';

/** How often the paced driver invokes the producer: small batches, close to a steady stream. */
const TICK_MS = 20;
/** Pause between drain passes of the receipts queue. */
const DRAIN_POLL_MS = 100;

export interface PacedRunOptions {
  readonly ratePerSec: number;
  readonly messages: number;
  readonly size: number;
  /** Give up waiting for receipts after this long past the last publish. */
  readonly drainTimeoutMs: number;
}

export interface PacedRunResult {
  readonly report: VerificationReport;
  /** Publish-to-receipt milliseconds of every delivered message (first receipt per id). */
  readonly latenciesMs: number[];
  /** The rate actually achieved while publishing. */
  readonly publishedPerSec: number;
}

/**
 * Publishes `messages` through the real producer at `ratePerSec` — one small invocation every {@link TICK_MS} ms,
 * each catching up to the schedule — then drains this run's receipts and accounts for every message with the
 * project's own accounting. Latency is measured from the moment each message was handed to the broker (the local
 * pipeline records it) to the consumer's receipt.
 */
export async function runPaced(pipeline: LocalPipeline, options: PacedRunOptions): Promise<PacedRunResult> {
  const runId = randomUUID();
  const published: PublishedMessage[] = [];
  const startedAt = Date.now();
  let sent = 0;
  while (sent < options.messages) {
    const due = Math.min(options.messages, Math.ceil(((Date.now() - startedAt) / 1000) * options.ratePerSec));
    if (due > sent) {
      const result = await pipeline.producer({ count: due - sent, size: options.size, runId });
      const at = (id: string) => pipeline.publishedAt.get(id) ?? Date.now();
      for (const id of result.ids) published.push({ id, poison: false, confirmed: true, publishedAt: at(id) });
      for (const f of result.failed)
        published.push({ id: f.id, poison: false, confirmed: false, publishedAt: at(f.id) });
      sent = due;
    }
    const nextDue = startedAt + ((sent + 1) / options.ratePerSec) * 1000;
    await sleep(Math.max(0, Math.min(TICK_MS, nextDue - Date.now())));
  }
  const publishedPerSec = (sent * 1000) / Math.max(1, Date.now() - startedAt);

  const confirmed = new Set(published.filter((m) => m.confirmed).map((m) => m.id));
  const receipts: ReceiptRecord[] = [];
  const delivered = new Set<string>();
  const deadline = Date.now() + options.drainTimeoutMs;
  while (delivered.size < confirmed.size && Date.now() < deadline) {
    const batch = await drainOnce({
      client: pipeline.sqs.client,
      queueUrl: pipeline.queues.receipts.url,
      parse: (m) => parseReceipt(m.Body, runId),
    });
    receipts.push(...batch);
    for (const r of batch) delivered.add(r.id);
    if (delivered.size < confirmed.size) await sleep(DRAIN_POLL_MS);
  }

  let effects = 0;
  for (const m of published) effects += pipeline.effects.get(m.id) ?? 0;
  const report = accountForRun({ published, receipts, deadLetters: [], effects, startedAt, finishedAt: Date.now() });
  const publishedAtById = new Map(published.map((m) => [m.id, m.publishedAt]));
  const firstReceipt = new Map<string, number>();
  for (const r of receipts) firstReceipt.set(r.id, Math.min(r.receivedAt, firstReceipt.get(r.id) ?? Infinity));
  const latenciesMs = [...firstReceipt].map(([id, at]) => at - (publishedAtById.get(id) ?? startedAt));
  return { report, latenciesMs, publishedPerSec };
}
