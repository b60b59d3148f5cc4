import { stableHash32, type TaneRecord } from '@tane/core';

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
  example: FewShotExample;
}

interface CategoryPool {
  seeds: Map<string, FewShotExample>;
  sortedSeeds: FewShotExample[] | undefined;
  /** Kept sorted by (rank, id): the `maxGenerated` accepted examples with the lowest id hash. */
  generated: Ranked[];
  generatedIds: Set<string>;
  generatedView: FewShotExample[] | undefined;
}

/**
 * The examples to sample from, per category: seeds (the last record of an id
 * wins, as on a compacted topic) and accepted examples.
 *
 * Lists come out in an order that depends only on what is in the pool, not on
 * the order records arrived in, so a sample drawn from them is reproducible.
 * Accepted examples are kept up to `maxGenerated` per category: the ones with
 * the lowest id hash, i.e. a uniform sample of all of them that does not
 * depend on arrival order either.
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

  /** Adds an accepted example (any record type with example data). */
  addGenerated(record: TaneRecord): PoolAddResult {
    const example = exampleOf(record, 'generated');
    if (!example) return 'unusable';
    if (this.#maxGenerated === 0) return 'unchanged';
    const pool = this.#pool(record.category);
    if (pool.generatedIds.has(example.id)) return 'unchanged';

    const entry: Ranked = { rank: stableHash32(example.id), example };
    const list = pool.generated;
    if (list.length >= this.#maxGenerated && compare(entry, list[list.length - 1]!) > 0) return 'unchanged';
    list.splice(insertionPoint(list, entry), 0, entry);
    pool.generatedIds.add(example.id);
    if (list.length > this.#maxGenerated) pool.generatedIds.delete(list.pop()!.example.id);
    pool.generatedView = undefined;
    return 'added';
  }

  /** Seeds of `category`, sorted by id. */
  seeds(category: string): readonly FewShotExample[] {
    const pool = this.#byCategory.get(category);
    if (!pool) return [];
    pool.sortedSeeds ??= [...pool.seeds.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return pool.sortedSeeds;
  }

  /** Accepted examples of `category` kept for sampling, in id-hash order. */
  generated(category: string): readonly FewShotExample[] {
    const pool = this.#byCategory.get(category);
    if (!pool) return [];
    pool.generatedView ??= pool.generated.map((r) => r.example);
    return pool.generatedView;
  }

  /** Pool sizes per category, for logs. */
  sizes(): Record<string, { seeds: number; generated: number }> {
    const out: Record<string, { seeds: number; generated: number }> = {};
    for (const [category, pool] of this.#byCategory) {
      out[category] = { seeds: pool.seeds.size, generated: pool.generated.length };
    }
    return out;
  }

  #pool(category: string): CategoryPool {
    let pool = this.#byCategory.get(category);
    if (!pool) {
      pool = {
        seeds: new Map(),
        sortedSeeds: undefined,
        generated: [],
        generatedIds: new Set(),
        generatedView: undefined,
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
  return a.example.id < b.example.id ? -1 : a.example.id > b.example.id ? 1 : 0;
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
