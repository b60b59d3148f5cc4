import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');

function demo(cwd: string, ...extra: string[]) {
  return tane(cwd, 'demo', '--example', 'en-general', '--target', '4', '--progress', 'off', ...extra);
}

function tane(cwd: string, ...args: string[]) {
  const env = { ...process.env };
  delete env.OPENAI_BASE_URL;
  delete env.OPENAI_API_KEY;
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, out: r.stdout, all: r.stdout + r.stderr };
}

function shardIds(dataset: string): string[] {
  const ids: string[] = [];
  const shards = join(dataset, 'shards');
  for (const category of readdirSync(shards)) {
    for (const file of readdirSync(join(shards, category))) {
      for (const line of readFileSync(join(shards, category, file), 'utf8').split('\n')) {
        if (line.trim()) ids.push((JSON.parse(line) as { id: string }).id);
      }
    }
  }
  return ids;
}

describe('tane demo (the main job)', () => {
  it('runs end to end on the simulator, says so, balances the books, and a second run duplicates nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tane-demo-'));
    const first = demo(cwd);
    expect(first.code, first.all).toBe(0);
    expect(first.out).toContain('SIMULATOR');
    expect(first.out).toContain('OPENAI_BASE_URL');
    expect(first.out).toContain('accounting balances');
    const dataset = join(cwd, '.tane/datasets/en-general');
    for (const f of [
      'manifest.json',
      'README.md',
      'report.html',
      'exports/plain.jsonl',
      'exports/alpaca.json',
      'exports/openai.jsonl',
    ]) {
      expect(existsSync(join(dataset, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(dataset, 'manifest.json'), 'utf8')) as {
      simulator: boolean;
      balanced: boolean;
      categories: Record<string, { accepted: number; generated: number }>;
    };
    expect(manifest.simulator).toBe(true);
    expect(manifest.balanced).toBe(true);
    expect(Object.keys(manifest.categories)).toHaveLength(6);
    for (const c of Object.values(manifest.categories)) expect(c.accepted).toBeGreaterThanOrEqual(4);
    const ids = shardIds(dataset);
    expect(new Set(ids).size).toBe(ids.length);

    const second = demo(cwd);
    expect(second.code, second.all).toBe(0);
    expect(second.out).toContain('seeds: 0 published, 36 already there');
    const again = shardIds(dataset);
    expect(again.sort()).toEqual(ids.sort());
    const manifest2 = JSON.parse(readFileSync(join(dataset, 'manifest.json'), 'utf8')) as typeof manifest;
    expect(manifest2.categories).toEqual(manifest.categories);

    // Another --data-dir is a run of its own, with its own embedded log: the same dataset again.
    const other = demo(cwd, '--data-dir', 'other');
    expect(other.code, other.all).toBe(0);
    expect(other.out).toContain('seeds: 36 published, 0 already there');
    expect(other.out).toContain('accounting balances');
    expect(existsSync(join(cwd, 'other/tane.db'))).toBe(true);
    expect(shardIds(join(cwd, 'other/datasets/en-general')).sort()).toEqual(ids.sort());
  }, 300_000);

  it('--target above the categories file is the quota too; a run that ends below target exits 3', () => {
    // en-general with every category's target lowered to 1 in the file.
    const cwd = mkdtempSync(join(tmpdir(), 'tane-demo-target-'));
    cpSync(resolve(import.meta.dirname, '../../../examples'), join(cwd, 'set'), { recursive: true });
    const categories = join(cwd, 'set/en-general/categories.yaml');
    writeFileSync(categories, readFileSync(categories, 'utf8').replace(/^( +target:) \d+$/gm, '$1 1'));
    const perCategory = (dir: string) =>
      (
        JSON.parse(readFileSync(join(cwd, dir, 'datasets/en-general/manifest.json'), 'utf8')) as {
          categories: Record<string, { accepted: number }>;
        }
      ).categories;

    const run = tane(cwd, 'demo', '--example', 'set/en-general', '--target', '12', '--progress', 'off');
    expect(run.code, run.all).toBe(0);
    const reached = perCategory('.tane');
    expect(Object.keys(reached)).toHaveLength(6);
    for (const [id, c] of Object.entries(reached)) expect(c.accepted, id).toBeGreaterThanOrEqual(12);

    // One round cannot give 60 accepted a category: the run says which are short and exits 3.
    const short = tane(
      cwd,
      'demo',
      '--example',
      'set/en-general',
      '--target',
      '60',
      '--max-rounds',
      '1',
      '--progress',
      'off',
      '--data-dir',
      'short',
    );
    expect(short.code, short.all).toBe(3);
    expect(short.out).toMatch(/categories are below target after 1 rounds/);
  }, 300_000);
});
