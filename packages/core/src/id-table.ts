/**
 * A set of record ids kept as 64-bit fingerprints in typed arrays, each id
 * numbered in the order it was first added (its ordinal, 0, 1, 2, …), so
 * that per-id columns can live in typed arrays beside it.
 *
 * For state kept per record over a whole run (the sink's candidates, the
 * router's accepted rows: millions over a long run); as strings in a `Set`
 * or `Map` that is ~60–200 bytes each on the heap, here it is 8 bytes of
 * fingerprint and 5–11 bytes of hash slot (16 MiB for a million ids, where a
 * `Set` of short ids takes ~50).
 *
 * Two different ids share a fingerprint with probability ~n² / 2⁶⁵ over n
 * ids: about 3·10⁻⁸ for a million, 3·10⁻⁶ for ten million. Ids are content
 * hashes already, so the fingerprint is a hash of a hash; a collision would
 * count two records as one (in the dataset sink, the second row would be
 * taken for one already written).
 *
 * @example
 * ```ts
 * const ids = new IdTable();
 * ids.add('c-1a2b'); // 0
 * ids.add('c-3c4d'); // 1
 * ids.add('c-1a2b'); // 0 again
 * ids.get('c-3c4d'); // 1
 * ids.size; // 2
 * ```
 */
export class IdTable {
  /** Hash slots: 0 when empty, else ordinal + 1. Length is a power of two. */
  #slots = new Int32Array(1024);
  /** Fingerprint halves by ordinal. */
  #hi = new Uint32Array(512);
  #lo = new Uint32Array(512);
  #size = 0;

  /** Number of distinct ids. */
  get size(): number {
    return this.#size;
  }

  /** The ordinal of `id`, or -1 if it was never added. */
  get(id: string): number {
    fingerprint(id);
    return this.#find(fpHi, fpLo);
  }

  /** Whether `id` was added. */
  has(id: string): boolean {
    return this.get(id) >= 0;
  }

  /**
   * Adds `id` if new; returns its ordinal. A new id gets ordinal `size - 1`
   * (so `table.size` grew), a known one keeps its first ordinal.
   */
  add(id: string): number {
    fingerprint(id);
    return this.#insert(fpHi, fpLo);
  }

  /**
   * The ordinal of a 64-bit key given as its two 32-bit halves (something
   * hashed already, such as a text hash), or -1 if it was never added. Keys
   * and ids share the table: an id is added as its fingerprint.
   */
  getKey(hi: number, lo: number): number {
    return this.#find(hi >>> 0, lo >>> 0);
  }

  /** Adds a 64-bit key given as its two 32-bit halves if new; returns its ordinal, as {@link add} does. */
  addKey(hi: number, lo: number): number {
    return this.#insert(hi >>> 0, lo >>> 0);
  }

  /** Whether the id with ordinal `ordinal` in `other` is in this table. */
  hasOrdinalOf(other: IdTable, ordinal: number): boolean {
    return this.#find(other.#hi[ordinal]!, other.#lo[ordinal]!) >= 0;
  }

  /**
   * Orders two ids of this table by fingerprint (a fixed order that depends
   * only on the ids, not on when they were added).
   */
  compareOrdinals(a: number, b: number): number {
    return this.#hi[a]! - this.#hi[b]! || this.#lo[a]! - this.#lo[b]! || a - b;
  }

  /** Forgets every id. */
  clear(): void {
    this.#slots = new Int32Array(1024);
    this.#hi = new Uint32Array(512);
    this.#lo = new Uint32Array(512);
    this.#size = 0;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.#slots.byteLength + this.#hi.byteLength + this.#lo.byteLength;
  }

  #find(hi: number, lo: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = homeSlot(hi, lo, mask); ; s = (s + 1) & mask) {
      const v = slots[s]!;
      if (v === 0) return -1;
      if (this.#hi[v - 1] === hi && this.#lo[v - 1] === lo) return v - 1;
    }
  }

  #insert(hi: number, lo: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = homeSlot(hi, lo, mask);
    for (; ; s = (s + 1) & mask) {
      const v = slots[s]!;
      if (v === 0) break;
      if (this.#hi[v - 1] === hi && this.#lo[v - 1] === lo) return v - 1;
    }
    const ordinal = this.#size++;
    if (ordinal === this.#hi.length) {
      this.#hi = growTypedArray(this.#hi, this.#hi.length * 2);
      this.#lo = growTypedArray(this.#lo, this.#lo.length * 2);
    }
    this.#hi[ordinal] = hi;
    this.#lo[ordinal] = lo;
    slots[s] = ordinal + 1;
    // At most 3/4 full, so probes stay short.
    if (this.#size * 4 > slots.length * 3) this.#rehash(slots.length * 2);
    return ordinal;
  }

  #rehash(length: number): void {
    const slots = new Int32Array(length);
    const mask = length - 1;
    for (let ordinal = 0; ordinal < this.#size; ordinal++) {
      let s = homeSlot(this.#hi[ordinal]!, this.#lo[ordinal]!, mask);
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = ordinal + 1;
    }
    this.#slots = slots;
  }
}

/** Where a fingerprint's probe starts in a table of `mask + 1` slots. */
function homeSlot(hi: number, lo: number, mask: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
}

/** A typed array with room for `length` elements, the old ones copied in. */
export function growTypedArray<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(
  array: T,
  length: number,
): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}

let fpHi = 0;
let fpLo = 0;

/**
 * Two 32-bit multiplicative hashes over the UTF-16 code units, mixed at the
 * end (the construction of cyrb53, keeping all 64 bits). Sets `fpHi`/`fpLo`.
 */
function fingerprint(text: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  fpHi = h1 >>> 0;
  fpLo = h2 >>> 0;
}
