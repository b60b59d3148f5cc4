import { IdTable, rowRound, type TaneRecord } from '@tane/core';

/**
 * Counts distinct accepted examples per category, so a record seen twice
 * (a replayed topic, a re-read from the start) counts once.
 *
 * A category given a cap stops counting at it and forgets its ids, which
 * bounds memory by the targets instead of the size of the dataset. Ids are
 * kept as 64-bit fingerprints (`IdTable`), ~16 bytes each instead of a string.
 *
 * @example
 * ```ts
 * const counter = new AcceptedCounter({ 'email-reply': 50 });
 * for await (const r of ctx.readTopic('dataset')) counter.add(r);
 * counter.count('email-reply'); // 0 … 50
 * ```
 */
export class AcceptedCounter {
  readonly #ids = new Map<string, IdTable>();
  readonly #capped = new Set<string>();
  readonly #caps: Readonly<Record<string, number>>;

  constructor(caps: Readonly<Record<string, number>> = {}) {
    this.#caps = caps;
    for (const [category, cap] of Object.entries(caps)) if (cap <= 0) this.#capped.add(category);
  }

  /** Counts `record` under its category; returns whether it was new. */
  add(record: Pick<TaneRecord, 'id' | 'category'>): boolean {
    if (this.#capped.has(record.category)) return false;
    let ids = this.#ids.get(record.category);
    if (!ids) {
      ids = new IdTable();
      this.#ids.set(record.category, ids);
    }
    const known = ids.size;
    if (ids.add(record.id) < known) return false;
    const cap = this.#caps[record.category];
    if (cap !== undefined && ids.size >= cap) {
      this.#capped.add(record.category);
      this.#ids.delete(record.category);
    }
    return true;
  }

  /** Distinct accepted examples of `category` (at most its cap). */
  count(category: string): number {
    if (this.#capped.has(category)) return this.#caps[category] ?? 0;
    return this.#ids.get(category)?.size ?? 0;
  }

  /** Whether `category` has reached its cap. */
  reachedCap(category: string): boolean {
    return this.#capped.has(category);
  }

  /** Counts of every category seen (and every capped one). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const category of [...this.#ids.keys(), ...this.#capped]) out[category] = this.count(category);
    return out;
  }
}

/**
 * Distinct records per category in a stream, e.g. the `dataset` topic, for
 * `planTasks({ accepted })`. With `beforeRound`, only rows made by tasks of
 * earlier planning rounds count (`meta.generation.round`; rows without one count
 * as round 0): what planning round `beforeRound` must see, however far that
 * round itself has got.
 *
 * @example
 * ```ts
 * const accepted = await countAccepted(transport.read(ctx.topic('dataset')));
 * const forRound3 = await countAccepted(transport.read(ctx.topic('dataset')), { beforeRound: 3 });
 * ```
 */
export async function countAccepted(
  records: AsyncIterable<TaneRecord>,
  options: { beforeRound?: number } = {},
): Promise<Record<string, number>> {
  const counter = new AcceptedCounter();
  const before = options.beforeRound ?? Number.POSITIVE_INFINITY;
  for await (const record of records) if (rowRound(record) < before) counter.add(record);
  return counter.counts();
}

/**
 * Distinct accepted examples per category and planning round, fed a stream a piece at a time:
 * what {@link countAccepted} gives for any `beforeRound`, without reading the stream again. A
 * generator that tops up in rounds keeps one and reads only what the dataset topic gained since.
 * Memory: the ids seen (a 64-bit fingerprint per distinct row, `IdTable`) and a count per
 * category and round.
 *
 * @example
 * ```ts
 * const tally = new AcceptedByRound();
 * for await (const r of newRecords) tally.add(r);
 * tally.counts({ beforeRound: 3 }); // same as countAccepted(allRecords, { beforeRound: 3 })
 * ```
 */
export class AcceptedByRound {
  readonly #ids = new Map<string, IdTable>();
  readonly #rounds = new Map<string, Map<number, number>>();

  /** Counts `record` under its category and round; returns whether it was new. */
  add(record: TaneRecord): boolean {
    let ids = this.#ids.get(record.category);
    if (!ids) {
      ids = new IdTable();
      this.#ids.set(record.category, ids);
      this.#rounds.set(record.category, new Map());
    }
    const known = ids.size;
    if (ids.add(record.id) < known) return false;
    const rounds = this.#rounds.get(record.category)!;
    const round = rowRound(record);
    rounds.set(round, (rounds.get(round) ?? 0) + 1);
    return true;
  }

  /** Distinct records per category, only those of rounds before `beforeRound` when given. */
  counts(options: { beforeRound?: number } = {}): Record<string, number> {
    const before = options.beforeRound ?? Number.POSITIVE_INFINITY;
    const out: Record<string, number> = {};
    for (const [category, rounds] of this.#rounds) {
      let n = 0;
      for (const [round, count] of rounds) if (round < before) n += count;
      if (n > 0) out[category] = n;
    }
    return out;
  }
}
