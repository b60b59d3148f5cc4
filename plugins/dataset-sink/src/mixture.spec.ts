import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import type { RowSource } from './export-formats.ts';
import { apportion, type MixtureRecipe, planMixture } from './mixture.ts';

function row(id: string, category: string, source?: string): DatasetRow {
  return {
    id,
    category,
    instruction: `i ${id}`,
    input: '',
    output: `o ${id}`,
    meta: { repairs: 0, ...(source ? { import: { source: `${source}@abc123` } } : {}) },
    lineage: [],
  };
}

/** A row source over `rows`, in the given order, in batches of 7. */
function sourceOf(rows: DatasetRow[]): RowSource {
  const categories = [...new Set(rows.map((r) => r.category))];
  return {
    categories: () => categories.map((category) => ({ category, folder: category })),
    async *rows(category: string) {
      const mine = rows.filter((r) => r.category === category);
      for (let i = 0; i < mine.length; i += 7) yield mine.slice(i, i + 7);
    },
  };
}

async function mix(rows: DatasetRow[], recipe: Partial<MixtureRecipe>) {
  const { source, summary } = await planMixture(sourceOf(rows), { seed: 1, upsample: false, ...recipe });
  const out: DatasetRow[] = [];
  for (const { category } of source.categories()) for await (const b of source.rows(category)) out.push(...b);
  return { ids: out.map((r) => r.id), summary };
}

// 100 rows of dolly (60 qa, 40 sum), 50 generated (25 qa, 25 sum).
const dolly = Array.from({ length: 100 }, (_, i) => row(`d${i}`, i < 60 ? 'qa' : 'sum', 'dolly'));
const generated = Array.from({ length: 50 }, (_, i) => row(`g${i}`, i % 2 ? 'qa' : 'sum'));
const all = [...dolly, ...generated];
const count = (ids: string[], prefix: string) => ids.filter((id) => id.startsWith(prefix)).length;
const shuffled = <T>(xs: T[], seed: number) =>
  xs
    .map((x, i) => ({ x, k: (i * 7919 + seed * 104729) % 10007 }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x);

describe('planMixture', () => {
  it('gives each source its share of the total, by a seeded sample that ignores arrival order', async () => {
    const recipe = { total: 60, sources: { dolly: { weight: 1 }, generated: { weight: 1 } } };
    const a = await mix(all, recipe);
    expect(count(a.ids, 'd')).toBe(30);
    expect(count(a.ids, 'g')).toBe(30);
    expect(a.summary.sources.dolly).toMatchObject({
      available: 100,
      requested: 30,
      actual: 30,
      sampling: 'down',
    });
    expect(a.summary.rows).toBe(60);
    const b = await mix(shuffled(all, 3), recipe);
    expect([...b.ids].sort()).toEqual([...a.ids].sort());
    // Another seed, another sample of the same size.
    const c = await mix(all, { ...recipe, seed: 2 });
    expect(c.ids).toHaveLength(60);
    expect([...c.ids].sort()).not.toEqual([...a.ids].sort());
  });

  it('raising a request only adds rows', async () => {
    const small = await mix(all, { total: 40, sources: { dolly: { weight: 1 }, generated: { weight: 1 } } });
    const large = await mix(all, { total: 80, sources: { dolly: { weight: 1 }, generated: { weight: 1 } } });
    for (const id of small.ids) expect(large.ids).toContain(id);
  });

  it('up-samples a short source only when asked, and says so', async () => {
    const recipe = { total: 300, sources: { dolly: { weight: 1 }, generated: { weight: 1 } } };
    const short = await mix(all, recipe);
    expect(short.summary.sources.generated).toMatchObject({ requested: 150, actual: 50, sampling: 'short' });
    expect(short.summary.sources.dolly).toMatchObject({ requested: 150, actual: 100, sampling: 'short' });
    const up = await mix(all, { ...recipe, upsample: true });
    expect(up.summary.sources.generated).toMatchObject({ requested: 150, actual: 150, sampling: 'up' });
    expect(count(up.ids, 'g')).toBe(150);
    expect(new Set(up.ids.filter((id) => id.startsWith('g'))).size).toBe(50); // every row 3 times
    expect(count(up.ids, 'd')).toBe(150); // every dolly row once, 50 of them twice
  });

  it('without a total, gives the largest mixture with those proportions; caps bound a source', async () => {
    const r = await mix(all, { sources: { dolly: { weight: 2 }, generated: { weight: 1 } } });
    expect(count(r.ids, 'd')).toBe(100);
    expect(count(r.ids, 'g')).toBe(50);
    const capped = await mix(all, { sources: { dolly: { weight: 1, cap: 20 }, generated: { weight: 1 } } });
    expect(count(capped.ids, 'd')).toBe(20);
    expect(count(capped.ids, 'g')).toBe(50);
    // A source the recipe does not name is left out; one it names without rows is listed.
    const only = await mix(all, { sources: { generated: {}, oasst: { weight: 1 } } });
    expect(count(only.ids, 'd')).toBe(0);
    expect(only.summary.missingSources).toEqual(['oasst']);
  });

  it('a category cap keeps that many rows of the category, over all sources', async () => {
    const r = await mix(all, { categories: { qa: { cap: 10 } } });
    const qa = r.ids.filter((id) => all.find((x) => x.id === id)?.category === 'qa');
    expect(qa).toHaveLength(10);
    expect(r.summary.categories.qa).toEqual({ cap: 10, available: 85, actual: 10 });
    expect(r.summary.categories.sum).toEqual({ available: 65, actual: 65 });
    expect(r.summary.sources.dolly!.actual + r.summary.sources.generated!.actual).toBe(75);
  });

  it('asks for exactly the total when the weights do not divide it', async () => {
    // Three equal weights of 100 rows: rounding each third gives 99 rows; the largest
    // remainder goes to the first source by name.
    const oasst = Array.from({ length: 60 }, (_, i) => row(`o${i}`, 'qa', 'oasst'));
    const r = await mix([...all, ...oasst], {
      total: 100,
      sources: { dolly: { weight: 1 }, generated: { weight: 1 }, oasst: { weight: 1 } },
    });
    expect(r.ids).toHaveLength(100);
    expect([
      r.summary.sources.dolly!.requested,
      r.summary.sources.generated!.requested,
      r.summary.sources.oasst!.requested,
    ]).toEqual([34, 33, 33]);
  });

  it('apportions by largest remainder', () => {
    const parts = apportion(
      [
        ['a', 0.455],
        ['b', 0.345],
        ['c', 0.2],
      ],
      7,
    );
    // Quotas 3.185, 2.415, 1.4: floors 3, 2, 1 and the one row left goes to b.
    expect([...parts]).toEqual([
      ['a', 3],
      ['b', 3],
      ['c', 1],
    ]);
  });
});
