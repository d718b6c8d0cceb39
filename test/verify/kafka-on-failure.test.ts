import { parseOnFailureRecord, positionsOfRuns } from '../../verify/kafka-on-failure';

const batch = { topic: 'events', partition: 2, firstOffset: '10', lastOffset: '12' };

describe('parseOnFailureRecord', () => {
  test('reads topic, partition and offset range from the KafkaBatchInfo Lambda sends', () => {
    expect(
      parseOnFailureRecord(JSON.stringify({ version: '1.0', KafkaBatchInfo: { ...batch, batchSize: 3 } })),
    ).toEqual(batch);
  });

  test.each([
    ['not JSON', 'nope'],
    ['no KafkaBatchInfo', JSON.stringify({ version: '1.0' })],
    ['an offset that is not a whole number', JSON.stringify({ KafkaBatchInfo: { ...batch, firstOffset: '-1' } })],
    ['no partition', JSON.stringify({ KafkaBatchInfo: { ...batch, partition: undefined } })],
    ['no body', undefined],
  ])('anything else (%s) is not an on-failure record', (_, body) => {
    expect(parseOnFailureRecord(body)).toBeUndefined();
  });
});

test('positionsOfRuns numbers ids from the run’s first offset, exactly beyond 2^53', () => {
  expect(
    positionsOfRuns([{ topic: 'events', partition: 1, firstOffset: '9007199254740992', ids: ['a', 'b'] }]),
  ).toEqual([
    { topic: 'events', partition: 1, offset: '9007199254740992', id: 'a' },
    { topic: 'events', partition: 1, offset: '9007199254740993', id: 'b' },
  ]);
});
