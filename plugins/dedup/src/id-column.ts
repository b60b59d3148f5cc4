import { growTypedArray } from '@tane/core';

/**
 * Strings by position (0, 1, 2, …) as UTF-8 in one growing byte array, for
 * the ids a duplicate decision names: ~4 bytes beside the id's own bytes,
 * where a `string[]` of 24-character ids holds ~50 bytes of heap each.
 *
 * @example
 * ```ts
 * const ids = new IdColumn();
 * ids.push('seed-1'); // 0
 * ids.get(0); // 'seed-1'
 * ```
 */
export class IdColumn {
  #bytes = Buffer.alloc(4096);
  #ends = new Uint32Array(256);
  #count = 0;

  get length(): number {
    return this.#count;
  }

  /** Appends `id`; returns its position. */
  push(id: string): number {
    const start = this.#count === 0 ? 0 : this.#ends[this.#count - 1]!;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const room = start + id.length * 3;
    if (room > this.#bytes.length) {
      let length = this.#bytes.length;
      while (length < room) length = Math.ceil(length * 1.5);
      const next = Buffer.alloc(length);
      this.#bytes.copy(next, 0, 0, start);
      this.#bytes = next;
    }
    const written = this.#bytes.write(id, start, 'utf8');
    if (this.#count === this.#ends.length)
      this.#ends = growTypedArray(this.#ends, Math.ceil(this.#count * 1.5));
    this.#ends[this.#count] = start + written;
    return this.#count++;
  }

  /** The id at `position`. */
  get(position: number): string {
    if (position < 0 || position >= this.#count) throw new RangeError(`no id at ${position}`);
    const start = position === 0 ? 0 : this.#ends[position - 1]!;
    return this.#bytes.toString('utf8', start, this.#ends[position]!);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes.length + this.#ends.byteLength;
  }
}

/**
 * The first record of each exact-text hash (a 52-bit integer), in typed
 * arrays: open addressing with linear probes at most 3/4 full, ~20 bytes an
 * entry where a `Map<number, number>` with keys past 2³¹ takes ~70.
 */
export class FirstByKey {
  /** 0 when empty, else entry + 1. Length is a power of two. */
  #slots = new Int32Array(1024);
  #hi = new Uint32Array(512);
  #lo = new Uint32Array(512);
  #value = new Int32Array(512);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or undefined. */
  get(key: number): number | undefined {
    const hi = Math.floor(key / 0x100000000) >>> 0;
    const lo = key >>> 0;
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = home(hi, lo, mask); ; s = (s + 1) & mask) {
      const v = slots[s]!;
      if (v === 0) return undefined;
      if (this.#hi[v - 1] === hi && this.#lo[v - 1] === lo) return this.#value[v - 1];
    }
  }

  /** Stores `value` for `key` unless the key has one already (the first one stays). */
  setIfAbsent(key: number, value: number): void {
    const hi = Math.floor(key / 0x100000000) >>> 0;
    const lo = key >>> 0;
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = home(hi, lo, mask);
    for (; ; s = (s + 1) & mask) {
      const v = slots[s]!;
      if (v === 0) break;
      if (this.#hi[v - 1] === hi && this.#lo[v - 1] === lo) return;
    }
    const entry = this.#size++;
    if (entry === this.#hi.length) {
      const length = this.#hi.length * 2;
      this.#hi = growTypedArray(this.#hi, length);
      this.#lo = growTypedArray(this.#lo, length);
      this.#value = growTypedArray(this.#value, length);
    }
    this.#hi[entry] = hi;
    this.#lo[entry] = lo;
    this.#value[entry] = value;
    slots[s] = entry + 1;
    if (this.#size * 4 > slots.length * 3) this.#rehash(slots.length * 2);
  }

  get bytes(): number {
    return this.#slots.byteLength + this.#hi.byteLength + this.#lo.byteLength + this.#value.byteLength;
  }

  #rehash(length: number): void {
    const slots = new Int32Array(length);
    const mask = length - 1;
    for (let entry = 0; entry < this.#size; entry++) {
      let s = home(this.#hi[entry]!, this.#lo[entry]!, mask);
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = entry + 1;
    }
    this.#slots = slots;
  }
}

function home(hi: number, lo: number, mask: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
}
