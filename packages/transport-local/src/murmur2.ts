const SEED = 0x9747b28c;
const M = 0x5bd1e995;

const encoder = new TextEncoder();

/**
 * Kafka's 32-bit murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), as a
 * signed 32-bit integer, bit for bit the same as the Java client and kafkajs.
 *
 * @example
 * ```ts
 * murmur2(new TextEncoder().encode('21')); // -973932308
 * ```
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the tail bytes fall through as in the Java original
    case 3:
      h ^= data[tail + 2]! << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: as above
    case 2:
      h ^= data[tail + 1]! << 8;
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner picks for a key:
 * `toPositive(murmur2(utf8(key))) % partitions`, so a key lands in the same
 * partition number on the local transport as on a Kafka cluster.
 *
 * @example
 * ```ts
 * partitionForKey('email-reply', 6); // the same number kafkajs and the Java client give
 * ```
 */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}
