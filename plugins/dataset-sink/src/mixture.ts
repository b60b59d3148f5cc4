import { createHash } from 'node:crypto';
import { type DatasetRow, importSourceName } from './dataset-row.ts';
import type { RowSource } from './export-formats.ts';

/** The name the mixture gives rows that were not imported (Self-Instruct output). */
export const GENERATED_SOURCE = 'generated';

/** A mixture recipe (`mixture` in the sink's config). */
export interface MixtureRecipe {
  /** Seeds the row hash that decides which rows a down- or up-sampled source keeps. */
  seed: number;
  /** Rows of the mixture; without it the weights give the largest mixture that needs no up-sampling. */
  total?: number;
  /** Repeat rows of a source that has fewer than requested (default: give what it has). */
  upsample: boolean;
  /** Per source (an import source's name, or `generated`): its weight and its cap. */
  sources?: Record<string, { weight?: number; cap?: number }>;
  /** Per category: a cap on its rows in the mixture, over all sources. */
  categories?: Record<string, { cap?: number }>;
}

/** What the mixture asked of a source and what it got. */
export interface MixtureSourceStats {
  weight: number;
  cap?: number;
  /** Accepted rows of the source. */
  available: number;
  /** Rows the weights (and cap) ask for. */
  requested: number;
  /** Rows in the mixture (after the category caps). */
  actual: number;
  /** `down`: a seeded sample of its rows; `up`: rows repeated; `all`: every row once; `short`: fewer than requested, not up-sampled. */
  sampling: 'down' | 'up' | 'all' | 'short';
}

/** `mixture` in `manifest.json`: the recipe's requested vs actual rows per source and per category. */
export interface MixtureSummary {
  seed: number;
  total?: number;
  upsample: boolean;
  /** Rows in the mixed exports. */
  rows: number;
  /** Accepted rows in the dataset (the shards keep them all). */
  accepted: number;
  sources: Record<string, MixtureSourceStats>;
  categories: Record<string, { cap?: number; available: number; actual: number }>;
  /** Sources named in the recipe that have no accepted rows. */
  missingSources: string[];
}

/** A row's place in the seeded order: a number in [0, 2^48), from the seed and the row's id only. */
export function mixtureHash(seed: number, id: string): number {
  return createHash('sha256').update(`${seed}\u0000${id}`).digest().readUIntBE(0, 6);
}

interface Group {
  source: string;
  category: string;
  hashes: number[];
}

const sourceOf = (row: DatasetRow) => importSourceName(row.meta) ?? GENERATED_SOURCE;

/**
 * How many times each row of a source goes into the mixture, as a function of its hash: `base`
 * for every row, one more for rows whose hash is below `extraBelow`.
 */
interface Take {
  base: number;
  extraBelow: number;
}

/** The hash below which exactly `n` of `sorted` (ascending) fall. */
const thresholdFor = (sorted: number[], n: number) =>
  n <= 0 ? 0 : n >= sorted.length ? Number.POSITIVE_INFINITY : sorted[n]!;

/**
 * Splits `total` by `shares` (summing to 1) into whole numbers that add up to `total`: each
 * gets the floor of its quota, and the rows left go one each to the largest fractional parts
 * (ties to the first in the given order). Rounding each quota instead can miss the total by
 * one per source.
 */
export function apportion(
  shares: readonly (readonly [string, number])[],
  total: number,
): Map<string, number> {
  const out = new Map<string, number>();
  const quotas = shares.map(([s, share]) => [s, share * total] as const);
  let left = total;
  for (const [s, q] of quotas) {
    out.set(s, Math.floor(q));
    left -= Math.floor(q);
  }
  const byRemainder = quotas
    .map(([s, q], i) => ({ s, r: q - Math.floor(q), i }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < byRemainder.length && left > 0; k++, left--) {
    const { s } = byRemainder[k]!;
    out.set(s, out.get(s)! + 1);
  }
  return out;
}

/**
 * Plans a mixture over the accepted rows: what each source is asked for (weights of `total`,
 * normalised over the sources that have accepted rows; without `total`, the largest mixture with those proportions that no source falls
 * short of), bounded by its cap; a source with more rows gives the rows with the smallest seeded
 * hash, one with fewer gives all of them, repeated when `upsample` is on (⌊n/a⌋ times each, the
 * remainder again by hash); then a category over its cap keeps its rows with the smallest hashes.
 * Selection depends only on the seed and the row ids, never on arrival order, and raising a
 * request only adds rows. Returns the mixed rows as a {@link RowSource} and the summary.
 *
 * Memory: one number per accepted row (its hash), in two passes over the shards.
 */
export async function planMixture(
  store: RowSource,
  recipe: MixtureRecipe,
): Promise<{ source: RowSource; summary: MixtureSummary }> {
  const groups = new Map<string, Group>();
  let accepted = 0;
  for (const { category } of store.categories()) {
    for await (const batch of store.rows(category)) {
      for (const row of batch) {
        const source = sourceOf(row);
        const key = `${source}\u0000${category}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { source, category, hashes: [] }));
        g.hashes.push(mixtureHash(recipe.seed, row.id));
        accepted++;
      }
    }
  }
  const bySource = new Map<string, number[]>();
  for (const g of groups.values()) bySource.set(g.source, [...(bySource.get(g.source) ?? []), ...g.hashes]);
  for (const h of bySource.values()) h.sort((a, b) => a - b);

  // Weights: the recipe's, or (with no sources section) every source by what it has.
  const named = recipe.sources ?? {};
  const listed = Object.keys(named).length > 0;
  const weightOf = (s: string) => (listed ? (named[s]?.weight ?? (named[s] ? 1 : 0)) : 1);
  const present = [...bySource.keys()].sort();
  const available = (s: string) => bySource.get(s)?.length ?? 0;
  const weightSum = present.reduce((n, s) => n + weightOf(s), 0);
  const requested = new Map<string, number>();
  if (recipe.total !== undefined && weightSum > 0) {
    const shares = listed
      ? present.map((s) => [s, weightOf(s) / weightSum] as const)
      : present.map((s) => [s, available(s) / Math.max(1, accepted)] as const);
    for (const [s, n] of apportion(shares, recipe.total)) requested.set(s, n);
  } else if (listed && weightSum > 0) {
    // The largest mixture with these proportions that no source falls short of.
    let scale = Number.POSITIVE_INFINITY;
    for (const s of present) if (weightOf(s) > 0) scale = Math.min(scale, available(s) / weightOf(s));
    for (const s of present) requested.set(s, Math.floor(scale * weightOf(s)));
  } else {
    for (const s of present) requested.set(s, available(s));
  }
  for (const s of present) {
    const cap = named[s]?.cap;
    if (cap !== undefined) requested.set(s, Math.min(requested.get(s) ?? 0, cap));
  }

  const takes = new Map<string, Take>();
  const sources: Record<string, MixtureSourceStats> = {};
  for (const s of present) {
    const a = available(s);
    const n = requested.get(s) ?? 0;
    const sorted = bySource.get(s)!;
    let take: Take;
    let sampling: MixtureSourceStats['sampling'];
    if (n < a) {
      take = { base: 0, extraBelow: thresholdFor(sorted, n) };
      sampling = 'down';
    } else if (n === a) {
      take = { base: 1, extraBelow: 0 };
      sampling = 'all';
    } else if (recipe.upsample && a > 0) {
      take = { base: Math.floor(n / a), extraBelow: thresholdFor(sorted, n % a) };
      sampling = 'up';
    } else {
      take = { base: 1, extraBelow: 0 };
      sampling = 'short';
    }
    takes.set(s, take);
    const cap = named[s]?.cap;
    sources[s] = {
      weight: weightOf(s),
      ...(cap !== undefined ? { cap } : {}),
      available: a,
      requested: n,
      actual: 0,
      sampling,
    };
  }
  const times = (source: string, hash: number) => {
    const t = takes.get(source);
    return t ? t.base + (hash < t.extraBelow ? 1 : 0) : 0;
  };

  // Category caps: a category over its cap keeps its copies with the smallest hashes.
  const categoryCut = new Map<string, { below: number; atMost: number }>();
  const categories: MixtureSummary['categories'] = {};
  const categoryNames = [...new Set([...groups.values()].map((g) => g.category))].sort();
  for (const c of categoryNames) {
    const copies: [number, number][] = [];
    let availableInCategory = 0;
    for (const g of groups.values()) {
      if (g.category !== c) continue;
      availableInCategory += g.hashes.length;
      for (const h of g.hashes) {
        const k = times(g.source, h);
        if (k > 0) copies.push([h, k]);
      }
    }
    copies.sort((x, y) => x[0] - y[0]);
    const selected = copies.reduce((n, [, k]) => n + k, 0);
    const cap = recipe.categories?.[c]?.cap;
    let actual = selected;
    if (cap !== undefined && selected > cap) {
      // Keep whole rows while they fit; the row at the boundary keeps only the copies that fit.
      let n = 0;
      let i = 0;
      while (i < copies.length && n + copies[i]![1] <= cap) n += copies[i++]![1];
      const boundary = copies[i];
      categoryCut.set(c, {
        below: boundary ? boundary[0] : Number.POSITIVE_INFINITY,
        atMost: boundary ? cap - n : 0,
      });
      actual = cap;
    }
    categories[c] = { ...(cap !== undefined ? { cap } : {}), available: availableInCategory, actual };
  }
  /** Copies of a row in the mixture: its source's take, then its category's cap. */
  const copiesOf = (source: string, category: string, hash: number): number => {
    const k = times(source, hash);
    const cut = categoryCut.get(category);
    if (!cut || k === 0 || hash < cut.below) return k;
    return hash === cut.below ? Math.min(k, cut.atMost) : 0;
  };

  // The per-source actual counts, after the category caps (one more pass over the hashes).
  for (const g of groups.values()) {
    for (const h of g.hashes) sources[g.source]!.actual += copiesOf(g.source, g.category, h);
  }
  const missingSources = listed
    ? Object.keys(named)
        .filter((s) => !bySource.has(s))
        .sort()
    : [];
  const rows = Object.values(categories).reduce((n, c) => n + c.actual, 0);

  const source: RowSource = {
    categories: () => store.categories(),
    async *rows(category: string) {
      for await (const batch of store.rows(category)) {
        const out: DatasetRow[] = [];
        for (const row of batch) {
          const k = copiesOf(sourceOf(row), category, mixtureHash(recipe.seed, row.id));
          for (let i = 0; i < k; i++) out.push(row);
        }
        if (out.length > 0) yield out;
      }
    },
  };
  return {
    source,
    summary: {
      seed: recipe.seed,
      ...(recipe.total !== undefined ? { total: recipe.total } : {}),
      upsample: recipe.upsample,
      rows,
      accepted,
      sources,
      categories,
      missingSources,
    },
  };
}
