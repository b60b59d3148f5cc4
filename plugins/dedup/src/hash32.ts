/**
 * Fast, seeded 32-bit hashing for the dedup index. Not cryptographic: the
 * index only needs well-mixed bits, and it hashes millions of strings.
 */

/**
 * The murmur3 finaliser: spreads every input bit over the whole word.
 *
 * @example
 * ```ts
 * fmix32(1) !== fmix32(2); // neighbouring inputs land far apart
 * ```
 */
export function fmix32(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/**
 * A seeded 32-bit hash of a string's UTF-16 code units (murmur3-style body and
 * finaliser), as a signed int32.
 *
 * @example
 * ```ts
 * hashString32('請求書', 1) === hashString32('請求書', 1); // true, on every run
 * ```
 */
export function hashString32(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ text.length);
}

/**
 * A 52-bit hash of a string as a safe integer (two seeded 32-bit hashes), used
 * as the exact-duplicate key: at a million texts the chance of any collision is
 * about 1e-4, and the index confirms a key hit against the stored sketch.
 *
 * @example
 * ```ts
 * const exact = new Map<number, string>([[hashString52('請求書の金額を抽出してください'), 'seed-1']]);
 * ```
 */
export function hashString52(text: string): number {
  const hi = hashString32(text, 0x5bd1e995) & 0xfffff;
  const lo = hashString32(text, 0x1b873593) >>> 0;
  return hi * 0x100000000 + lo;
}

/**
 * A small deterministic PRNG (mulberry32) for the hash family's coefficients.
 * Returns a function yielding uint32 values.
 *
 * @example
 * ```ts
 * const next = mulberry32(42);
 * next(); // the same first value on every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}
