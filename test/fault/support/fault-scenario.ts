import { randomUUID } from 'node:crypto';
import type { ProducerEvent } from '../../../lambda/producer/event';
import type { ProducerResult } from '../../../lambda/producer/handler';
import type { LocalPipeline } from '../../../local/pipeline';
import { sleep } from '../../../local/timing';
import {
  drainAndAccount,
  type FaultOutcome,
  type FaultPipelineOptions,
  printCounts,
  PublishLedger,
  startFaultPipeline,
} from './fault-flow';
import { createPrivateBroker, type PrivateBroker } from './private-broker';

/**
 * What every fault test file shares: a private node started before its test and destroyed after it, the local
 * pipeline on that node, one run (id, start time, ledger of what the producer reported), and the drain that ends
 * it with one printed line of counts. The scenario itself — the fault, and what must hold under it — stays in the
 * test file.
 */

/** One run of the producer through the pipeline, counted from its first publish to the end of the drain. */
export interface FaultRun {
  readonly pipeline: LocalPipeline;
  readonly runId: string;
  readonly startedAt: number;
  readonly ledger: PublishLedger;
  /**
   * Invokes the producer for `count` messages of the run (with the event's other fields from `event`, e.g. a
   * payload) and records what it reported in the ledger.
   */
  publish(count: number, event?: Omit<ProducerEvent, 'count' | 'runId'>): Promise<ProducerResult>;
  /**
   * Calls `hook` with the number of distinct messages handed to the broker so far, each time the producer hands one
   * over, and whether this one had been handed over before (the producer publishing an invocation again on a new
   * connection after a stale one): a fault fired from here lands between two publishes of one invocation.
   */
  onEachPublish(hook: (published: number, republished: boolean) => void): void;
  /** Drains the pipeline and accounts for every message (`drainAndAccount`), then prints the scenario's counts. */
  finish(
    scenario: string,
    timeoutMs: number,
    extra?: (outcome: FaultOutcome) => Record<string, number>,
  ): Promise<FaultOutcome>;
}

export interface FaultRunOptions extends FaultPipelineOptions {
  /** Time the pipeline (and the topology it declared) gets before the run begins. @default 0 */
  readonly settleMs?: number;
}

export interface FaultScenario {
  /** The file's private node (available once `beforeAll` has run). */
  readonly broker: PrivateBroker;
  /** Starts the pipeline on the node (stopped after the test) and begins a run. */
  startRun(options?: FaultRunOptions): Promise<FaultRun>;
  /** Closes something of the test's own (e.g. a TCP proxy) after the pipeline has stopped, before the node goes. */
  closeAfterwards(close: () => Promise<void>): void;
}

/** Registers the file's `beforeAll` / `afterAll`: a private node labelled `label`, torn down after the pipeline. */
export function useFaultScenario(label: string): FaultScenario {
  let broker: PrivateBroker | undefined;
  let pipeline: LocalPipeline | undefined;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    broker = await createPrivateBroker(label);
    await broker.start();
  }, 90_000);

  afterAll(async () => {
    await pipeline?.stop();
    for (const close of closers) await close();
    await broker?.destroy();
  }, 30_000);

  const node = (): PrivateBroker => {
    if (!broker) throw new Error(`fault scenario ${label}: the private node is used before beforeAll started it`);
    return broker;
  };

  return {
    get broker() {
      return node();
    },
    closeAfterwards: (close) => void closers.push(close),
    async startRun({ settleMs = 0, ...options } = {}) {
      const p = await startFaultPipeline(node(), options);
      pipeline = p;
      if (settleMs > 0) await sleep(settleMs);
      const runId = randomUUID();
      const startedAt = Date.now();
      const ledger = new PublishLedger(p);
      return {
        pipeline: p,
        runId,
        startedAt,
        ledger,
        async publish(count, event = {}) {
          const result = await p.producer({ ...event, count, runId });
          ledger.record(result);
          return result;
        },
        onEachPublish(hook) {
          const record = p.publishedAt.set.bind(p.publishedAt);
          p.publishedAt.set = (id, at) => {
            const again = p.publishedAt.has(id);
            record(id, at);
            hook(p.publishedAt.size, again);
            return p.publishedAt;
          };
        },
        async finish(scenario, timeoutMs, extra) {
          const outcome = await drainAndAccount(p, node(), ledger, { runId, startedAt, timeoutMs });
          printCounts(scenario, outcome, extra?.(outcome));
          return outcome;
        },
      };
    },
  };
}
