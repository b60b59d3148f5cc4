// Entries are 8 bytes and a probe run is read sequentially, so a fuller table
// costs little time and saves a third of the memory against 0.5.
const MAX_LOAD = 0.75;

/** Entries a bucket (one band hash) keeps, unless told otherwise. */
export const DEFAULT_BUCKET_CAP = 64;

/** Largest bucket cap accepted. */
export const MAX_BUCKET_CAP = 65_536;

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
 *
 * A bucket keeps at most `cap` entries. Texts made of common words fill a few
 * buckets with thousands of unrelated records (their smallest MinHash values
 * are the same common n-grams), and those buckets form probe runs thousands
 * of slots long that every lookup landing in them walks: the cost per record
 * then grows with the index (0.07 ms a record at 50k records in one scope,
 * 0.67 ms at 400k). A full bucket keeps the `cap` records of smallest rank,
 * a hash of the record's content given by the caller, so what it holds
 * depends only on which records were inserted, not on their order or on
 * when the table grew (an index rebuilt from a topic after a restart holds
 * the same entries). A near duplicate is still found through its other
 * shared bands (a pair at Jaccard 0.7 shares ~7.7 of 32 on average);
 * `bench/dedup.ts` measures the recall.
 */
export class BandTable {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private dropped = 0;
  /** Rank of each record, by record number. */
  private ranks = new Uint32Array(0);
  readonly cap: number;

  constructor(
    private readonly bands: number,
    initialCapacity = 1024,
    cap = DEFAULT_BUCKET_CAP,
  ) {
    if (!Number.isInteger(cap) || cap < 1 || cap > MAX_BUCKET_CAP) {
      throw new RangeError(`bucket cap must be an integer from 1 to ${MAX_BUCKET_CAP}, got ${cap}`);
    }
    this.cap = cap;
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** Number of entries a full bucket let go (the new one or the one it replaced). */
  get droppedEntries(): number {
    return this.dropped;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength + this.ranks.byteLength;
  }

  /**
   * Stores the band hash `key` of `pair`, whose record has rank `rank` (an
   * unsigned 32-bit hash of its content, the same for each of its bands).
   */
  insert(key: number, pair: number, rank: number): void {
    if ((this.count + 1) * 2 > this.slots.length * MAX_LOAD) this.grow();
    const record = Math.floor(pair / this.bands);
    if (record >= this.ranks.length) {
      let length = Math.max(this.ranks.length * 2, 256);
      while (length <= record) length *= 2;
      const ranks = new Uint32Array(length);
      ranks.set(this.ranks);
      this.ranks = ranks;
    }
    this.ranks[record] = rank;
    const slots = this.slots;
    const mask = this.mask;
    const bands = this.bands;
    const ranks = this.ranks;
    let seen = 0;
    let worst = -1;
    let worstRank = -1;
    let worstRecord = -1;
    for (let i = key & mask; ; i = (i + 1) & mask) {
      const stored = slots[2 * i + 1]!;
      if (stored === 0) {
        slots[2 * i] = key;
        slots[2 * i + 1] = pair + 1;
        this.count++;
        return;
      }
      if (slots[2 * i] !== key) continue;
      const r = Math.floor((stored - 1) / bands);
      const storedRank = ranks[r]!;
      if (storedRank > worstRank || (storedRank === worstRank && r > worstRecord)) {
        worst = i;
        worstRank = storedRank;
        worstRecord = r;
      }
      if (++seen === this.cap) break;
    }
    // The bucket is full: the new entry takes the place of the largest rank if it is smaller.
    this.dropped++;
    if (rank < worstRank || (rank === worstRank && record < worstRecord)) slots[2 * worst + 1] = pair + 1;
  }

  /** Calls `visit(record)` for every stored entry whose band hash is `key`. */
  lookup(key: number, visit: (record: number) => void): void {
    const slots = this.slots;
    const mask = this.mask;
    const bands = this.bands;
    let left = this.cap;
    for (let i = key & mask; ; i = (i + 1) & mask) {
      const stored = slots[2 * i + 1]!;
      if (stored === 0) return;
      if (slots[2 * i] !== key) continue;
      visit(Math.floor((stored - 1) / bands));
      if (--left === 0) return;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = old[j]! & mask;
      while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
      slots[2 * i] = old[j]!;
      slots[2 * i + 1] = old[j + 1]!;
    }
  }
}
