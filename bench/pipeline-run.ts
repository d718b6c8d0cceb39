import { randomUUID } from 'node:crypto';
import { LOCAL_MESSAGES_PER_INVOCATION } from '../local/local-run';
import type { LocalPipeline } from '../local/pipeline';
import { sleep } from '../local/timing';
import { accountForRun, type PublishedMessage, type VerificationReport } from '../verify/accounting';
import { drainOnce, parseReceipt, type ReceiptRecord } from '../verify/queue-drain';
import { publishedMessages } from '../verify/run-ledger';

/** How often a paced run invokes the producer: small batches, close to a steady stream. */
const TICK_MS = 20;
/** How often completion is checked (an in-memory lookup, no SQS call). */
const COMPLETION_POLL_MS = 50;

export interface PipelineRunOptions {
  readonly messages: number;
  readonly size: number;
  /** Publish at this rate; @default - as fast as the producer goes, in invocations of 10,000 like `npm start` */
  readonly ratePerSec?: number;
  /** Give up waiting for the pipeline after this long past the last publish. */
  readonly timeoutMs: number;
  /** Reads a running count of SQS API calls on the pipeline's client. @default - not counted */
  readonly sqsCalls?: () => number;
}

export interface PipelineRunResult {
  /** The project's own accounting of the run (lost, duplicates, throughput = delivered ÷ first publish to last receipt). */
  readonly report: VerificationReport;
  /** Publish-to-receipt milliseconds of every delivered message (its first receipt). */
  readonly latenciesMs: number[];
  /** The rate the producer actually achieved. */
  readonly publishedPerSec: number;
  /** SQS API calls the pipeline made per message, first publish to last effect (receipt draining excluded). */
  readonly sqsCallsPerMessage?: number;
}

/**
 * One run through the local pipeline, measured without disturbing it: the producer publishes (at a pace, or flat
 * out), completion is watched through the consumer's in-memory effect hook, and only then are the receipts drained
 * from SQS and accounted for. `npm start` drains while the pipeline runs, which is right for a progress bar but puts
 * the verifier's own receive/delete calls on the same single-threaded emulator as the pipeline's.
 */
export async function runThroughPipeline(
  pipeline: LocalPipeline,
  options: PipelineRunOptions,
): Promise<PipelineRunResult> {
  const runId = randomUUID();
  const published: PublishedMessage[] = [];
  const callsBefore = options.sqsCalls?.();
  const effectsBefore = pipeline.effects.size;
  const startedAt = Date.now();
  const publish = async (count: number) => {
    const result = await pipeline.producer({ count, size: options.size, runId });
    published.push(...publishedMessages(result, (id) => pipeline.publishedAt.get(id) ?? Date.now()));
  };
  let sent = 0;
  while (sent < options.messages) {
    if (options.ratePerSec === undefined) {
      const count = Math.min(LOCAL_MESSAGES_PER_INVOCATION, options.messages - sent);
      await publish(count);
      sent += count;
      continue;
    }
    const due = Math.min(options.messages, Math.ceil(((Date.now() - startedAt) / 1000) * options.ratePerSec));
    if (due > sent) {
      await publish(due - sent);
      sent = due;
    }
    const nextDue = startedAt + ((sent + 1) / options.ratePerSec) * 1000;
    await sleep(Math.max(0, Math.min(TICK_MS, nextDue - Date.now())));
  }
  const publishedPerSec = (sent * 1000) / Math.max(1, Date.now() - startedAt);

  const pending = new Set(published.filter((m) => m.confirmed).map((m) => m.id));
  const deadline = Date.now() + options.timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    // Each new id adds one entry to the effect map: until enough have arrived, the ids need not be looked at. Scanning
    // 20,000 of them every poll cost the single thread the pipeline runs on about 2% of its time.
    if (pipeline.effects.size - effectsBefore >= pending.size) {
      for (const id of pending) if (pipeline.effects.has(id)) pending.delete(id);
    }
    if (pending.size > 0) await sleep(COMPLETION_POLL_MS);
  }
  const callsUntilComplete =
    callsBefore === undefined || !options.sqsCalls ? undefined : options.sqsCalls() - callsBefore;

  const receipts: ReceiptRecord[] = [];
  for (;;) {
    const batch = await drainOnce({
      client: pipeline.sqs.client,
      queueUrl: pipeline.queues.receipts.url,
      parse: (m) => parseReceipt(m.Body, runId),
    });
    if (batch.length === 0) break;
    receipts.push(...batch);
  }
  // Effects counted from the receipts' own flag, as `npm start` and `npm run verify` count them.
  const report = accountForRun({
    published,
    receipts,
    deadLetters: [],
    fifo: pipeline.settings.sourceQueue.fifo,
    startedAt,
    finishedAt: Date.now(),
  });

  const publishedAt = new Map(published.map((m) => [m.id, m.publishedAt]));
  const firstReceipt = new Map<string, number>();
  for (const r of receipts) firstReceipt.set(r.id, Math.min(r.receivedAt, firstReceipt.get(r.id) ?? Infinity));
  const latenciesMs = [...firstReceipt].map(([id, at]) => at - (publishedAt.get(id) ?? startedAt));
  const sqsCallsPerMessage = callsUntilComplete === undefined ? undefined : callsUntilComplete / Math.max(1, sent);
  return { report, latenciesMs, publishedPerSec, ...(sqsCallsPerMessage !== undefined && { sqsCallsPerMessage }) };
}
