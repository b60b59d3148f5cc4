import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  comparisonText,
  DedupIndex,
  jaccard,
  MinHasher,
  mulberry32,
  rougeL,
  rougeTokens,
} from '@tane/plugin-dedup';
import { writeResult } from './fixtures/write-result.ts';

const THRESHOLD = 0.7;
const CATEGORIES = 20;
const PLANT_RATE = 0.05;

// ---------- deterministic synthetic data ----------

const KANJI =
  '日本語請求書金額抽出会議議事録契約条項顧客対応返信要約分類翻訳報告資料予算計画売上利益在庫発注納品検収支払期限担当部署営業企画開発品質保証人事総務経理法務広報製造物流購買設備安全教育研修採用評価目標課題改善提案承認申請確認連絡調整依頼回答説明案内通知変更中止延期完了開始終了予定実績分析結果比較検討方針戦略市場競合価格割引送料税込税抜合計小計数量単価明細番号住所電話氏名会社株式有限事務所店舗工場倉庫本社支店';
const KANA_WORDS = [
  'システム',
  'データ',
  'サービス',
  'プロジェクト',
  'メール',
  'ミーティング',
  'スケジュール',
  'レポート',
  'クライアント',
  'チーム',
  'マニュアル',
  'アカウント',
  'サポート',
  'キャンペーン',
  'プラン',
  'オプション',
];
const PARTICLES = ['を', 'が', 'の', 'に', 'で', 'と', 'から', 'へ', 'より', 'について'];
const JA_TEMPLATES: string[][] = Array.from({ length: 10 }, (_, c) => [
  `次の{N}から{N}と{N}を抽出し、JSON形式で出力してください。`,
  `以下の{N}を読んで、{N}の要点を${3 + c}つにまとめてください。`,
  `次の{N}に対して、{N}への丁寧な返信メールを書いてください。`,
  `{N}に関する以下の文章を、${c % 2 ? '箇条書き' : '表形式'}で整理してください。`,
  `以下の{N}の内容を{N}向けにわかりやすく説明してください。`,
]);
const EN_WORDS =
  'the a customer order invoice meeting report summary email reply team project budget plan sales market product service delivery payment contract clause policy review request approval schedule deadline update issue risk quality support account manager staff office client partner supplier price discount total amount number date address phone name company department goal result analysis proposal training safety system data record note letter notice change delay complete start end please kindly urgent new old first last next weekly monthly annual'.split(
    ' ',
  );
const EN_TEMPLATES: string[][] = Array.from({ length: 10 }, (_, c) => [
  `Extract the {W} and the {W} from the following {W} and return them as JSON.`,
  `Summarise the following {W} in ${3 + c} bullet points for the {W} team.`,
  `Write a polite reply to the {W} about the {W} described below.`,
  `Classify the following {W} as ${c % 2 ? 'urgent or routine' : 'positive, negative or neutral'}.`,
  `Explain the {W} below to a new {W} in plain language.`,
]);

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[rng() % list.length]!;
}
function kanjiWord(rng: () => number): string {
  const n = 2 + (rng() % 2);
  let w = '';
  for (let i = 0; i < n; i++) w += KANJI[rng() % KANJI.length];
  return w;
}
function jaNoun(rng: () => number): string {
  return rng() % 4 === 0 ? pick(rng, KANA_WORDS) : kanjiWord(rng);
}
function enWord(rng: () => number): string {
  if (rng() % 5 !== 0) return pick(rng, EN_WORDS);
  const syl = ['ka', 'ro', 'mi', 'ten', 'sa', 'lo', 'ver', 'an', 'dri', 'mo', 'zel', 'pu'];
  return pick(rng, syl) + pick(rng, syl) + pick(rng, syl);
}

interface Example {
  instruction: string;
  input: string;
}

function baseRecord(i: number): Example {
  const rng = mulberry32(i * 2654435761);
  const category = i % CATEGORIES;
  const ja = category < 10;
  const templates = (ja ? JA_TEMPLATES : EN_TEMPLATES)[category % 10]!;
  const instruction = pick(rng, templates).replace(/\{[NW]\}/g, () => (ja ? jaNoun(rng) : enWord(rng)));
  const target = 60 + (rng() % 190);
  let input = '';
  while (input.length < target) {
    if (ja) {
      input += `${jaNoun(rng)}${pick(rng, PARTICLES)}${jaNoun(rng)}${pick(rng, PARTICLES)}${rng() % 1000}件${pick(rng, ['です', 'でした', 'を確認しました', 'が必要です'])}。`;
    } else {
      input += `${enWord(rng)} ${enWord(rng)} ${enWord(rng)} ${rng() % 1000} ${enWord(rng)} ${enWord(rng)}. `;
    }
  }
  return { instruction, input };
}

/** Whether record i is a planted near duplicate, and of which earlier record. */
function plantedSource(i: number): number {
  if (i < CATEGORIES * 10) return -1;
  const rng = mulberry32(i ^ 0x5bd1e995);
  if (rng() / 0x100000000 >= PLANT_RATE) return -1;
  for (let attempt = 0; attempt < 4; attempt++) {
    const back = 1 + (rng() % Math.min(Math.floor(i / CATEGORIES), 20000));
    const source = i - back * CATEGORIES;
    if (plantedSourceCheap(source)) continue;
    return source;
  }
  return -1;
}
function plantedSourceCheap(i: number): boolean {
  if (i < CATEGORIES * 10) return false;
  return mulberry32(i ^ 0x5bd1e995)() / 0x100000000 < PLANT_RATE;
}

const JA_EDITS: [RegExp, string][] = [
  [/から/, 'より'],
  [/を/, 'が'],
  [/、/, ''],
  [/。/, '！'],
  [/ください/, '下さい'],
  [/JSON形式/, 'JSON'],
  [/の/, 'から'],
];
const EN_EDITS: [RegExp, string][] = [
  [/Summarise/, 'Summarize'],
  [/the /, 'a '],
  [/\. /, '; '],
  [/ and /, ' & '],
  [/polite/, 'courteous'],
  [/following/, 'below'],
];

function record(i: number): Example {
  const source = plantedSource(i);
  if (source < 0) return baseRecord(i);
  const ex = baseRecord(source);
  const rng = mulberry32(i * 40503 + 7);
  const ja = i % CATEGORIES < 10;
  const edits = 1 + (rng() % 6);
  let { instruction, input } = ex;
  for (let e = 0; e < edits; e++) {
    const kind = rng() % 4;
    if (kind === 0) {
      const [re, to] = pick(rng, ja ? JA_EDITS : EN_EDITS);
      instruction = instruction.replace(re, to);
    } else if (kind === 1) {
      const [re, to] = pick(rng, ja ? JA_EDITS : EN_EDITS);
      input = input.replace(re, to);
    } else if (kind === 2) {
      input = input.replace(/\d+/, String(rng() % 1000));
    } else {
      const at = rng() % Math.max(1, input.length - 4);
      input = input.slice(0, at) + (ja ? jaNoun(rng) : ` ${enWord(rng)}`) + input.slice(at + 2);
    }
  }
  return { instruction, input };
}

const idOf = (i: number): string => i.toString(16).padStart(24, '0');

// ---------- run ----------

export async function main(argv: string[] = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      quick: { type: 'boolean', default: process.env.TANE_BENCH_QUICK === '1' },
      rouge: { type: 'boolean', default: false },
      'min-shared-bands': { type: 'string' },
      'bucket-cap': { type: 'string' },
      scope: { type: 'string', default: 'category' },
      out: { type: 'string', default: 'bench/results/dedup.json' },
    },
  });
  const N = Number(values.records ?? (values.quick ? 100_000 : 1_000_000));

  const minSharedBands =
    values['min-shared-bands'] === undefined ? undefined : Number(values['min-shared-bands']);
  const index = new DedupIndex({
    threshold: THRESHOLD,
    ...(values.rouge ? { rougeL: { enabled: true, threshold: 0.7 } } : {}),
    ...(minSharedBands === undefined ? {} : { minSharedBands }),
    ...(values['bucket-cap'] === undefined ? {} : { bucketCap: Number(values['bucket-cap']) }),
  });
  if (values.scope !== 'category' && values.scope !== 'global')
    throw new Error(`--scope is category or global, got ${values.scope}`);
  const scopeOf = values.scope === 'global' ? () => '' : (i: number) => String(i % CATEGORIES);
  const flagged = new Uint8Array(N); // 0 unique, 1 exact, 2 near
  const duplicateOf = new Int32Array(N).fill(-1);
  let generationMs = 0;
  let peakRss = 0;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const g0 = performance.now();
    const ex = record(i);
    generationMs += performance.now() - g0;
    const d = index.offer(idOf(i), ex, scopeOf(i));
    if (d.status === 'duplicate') {
      flagged[i] = d.reason === 'exact' ? 1 : 2;
      duplicateOf[i] = Number.parseInt(d.duplicateOf, 16);
    }
    if ((i & 0xffff) === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      if (i > 0)
        process.stderr.write(`\r${i} records, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  process.stderr.write('\n');
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const heapUsed = process.memoryUsage().heapUsed;

  // ---------- quality, checked exactly (3-gram Jaccard, or ROUGE-L F1 with --rouge) ----------

  const hasher = new MinHasher({ ngram: 3, numPerm: 128, bands: 32, rows: 4 });
  const fields = ['instruction', 'input'] as const;
  const tokens = (i: number) => {
    const ex = record(i);
    return rougeTokens(`${ex.instruction}\n${ex.input}`);
  };
  const trueJaccard = values.rouge
    ? (a: number, b: number): number => rougeL(tokens(a), tokens(b))
    : (a: number, b: number): number =>
        jaccard(
          hasher.shingleSet(comparisonText(record(a), fields)),
          hasher.shingleSet(comparisonText(record(b), fields)),
        );

  let planted = 0;
  let plantedAbove = 0;
  let caughtAbove = 0;
  let plantedBelow = 0;
  let caughtBelow = 0;
  let notPlanted = 0;
  let flaggedNotPlanted = 0;
  let falsePositives = 0;
  let flaggedTotal = 0;
  const buckets: Record<string, { planted: number; caught: number }> = {};
  for (let i = 0; i < N; i++) {
    const source = plantedSource(i);
    if (flagged[i]) flaggedTotal++;
    if (source >= 0) {
      planted++;
      const j = trueJaccard(i, source);
      const bucket = (Math.floor(j * 10) / 10).toFixed(1);
      const b = (buckets[bucket] ??= { planted: 0, caught: 0 });
      b.planted++;
      if (flagged[i]) b.caught++;
      if (j >= THRESHOLD) {
        plantedAbove++;
        if (flagged[i]) caughtAbove++;
      } else {
        plantedBelow++;
        if (flagged[i]) caughtBelow++;
      }
    } else {
      notPlanted++;
      if (flagged[i]) flaggedNotPlanted++;
    }
    if (flagged[i] && trueJaccard(i, duplicateOf[i]!) < THRESHOLD) falsePositives++;
  }

  const peakRssMB = Math.round(Math.max(peakRss, maxRssBytes) / 2 ** 20);
  const recallAbove = plantedAbove === 0 ? null : Math.round((caughtAbove / plantedAbove) * 10000) / 10000;
  const result = {
    benchmark: 'dedup',
    summary: {
      records: N,
      wallSeconds: Math.round(wallMs) / 1000,
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      peakRssMB,
      recallAtOrAboveThreshold: recallAbove,
      falsePositiveRate: Math.round((falsePositives / N) * 1e6) / 1e6,
      withinGoals: wallMs <= 120_000 && peakRssMB <= 2048,
    },
    createdAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    records: N,
    settings: {
      scope: values.scope,
      bucketCap: index.bucketCap,
      categories: CATEGORIES,
      ngram: 3,
      numPerm: 128,
      bands: 32,
      rows: 4,
      threshold: THRESHOLD,
      rougeL: values.rouge ? { enabled: true, threshold: 0.7 } : { enabled: false },
      minSharedBands: minSharedBands ?? (values.rouge ? 1 : 2),
    },
    wallSeconds: Math.round(wallMs) / 1000,
    generationSeconds: Math.round(generationMs) / 1000,
    indexSeconds: Math.round(wallMs - generationMs) / 1000,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    recordsPerSecond: Math.round(N / (wallMs / 1000)),
    // Wall time depends on what else the machine runs; CPU time does not.
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    cpus: os.cpus().length,
    peakRssMB,
    heapUsedMB: Math.round(heapUsed / 2 ** 20),
    indexTypedArrayMB: Math.round(index.typedArrayBytes / 2 ** 20),
    bytesPerIndexedRecord: Math.round(Math.max(peakRss, maxRssBytes) / index.size),
    indexed: index.size,
    flagged: flaggedTotal,
    planted,
    recall: {
      atOrAboveThreshold: recallAbove,
      plantedAtOrAboveThreshold: plantedAbove,
      belowThresholdFlagged:
        plantedBelow === 0 ? null : Math.round((caughtBelow / plantedBelow) * 10000) / 10000,
      plantedBelowThreshold: plantedBelow,
      byTrueJaccard: buckets,
    },
    falsePositives: {
      description:
        'flagged records whose true 3-gram Jaccard to the record named as their original is below the threshold',
      count: falsePositives,
      rate: Math.round((falsePositives / N) * 1e6) / 1e6,
      flaggedNotPlanted,
      notPlanted,
    },
    goals: { wallSeconds: 120, peakRssMB: 2048 },
  };
  return writeResult(values.out!, result);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
