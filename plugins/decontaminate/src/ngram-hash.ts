import type { NgramMode, NgramUnits } from './ngram-text.ts';

function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over UTF-16 code units, finished with murmur3's mixer. */
export function hashUnit(unit: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < unit.length; i++) {
    h ^= unit.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

const TWO_POW_20 = 1_048_576;

/**
 * 52-bit hashes (exact in a double, never 0) of every window of `n` units,
 * `result[i]` for the window starting at unit `i`. Character and word grams
 * are hashed with different seeds, so they never collide with each other.
 * A text with fewer than `n` units has no n-grams.
 *
 * @example
 * ```ts
 * ngramHashes(ngramUnits('a b c d'), 3).length; // 2
 * ```
 */
export function ngramHashes(text: NgramUnits, n: number): Float64Array {
  const count = text.units.length - n + 1;
  if (count <= 0) return new Float64Array(0);
  const unitHashes = new Uint32Array(text.units.length);
  for (let i = 0; i < text.units.length; i++) unitHashes[i] = hashUnit(text.units[i]!);
  const seed = modeSeed(text.mode, n);
  const out = new Float64Array(count);
  for (let start = 0; start < count; start++) {
    let a = seed;
    let b = seed ^ 0x5bd1e995;
    for (let k = start; k < start + n; k++) {
      const u = unitHashes[k]!;
      a = Math.imul((a ^ u) >>> 0, 0x9e3779b1);
      a = (a << 13) | (a >>> 19);
      b = Math.imul((b + u) >>> 0, 0x85ebca6b) ^ (b >>> 15);
    }
    const hi = fmix32(a);
    const lo = fmix32(b ^ hi) >>> 12;
    const h = hi * TWO_POW_20 + lo;
    out[start] = h === 0 ? 1 : h;
  }
  return out;
}

function modeSeed(mode: NgramMode, n: number): number {
  return fmix32((mode === 'char' ? 0x63686172 : 0x776f7264) ^ Math.imul(n, 0x27d4eb2d));
}
