import { growTypedArray, IdTable } from '@tane/core';

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
 * The first record of each exact-text hash (a 52-bit integer): the keys in an
 * `IdTable` (8 bytes and a hash slot each) and the values in a typed column
 * by the key's ordinal, ~20 bytes an entry where a `Map<number, number>` with
 * keys past 2³¹ takes ~70.
 */
export class FirstByKey {
  readonly #keys = new IdTable();
  #value = new Int32Array(512);

  get size(): number {
    return this.#keys.size;
  }

  /** The value stored for `key`, or undefined. */
  get(key: number): number | undefined {
    const ordinal = this.#keys.getKey(Math.floor(key / 0x100000000), key);
    return ordinal < 0 ? undefined : this.#value[ordinal];
  }

  /** Stores `value` for `key` unless the key has one already (the first one stays). */
  setIfAbsent(key: number, value: number): void {
    const known = this.#keys.size;
    const ordinal = this.#keys.addKey(Math.floor(key / 0x100000000), key);
    if (ordinal < known) return;
    if (ordinal === this.#value.length) this.#value = growTypedArray(this.#value, this.#value.length * 2);
    this.#value[ordinal] = value;
  }

  get bytes(): number {
    return this.#keys.bytes + this.#value.byteLength;
  }
}
