import { fmix32, mulberry32 } from './hash32.ts';

/** Parameters of a {@link MinHasher}. */
export interface MinHasherOptions {
  /** Character n-gram length (on normalised text). */
  ngram: number;
  /** Number of hash functions (signature length). */
  numPerm: number;
  /** LSH bands; `bands × rows` must not exceed `numPerm`. */
  bands: number;
  /** Signature rows per band. */
  rows: number;
  /** Seed of the hash family; the same seed gives the same signatures on every run. */
  seed?: number;
}

const INITIAL_BUFFER = 1024;

/**
 * MinHash signatures of character n-gram sets, with the LSH band hashes and a
 * compact 8-bit-per-row sketch used to estimate Jaccard similarity.
 *
 * Each n-gram (of code points) is hashed once to 32 bits; the `numPerm` hash
 * functions are the universal family `h_i(x) = a_i·x + b_i (mod 2^32)` over
 * that hash, compared as signed int32 (any fixed total order gives a valid
 * MinHash). The inner loop is integer-only over typed arrays, which is what
 * makes a million records take seconds rather than minutes.
 *
 * @example
 * ```ts
 * const mh = new MinHasher({ ngram: 3, numPerm: 128, bands: 32, rows: 4 });
 * const a = mh.signature('請求書の金額を抽出してください');
 * const b = mh.signature('請求書から金額を抽出してください');
 * estimateJaccard(mh.sketchBits(a), 0, mh.sketchBits(b), 0, 128); // ≈ 0.6
 * ```
 */
export class MinHasher {
  readonly ngram: number;
  readonly numPerm: number;
  readonly bands: number;
  readonly rows: number;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private codePoints = new Int32Array(INITIAL_BUFFER);
  private shingles = new Int32Array(INITIAL_BUFFER);

  constructor(options: MinHasherOptions) {
    const { ngram, numPerm, bands, rows } = options;
    if (!(ngram >= 1 && numPerm >= 1 && bands >= 1 && rows >= 1 && bands * rows <= numPerm)) {
      throw new RangeError(
        `invalid MinHash parameters: ngram ${ngram}, numPerm ${numPerm}, bands ${bands} × rows ${rows}`,
      );
    }
    this.ngram = ngram;
    this.numPerm = numPerm;
    this.bands = bands;
    this.rows = rows;
    this.a = new Int32Array(numPerm);
    this.b = new Int32Array(numPerm);
    const next = mulberry32(options.seed ?? 0x7a6e65);
    for (let i = 0; i < numPerm; i++) {
      this.a[i] = next() | 1;
      this.b[i] = next();
    }
  }

  /** Hashes the n-grams of `text` into the internal buffer and returns their count. */
  private shingle(text: string): number {
    if (this.codePoints.length < text.length) this.codePoints = new Int32Array(text.length * 2);
    const cps = this.codePoints;
    let len = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cps[len++] = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
          continue;
        }
      }
      cps[len++] = c;
    }
    if (len === 0) return 0;
    const n = Math.min(this.ngram, len);
    const count = len - n + 1;
    if (this.shingles.length < count) this.shingles = new Int32Array(count * 2);
    const out = this.shingles;
    for (let i = 0; i < count; i++) {
      let h = 0x2f8b3c1d;
      for (let j = 0; j < n; j++) h = Math.imul(h ^ cps[i + j]!, 0x01000193);
      out[i] = fmix32(h);
    }
    return count;
  }

  /**
   * The MinHash signature of a (normalised) text. An empty text has an
   * all-`0x7fffffff` signature.
   */
  signature(text: string, out: Int32Array = new Int32Array(this.numPerm)): Int32Array {
    const count = this.shingle(text);
    const sh = this.shingles;
    const a = this.a;
    const b = this.b;
    const numPerm = this.numPerm;
    // Four hash functions per pass over the n-grams: independent minimums
    // keep the CPU's multipliers busy, which halves the time of this loop.
    let i = 0;
    for (; i + 4 <= numPerm; i += 4) {
      const a0 = a[i]!;
      const b0 = b[i]!;
      const a1 = a[i + 1]!;
      const b1 = b[i + 1]!;
      const a2 = a[i + 2]!;
      const b2 = b[i + 2]!;
      const a3 = a[i + 3]!;
      const b3 = b[i + 3]!;
      let m0 = 0x7fffffff;
      let m1 = 0x7fffffff;
      let m2 = 0x7fffffff;
      let m3 = 0x7fffffff;
      for (let j = 0; j < count; j++) {
        const x = sh[j]!;
        const v0 = (Math.imul(a0, x) + b0) | 0;
        const v1 = (Math.imul(a1, x) + b1) | 0;
        const v2 = (Math.imul(a2, x) + b2) | 0;
        const v3 = (Math.imul(a3, x) + b3) | 0;
        if (v0 < m0) m0 = v0;
        if (v1 < m1) m1 = v1;
        if (v2 < m2) m2 = v2;
        if (v3 < m3) m3 = v3;
      }
      out[i] = m0;
      out[i + 1] = m1;
      out[i + 2] = m2;
      out[i + 3] = m3;
    }
    for (; i < numPerm; i++) {
      const ai = a[i]!;
      const bi = b[i]!;
      let min = 0x7fffffff;
      for (let j = 0; j < count; j++) {
        const v = (Math.imul(ai, sh[j]!) + bi) | 0;
        if (v < min) min = v;
      }
      out[i] = min;
    }
    return out;
  }

  /** One 32-bit hash per band of `rows` signature values (band index mixed in). */
  bandHashes(signature: Int32Array, out: Int32Array = new Int32Array(this.bands)): Int32Array {
    const rows = this.rows;
    for (let band = 0; band < this.bands; band++) {
      let h = Math.imul(band + 1, 0x9e3779b1);
      const base = band * rows;
      for (let r = 0; r < rows; r++) h = fmix32(h ^ signature[base + r]!);
      out[band] = h;
    }
    return out;
  }

  /**
   * One byte per signature value (b-bit MinHash, b = 8): 128 bytes per record
   * instead of 512, at the cost of a 1/256 chance that two different values
   * look equal, which {@link estimateJaccard} corrects for.
   */
  sketchBits(signature: Int32Array, out: Uint8Array = new Uint8Array(this.numPerm), offset = 0): Uint8Array {
    for (let i = 0; i < this.numPerm; i++) {
      const v = signature[i]!;
      out[offset + i] = (v ^ (v >>> 8) ^ (v >>> 16) ^ (v >>> 24)) & 0xff;
    }
    return out;
  }

  /** The set of n-gram hashes of a text, for exact Jaccard (tests, benchmarks). */
  shingleSet(text: string): Set<number> {
    const count = this.shingle(text);
    const set = new Set<number>();
    for (let i = 0; i < count; i++) set.add(this.shingles[i]!);
    return set;
  }
}

/**
 * Jaccard similarity estimated from two 8-bit sketches: the fraction of equal
 * bytes, corrected for the 1/256 chance of equal bytes from different values.
 *
 * @example
 * ```ts
 * const a = mh.sketchBits(mh.signature('請求書の金額を抽出'));
 * const b = mh.sketchBits(mh.signature('請求書から金額を抽出'));
 * estimateJaccard(a, 0, b, 0, mh.numPerm);
 * ```
 */
export function estimateJaccard(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
  length: number,
): number {
  let equal = 0;
  for (let i = 0; i < length; i++) if (a[aOffset + i] === b[bOffset + i]) equal++;
  const chance = 1 / 256;
  const estimate = (equal / length - chance) / (1 - chance);
  return Math.max(estimate, 0);
}

/**
 * Exact Jaccard similarity of two sets.
 *
 * @example
 * ```ts
 * jaccard(mh.shingleSet('abcd'), mh.shingleSet('abce')); // 1/3
 * ```
 */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
