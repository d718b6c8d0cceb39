import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

type Status = (typeof IdempotencyRecordStatus)[keyof typeof IdempotencyRecordStatus];

/** What is kept per idempotency key (the same fields the DynamoDB layer stores). */
interface StoredRecord {
  readonly status: Status;
  readonly expiryTimestamp?: number;
  readonly inProgressExpiryTimestamp?: number;
  readonly responseData?: JSONValue;
  readonly payloadHash?: string;
}

/** A journal line: a record written, or deleted (`record` absent). */
interface JournalEntry {
  readonly key: string;
  readonly record?: StoredRecord;
}

export interface LocalPersistenceLayerOptions {
  /** Append-only journal that survives restarts of the local runtime. @default - memory only */
  readonly filePath?: string;
}

/**
 * Idempotency records for the local runtime: in memory, optionally journaled to a file. The conditional put has
 * DynamoDB's semantics (`attribute_not_exists OR expired OR in-progress expired`) and is atomic because the check
 * and the write happen in one synchronous step of the single Node.js thread.
 */
export class LocalPersistenceLayer extends BasePersistenceLayer {
  readonly #records = new Map<string, StoredRecord>();
  readonly #filePath?: string;

  constructor(options: LocalPersistenceLayerOptions = {}) {
    super();
    this.#filePath = options.filePath;
    if (this.#filePath) this.#replay(this.#filePath);
  }

  /** Number of idempotency keys held (tests, diagnostics). */
  get size(): number {
    return this.#records.size;
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const stored = this.#records.get(idempotencyKey);
    if (!stored) throw new IdempotencyItemNotFoundError(`No idempotency record for ${idempotencyKey}`);
    return this.#toRecord(idempotencyKey, stored);
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    const now = Date.now();
    const replaceable =
      !existing ||
      (existing.expiryTimestamp !== undefined && existing.expiryTimestamp < now / 1000) ||
      (existing.status === IdempotencyRecordStatus.INPROGRESS &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < now);
    if (!replaceable) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        this.#toRecord(record.idempotencyKey, existing),
      );
    }
    this.#write(record.idempotencyKey, {
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      inProgressExpiryTimestamp: record.inProgressExpiryTimestamp,
      payloadHash: record.payloadHash,
    });
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    this.#write(record.idempotencyKey, {
      ...existing,
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      responseData: record.responseData,
    });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.delete(record.idempotencyKey);
    this.#journal({ key: record.idempotencyKey });
  }

  #toRecord(idempotencyKey: string, stored: StoredRecord): IdempotencyRecord {
    return new IdempotencyRecord({ idempotencyKey, ...stored });
  }

  #write(key: string, record: StoredRecord): void {
    this.#records.set(key, record);
    this.#journal({ key, record });
  }

  #journal(entry: JournalEntry): void {
    if (this.#filePath) appendFileSync(this.#filePath, `${JSON.stringify(entry)}\n`);
  }

  #replay(filePath: string): void {
    mkdirSync(dirname(filePath), { recursive: true });
    if (!existsSync(filePath)) return;
    for (const line of readFileSync(filePath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // A line torn by a crash mid-append is the only way to get here; the records before it are intact.
        continue;
      }
      if (entry.record) this.#records.set(entry.key, entry.record);
      else this.#records.delete(entry.key);
    }
  }
}
