import { growTypedArray, IdTable } from '@tane/core';
import { BandTable, DEFAULT_BUCKET_CAP } from './band-table.ts';
import { CandidateCounter } from './candidate-counter.ts';
import { hashString52 } from './hash32.ts';
import { FirstByKey, IdColumn } from './id-column.ts';
import { estimateJaccard, MinHasher } from './min-hasher.ts';
import { comparisonText, type DedupField } from './normalize-text.ts';
import { LcsPattern, rougeLUpperBound, rougeTokens } from './rouge-l.ts';

/** Settings of a {@link DedupIndex}; the plugin's config maps onto it one to one. */
export interface DedupIndexOptions {
  /** Fields of the example compared (default `['instruction', 'input']`). */
  fields?: readonly DedupField[];
  /** Character n-gram length on normalised text (default 3). */
  ngram?: number;
  /** MinHash signature length (default 128). */
  numPerm?: number;
  /** LSH bands (default 32). */
  bands?: number;
  /** Rows per band (default 4). */
  rows?: number;
  /** Estimated Jaccard similarity at or above which an LSH candidate is a near duplicate (default 0.7). */
  threshold?: number;
  /** When enabled, ROUGE-L F1 of the LSH candidates decides instead of the Jaccard estimate. */
  rougeL?: { enabled: boolean; threshold: number };
  /**
   * Bands an indexed example must share with the query to be checked (default
   * 2 with the Jaccard check, 1 with ROUGE-L). Texts made of common words fill
   * a few LSH buckets with hundreds of unrelated examples that share exactly
   * one band; requiring two skips them at a recall cost of ~0.2% at J = 0.7
   * and ~0.0001% at J = 0.8 (32 × 4 bands).
   */
  minSharedBands?: number;
  /** Seed of the MinHash family (default fixed); changing it changes decisions. */
  seed?: number;
  /**
   * With ROUGE-L on, a scope with at most this many examples is compared in
   * full instead of through LSH candidates (default 256): exact recall while a
   * category is small — LSH can miss pairs whose ROUGE-L is high but whose
   * n-gram Jaccard is low (a long shared input under different instructions).
   * 0 always uses LSH.
   */
  exhaustiveBelow?: number;
  /**
   * Entries an LSH bucket keeps (default 64): past it, a bucket keeps the
   * examples whose text hashes lowest, so a lookup costs at most
   * `bands × bucketCap` visits however large the index grows, and what a
   * bucket holds does not depend on arrival order. Only buckets of very common
   * band hashes reach it (texts made of common words); near duplicates are
   * still found through their other shared bands.
   */
  bucketCap?: number;
}

/** The example fields the index reads (extra keys are ignored). */
export type DedupExample = Partial<Record<DedupField, unknown>>;

/** What the index decided about one example. */
export type DedupDecision =
  | { status: 'unique' /** The id was already in the index (a replay or a retry). */; known: boolean }
  | {
      status: 'duplicate';
      reason: 'exact' | 'near';
      /** Id of the indexed example it duplicates (a seed, an earlier dataset row, or an earlier unique). */
      duplicateOf: string;
      /** 1 for exact; the Jaccard estimate or ROUGE-L F1 for near. */
      similarity: number;
      metric: 'exact' | 'jaccard' | 'rougeL';
    };

const INITIAL_RECORDS = 256;

/** The index of one scope (one category, or everything with `scope: global`). */
class ScopeIndex {
  count = 0;
  capacity = INITIAL_RECORDS;
  /** Ids by record, and the record of an id (its ordinal: ids are added as records are stored). */
  readonly ids = new IdColumn();
  readonly byId = new IdTable();
  /** The first record of each exact-text hash. */
  readonly exact = new FirstByKey();
  /** 8-bit sketches, `stride` bytes per record (numPerm rounded up to a multiple of 4). */
  bits: Uint8Array;
  bitWords: Int32Array;
  /**
   * ROUGE-L tokens of every record, as this scope's dense token ids: 2 bytes a
   * token until the scope has seen 65,535 distinct tokens, then 4.
   */
  tokens: Uint16Array | Uint32Array;
  tokenEnds: Uint32Array;
  /** Token (code point or word hash) → dense id in this scope. */
  readonly vocab = new Map<number, number>();
  /** An id no stored token has: a query token the scope has never seen maps to it, and matches nothing. */
  absent = 0xffff;
  readonly table: BandTable;

  constructor(
    readonly bands: number,
    readonly stride: number,
    withTokens: boolean,
    bucketCap: number,
  ) {
    this.bits = new Uint8Array(INITIAL_RECORDS * stride);
    this.bitWords = new Int32Array(this.bits.buffer);
    this.tokens = new Uint16Array(withTokens ? INITIAL_RECORDS * 32 : 0);
    this.tokenEnds = new Uint32Array(withTokens ? INITIAL_RECORDS : 0);
    this.table = new BandTable(bands, INITIAL_RECORDS * bands * 2, bucketCap);
  }

  tokenStart(record: number): number {
    return record === 0 ? 0 : this.tokenEnds[record - 1]!;
  }

  ensureRecord(): void {
    if (this.count < this.capacity) return;
    // 1.5×, not 2×: a third less unused room on average, for a few more copies.
    const capacity = Math.ceil(this.capacity * GROWTH);
    this.capacity = capacity;
    this.bits = growTypedArray(this.bits, capacity * this.stride);
    this.bitWords = new Int32Array(this.bits.buffer);
    if (this.tokenEnds.length > 0) this.tokenEnds = growTypedArray(this.tokenEnds, capacity);
  }

  ensureTokens(extra: number): void {
    const used = this.count === 0 ? 0 : this.tokenEnds[this.count - 1]!;
    if (used + extra <= this.tokens.length) return;
    let capacity = Math.max(Math.ceil(this.tokens.length * GROWTH), 1024);
    while (capacity < used + extra) capacity = Math.ceil(capacity * GROWTH);
    this.tokens = growTypedArray(this.tokens, capacity);
  }

  /**
   * Writes the scope's ids of `tokens` into `out`. With `add`, tokens new to
   * the scope get the next id (moving the store to 4 bytes a token when 2 no
   * longer hold them); without, they map to {@link absent}. The mapping is
   * one-to-one on known tokens, so an LCS over ids is the LCS over tokens.
   */
  mapTokens(tokens: Uint32Array, out: Uint16Array | Uint32Array, add: boolean): void {
    const vocab = this.vocab;
    for (let i = 0; i < tokens.length; i++) {
      let id = vocab.get(tokens[i]!);
      if (id === undefined) {
        if (!add) {
          out[i] = this.absent;
          continue;
        }
        id = vocab.size;
        if (id === this.absent) throw new Error('token ids must be widened before the store is written');
        vocab.set(tokens[i]!, id);
      }
      out[i] = id;
    }
  }

  /** Makes room for `extra` new token ids at 2 bytes each, widening the store to 4 bytes if they would not fit. */
  ensureIds(extra: number): void {
    if (!(this.tokens instanceof Uint16Array) || this.vocab.size + extra < 0xffff) return;
    this.tokens = Uint32Array.from(this.tokens);
    this.absent = 0xffffffff;
  }

  bytes(): number {
    return (
      this.bits.byteLength +
      this.tokens.byteLength +
      this.tokenEnds.byteLength +
      this.table.byteLength +
      this.ids.bytes +
      this.byId.bytes +
      this.exact.bytes
    );
  }
}

const GROWTH = 1.5;

/**
 * The near-duplicate index: exact duplicates by a hash of the normalised text,
 * near duplicates by MinHash-LSH on character n-grams, optionally confirmed by
 * ROUGE-L, kept separately per scope (category). Decisions depend only on
 * the order in which examples are offered, never on timing.
 *
 * Memory per indexed example (defaults): a 128 B sketch (one byte per
 * MinHash value), 32 LSH table entries of 8 B at a load of 0.375–0.75
 * (340–680 B; fewer once crowded buckets are full), a 4 B bucket rank, and
 * the id (its UTF-8 bytes, a 64-bit fingerprint and an exact-text hash entry,
 * ~60 B for a 24-character id, all in typed arrays), so under 1 KB; with
 * ROUGE-L on, 2 B per token as well (4 B past 65,535 distinct tokens in a
 * scope). `bench/dedup.ts` measures it.
 *
 * @example
 * ```ts
 * const index = new DedupIndex({ threshold: 0.7 });
 * index.add('seed-1', { instruction: '請求書から金額を抽出してください。', input: '' }, 'invoice');
 * index.offer('c-1', { instruction: '請求書から、金額を抽出してください', input: '' }, 'invoice');
 * // → { status: 'duplicate', reason: 'exact', duplicateOf: 'seed-1', similarity: 1, metric: 'exact' }
 * ```
 */
export class DedupIndex {
  readonly fields: readonly DedupField[];
  readonly threshold: number;
  readonly rougeThreshold: number | undefined;
  private readonly hasher: MinHasher;
  private readonly scopes = new Map<string, ScopeIndex>();
  private readonly signature: Int32Array;
  private readonly queryKeys: Int32Array;
  private readonly queryBits: Uint8Array;
  private readonly queryWords: Int32Array;
  private readonly stride: number;
  private readonly maxMismatches: number;
  private queryTokens: Uint32Array = new Uint32Array(0);
  /** The query's tokens as the ids of the scope it is checked against. */
  private queryIds = new Uint32Array(256);
  private exactKey = 0;
  private readonly candidates: number[] = [];
  private readonly counter = new CandidateCounter();
  private readonly minSharedBands: number;
  private readonly exhaustiveBelow: number;
  /** Entries an LSH bucket keeps (see {@link DedupIndexOptions.bucketCap}). */
  readonly bucketCap: number;
  private readonly collect = (record: number): void => {
    if (this.counter.add(record) === this.minSharedBands) this.candidates.push(record);
  };

  constructor(options: DedupIndexOptions = {}) {
    this.fields = options.fields ?? ['instruction', 'input'];
    this.threshold = options.threshold ?? 0.7;
    this.rougeThreshold = options.rougeL?.enabled ? options.rougeL.threshold : undefined;
    this.minSharedBands = Math.max(1, options.minSharedBands ?? (this.rougeThreshold === undefined ? 2 : 1));
    this.exhaustiveBelow = this.rougeThreshold === undefined ? 0 : (options.exhaustiveBelow ?? 256);
    this.bucketCap = options.bucketCap ?? DEFAULT_BUCKET_CAP;
    this.hasher = new MinHasher({
      ngram: options.ngram ?? 3,
      numPerm: options.numPerm ?? 128,
      bands: options.bands ?? 32,
      rows: options.rows ?? 4,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    this.signature = new Int32Array(this.hasher.numPerm);
    this.queryKeys = new Int32Array(this.hasher.bands);
    this.stride = Math.ceil(this.hasher.numPerm / 4) * 4;
    this.queryBits = new Uint8Array(this.stride);
    this.queryWords = new Int32Array(this.queryBits.buffer);
    // The fewest equal sketch bytes whose Jaccard estimate reaches the
    // threshold; a candidate is dropped as soon as it has more mismatches.
    const p = this.hasher.numPerm;
    const chance = 1 / 256;
    this.maxMismatches = p - Math.ceil(p * (this.threshold * (1 - chance) + chance) - 1e-9);
  }

  /** Number of examples indexed, over all scopes. */
  get size(): number {
    let n = 0;
    for (const s of this.scopes.values()) n += s.count;
    return n;
  }

  /** Bytes held in typed arrays (all but the token vocabularies' Maps); for capacity planning. */
  get typedArrayBytes(): number {
    let n = 0;
    for (const s of this.scopes.values()) n += s.bytes();
    return n;
  }

  /** Whether `id` is indexed in `scope`. */
  has(id: string, scope = ''): boolean {
    return this.scopes.get(scope)?.byId.has(id) ?? false;
  }

  /**
   * Checks an example and indexes it if it is unique. An id that is already
   * indexed is `unique` again (a replay or a retry must not become a duplicate
   * of itself) and is not indexed twice.
   */
  offer(id: string, example: DedupExample, scope = ''): DedupDecision {
    if (this.has(id, scope)) return { status: 'unique', known: true };
    this.sketch(example);
    const decision = this.decide(this.scopes.get(scope));
    if (decision.status === 'unique') this.store(this.scope(scope), id);
    return decision;
  }

  /** Checks an example without indexing it. */
  check(example: DedupExample, scope = ''): DedupDecision {
    this.sketch(example);
    return this.decide(this.scopes.get(scope));
  }

  /** Indexes an example unconditionally (seeds, accepted examples when rebuilding); ignores a known id. */
  add(id: string, example: DedupExample, scope = ''): void {
    if (this.has(id, scope)) return;
    this.sketch(example);
    this.store(this.scope(scope), id);
  }

  private scope(name: string): ScopeIndex {
    let s = this.scopes.get(name);
    if (!s) {
      s = new ScopeIndex(this.hasher.bands, this.stride, this.rougeThreshold !== undefined, this.bucketCap);
      this.scopes.set(name, s);
    }
    return s;
  }

  /** Computes the query's sketch into the shared buffers. */
  private sketch(example: DedupExample): void {
    const text = comparisonText(example, this.fields);
    this.hasher.signature(text, this.signature);
    this.hasher.bandHashes(this.signature, this.queryKeys);
    this.hasher.sketchBits(this.signature, this.queryBits);
    this.exactKey = hashString52(text);
    if (this.rougeThreshold !== undefined) {
      // ROUGE-L reads the raw fields: its tokenizer needs the word boundaries
      // that normalisation removes.
      const raw = this.fields
        .map((f) => (typeof example[f] === 'string' ? (example[f] as string) : ''))
        .join('\n');
      this.queryTokens = rougeTokens(raw);
    }
  }

  private decide(scope: ScopeIndex | undefined): DedupDecision {
    if (!scope || scope.count === 0) return { status: 'unique', known: false };
    const bands = this.hasher.bands;
    const numPerm = this.hasher.numPerm;
    const exactHit = scope.exact.get(this.exactKey);
    if (exactHit !== undefined && this.sameSketch(scope, exactHit)) {
      return {
        status: 'duplicate',
        reason: 'exact',
        duplicateOf: scope.ids.get(exactHit),
        similarity: 1,
        metric: 'exact',
      };
    }

    this.candidates.length = 0;
    if (scope.count <= this.exhaustiveBelow) {
      for (let record = 0; record < scope.count; record++) this.candidates.push(record);
    } else {
      this.counter.reset();
      for (let band = 0; band < bands; band++) scope.table.lookup(this.queryKeys[band]!, this.collect);
    }
    if (this.candidates.length === 0) return { status: 'unique', known: false };

    let best = -1;
    let bestSimilarity = -1;
    if (this.rougeThreshold === undefined) {
      const words = this.stride >>> 2;
      const limit = this.maxMismatches;
      const q = this.queryWords;
      const stored = scope.bitWords;
      const candidates = this.candidates;
      // Indexed loops: an array iterator allocates a result object per step where it is not optimised away.
      for (let c = 0; c < candidates.length; c++) {
        const record = candidates[c]!;
        // Counts differing sketch bytes a word at a time: a byte of `x` is
        // non-zero iff its high bit is set in `((x & 0x7f…) + 0x7f…) | x`.
        let mismatches = 0;
        const base = record * words;
        for (let w = 0; w < words && mismatches <= limit; w++) {
          const x = q[w]! ^ stored[base + w]!;
          if (x === 0) continue;
          const high = ((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) >>> 7) & 0x01010101;
          mismatches += Math.imul(high, 0x01010101) >>> 24;
        }
        if (mismatches > limit) continue;
        const similarity = estimateJaccard(this.queryBits, 0, scope.bits, record * this.stride, numPerm);
        if (
          similarity >= this.threshold &&
          (similarity > bestSimilarity || (similarity === bestSimilarity && record < best))
        ) {
          best = record;
          bestSimilarity = similarity;
        }
      }
    } else {
      if (this.queryIds.length < this.queryTokens.length)
        this.queryIds = new Uint32Array(this.queryTokens.length);
      const query = this.queryIds.subarray(0, this.queryTokens.length);
      scope.mapTokens(this.queryTokens, query, false);
      const pattern = new LcsPattern(query);
      const candidates = this.candidates;
      for (let c = 0; c < candidates.length; c++) {
        const record = candidates[c]!;
        const start = scope.tokenStart(record);
        const end = scope.tokenEnds[record]!;
        if (rougeLUpperBound(query.length, end - start) < this.rougeThreshold) continue;
        const similarity = pattern.rougeL(scope.tokens, start, end);
        if (
          similarity >= this.rougeThreshold &&
          (similarity > bestSimilarity || (similarity === bestSimilarity && record < best))
        ) {
          best = record;
          bestSimilarity = similarity;
        }
      }
    }
    if (best < 0) return { status: 'unique', known: false };
    return {
      status: 'duplicate',
      reason: 'near',
      duplicateOf: scope.ids.get(best),
      similarity: Math.round(bestSimilarity * 1000) / 1000,
      metric: this.rougeThreshold === undefined ? 'jaccard' : 'rougeL',
    };
  }

  /** Confirms an exact-key hit: equal texts have equal sketches (128 bytes), unequal ones almost never. */
  private sameSketch(scope: ScopeIndex, record: number): boolean {
    const words = this.stride >>> 2;
    const base = record * words;
    for (let w = 0; w < words; w++) if (scope.bitWords[base + w] !== this.queryWords[w]) return false;
    return true;
  }

  private store(scope: ScopeIndex, id: string): void {
    scope.ensureRecord();
    const record = scope.count;
    const bands = this.hasher.bands;
    scope.bits.set(this.queryBits, record * this.stride);
    if (this.rougeThreshold !== undefined) {
      const tokens = this.queryTokens;
      scope.ensureIds(tokens.length);
      scope.ensureTokens(tokens.length);
      const start = scope.tokenStart(record);
      scope.mapTokens(tokens, scope.tokens.subarray(start, start + tokens.length), true);
      scope.tokenEnds[record] = start + tokens.length;
    }
    scope.count++;
    scope.ids.push(id);
    scope.byId.add(id);
    scope.exact.setIfAbsent(this.exactKey, record);
    // The bucket rank: a hash of the compared text (its low 32 bits), so a full
    // bucket keeps the same records however they arrived.
    const rank = this.exactKey >>> 0;
    for (let b = 0; b < bands; b++) scope.table.insert(this.queryKeys[b]!, record * bands + b, rank);
  }
}
