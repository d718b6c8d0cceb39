import { accountForRun, type PublishedMessage, type Receipt } from '../../verify/accounting';
import { checkGroupOrder, compareSequenceNumbers } from '../../verify/group-order';
import { formatReport, reportJson } from '../../verify/report-format';

/** Receipts of effects: [id, group, receivedAt, sequenceNumber?]. */
const effects = (...rows: [string, string | undefined, number, string?][]): Receipt[] =>
  rows.map(([id, group, receivedAt, sequenceNumber]) => ({
    id,
    receivedAt,
    effect: true,
    ...(group ? { group } : {}),
    ...(sequenceNumber ? { sequenceNumber } : {}),
  }));

describe('checkGroupOrder', () => {
  const order = ['a1', 'b1', 'a2', 'b2', 'a3'];

  it('counts nothing when every group took effect in publish order, whatever the interleaving', () => {
    const result = checkGroupOrder(
      order,
      effects(['b1', 'b', 1], ['a1', 'a', 2], ['b2', 'b', 3], ['a2', 'a', 4], ['a3', 'a', 5]),
    );
    expect(result).toEqual({ outOfOrder: 0, examples: [], groups: 2, ungrouped: 0 });
  });

  it('counts a message overtaken in its group once, however many overtook it', () => {
    const result = checkGroupOrder(
      order,
      effects(['a2', 'a', 1], ['a3', 'a', 2], ['a1', 'a', 3], ['b1', 'b', 4], ['b2', 'b', 5]),
    );
    expect(result.outOfOrder).toBe(1);
    expect(result.examples).toEqual(['a1 after a3 (group a)']);
  });

  it('orders effects of the same millisecond by SQS sequence number', () => {
    const swapped = checkGroupOrder(order, effects(['a1', 'a', 7, '20'], ['a2', 'a', 7, '19']));
    expect(swapped.outOfOrder).toBe(1);
    const kept = checkGroupOrder(order, effects(['a1', 'a', 7, '19'], ['a2', 'a', 7, '20']));
    expect(kept.outOfOrder).toBe(0);
  });

  it('uses the effect receipt, not a later duplicate, and ignores other runs', () => {
    const receipts: Receipt[] = [
      ...effects(['a1', 'a', 1], ['a2', 'a', 2]),
      { id: 'a1', receivedAt: 9, effect: false, group: 'a' },
      { id: 'other-run', receivedAt: 0, effect: true, group: 'a' },
    ];
    expect(checkGroupOrder(order, receipts).outOfOrder).toBe(0);
  });

  it('counts delivered messages whose receipts carry no group', () => {
    expect(checkGroupOrder(order, effects(['a1', undefined, 1], ['a2', 'a', 2]))).toMatchObject({
      ungrouped: 1,
      groups: 1,
    });
  });

  it.each([
    ['9', '10', -1],
    ['18446744073709551616', '18446744073709551615', 1],
    ['007', '7', 0],
    [undefined, '1', 0],
  ])('compareSequenceNumbers(%p, %p) has the sign of %p', (a, b, sign) => {
    expect(Math.sign(compareSequenceNumbers(a, b))).toBe(sign);
  });
});

describe('accountForRun with FIFO order', () => {
  const published: PublishedMessage[] = ['a1', 'a2', 'a3'].map((id, i) => ({
    id,
    poison: false,
    confirmed: true,
    publishedAt: i,
  }));
  const run = (receipts: Receipt[], fifo: boolean) =>
    accountForRun({ published, receipts, deadLetters: [], fifo, startedAt: 0, finishedAt: 100 });

  it('passes with outOfOrder 0 and names the groups checked', () => {
    const report = run(effects(['a1', 'g', 10], ['a2', 'g', 11], ['a3', 'g', 12]), true);
    expect(report).toMatchObject({ passed: true, outOfOrder: 0, messageGroups: 1 });
    const text = formatReport(report, { runId: 'r', target: 't', facts: {} });
    expect(text).toMatch(
      /out of order\s+0 {3}effects after a later-published message of their group \(FIFO, 1 group\)/,
    );
    expect(text).toMatch(
      /PASS: every confirmed message was delivered once in effect, in order within its group, or dead-lettered/,
    );
    expect(JSON.parse(reportJson(report, { runId: 'r', target: 't', facts: {} }))).toMatchObject({
      outOfOrder: 0,
      messageGroups: 1,
    });
  });

  it('fails when a group took effect out of order', () => {
    const report = run(effects(['a2', 'g', 10], ['a1', 'g', 11], ['a3', 'g', 12]), true);
    expect(report.passed).toBe(false);
    expect(report.outOfOrder).toBe(1);
    expect(report.problems).toContain(
      '1 messages took effect after a later-published message of their group: a1 after a2 (group g)',
    );
  });

  it('fails when FIFO receipts carry no group, since the order cannot be shown', () => {
    const report = run(effects(['a1', undefined, 10], ['a2', 'g', 11], ['a3', 'g', 12]), true);
    expect(report.problems).toContain(
      '1 delivered messages have receipts without a message group: their order is unchecked',
    );
  });

  it('leaves order unchecked (null, no row) for standard queues', () => {
    const report = run(effects(['a2', undefined, 10], ['a1', undefined, 11], ['a3', undefined, 12]), false);
    expect(report).toMatchObject({ passed: true, outOfOrder: null, messageGroups: null });
    expect(formatReport(report, { runId: 'r', target: 't', facts: {} })).not.toMatch(/out of order/);
  });
});
