// Entries are 8 bytes and a probe run is read sequentially, so a fuller table
// costs little time and saves a third of the memory against 0.5.
const MAX_LOAD = 0.75;

/**
 * The LSH buckets of one index: a single open-addressing hash table of
 * `(band hash, pair)` entries, where `pair = record × bands + band`, stored
 * interleaved in one Int32Array (8 bytes per slot, no per-bucket objects; a
 * `Map<number, number[]>` per band costs ~60 bytes per entry). Key and pair
 * share a cache line, so a bucket lookup costs about one cache miss.
 *
 * Entries with the same band hash occupy several slots of one probe run; a
 * lookup walks the run until an empty slot. Band hashes mix in the band
 * index, so equal hashes from different bands (1 in 2^32) only add a
 * candidate that the index's similarity check then rejects.
 */
export class BandTable {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(
    private readonly bands: number,
    initialCapacity = 1024,
  ) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  /** Stores the band hash `key` of `pair`. */
  insert(key: number, pair: number): void {
    if ((this.count + 1) * 2 > this.slots.length * MAX_LOAD) this.grow();
    this.place(key, pair);
    this.count++;
  }

  /** Calls `visit(record)` for every stored entry whose band hash is `key`. */
  lookup(key: number, visit: (record: number) => void): void {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = key & mask; ; i = (i + 1) & mask) {
      const stored = slots[2 * i + 1]!;
      if (stored === 0) return;
      if (slots[2 * i] === key) visit(Math.floor((stored - 1) / this.bands));
    }
  }

  private place(key: number, pair: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = key & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = key;
    slots[2 * i + 1] = pair + 1;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] !== 0) this.place(old[i]!, old[i + 1]! - 1);
    }
  }
}
