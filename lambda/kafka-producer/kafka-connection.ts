import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import { logger as defaultLogger, type LoggerLike } from '../shared/observability';
import { recordingPartitioner } from './record-positions';

/**
 * One idempotent Kafka producer per container, connected on first use and reused by warm invocations. On Amazon MSK
 * it authenticates with IAM: TLS plus SASL OAUTHBEARER carrying a token the MSK IAM SASL signer makes from the
 * function's role (no secret to store or rotate). Locally it speaks plaintext to the loopback broker.
 */

/** Hands out the producer; the handler never creates connections itself. */
export interface KafkaProducerSource {
  /** The connected producer (connects on first call, or after `discard`). */
  producer(): Promise<Producer>;
  /** Drops the producer after a failure that may leave it unusable; the next call connects afresh. */
  discard(reason: string): void;
  /** Disconnects (tests, local runtime). */
  close(): Promise<void>;
}

/** An MSK IAM token: the OAUTHBEARER value and when it expires. */
export interface IamToken {
  readonly token: string;
  readonly expiryTime: number;
}

export interface KafkaConnectionOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Client id the broker logs and quotas see. */
  readonly clientId: string;
  /** Sign in with IAM for this region (MSK); absent: plaintext (local broker). @default - plaintext */
  readonly iamRegion?: string;
  /** Token maker for IAM. @default the MSK IAM SASL signer with the default credential chain */
  readonly iamToken?: (region: string) => Promise<IamToken>;
  /** @default 10000 */
  readonly connectionTimeoutMs?: number;
  /** How long one produce request may wait for the broker's acknowledgement. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Send attempts for retriable errors (leader moves during a broker restart) before a batch counts as failed. @default 8 */
  readonly retries?: number;
  /** @default - the shared Powertools logger */
  readonly logger?: LoggerLike;
}

/** SASL for kafkajs: OAUTHBEARER with a fresh MSK IAM token for each authentication. */
export function mskIamSasl(region: string, iamToken: KafkaConnectionOptions['iamToken']): SASLOptions {
  const sign = iamToken ?? ((r: string) => generateAuthToken({ region: r }));
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => ({ value: (await sign(region)).token }),
  };
}

function kafkaLogger(given: LoggerLike | undefined) {
  const logger = given ?? defaultLogger;
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      if (level === logLevel.ERROR) logger.error(`kafka: ${message}`, rest);
      else if (level === logLevel.WARN) logger.warn(`kafka: ${message}`, rest);
      else logger.debug(`kafka: ${message}`, rest);
    };
}

export function createKafkaProducerSource(options: KafkaConnectionOptions): KafkaProducerSource {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: options.iamRegion !== undefined,
    sasl: options.iamRegion !== undefined ? mskIamSasl(options.iamRegion, options.iamToken) : undefined,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // kafkajs logs an expected rebalance or a leader move as an error; WARN keeps real problems visible.
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger(options.logger),
  });
  let current: Promise<Producer> | undefined;

  const connect = async (): Promise<Producer> => {
    const producer = kafka.producer({
      // acks=all is per send; idempotence makes the broker drop a retried batch it already wrote.
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Chosen, not defaulted: murmur2 on the key, the partitioner of Kafka's Java client (and its console producer),
      // so a key lands on the same partition whichever of them wrote it. Naming it also silences kafkajs's v2 notice.
      // Wrapped to note each record's partition, so the answer can name its offset (record-positions.ts).
      createPartitioner: recordingPartitioner,
      // Bounded, unlike kafkajs's idempotent default (retry forever): an invocation must end within its timeout.
      retry: { retries: options.retries ?? 8, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    await producer.connect();
    return producer;
  };

  return {
    producer() {
      current ??= connect().catch((error: unknown) => {
        current = undefined;
        throw error;
      });
      return current;
    },
    discard(reason) {
      const stale = current;
      current = undefined;
      (options.logger ?? defaultLogger).warn('Discarding the Kafka producer', { reason });
      void stale?.then((p) => p.disconnect()).catch(() => undefined);
    },
    async close() {
      const stale = current;
      current = undefined;
      await stale?.then((p) => p.disconnect()).catch(() => undefined);
    },
  };
}
