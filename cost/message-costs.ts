import { ATTRIBUTE } from '../lambda/shared/attributes';
import { MESSAGE_CONTENT_TYPE } from '../lambda/shared/message';
import { SQS_MAX_BATCH_ENTRIES } from '../lambda/shared/sqs-limits';
import { literalNumber, referencedLogicalId } from '../local/cfn-template';
import { handlerTimesFor, type HandlerTimesFile, logVolumeAt } from './handler-times';
import {
  DAYS_PER_MONTH,
  fixedLine,
  type LineItem,
  type NotPriced,
  perMessageLine,
  SECONDS_PER_MONTH,
} from './line-items';
import { lambdaPlatformLogVolume } from './platform-logs';
import { priceOf, type PriceTable } from './price-table';
import type { FunctionInventory, MappingInventory, StackInventory } from './template-inventory';

/**
 * The per-message part of the bill, derived from what the template says each message goes through: every function
 * an event source mapping invokes (requests, GB-seconds from memory × measured handler time, logs, traces), the SQS
 * requests the bridge, the SQS event source and the consumer make, the idempotency writes and records, the bytes
 * through the SQS interface endpoint and the messages waiting on the broker.
 */

export interface Traffic {
  /** Messages per second, steady. */
  readonly ratePerSec: number;
  /** Message body, bytes. */
  readonly sizeBytes: number;
}

export interface MessagePathCosts {
  readonly perMessage: LineItem[];
  /** Traffic-driven costs that stop growing early (the X-Ray reservoir). */
  readonly fixed: LineItem[];
  readonly notPriced: NotPriced[];
  /** Construct ids of the functions on the message path. */
  readonly functions: string[];
}

/** SQS bills each 64 KiB of a request's payload as one request. */
const SQS_CHUNK_BYTES = 65_536;
/** CloudWatch Logs counts each event as its message plus 26 bytes (the PutLogEvents size). */
const LOG_EVENT_OVERHEAD_BYTES = 26;
/** Lambda's default X-Ray sampling: the first request each second, then 5% of the rest. */
const XRAY_RESERVOIR_PER_SEC = 1;
const XRAY_FIXED_RATE = 0.05;
/** Powertools idempotency: an in-progress put, then the completed update. */
const IDEMPOTENCY_WRITES_PER_MESSAGE = 2;
/** DynamoDB adds 100 bytes per item to its stored size. */
const DYNAMODB_ITEM_OVERHEAD_BYTES = 100;
/** A consumer receipt on the receipts queue (verification stages): ids, run id, timestamps, flags. */
const RECEIPT_BYTES = 220;

/** The attributes the bridge puts on each SQS message: name, data type and value of each. */
export function bridgeAttributeBytes(): number {
  const uuid = 36;
  const attributes: [string, number][] = [
    [ATTRIBUTE.messageId, uuid],
    [ATTRIBUTE.correlationId, uuid],
    [ATTRIBUTE.contentType, MESSAGE_CONTENT_TYPE.length],
  ];
  return attributes.reduce((sum, [name, value]) => sum + name.length + 'String'.length + value, 0);
}

/**
 * Bytes of one Powertools idempotency item: attribute names, the key (deployed function name up to 64 characters,
 * `#`, an MD5 hex digest), two epoch numbers, the status and the stored result of the sample processing function.
 */
export function idempotencyItemBytes(): number {
  const names = ['id', 'expiration', 'status', 'data', 'in_progress_expiration'].join('').length;
  const key = 64 + 1 + 32;
  const numbers = 2 * 8;
  const status = 'COMPLETED'.length;
  const result = JSON.stringify({ id: '0'.repeat(36), processedAt: new Date(0).toISOString() }).length;
  return names + key + numbers + status + result;
}

export function messagePathCosts(
  inventory: StackInventory,
  prices: PriceTable,
  handlerTimes: HandlerTimesFile,
  traffic: Traffic,
): MessagePathCosts {
  const messagesPerMonth = traffic.ratePerSec * SECONDS_PER_MONTH;
  const price = (id: string, what: string) => priceOf(prices, id, what);
  const perMessage: LineItem[] = [];
  const fixed: LineItem[] = [];
  const notPriced: NotPriced[] = [];
  const line = (name: string, perMillion: number, id: string, what: string, derivation: string) =>
    perMessage.push(perMessageLine(name, perMillion, messagesPerMonth, id, price(id, what), derivation));

  const sqsMessageBytes = traffic.sizeBytes + bridgeAttributeBytes();
  const queueFifo = (id: string | undefined) => inventory.queues.find((q) => q.logicalId === id)?.fifo ?? false;
  const sqsPriceId = (fifo: boolean) => (fifo ? 'sqs.fifo-requests-per-million' : 'sqs.standard-requests-per-million');
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES));

  // Messages enter through the broker-side mappings; with more than one kind of source they split evenly.
  const sourceKinds = [...new Set(inventory.mappings.filter((m) => m.source !== 'sqs').map((m) => m.source))];
  const shareOf = (m: MappingInventory) => (m.source === 'sqs' ? 1 : 1 / Math.max(1, sourceKinds.length));

  const onPath = new Map<string, MappingInventory[]>();
  for (const mapping of inventory.mappings) {
    onPath.set(mapping.functionLogicalId, [...(onPath.get(mapping.functionLogicalId) ?? []), mapping]);
  }
  const offPath = new Map<string, string[]>();
  for (const fn of inventory.functions.filter((f) => !onPath.has(f.logicalId))) {
    offPath.set(offPathReason(fn), [...(offPath.get(offPathReason(fn)) ?? []), fn.name]);
  }
  for (const [reason, names] of offPath) notPriced.push({ name: `Lambda ${names.join(', ')}`, reason });

  const functions: string[] = [];
  for (const [functionId, mappings] of onPath) {
    const fn = inventory.functions.find((f) => f.logicalId === functionId);
    if (!fn) continue;
    functions.push(fn.name);
    const batch = mappings.reduce((sum, m) => sum + m.batchSize, 0) / mappings.length;
    const share = shareOf(mappings[0]);
    const invocationsPerMessage = share / batch;
    const fallback = mappings[0].source === 'sqs' ? 'Consumer' : 'Bridge';
    const { times, measuredAs } = handlerTimesFor(handlerTimes, fn.name, fallback);
    const measured =
      measuredAs === fn.name ? `measured for ${fn.name}` : `no measurement for ${fn.name}; ${measuredAs}'s used`;
    const billedMs = Math.ceil(times.perInvocationMs + times.perRecordMs * batch);
    const gbSecondsPerMessage = (invocationsPerMessage * billedMs * fn.memoryMb) / 1024 / 1000;
    const batchText = `batch ${batch} (${mappings.length} ${mappings[0].source} mapping${mappings.length > 1 ? 's' : ''})`;
    line(
      `Lambda ${fn.name} requests`,
      invocationsPerMessage,
      'lambda.requests-per-million',
      'Lambda requests',
      `${batchText}: ${round(invocationsPerMessage)} invocations per message, full batches`,
    );
    line(
      `Lambda ${fn.name} duration (${fn.memoryMb} MB ${fn.architecture})`,
      gbSecondsPerMessage * 1e6,
      `lambda.gb-second.${fn.architecture}`,
      `Lambda ${fn.architecture} GB-seconds`,
      `${billedMs} ms per invocation of ${batch} records (${measured}: ${round(times.perInvocationMs)} ms + ` +
        `${round(times.perRecordMs)} ms per record, local bench) × ${fn.memoryMb} MB`,
    );
    const logs = logVolumeAt(times, fn.logLevel);
    const platform = lambdaPlatformLogVolume(fn);
    const bytesPerInvocation =
      logs.perInvocationBytes +
      platform.bytes +
      LOG_EVENT_OVERHEAD_BYTES * (logs.perInvocationEvents + platform.events);
    const bytesPerRecord = logs.perRecordBytes + LOG_EVENT_OVERHEAD_BYTES * logs.perRecordEvents;
    const logGbPerMillion = ((bytesPerInvocation * invocationsPerMessage + bytesPerRecord * share) * 1e6) / 1e9;
    line(
      `CloudWatch Logs ingestion, ${fn.name} (${fn.logLevel})`,
      logGbPerMillion,
      'cloudwatch.logs-ingest-gb',
      'log ingestion',
      `${Math.round(bytesPerInvocation)} B per invocation (handler at ${fn.logLevel} + START/END/REPORT lines) + ` +
        `${Math.round(bytesPerRecord)} B per record, +${LOG_EVENT_OVERHEAD_BYTES} B per event`,
    );
    const retentionDays = fn.logRetentionDays ?? DAYS_PER_MONTH;
    line(
      `CloudWatch Logs storage, ${fn.name} (${fn.logRetentionDays ?? 'never expires: one month'}${fn.logRetentionDays ? ' days' : ''})`,
      (logGbPerMillion * retentionDays) / DAYS_PER_MONTH,
      'cloudwatch.logs-storage-gb-month',
      'log storage',
      `steady state: a month's ingestion × retention ${round(retentionDays)} d ÷ ${round(DAYS_PER_MONTH)} d, uncompressed`,
    );
    if (fn.tracing) {
      const invocationsPerSec = traffic.ratePerSec * invocationsPerMessage;
      line(
        `X-Ray traces, ${fn.name} (5% sampled)`,
        XRAY_FIXED_RATE * invocationsPerMessage,
        'xray.traces-recorded-per-million',
        'X-Ray traces',
        'default sampling rule: 5% of invocations beyond the reservoir',
      );
      fixed.push(
        fixedLine(
          `X-Ray trace reservoir, ${fn.name}`,
          (Math.min(XRAY_RESERVOIR_PER_SEC, invocationsPerSec) * SECONDS_PER_MONTH) / 1e6,
          'xray.traces-recorded-per-million',
          price('xray.traces-recorded-per-million', 'X-Ray traces'),
          'default sampling rule: the first invocation each second (fewer when invoked less often)',
        ),
      );
    }
    sqsLines(fn, mappings, batch, share);
  }

  function sqsLines(fn: FunctionInventory, mappings: MappingInventory[], batch: number, share: number): void {
    const target = referencedLogicalId(fn.environment.TARGET_QUEUE_URL);
    if (target) {
      const perBatch = chunks(SQS_MAX_BATCH_ENTRIES * sqsMessageBytes);
      line(
        `SQS SendMessageBatch by ${fn.name}`,
        (share * perBatch) / SQS_MAX_BATCH_ENTRIES,
        sqsPriceId(queueFifo(target)),
        'SQS requests',
        `batches of ${SQS_MAX_BATCH_ENTRIES} × ${sqsMessageBytes} B (body + bridge attributes), one request per 64 KiB`,
      );
      if (fn.inVpc) {
        line(
          `Interface endpoint data, ${fn.name} → SQS`,
          (share * sqsMessageBytes * 1e6) / 1e9,
          'vpc.interface-endpoint-gb',
          'interface endpoint data processed',
          `${sqsMessageBytes} B per message through the SQS endpoint`,
        );
      }
    }
    const sqsMapping = mappings.find((m) => m.source === 'sqs');
    if (sqsMapping) {
      const perCall = Math.min(batch, SQS_MAX_BATCH_ENTRIES);
      const fifo = queueFifo(sqsMapping.sourceLogicalId);
      line(
        `SQS ReceiveMessage by the ${fn.name} event source`,
        chunks(perCall * sqsMessageBytes) / perCall,
        sqsPriceId(fifo),
        'SQS requests',
        `up to ${perCall} messages per receive (BatchSize ${batch}), full batches`,
      );
      line(
        `SQS DeleteMessageBatch by the ${fn.name} event source`,
        1 / perCall,
        sqsPriceId(fifo),
        'SQS requests',
        `successful records deleted ${perCall} per call`,
      );
      const receipts = referencedLogicalId(fn.environment.RECEIPTS_QUEUE_URL);
      if (receipts) {
        line(
          `SQS SendMessageBatch of receipts by ${fn.name}`,
          chunks(perCall * RECEIPT_BYTES) / perCall,
          sqsPriceId(queueFifo(receipts)),
          'SQS requests',
          `one receipt per message, coalesced ${perCall} per call within an invocation`,
        );
      }
      idempotencyLines(fn);
    }
  }

  function idempotencyLines(fn: FunctionInventory): void {
    const tableId = referencedLogicalId(fn.environment.IDEMPOTENCY_TABLE_NAME);
    const table = inventory.tables.find((t) => t.logicalId === tableId);
    if (!table) return;
    const itemBytes = idempotencyItemBytes();
    line(
      `DynamoDB writes by ${fn.name} (idempotency)`,
      IDEMPOTENCY_WRITES_PER_MESSAGE * Math.ceil(itemBytes / 1024),
      'dynamodb.write-request-units-per-million',
      'DynamoDB write request units',
      `${IDEMPOTENCY_WRITES_PER_MESSAGE} writes per message (in progress, completed) of ${itemBytes} B`,
    );
    const expirySec = literalNumber(
      fn.environment.IDEMPOTENCY_EXPIRY_SECONDS,
      NaN,
      `${fn.name}.IDEMPOTENCY_EXPIRY_SECONDS`,
    );
    const gbMonthsPerMillion = ((itemBytes + DYNAMODB_ITEM_OVERHEAD_BYTES) * expirySec * 1e6) / 1e9 / SECONDS_PER_MONTH;
    const stored = `${itemBytes + DYNAMODB_ITEM_OVERHEAD_BYTES} B per message kept ${round(expirySec / 86_400)} d (TTL ${table.ttl ? 'on' : 'OFF: records are never removed'})`;
    line(
      `DynamoDB storage of idempotency records`,
      gbMonthsPerMillion,
      'dynamodb.storage-gb-month',
      'DynamoDB storage',
      stored,
    );
    if (table.pointInTimeRecovery) {
      line(
        `DynamoDB point-in-time recovery`,
        gbMonthsPerMillion,
        'dynamodb.pitr-gb-month',
        'DynamoDB PITR',
        `on the table's size: ${stored}`,
      );
    }
  }

  for (const broker of inventory.brokers) {
    const mapping = inventory.mappings.find((m) => m.source === 'rabbitmq' && m.sourceLogicalId === broker.logicalId);
    if (!mapping) continue;
    line(
      `Amazon MQ storage of waiting messages`,
      (traffic.sizeBytes * mapping.batchingWindowSec * broker.nodes * shareOf(mapping) * 1e6) / 1e9 / SECONDS_PER_MONTH,
      'amazonmq.rabbitmq-storage-gb-month',
      'Amazon MQ storage',
      `a draining queue holds one batching window (${mapping.batchingWindowSec} s) of messages, a replica per node`,
    );
  }
  return { perMessage, fixed, notPriced, functions };
}

function offPathReason(fn: FunctionInventory): string {
  // The sample producers (RabbitMQ and Kafka) stand in for the user's publishers.
  if (fn.name === 'Producer' || fn.name === 'KafkaProducer') {
    return 'invoked on demand (npm run verify, tests); production publishers are your own applications';
  }
  return 'no event source mapping: runs when the stack is deployed, updated or deleted (custom resources)';
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
