/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, which its DefaultPartitioner and console producer use, and
 * kafkajs's DefaultPartitioner reproduces) in 32-bit integer arithmetic. kafkajs computes the same function with
 * 64-bit `Long` objects, several allocations per four key bytes: with a 36-character key per record that was the
 * largest cost our records add to a plain client's (docs/performance.md, kafkaProducerRatio). Results are identical,
 * pinned against Kafka's own test vectors and against kafkajs on random keys (test/lambda/kafka-producer).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of a key's bytes: a string is hashed as its UTF-8 bytes, as kafkajs and the Java client do. */
export function murmur2(key: string | Buffer): number {
  if (typeof key === 'string') {
    // ASCII keys (message ids, UUIDs) are hashed from their char codes: the bytes without a buffer per record.
    let ascii = true;
    for (let i = 0; i < key.length && ascii; i++) ascii = key.charCodeAt(i) < 0x80;
    if (!ascii) return murmur2Bytes(Buffer.from(key, 'utf8'));
    return murmur2Of(key.length, (i) => key.charCodeAt(i));
  }
  return murmur2Bytes(key);
}

function murmur2Bytes(data: Buffer): number {
  return murmur2Of(data.length, (i) => data[i]);
}

function murmur2Of(length: number, byteAt: (i: number) => number): number {
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = byteAt(i4) | (byteAt(i4 + 1) << 8) | (byteAt(i4 + 2) << 16) | (byteAt(i4 + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as Java's fall-through switch folds them in.
  const rest = length & 3;
  if (rest > 0) {
    const tail = length & ~3;
    if (rest === 3) h ^= byteAt(tail + 2) << 16;
    if (rest >= 2) h ^= byteAt(tail + 1) << 8;
    h ^= byteAt(tail);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
