import { rowRound, stableHash32, type TaneRecord } from '@tane/core';

/** One few-shot example as attached to a task in `data.fewShot`. */
export interface FewShotExample {
  /** The seed's id, or the accepted example's record id. */
  id: string;
  source: 'seed' | 'generated';
  instruction: string;
  input: string;
  output: string;
}

/**
 * What adding a record did: `added` (new, or a newer version of a seed),
 * `unchanged` (already there, or an accepted example outside the kept sample),
 * `unusable` (not a `seed` on the seeds side, or no text in instruction/output).
 */
export type PoolAddResult = 'added' | 'unchanged' | 'unusable';

interface Ranked {
  rank: number;
  id: string;
  /** The texts; let go (see `releaseTexts`) when only views of past rounds could offer it. */
  example: FewShotExample | undefined;
}

interface CategoryPool {
  seeds: Map<string, FewShotExample>;
  sortedSeeds: FewShotExample[] | undefined;
  /**
   * Per planning round of the task that made them, sorted by (rank, id): the
   * accepted examples that may still be in some view. See `#compact`.
   */
  generated: Map<number, Ranked[]>;
  generatedIds: Set<string>;
  /** Kept examples whose texts were let go, by id: what `restoreTexts` fills in. */
  released: Map<string, Ranked>;
  /** Entries in `generated`, and the count above which it is compacted next. */
  kept: number;
  compactAbove: number;
  /** Merged views per `beforeRound`, dropped whenever a round's list changes. */
  views: Map<number, Ranked[]>;
}

/**
 * The examples to sample from, per category: seeds (the last record of an id
 * wins, as on a compacted topic) and accepted examples.
 *
 * Lists come out in an order that depends only on what is in the pool, not on
 * the order records arrived in, so a sample drawn from them is reproducible.
 * Accepted examples are offered up to `maxGenerated` per category: the ones
 * with the lowest id hash, i.e. a uniform sample of all of them that does not
 * depend on arrival order either.
 *
 * Memory stays bounded however long a run goes: an example of round r is
 * kept only while it is among the `maxGenerated` lowest of rounds 0..r (no
 * view can offer it otherwise), which is about maxGenerated * (1 + ln R)
 * examples per category after R rounds, plus at most maxGenerated added
 * since the last compaction. Of those, only the texts of examples a task of
 * the current round or a later one can be offered are held (`releaseTexts`):
 * about 2 × `maxGenerated` per category; the others keep an id and a rank, and
 * their texts are read again (`restoreTexts`) if a task of a past round comes.
 *
 * @example
 * ```ts
 * const pool = new ExamplePool({ maxGenerated: 1000 });
 * for await (const r of ctx.readTopic('seeds')) pool.addSeed(r);
 * pool.seeds('email-reply').length; // 10
 * ```
 */
export class ExamplePool {
  readonly #maxGenerated: number;
  readonly #byCategory = new Map<string, CategoryPool>();
  #released = 0;

  constructor(options: { maxGenerated: number }) {
    this.#maxGenerated = options.maxGenerated;
  }

  /** Adds a `seed` record; a seed with the id of an earlier one replaces it. */
  addSeed(record: TaneRecord): PoolAddResult {
    if (record.type !== 'seed') return 'unusable';
    const example = exampleOf(record, 'seed');
    if (!example) return 'unusable';
    const pool = this.#pool(record.category);
    pool.seeds.set(example.id, example);
    pool.sortedSeeds = undefined;
    return 'added';
  }

  /**
   * Adds an accepted example (any record type with example data), filed under
   * the planning round of the task that made it (`meta.generation.round`, 0 if
   * unknown: rows of earlier runs or imports, visible to every round).
   */
  addGenerated(record: TaneRecord): PoolAddResult {
    const example = exampleOf(record, 'generated');
    if (!example) return 'unusable';
    if (this.#maxGenerated === 0) return 'unchanged';
    const pool = this.#pool(record.category);
    if (pool.generatedIds.has(example.id)) return 'unchanged';

    const round = rowRound(record);
    const entry: Ranked = { rank: stableHash32(example.id), id: example.id, example };
    let list = pool.generated.get(round);
    if (!list) pool.generated.set(round, (list = []));
    if (list.length >= this.#maxGenerated && compare(entry, list[list.length - 1]!) > 0) return 'unchanged';
    list.splice(insertionPoint(list, entry), 0, entry);
    pool.generatedIds.add(example.id);
    pool.kept++;
    if (list.length > this.#maxGenerated) {
      this.#drop(pool, list.pop()!);
      pool.kept--;
    }
    pool.views.clear();
    if (pool.kept > pool.compactAbove) {
      this.#compact(pool);
      pool.compactAbove = pool.kept + this.#maxGenerated;
    }
    return 'added';
  }

  /** Seeds of `category`, sorted by id. */
  seeds(category: string): readonly FewShotExample[] {
    const pool = this.#byCategory.get(category);
    if (!pool) return [];
    pool.sortedSeeds ??= [...pool.seeds.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return pool.sortedSeeds;
  }

  /**
   * Accepted examples of `category` kept for sampling, in id-hash order: at
   * most `maxGenerated`, the lowest id hashes among rows of rounds before
   * `beforeRound` (all rounds when left out). Rows of the current round are
   * never offered, so a task's picks do not depend on how far its round got.
   */
  generated(category: string, beforeRound = Number.POSITIVE_INFINITY): readonly FewShotExample[] {
    const view = this.#view(category, beforeRound);
    const examples: FewShotExample[] = new Array(view.length);
    for (let i = 0; i < view.length; i++) {
      const example = view[i]!.example;
      if (!example) {
        throw new Error(
          `few-shot pool: the texts of ${view[i]!.id} were let go; check hasTexts() and restoreTexts() first`,
        );
      }
      examples[i] = example;
    }
    return examples;
  }

  /** Whether every example `generated(category, beforeRound)` offers has its texts in memory. */
  hasTexts(category: string, beforeRound = Number.POSITIVE_INFINITY): boolean {
    if (this.#released === 0) return true;
    for (const entry of this.#view(category, beforeRound)) if (!entry.example) return false;
    return true;
  }

  /**
   * Lets go of the texts of every accepted example that no task of round
   * `round` or later can be offered, keeping its id and rank. The view for a
   * round b >= `round` is the lowest `maxGenerated` of rounds < b; an example of
   * a round before `round` in it is among the lowest of rounds < `round` (a
   * subset of the rows it is ranked against), so those and the examples of
   * rounds >= `round` are all that such a view can hold. Call it once the rows of
   * rounds before `round` are in. Returns how many texts were let go.
   */
  releaseTexts(round: number): number {
    let released = 0;
    for (const [category, pool] of this.#byCategory) {
      const keep = new Set(this.#view(category, round));
      for (const [r, list] of pool.generated) {
        if (r >= round) continue;
        for (const entry of list) {
          if (!entry.example || keep.has(entry)) continue;
          entry.example = undefined;
          pool.released.set(entry.id, entry);
          released++;
        }
      }
    }
    this.#released += released;
    return released;
  }

  /** How many kept examples have had their texts let go. */
  get releasedTexts(): number {
    return this.#released;
  }

  /**
   * Gives back the texts of a let-go example from its record (read again from
   * the dataset topic); returns whether the record was one of them. A record
   * with the id of one is taken as its content: a row's id determines it.
   */
  restoreTexts(record: TaneRecord): boolean {
    const pool = this.#byCategory.get(record.category);
    const entry = pool?.released.get(record.id);
    if (!entry) return false;
    const example = exampleOf(record, 'generated');
    if (!example) return false;
    entry.example = example;
    pool!.released.delete(record.id);
    this.#released--;
    return true;
  }

  #view(category: string, beforeRound: number): readonly Ranked[] {
    const pool = this.#byCategory.get(category);
    if (!pool) return [];
    let view = pool.views.get(beforeRound);
    if (!view) {
      const merged: Ranked[] = [];
      for (const [round, list] of pool.generated) if (round < beforeRound) merged.push(...list);
      merged.sort(compare);
      view = merged.slice(0, this.#maxGenerated);
      pool.views.set(beforeRound, view);
    }
    return view;
  }

  #drop(pool: CategoryPool, entry: Ranked): void {
    pool.generatedIds.delete(entry.id);
    if (pool.released.delete(entry.id)) this.#released--;
  }

  /** Pool sizes per category, for logs. */
  sizes(): Record<string, { seeds: number; generated: number }> {
    const out: Record<string, { seeds: number; generated: number }> = {};
    for (const [category, pool] of this.#byCategory) {
      let generated = 0;
      for (const list of pool.generated.values()) generated += list.length;
      out[category] = { seeds: pool.seeds.size, generated };
    }
    return out;
  }

  /**
   * Drops every example that no view can offer. The view for `beforeRound`
   * b is the lowest `maxGenerated` of rounds < b; an example of round r in
   * it is also among the lowest of rounds 0..r, a subset. So an example
   * outside the lowest `maxGenerated` of rounds 0..r is in no view, and
   * stays out of every view whatever arrives later (more rows only push it
   * further down). Keeping the rest leaves every view as it was.
   *
   * One pass over the rounds in ascending order, carrying the lowest
   * `maxGenerated` of the rounds so far: O(rounds * maxGenerated).
   */
  #compact(pool: CategoryPool): void {
    const limit = this.#maxGenerated;
    const rounds = [...pool.generated.keys()].sort((a, b) => a - b);
    let lowest: Ranked[] = [];
    let kept = 0;
    for (const round of rounds) {
      const list = pool.generated.get(round)!;
      const merged: Ranked[] = [];
      const keep: Ranked[] = [];
      let i = 0;
      let j = 0;
      while (merged.length < limit && (i < lowest.length || j < list.length)) {
        if (j >= list.length || (i < lowest.length && compare(lowest[i]!, list[j]!) < 0)) {
          merged.push(lowest[i++]!);
        } else {
          keep.push(list[j]!);
          merged.push(list[j++]!);
        }
      }
      for (let d = j; d < list.length; d++) this.#drop(pool, list[d]!);
      if (keep.length === 0) pool.generated.delete(round);
      else pool.generated.set(round, keep);
      kept += keep.length;
      lowest = merged;
    }
    pool.kept = kept;
  }

  #pool(category: string): CategoryPool {
    let pool = this.#byCategory.get(category);
    if (!pool) {
      pool = {
        seeds: new Map(),
        sortedSeeds: undefined,
        generated: new Map(),
        generatedIds: new Set(),
        released: new Map(),
        kept: 0,
        compactAbove: this.#maxGenerated,
        views: new Map(),
      };
      this.#byCategory.set(category, pool);
    }
    return pool;
  }
}

function exampleOf(record: TaneRecord, source: FewShotExample['source']): FewShotExample | undefined {
  const data = record.data as { instruction?: unknown; input?: unknown; output?: unknown } | null;
  if (data === null || typeof data !== 'object') return undefined;
  const { instruction, input, output } = data;
  if (typeof instruction !== 'string' || instruction.trim() === '') return undefined;
  if (typeof output !== 'string' || output.trim() === '') return undefined;
  if (input !== undefined && typeof input !== 'string') return undefined;
  return { id: record.id, source, instruction, input: input ?? '', output };
}

function compare(a: Ranked, b: Ranked): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function insertionPoint(list: Ranked[], entry: Ranked): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compare(list[mid]!, entry) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
