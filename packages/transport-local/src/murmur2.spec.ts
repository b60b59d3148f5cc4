import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2.ts';

const require = createRequire(import.meta.url);

interface KafkajsPartitionerArgs {
  topic: string;
  partitionMetadata: Array<{ partitionId: number; leader: number }>;
  message: { key: string };
}
const kafkajs = require('kafkajs') as {
  Partitioners: { DefaultPartitioner: () => (args: KafkajsPartitionerArgs) => number };
};

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('murmur2', () => {
  // The vectors of Kafka's own UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j to %d like the Java client', (input, expected) => {
    expect(murmur2(utf8(input))).toBe(expected);
  });

  it('hashes the empty key', () => {
    expect(Number.isInteger(murmur2(new Uint8Array()))).toBe(true);
  });
});

describe('partitionForKey', () => {
  const keys = [
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'email-reply',
    'summarisation',
    'contract-extraction',
    '請求書の抽出',
    'émoji-🙂',
    ...Array.from({ length: 200 }, (_, i) => `key-${i}-${'x'.repeat(i % 7)}`),
  ];

  it.each([1, 2, 3, 6, 12, 50])('picks the same partition as kafkajs with %d partitions', (partitions) => {
    const kafkaPartitioner = kafkajs.Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
    }));
    for (const key of keys) {
      const expected = kafkaPartitioner({ topic: 't', partitionMetadata, message: { key } });
      expect(partitionForKey(key, partitions), `key ${JSON.stringify(key)}`).toBe(expected);
    }
  });

  it('spreads keys over every partition', () => {
    const seen = new Set(keys.map((k) => partitionForKey(k, 6)));
    expect(seen.size).toBe(6);
  });
});
