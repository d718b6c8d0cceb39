import { ArrivalTally, producerInvocations, publishedMessages } from '../../verify/run-ledger';

describe('producerInvocations', () => {
  it.each([
    [0, 0, 10, [{ count: 0, poison: 0 }]],
    [5, 2, 10, [{ count: 5, poison: 2 }]],
    [10, 1, 10, [{ count: 10, poison: 1 }]],
    [
      25,
      3,
      10,
      [
        { count: 10, poison: 0 },
        { count: 10, poison: 0 },
        { count: 5, poison: 3 },
      ],
    ],
  ])('%i valid and %i poison, at most %i per invocation', (messages, poison, per, expected) => {
    expect(producerInvocations(messages, poison, per)).toEqual(expected);
  });
});

describe('publishedMessages', () => {
  it('counts confirmed valid and poison ids as sent and failed ones as unconfirmed, keeping their poison flag', () => {
    const at = (id: string) => ({ a: 1, p: 2, f: 3, g: 4 })[id] ?? 0;
    const answer = {
      ids: ['a'],
      poisonIds: ['p'],
      failed: [
        { id: 'f', poison: false },
        { id: 'g', poison: true },
      ],
    };
    expect(publishedMessages(answer, at)).toEqual([
      { id: 'a', poison: false, confirmed: true, publishedAt: 1 },
      { id: 'p', poison: true, confirmed: true, publishedAt: 2 },
      { id: 'f', poison: false, confirmed: false, publishedAt: 3 },
      { id: 'g', poison: true, confirmed: false, publishedAt: 4 },
    ]);
  });
});

describe('ArrivalTally', () => {
  const published = publishedMessages(
    { ids: ['a', 'b'], poisonIds: ['p'], failed: [{ id: 'f', poison: false }] },
    () => 0,
  );
  const receipt = (id: string) => ({ id, runId: 'r', receivedAt: 1, attempt: 1, effect: true });

  it('knows every id of the run, and is complete once each confirmed one arrived', () => {
    const tally = new ArrivalTally(published);
    expect([...tally.ids].sort()).toEqual(['a', 'b', 'f', 'p']);
    expect(tally.confirmedCount).toBe(3);
    expect(tally.complete).toBe(false);
    tally.add([receipt('a'), receipt('a')], [{ id: 'p', queue: 'sqs' }]);
    expect(tally.accountedCount).toBe(2);
    expect(tally.complete).toBe(false);
    // An unconfirmed id that arrives anyway, and a dead letter whose id was lost, account for nothing.
    tally.add([receipt('f')], [{ id: undefined, queue: 'rabbitmq' }]);
    expect(tally.accountedCount).toBe(2);
    tally.add([receipt('b')], []);
    expect(tally.complete).toBe(true);
  });

  it('keeps every receipt and dead letter for the report, and counts unique ids for progress', () => {
    const tally = new ArrivalTally(published);
    tally.add([receipt('a'), receipt('a'), receipt('b')], [{ id: 'p', queue: 'sqs' }]);
    expect(tally.receipts).toHaveLength(3);
    expect(tally.deadLetters).toEqual([{ id: 'p', queue: 'sqs' }]);
    expect(tally.progress).toBe('delivered 2 · dead-lettered 1');
  });
});
