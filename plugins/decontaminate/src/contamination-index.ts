import { TaneError } from '@tane/core';
import { ngramHashes } from './ngram-hash.ts';
import { type NgramUnits, ngramUnits } from './ngram-text.ts';
import type { TestItem } from './test-sets/test-item.ts';

/** How n-grams are cut and which ones count. */
export interface ContaminationIndexOptions {
  /** Character n-gram length for Japanese (CJK) text (default 13). */
  charNgram?: number;
  /** Word n-gram length for English and other spaced text (default 13, as in GPT-3). */
  wordNgram?: number;
  /** An n-gram found in more test items than this is too common to mean anything and is ignored (default 10). */
  maxItemsPerNgram?: number;
  /** Distinct n-grams the index may hold (default 20,000,000, about 600 MB); more stops the build with `DECONTAMINATE_INDEX_FULL`. */
  maxNgrams?: number;
}

/** When a row counts as contaminated. */
export interface ContaminationRule {
  /** Distinct test-item n-grams a row must share with one item (default 1: any shared n-gram, as in GPT-3). */
  minMatches?: number;
  /** Share of the item's n-grams the row must contain, 0–1 (default 0: no such condition). */
  minItemCoverage?: number;
}

/** A row's overlap with one test item. */
export interface ContaminationMatch {
  benchmark: string;
  itemId: string;
  /** The row field the overlap was found in (`instruction`, `input`, `output`). */
  field: string;
  /** The longest overlapping passage, from the row's normalised (NFKC, lower-case) text. */
  span: string;
  /** Distinct n-grams of the item found in the row. */
  matches: number;
  /** `matches` / the item's n-grams. */
  coverage: number;
  /** `char` or `word` n-grams, and their length. */
  ngram: { mode: 'char' | 'word'; n: number };
}

/** Size of an index. */
export interface ContaminationIndexStats {
  benchmarks: Record<string, { items: number; ngrams: number; itemsWithoutNgrams: number }>;
  items: number;
  /** Distinct n-grams in the table. */
  ngrams: number;
  /** Distinct n-grams ignored as too common (in more than `maxItemsPerNgram` items). */
  commonNgrams: number;
  /** Bytes held by the hash table (the item list adds its ids). */
  tableBytes: number;
}

const EMPTY = 0;
const MAX_COUNT = 0xffff;
const SPAN_MAX_CHARS = 300;

/**
 * The n-grams of every test item in one open-addressing hash table: 52-bit
 * n-gram hashes in a `Float64Array`, the first item holding each in an
 * `Int32Array` and the number of items holding it in a `Uint16Array` — 14
 * bytes a slot, load ≤ 0.75, so 19–37 bytes per distinct n-gram and no object
 * per n-gram. Hash collisions between different n-grams (2⁻⁵² per pair) are
 * ignored.
 *
 * @example
 * ```ts
 * const index = new ContaminationIndex({ charNgram: 13 });
 * index.addItem({ benchmark: 'jcommonsenseqa', id: '8939', texts: [{ field: 'question', text: '…' }] });
 * index.check([{ field: 'output', text: row.output }]); // → ContaminationMatch | undefined
 * ```
 */
export class ContaminationIndex {
  readonly charNgram: number;
  readonly wordNgram: number;
  readonly maxItemsPerNgram: number;
  readonly maxNgrams: number;
  private keys: Float64Array;
  private first: Int32Array;
  private counts: Uint16Array;
  private mask: number;
  private size = 0;
  private readonly benchmarkNames: string[] = [];
  private readonly benchmarkIndex = new Map<string, number>();
  private readonly itemIds: string[] = [];
  private readonly itemBenchmarks: number[] = [];
  private readonly itemNgrams: number[] = [];

  constructor(options: ContaminationIndexOptions = {}, capacity = 1 << 16) {
    this.charNgram = options.charNgram ?? 13;
    this.wordNgram = options.wordNgram ?? 13;
    this.maxItemsPerNgram = options.maxItemsPerNgram ?? 10;
    this.maxNgrams = options.maxNgrams ?? 20_000_000;
    let cap = 1 << 4;
    while (cap < capacity) cap <<= 1;
    this.keys = new Float64Array(cap);
    this.first = new Int32Array(cap);
    this.counts = new Uint16Array(cap);
    this.mask = cap - 1;
  }

  private ngramLength(text: NgramUnits): number {
    return text.mode === 'char' ? this.charNgram : this.wordNgram;
  }

  private slotOf(h: number): number {
    let slot = (h >>> 0) & this.mask;
    while (this.keys[slot] !== EMPTY && this.keys[slot] !== h) slot = (slot + 1) & this.mask;
    return slot;
  }

  private grow(): void {
    const { keys, first, counts } = this;
    const cap = keys.length * 2;
    this.keys = new Float64Array(cap);
    this.first = new Int32Array(cap);
    this.counts = new Uint16Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < keys.length; i++) {
      const h = keys[i]!;
      if (h === EMPTY) continue;
      const slot = this.slotOf(h);
      this.keys[slot] = h;
      this.first[slot] = first[i]!;
      this.counts[slot] = counts[i]!;
    }
  }

  /** Adds one test item's n-grams (each distinct n-gram of an item counts once). */
  addItem(item: TestItem): void {
    let b = this.benchmarkIndex.get(item.benchmark);
    if (b === undefined) {
      b = this.benchmarkNames.length;
      this.benchmarkNames.push(item.benchmark);
      this.benchmarkIndex.set(item.benchmark, b);
    }
    const itemIndex = this.itemIds.length;
    this.itemIds.push(item.id);
    this.itemBenchmarks.push(b);
    const seen = new Set<number>();
    for (const { text } of item.texts) {
      const units = ngramUnits(text);
      for (const h of ngramHashes(units, this.ngramLength(units))) {
        if (seen.has(h)) continue;
        seen.add(h);
        if ((this.size + 1) * 4 > this.keys.length * 3) this.grow();
        const slot = this.slotOf(h);
        if (this.keys[slot] === EMPTY) {
          if (this.size >= this.maxNgrams) {
            throw new TaneError(
              'DECONTAMINATE_INDEX_FULL',
              `the test sets have more than ${this.maxNgrams} distinct n-grams (at ${item.benchmark} ${item.id})`,
              {
                where: `test set ${item.benchmark}`,
                hint: `raise maxNgrams (each million n-grams takes about 30 MB), or index fewer test sets or fields`,
              },
            );
          }
          this.keys[slot] = h;
          this.first[slot] = itemIndex;
          this.counts[slot] = 1;
          this.size++;
        } else if (this.counts[slot]! < MAX_COUNT) {
          this.counts[slot]!++;
        }
      }
    }
    this.itemNgrams.push(seen.size);
  }

  /**
   * The test item a row overlaps most, if the overlap meets the rule: the
   * item sharing the most distinct (not too common) n-grams with the row's
   * texts; ties go to the item indexed first.
   */
  check(
    texts: readonly { field: string; text: string }[],
    rule: ContaminationRule = {},
  ): ContaminationMatch | undefined {
    const minMatches = rule.minMatches ?? 1;
    const minCoverage = rule.minItemCoverage ?? 0;
    // item → matched n-gram hashes, and per field the matched positions.
    const perItem = new Map<number, { hashes: Set<number>; fields: Map<number, number[]> }>();
    const cut: { units: NgramUnits; n: number }[] = [];
    texts.forEach(({ text }, f) => {
      const units = ngramUnits(text);
      const n = this.ngramLength(units);
      cut.push({ units, n });
      const hashes = ngramHashes(units, n);
      for (let pos = 0; pos < hashes.length; pos++) {
        const h = hashes[pos]!;
        const slot = this.slotOf(h);
        if (this.keys[slot] === EMPTY || this.counts[slot]! > this.maxItemsPerNgram) continue;
        const item = this.first[slot]!;
        let entry = perItem.get(item);
        if (!entry) {
          entry = { hashes: new Set(), fields: new Map() };
          perItem.set(item, entry);
        }
        entry.hashes.add(h);
        const positions = entry.fields.get(f) ?? [];
        positions.push(pos);
        entry.fields.set(f, positions);
      }
    });
    let best: number | undefined;
    let bestCount = 0;
    for (const [item, entry] of perItem) {
      const count = entry.hashes.size;
      if (count > bestCount || (count === bestCount && best !== undefined && item < best)) {
        best = item;
        bestCount = count;
      }
    }
    if (best === undefined || bestCount < minMatches) return undefined;
    const coverage = bestCount / Math.max(1, this.itemNgrams[best]!);
    if (coverage < minCoverage) return undefined;
    const entry = perItem.get(best)!;
    let bestField = -1;
    let bestRun: [number, number] = [0, 0];
    for (const [f, positions] of entry.fields) {
      const run = longestRun(positions, cut[f]!.n);
      if (bestField < 0 || run[1] - run[0] > bestRun[1] - bestRun[0]) {
        bestField = f;
        bestRun = run;
      }
    }
    const { units, n } = cut[bestField]!;
    const span = units.text.slice(units.starts[bestRun[0]]!, units.ends[bestRun[1]]!);
    return {
      benchmark: this.benchmarkNames[this.itemBenchmarks[best]!]!,
      itemId: this.itemIds[best]!,
      field: texts[bestField]!.field,
      span: span.length > SPAN_MAX_CHARS ? `${span.slice(0, SPAN_MAX_CHARS)}…` : span,
      matches: bestCount,
      coverage: Math.round(coverage * 1000) / 1000,
      ngram: { mode: units.mode, n },
    };
  }

  /** Items, n-grams and memory, per benchmark and overall. */
  stats(): ContaminationIndexStats {
    const benchmarks: ContaminationIndexStats['benchmarks'] = {};
    for (const name of this.benchmarkNames) benchmarks[name] = { items: 0, ngrams: 0, itemsWithoutNgrams: 0 };
    this.itemIds.forEach((_, i) => {
      const s = benchmarks[this.benchmarkNames[this.itemBenchmarks[i]!]!]!;
      s.items++;
      s.ngrams += this.itemNgrams[i]!;
      if (this.itemNgrams[i] === 0) s.itemsWithoutNgrams++;
    });
    let common = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > this.maxItemsPerNgram) common++;
    return {
      benchmarks,
      items: this.itemIds.length,
      ngrams: this.size,
      commonNgrams: common,
      tableBytes: this.keys.byteLength + this.first.byteLength + this.counts.byteLength,
    };
  }

  /** The index as bytes, for {@link ContaminationIndex.fromBytes} (the cache file). */
  toBytes(fingerprint: string): Buffer {
    const header = Buffer.from(
      JSON.stringify({
        version: 1,
        fingerprint,
        charNgram: this.charNgram,
        wordNgram: this.wordNgram,
        maxItemsPerNgram: this.maxItemsPerNgram,
        capacity: this.keys.length,
        size: this.size,
        benchmarks: this.benchmarkNames,
        itemIds: this.itemIds,
        itemBenchmarks: this.itemBenchmarks,
        itemNgrams: this.itemNgrams,
      }),
    );
    const headerLength = Math.ceil((header.length + 12) / 8) * 8 - 12;
    const head = Buffer.alloc(12 + headerLength, 0x20);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(header.length, 8);
    header.copy(head, 12);
    return Buffer.concat([
      head,
      Buffer.from(this.keys.buffer),
      Buffer.from(this.first.buffer),
      Buffer.from(this.counts.buffer),
    ]);
  }

  /** Reads {@link ContaminationIndex.toBytes}; undefined if the bytes are not an index or the fingerprint differs. */
  static fromBytes(bytes: Buffer, fingerprint: string): ContaminationIndex | undefined {
    if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) return undefined;
    const length = bytes.readUInt32LE(8);
    let header: CacheHeader;
    try {
      header = JSON.parse(bytes.toString('utf8', 12, 12 + length)) as CacheHeader;
    } catch {
      return undefined;
    }
    if (header.version !== 1 || header.fingerprint !== fingerprint) return undefined;
    const offset = 12 + Math.ceil((length + 12) / 8) * 8 - 12;
    const cap = header.capacity;
    if (bytes.length !== offset + cap * 14) return undefined;
    const index = new ContaminationIndex(header, cap);
    const copy = Uint8Array.prototype.slice.call(bytes, offset);
    index.keys = new Float64Array(copy.buffer, 0, cap);
    index.first = new Int32Array(copy.buffer, cap * 8, cap);
    index.counts = new Uint16Array(copy.buffer, cap * 12, cap);
    index.mask = cap - 1;
    index.size = header.size;
    header.benchmarks.forEach((name, i) => {
      index.benchmarkNames.push(name);
      index.benchmarkIndex.set(name, i);
    });
    index.itemIds.push(...header.itemIds);
    index.itemBenchmarks.push(...header.itemBenchmarks);
    index.itemNgrams.push(...header.itemNgrams);
    return index;
  }
}

const MAGIC = 'TANEDCX1';

interface CacheHeader extends Required<ContaminationIndexOptions> {
  version: number;
  fingerprint: string;
  capacity: number;
  size: number;
  benchmarks: string[];
  itemIds: string[];
  itemBenchmarks: number[];
  itemNgrams: number[];
}

/** The longest stretch of units covered by overlapping or touching n-grams at these start positions. */
function longestRun(positions: number[], n: number): [number, number] {
  const sorted = [...positions].sort((a, b) => a - b);
  let best: [number, number] = [sorted[0]!, sorted[0]! + n - 1];
  let start = sorted[0]!;
  let end = start + n - 1;
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (p <= end + 1) end = Math.max(end, p + n - 1);
    else {
      start = p;
      end = p + n - 1;
    }
    if (end - start > best[1] - best[0]) best = [start, end];
  }
  return best;
}
