import { randomBytes, randomUUID } from 'node:crypto';
import { murmur2 } from '../../../lambda/kafka-producer/murmur2';

// kafkajs's own murmur2 (64-bit Long arithmetic), the one its DefaultPartitioner uses: ours must agree bit for bit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2: (key: string | Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

describe('murmur2', () => {
  test.each([
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2: the Java client's values, signed 32-bit.
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s as the Java client does', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  test('agrees with kafkajs on every length 0–40 and on UUIDs, non-ASCII strings and raw bytes', () => {
    const keys: (string | Buffer)[] = [''];
    for (let length = 0; length <= 40; length++) {
      for (let i = 0; i < 20; i++) keys.push(randomBytes(length), randomBytes(length).toString('hex').slice(0, length));
    }
    for (let i = 0; i < 200; i++) keys.push(randomUUID(), `é-${i}-ü`, `キー${i}`, `emoji-${i}-😀`);
    const mismatches = keys.filter((k) => murmur2(k) !== kafkajsMurmur2(k));
    expect(mismatches).toEqual([]);
  });

  test('a string is hashed as its UTF-8 bytes', () => {
    for (const key of ['ü', 'キー', '😀', 'plain-ascii']) expect(murmur2(key)).toBe(murmur2(Buffer.from(key, 'utf8')));
  });
});
