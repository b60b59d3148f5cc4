import { createHash } from 'node:crypto';

/** Hex sha256 of the parts joined with a separator that cannot occur in JSON text. */
export function sha256Hex(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A number in [0, 1) derived only from the parts, so a decision repeats exactly for the same input. */
export function hashUnit(...parts: Array<string | number>): number {
  const hex = sha256Hex(...parts);
  return Number.parseInt(hex.slice(0, 12), 16) / 2 ** 48;
}

/**
 * Small deterministic PRNG (mulberry32) seeded from a hash, so every choice the
 * simulator makes follows from the request and the seed and nothing else.
 */
export class SeededRandom {
  private state: number;

  constructor(...parts: Array<string | number>) {
    this.state = Number.parseInt(sha256Hex(...parts).slice(0, 8), 16) >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` distinct items (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) {
      const i = Math.floor(this.next() * pool.length);
      out.push(pool.splice(i, 1)[0] as T);
    }
    return out;
  }
}
