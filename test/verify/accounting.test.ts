import {
  accountForRun,
  countEffects,
  percentiles,
  type AccountingInput,
  type PublishedMessage,
} from '../../verify/accounting';

const T0 = 1_700_000_000_000;

function published(count: number, poison: number): PublishedMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    poison: i < poison,
    confirmed: true,
    publishedAt: T0 + i,
  }));
}

/** A clean run's input without a caller-given effect count, so accounting counts effects from the receipts. */
function withoutCount(input: AccountingInput): AccountingInput {
  const copy = { ...input };
  delete (copy as { effects?: number }).effects;
  return copy;
}

/** A clean run: every good message received once 100 ms after publish, every poison in the SQS DLQ. */
function cleanRun(count = 10, poison = 2): AccountingInput {
  const msgs = published(count, poison);
  return {
    published: msgs,
    receipts: msgs.filter((m) => !m.poison).map((m) => ({ id: m.id, receivedAt: m.publishedAt + 100 })),
    deadLetters: msgs.filter((m) => m.poison).map((m) => ({ id: m.id, queue: 'sqs' as const })),
    effects: count - poison,
    startedAt: T0,
    finishedAt: T0 + 2_000,
  };
}

describe('accountForRun', () => {
  test('a clean run passes with every count derived from receipts and DLQ contents', () => {
    const report = accountForRun(cleanRun());
    expect(report).toMatchObject({
      sent: 10,
      confirmed: 10,
      delivered: 8,
      duplicates: 0,
      effects: 8,
      deadLettered: 2,
      lost: 0,
      latencyMs: { p50: 100, p95: 100, p99: 100 },
      durationSec: 2,
      expected: { poison: 2, good: 8 },
      deadLetteredByQueue: { sqs: 2, rabbitmq: 0 },
      problems: [],
      passed: true,
    });
  });

  test('throughput is delivered messages over first publish to last receipt', () => {
    const input = cleanRun(10, 0);
    // last receipt at T0 + 9 + 100 = 109 ms after the first publish
    expect(accountForRun(input).throughputPerSec).toBeCloseTo(10 / 0.109, 0);
  });

  test('a confirmed message with no receipt and no dead letter is lost and fails the run', () => {
    const input = cleanRun();
    const report = accountForRun({ ...input, receipts: input.receipts.slice(1), effects: 7 });
    expect(report.lost).toBe(1);
    expect(report.delivered).toBe(7);
    expect(report.passed).toBe(false);
    expect(report.problems).toContain('1 confirmed messages were neither delivered nor dead-lettered: m2');
  });

  test('redelivered receipts count as duplicates, not as extra deliveries', () => {
    const input = cleanRun();
    const report = accountForRun({ ...input, receipts: [...input.receipts, input.receipts[0], input.receipts[0]] });
    expect(report.delivered).toBe(8);
    expect(report.duplicates).toBe(2);
    expect(report.passed).toBe(true);
  });

  test('effects that differ from unique valid deliveries fail the run (idempotency broken)', () => {
    const report = accountForRun({ ...cleanRun(), effects: 9 });
    expect(report.passed).toBe(false);
    expect(report.problems).toEqual(['effects 9 differ from the 8 unique valid messages delivered']);
  });

  test('a valid message in a DLQ fails the run even when the dead-letter count matches', () => {
    const input = cleanRun();
    const report = accountForRun({
      ...input,
      deadLetters: [
        { id: 'm0', queue: 'sqs' },
        { id: 'm5', queue: 'rabbitmq' },
      ],
      receipts: [...input.receipts.filter((r) => r.id !== 'm5'), { id: 'm1', receivedAt: T0 + 50 }],
      effects: 7,
    });
    expect(report.deadLettered).toBe(2);
    expect(report.deadLetteredByQueue).toEqual({ sqs: 1, rabbitmq: 1 });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        '1 valid messages were dead-lettered: m5',
        '1 poison messages were not dead-lettered: m1',
        '1 poison messages were processed as valid: m1',
      ]),
    );
  });

  test('unconfirmed messages fail the run but are not lost (never claimed as sent)', () => {
    const input = cleanRun();
    const msgs = input.published.map((m) => (m.id === 'm9' ? { ...m, confirmed: false } : m));
    const report = accountForRun({
      ...input,
      published: msgs,
      receipts: input.receipts.filter((r) => r.id !== 'm9'),
      effects: 7,
    });
    expect(report).toMatchObject({ sent: 10, confirmed: 9, lost: 0, passed: false });
    expect(report.problems[0]).toBe('1 of 10 messages were not confirmed by the broker');
  });

  test("another run's receipts and dead letters are ignored", () => {
    const input = cleanRun();
    const report = accountForRun({
      ...input,
      receipts: [...input.receipts, { id: 'other', receivedAt: T0 }],
      deadLetters: [...input.deadLetters, { id: 'other-dl', queue: 'sqs' }, { id: undefined, queue: 'rabbitmq' }],
    });
    expect(report).toMatchObject({ delivered: 8, duplicates: 0, deadLettered: 2, passed: true });
  });

  test('lists at most five sample ids in a problem', () => {
    const input = cleanRun(20, 0);
    const report = accountForRun({ ...input, receipts: [], effects: 0 });
    expect(report.problems[0]).toBe(
      '20 confirmed messages were neither delivered nor dead-lettered: m0, m1, m2, m3, m4, … (15 more)',
    );
  });

  test('an empty run reports zeros', () => {
    const report = accountForRun({
      published: [],
      receipts: [],
      deadLetters: [],
      effects: 0,
      startedAt: T0,
      finishedAt: T0,
    });
    expect(report).toMatchObject({ sent: 0, delivered: 0, throughputPerSec: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } });
  });
});

describe('effects counted from receipts (no count from the caller)', () => {
  /** The clean run with receipts as the consumer writes them: `effect: true` for the delivery that ran. */
  function flaggedRun(): AccountingInput {
    const input = withoutCount(cleanRun());
    return { ...input, receipts: input.receipts.map((r) => ({ ...r, effect: true })) };
  }

  test('counts receipts with effect: true; duplicates absorbed (effect: false) add none', () => {
    const input = flaggedRun();
    const duplicate = { ...input.receipts[0], receivedAt: T0 + 500, effect: false };
    const report = accountForRun({ ...input, receipts: [...input.receipts, duplicate, duplicate] });
    expect(report).toMatchObject({ delivered: 8, duplicates: 2, effects: 8, problems: [], passed: true });
  });

  test('a second effect for one id fails the run and names it (idempotency broken)', () => {
    const input = flaggedRun();
    const report = accountForRun({ ...input, receipts: [...input.receipts, { ...input.receipts[1], effect: true }] });
    expect(report.effects).toBe(9);
    expect(report.problems).toEqual([
      'effects 9 differ from the 8 unique valid messages delivered; more than one effect: m3',
    ]);
  });

  test('a delivered id whose only receipt says effect: false is named (the effect receipt was lost)', () => {
    const input = flaggedRun();
    const receipts = input.receipts.map((r) => (r.id === 'm4' ? { ...r, effect: false } : r));
    const report = accountForRun({ ...input, receipts });
    expect(report.effects).toBe(7);
    expect(report.problems).toEqual([
      'effects 7 differ from the 8 unique valid messages delivered; delivered but no receipt marks the effect (an effect receipt was lost): m4',
    ]);
  });

  test('receipts without the flag (older consumers) count once per id', () => {
    const input = withoutCount(cleanRun());
    const report = accountForRun({ ...input, receipts: [...input.receipts, input.receipts[0]] });
    expect(report).toMatchObject({ effects: 8, duplicates: 1, passed: true });
  });

  test("another run's receipts never count as effects", () => {
    const input = flaggedRun();
    const report = accountForRun({
      ...input,
      receipts: [...input.receipts, { id: 'x', receivedAt: T0, effect: true }],
    });
    expect(report).toMatchObject({ effects: 8, passed: true });
  });
});

describe('countEffects', () => {
  test('exact when every receipt carries the flag', () => {
    const counted = countEffects([
      { id: 'a', receivedAt: 1, effect: true },
      { id: 'a', receivedAt: 2, effect: false },
      { id: 'b', receivedAt: 3, effect: true },
      { id: 'c', receivedAt: 4, effect: true },
      { id: 'c', receivedAt: 5, effect: true },
    ]);
    expect(counted).toEqual({
      count: 4,
      byId: new Map([
        ['a', 1],
        ['b', 1],
        ['c', 2],
      ]),
      countedFrom: 'receipts (effect flag)',
    });
  });

  test('without the flag it can only count unique ids, and says so', () => {
    const counted = countEffects([
      { id: 'a', receivedAt: 1 },
      { id: 'a', receivedAt: 2 },
    ]);
    expect(counted).toMatchObject({ count: 1, countedFrom: 'unique receipts (receipts carry no effect flag)' });
  });

  test('mixed: flagged ids exactly, unflagged ones once, and the context says how many lacked it', () => {
    const counted = countEffects([
      { id: 'a', receivedAt: 1, effect: true },
      { id: 'a', receivedAt: 2 },
      { id: 'b', receivedAt: 3 },
      { id: 'b', receivedAt: 4 },
    ]);
    expect(counted).toMatchObject({
      count: 2,
      countedFrom: 'mixed (3 of 4 receipts carry no effect flag; counted once per id)',
    });
  });

  test('no receipts, no effects', () => {
    expect(countEffects([])).toMatchObject({ count: 0, countedFrom: 'receipts (effect flag)' });
  });
});

describe('percentiles', () => {
  test('nearest rank over 1..100', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  test('a single value is every percentile', () => {
    expect(percentiles([42.4])).toEqual({ p50: 42, p95: 42, p99: 42 });
  });
});
