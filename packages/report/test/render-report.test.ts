import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDataset, renderReport, writeReport } from '../src/index.ts';
import { writeFixtureDataset } from './fixture-dataset.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tane-report-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('readDataset', () => {
  it('reads envelope and flat rows, every shard, and the optional files', async () => {
    const dir = tempDir();
    const fx = writeFixtureDataset(dir);
    const s = await readDataset(dir, { samplesPerCategory: 2 });
    expect(s.rowsRead).toBe(fx.accepted);
    expect(s.categories.map((c) => c.id)).toEqual(fx.categories);
    const invoice = s.categories.find((c) => c.id === 'invoice-extraction')!;
    expect(invoice.rowsRead).toBe(36);
    expect(invoice.samples).toHaveLength(2);
    expect(invoice.judgeScoresFrom).toBe('manifest');
    expect(s.categories.find((c) => c.id === 'translation-ja-en')!.instruction.p50).toBe(21);
    // Clusters: 5, 3 and 1 duplicates of the first three invoice rows; the kept instruction is looked up.
    expect(s.duplicateRows).toBe(fx.duplicates);
    expect(s.clusters[0]).toMatchObject({
      keptId: 'invoice-extraction-0000',
      category: 'invoice-extraction',
    });
    expect(s.clusters[0]!.members).toHaveLength(5);
    expect(s.clusters[0]!.keptInstruction).toBe(fx.japanese);
    expect(s.usage?.totals.promptTokens).toBe(410_000);
    expect(s.badLines).toBe(1);
    expect(s.problems).toEqual(['1 line was not a JSON example and was skipped']);
    // The duplicate repeated in rejected.jsonl is counted once.
    const dupCount = s.rejections.filter((r) => r.status === 'duplicate').reduce((a, r) => a + r.count, 0);
    expect(dupCount).toBe(fx.duplicates);
  });

  it('lists the members of the clusters it shows only, wherever they are filed', async () => {
    const dir = tempDir();
    writeFixtureDataset(dir);
    // A duplicate filed in rejected.jsonl belongs to its cluster too; and it makes the second
    // invoice cluster (3 in duplicates.jsonl) as large as 4.
    const extra = {
      id: 'invoice-extraction-late',
      category: 'invoice-extraction',
      instruction: 'late duplicate',
      input: '',
      output: 'x',
      meta: {
        outcome: { status: 'duplicate', reason: 'near', detail: { duplicateOf: 'invoice-extraction-0001' } },
      },
    };
    writeFileSync(
      join(dir, 'rejected.jsonl'),
      `${readFileSync(join(dir, 'rejected.jsonl'), 'utf8')}${JSON.stringify(extra)}\n`,
    );
    const s = await readDataset(dir, { clusters: 2 });
    expect(s.clusters.map((c) => [c.keptId, c.members.length])).toEqual([
      ['invoice-extraction-0000', 5],
      ['invoice-extraction-0001', 4],
    ]);
    expect(s.clusters[1]!.members.map((m) => m.id).at(-1)).toBe('invoice-extraction-late');
    expect(s.clusters[0]!.members.map((m) => m.id)).toEqual(
      [0, 1, 2, 3, 4].map((d) => `invoice-extraction-dup-${d}`),
    );
  });

  it('says that a kept example missing from the shards is a seed or a row of another dataset', async () => {
    const dir = tempDir();
    writeFixtureDataset(dir);
    const file = join(dir, 'duplicates.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('invoice-extraction-0000', 'seed-invoice-01'));
    const html = await renderReport({ datasetDir: dir });
    expect(html).toContain('<code>seed-invoice-01</code>) is not a row of this dataset: it is a seed');
    expect(html).not.toContain('not found in the shards');
  });

  it('gives the same samples every time', async () => {
    const dir = tempDir();
    writeFixtureDataset(dir);
    const ids = async () => (await readDataset(dir)).categories.flatMap((c) => c.samples.map((r) => r.id));
    expect(await ids()).toEqual(await ids());
  });

  it('says what is wrong when the manifest is missing or broken', async () => {
    const dir = tempDir();
    await expect(readDataset(dir)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      hint: expect.stringContaining('manifest.json'),
    });
    writeFileSync(join(dir, 'manifest.json'), '{"runId": ');
    await expect(readDataset(dir)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      where: join(dir, 'manifest.json'),
    });
  });

  it('copes with a bare manifest: no shards list, no counts, unknown fields', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ categories: { a: {} }, whatever: [1, 2] }));
    const s = await readDataset(dir);
    expect(s.categories).toHaveLength(1);
    expect(s.rowsRead).toBe(0);
    expect(s.problems).toContain('no shards found: lengths and samples cannot be shown');
    const html = await renderReport({ datasetDir: dir });
    expect(html).toContain('token use is not known for this run');
    expect(html).toContain('No dataset rows were read');
  });
});

describe('renderReport', () => {
  it('renders every section, escapes the data and keeps Japanese text', async () => {
    const dir = tempDir();
    const fx = writeFixtureDataset(dir, { simulator: true });
    const html = await renderReport({ datasetDir: dir, title: 'Run <42>', samplesPerCategory: 40 });
    expect(html).toContain('<title>Run &lt;42&gt;</title>');
    expect(html).toContain('run-2024-08-15-a1b2');
    expect(html).toContain('generator: mistralai/Mixtral-8x22B-Instruct-v0.1');
    expect(html).toContain('@tane/plugin-judge@0.1.0 (judge)');
    expect(html).toContain('Simulated run.');
    for (const id of [
      'summary',
      'targets',
      'funnel',
      'judge',
      'lengths',
      'duplicates',
      'tokens',
      'samples',
      'files',
    ]) {
      expect(html).toContain(`<section id="${id}"`);
    }
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(html).toContain(fx.japanese);
    expect(html).toContain('lang="ja"');
    // sql-query has 20 of 50: thin; translation has 31 of 30: not.
    expect(html).toMatch(/sql-query<span class="badge warn">thin<\/span>/);
    expect(html).not.toMatch(/translation-ja-en<span class="badge warn">thin/);
    // Nothing to load: every link stays on the page.
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
  });

  it('says which optional inputs are missing', async () => {
    const dir = tempDir();
    writeFixtureDataset(dir, { minimal: true });
    const html = await renderReport({ datasetDir: dir });
    expect(html).toContain('No <code>usage.json</code> in the dataset folder');
    expect(html).toContain('Neither <code>duplicates.jsonl</code> nor <code>rejected.jsonl</code>');
    expect(html).not.toContain('Simulated run.');
  });

  it('writes report.html into the dataset folder by default', async () => {
    const dir = tempDir();
    writeFixtureDataset(dir, { minimal: true });
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, 'report.html'));
    expect(readFileSync(path, 'utf8')).toMatch(/^<!doctype html>/);
    const other = await writeReport(dir, join(dir, 'elsewhere.html'));
    expect(other).toBe(join(dir, 'elsewhere.html'));
  });
});
