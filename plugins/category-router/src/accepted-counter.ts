import { rowRound, type TaneRecord } from '@tane/core';

/**
 * Counts distinct accepted examples per category, so a record seen twice
 * (a replayed topic, a re-read from the start) counts once.
 *
 * A category given a cap stops counting at it and forgets its ids, which
 * bounds memory by the targets instead of the size of the dataset.
 *
 * @example
 * ```ts
 * const counter = new AcceptedCounter({ 'email-reply': 50 });
 * for await (const r of ctx.readTopic('dataset')) counter.add(r);
 * counter.count('email-reply'); // 0 … 50
 * ```
 */
export class AcceptedCounter {
  readonly #ids = new Map<string, Set<string>>();
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
      ids = new Set();
      this.#ids.set(record.category, ids);
    }
    if (ids.has(record.id)) return false;
    ids.add(record.id);
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
