/**
 * Benchmark of the decontamination index on synthetic test sets and rows.
 *
 *   node --import tsx bench/decontaminate.ts [--ngrams N] [--rows N] [--quick] [--out path]
 *
 * Test items are generated deterministically: half Japanese (60–200 characters
 * from a pool of 400 kana and kanji), half English (30–80 words from a
 * 5,000-word vocabulary), until the index holds about `--ngrams` distinct
 * n-grams (default 2,000,000; `--quick` 200,000). Then `--rows` rows (default
 * 200,000; quick 20,000), half Japanese and half English, are checked; 1% have
 * a 20-character (ja) or 16-word (en) passage of a random test item planted in
 * their output. It reports build time, table bytes per million n-grams, heap
 * growth, cache write and load time, check throughput, recall on the planted
 * rows and rows flagged without a plant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ContaminationIndex, type TestItem } from '@tane/plugin-decontaminate';
import { writeResult } from './fixtures/write-result.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん';
const KANJI =
  '日本語会議資料請求書契約期限金額担当部署営業経理総務人事報告確認予定変更連絡提出承認申請管理運用開発品質顧客取引先商品価格在庫注文配送返品問合回答説明案内方針計画目標実績売上利益費用予算決算年月週時分社員';
const POOL = [...KANA, ...KANJI];
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);

function jaText(rng: () => number, min: number, max: number): string {
  const n = min + Math.floor(rng() * (max - min));
  let s = '';
  for (let i = 0; i < n; i++) s += POOL[Math.floor(rng() * POOL.length)];
  return s;
}

function enText(rng: () => number, min: number, max: number): string {
  const n = min + Math.floor(rng() * (max - min));
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(VOCAB[Math.floor(rng() * VOCAB.length)]!);
  return words.join(' ');
}

export async function main(argv: string[] = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ngrams: { type: 'string' },
      rows: { type: 'string' },
      quick: { type: 'boolean', default: process.env.TANE_BENCH_QUICK === '1' },
      out: { type: 'string', default: 'bench/results/decontaminate.json' },
    },
  });
  const targetNgrams = Number(values.ngrams ?? (values.quick ? 200_000 : 2_000_000));
  const rowCount = Number(values.rows ?? (values.quick ? 20_000 : 200_000));
  const rng = mulberry32(13);

  const items: TestItem[] = [];
  const index = new ContaminationIndex();
  const heapBefore = process.memoryUsage().heapUsed;
  const buildStart = performance.now();
  while (index.stats().ngrams < targetNgrams) {
    for (let k = 0; k < 1000; k++) {
      const ja = items.length % 2 === 0;
      const text = ja ? jaText(rng, 60, 200) : enText(rng, 30, 80);
      const item: TestItem = {
        benchmark: ja ? 'synthetic-ja' : 'synthetic-en',
        id: String(items.length),
        texts: [{ field: 'input', text }],
      };
      items.push(item);
      index.addItem(item);
    }
  }
  const buildMs = performance.now() - buildStart;
  const stats = index.stats();
  const heapAfter = process.memoryUsage().heapUsed;

  const dir = mkdtempSync(join(os.tmpdir(), 'tane-bench-decontaminate-'));
  const cacheFile = join(dir, 'index.idx');
  const w0 = performance.now();
  await writeFile(cacheFile, index.toBytes('bench'));
  const cacheWriteMs = performance.now() - w0;
  const l0 = performance.now();
  const loaded = ContaminationIndex.fromBytes(await readFile(cacheFile), 'bench');
  const cacheLoadMs = performance.now() - l0;
  rmSync(dir, { recursive: true, force: true });
  if (!loaded) throw new Error('cache did not load');

  let planted = 0;
  let caught = 0;
  let flaggedUnplanted = 0;
  const rowRng = mulberry32(42);
  const rows: { texts: { field: string; text: string }[]; plant: boolean }[] = [];
  for (let i = 0; i < rowCount; i++) {
    const ja = i % 2 === 0;
    const instruction = ja ? jaText(rowRng, 15, 40) : enText(rowRng, 8, 20);
    const input = ja ? jaText(rowRng, 40, 200) : enText(rowRng, 20, 60);
    let output = ja ? jaText(rowRng, 20, 150) : enText(rowRng, 10, 50);
    const plant = rowRng() < 0.01;
    if (plant) {
      const source = items[Math.floor(rowRng() * (items.length / 2)) * 2 + (ja ? 0 : 1)]!.texts[0]!.text;
      if (ja) {
        const start = Math.floor(rowRng() * (source.length - 20));
        output = `${output}${source.slice(start, start + 20)}`;
      } else {
        const words = source.split(' ');
        const start = Math.floor(rowRng() * (words.length - 16));
        output = `${output} ${words.slice(start, start + 16).join(' ')}`;
      }
    }
    rows.push({
      texts: [
        { field: 'instruction', text: instruction },
        { field: 'input', text: input },
        { field: 'output', text: output },
      ],
      plant,
    });
  }
  const checkStart = performance.now();
  for (const row of rows) {
    const m = loaded.check(row.texts);
    if (row.plant) {
      planted++;
      if (m) caught++;
    } else if (m) flaggedUnplanted++;
  }
  const checkMs = performance.now() - checkStart;

  const result = {
    benchmark: 'decontaminate',
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
    node: process.version,
    date: new Date().toISOString(),
    testItems: items.length,
    ngrams: stats.ngrams,
    tableBytes: stats.tableBytes,
    tableMBPerMillionNgrams: Math.round(((stats.tableBytes / stats.ngrams) * 1e6) / 1e5) / 10,
    heapGrowthMBPerMillionNgrams: Math.round((((heapAfter - heapBefore) / stats.ngrams) * 1e6) / 1e5) / 10,
    buildMs: Math.round(buildMs),
    buildNgramsPerSecond: Math.round(stats.ngrams / (buildMs / 1000)),
    cacheFileMB: Math.round(stats.tableBytes / 1e5) / 10,
    cacheWriteMs: Math.round(cacheWriteMs),
    cacheLoadMs: Math.round(cacheLoadMs),
    rowsChecked: rowCount,
    checkMs: Math.round(checkMs),
    rowsPerSecond: Math.round(rowCount / (checkMs / 1000)),
    microsecondsPerRow: Math.round((checkMs * 1000) / rowCount),
    planted,
    caught,
    recall: planted ? caught / planted : 1,
    flaggedUnplanted,
  };
  return writeResult(values.out, result);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
