import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small dataset folder in the shape the dataset sink writes, for report tests. */

const JA_INSTRUCTIONS = [
  '次の請求書から請求番号、発行日、合計金額を抽出してください。',
  '以下の請求書の内容を読み取り、支払期限と振込先をJSONで答えてください。',
  'この請求書に記載された品目ごとの小計を一覧にしてください。',
];
const JA_INPUT =
  '株式会社サンプル商事 御中\n請求番号: INV-2024-0815\n発行日: 2024年8月15日\n合計金額: ¥1,234,500（税込）';
const JA_OUTPUT = '{"請求番号": "INV-2024-0815", "発行日": "2024-08-15", "合計金額": 1234500}';

const XSS_INSTRUCTION = 'Write SQL for <script>alert("xss")</script> & list users';
const XSS_OUTPUT = "SELECT * FROM users WHERE name = '</pre><img src=x onerror=alert(1)>';";

function repeat(text: string, n: number): string {
  return Array.from({ length: n }, () => text).join(' ');
}

function lines(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

interface CategorySpec {
  id: string;
  accepted: number;
  rejected: number;
  filtered: number;
  duplicates: number;
  dlq: number;
  repaired: number;
  target?: number;
  flat: boolean;
  text: (i: number) => { instruction: string; input: string; output: string };
}

const CATEGORIES: CategorySpec[] = [
  {
    id: 'invoice-extraction',
    accepted: 36,
    rejected: 6,
    filtered: 2,
    duplicates: 9,
    dlq: 1,
    repaired: 5,
    target: 40,
    flat: false,
    text: (i) => ({
      instruction: JA_INSTRUCTIONS[i % 3]!,
      input: i % 2 ? JA_INPUT : '',
      output: repeat(JA_OUTPUT, 1 + (i % 4)),
    }),
  },
  {
    id: 'translation-ja-en',
    accepted: 31,
    rejected: 3,
    filtered: 0,
    duplicates: 3,
    dlq: 0,
    repaired: 2,
    target: 30,
    flat: true,
    text: (i) => ({
      instruction: '次の日本語を自然な英語に翻訳してください。',
      input: repeat(
        'お世話になっております。来週の打ち合わせの日程についてご相談させてください。',
        1 + (i % 3),
      ),
      output: repeat(
        'Thank you for your continued support. I would like to discuss the schedule for next week’s meeting.',
        1 + (i % 3),
      ),
    }),
  },
  {
    id: 'sql-query',
    accepted: 20,
    rejected: 8,
    filtered: 3,
    duplicates: 2,
    dlq: 2,
    repaired: 4,
    target: 50,
    flat: false,
    text: (i) =>
      i === 0
        ? { instruction: XSS_INSTRUCTION, input: 'users(id, name)', output: XSS_OUTPUT }
        : {
            instruction: `Write a SQL query that counts orders per customer in ${2000 + i}.`,
            input: 'orders(id, customer_id, created_at)',
            output: repeat('SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id;', 1 + (i % 5)),
          },
  },
  {
    id: 'faq-answer',
    accepted: 12,
    rejected: 1,
    filtered: 0,
    duplicates: 0,
    dlq: 0,
    repaired: 0,
    flat: true,
    text: (i) => ({
      instruction: 'お客様からの質問に丁寧に回答してください。',
      input: '営業時間を教えてください。',
      output: repeat('平日9時から18時まで営業しております。', 1 + (i % 6)),
    }),
  },
];

export interface FixtureOptions {
  /** Leave out usage.json, duplicates.jsonl and rejected.jsonl. */
  minimal?: boolean;
  simulator?: boolean;
}

/** Writes the fixture into `dir` and returns what a reader should find. */
export function writeFixtureDataset(dir: string, options: FixtureOptions = {}) {
  mkdirSync(dir, { recursive: true });
  const manifestCategories: Record<string, unknown> = {};
  const shards: { path: string; rows: number; sha256: string }[] = [];
  const duplicates: unknown[] = [];
  const rejected: unknown[] = [];
  for (const c of CATEGORIES) {
    const rows = Array.from({ length: c.accepted }, (_, i) => {
      const id = `${c.id}-${String(i).padStart(4, '0')}`;
      const t = c.text(i);
      const meta = {
        judge: { score: i % 7 === 0 ? 4 : 5, verdict: 'accept', reasons: [] },
        repairs: i < c.repaired ? 1 : 0,
        outcome: { status: 'accepted', stage: 'dedup' },
      };
      return c.flat
        ? { id, category: c.id, ...t, meta }
        : { id, type: 'candidate', category: c.id, data: t, meta, lineage: [], headers: {} };
    });
    // Two shards for the first category, to check they add up.
    const parts = c.id === 'invoice-extraction' ? [rows.slice(0, 20), rows.slice(20)] : [rows];
    parts.forEach((part, p) => {
      const rel = `shards/${c.id}/part-${String(p).padStart(5, '0')}.jsonl`;
      mkdirSync(join(dir, 'shards', c.id), { recursive: true });
      writeFileSync(join(dir, rel), lines(part));
      shards.push({ path: rel, rows: part.length, sha256: 'ab'.repeat(32) });
    });
    // Duplicates point at accepted rows: cluster sizes 5, 3, 1 for the first category.
    for (let d = 0; d < c.duplicates; d++) {
      const target = d < 5 ? 0 : d < 8 ? 1 : 2;
      const keptId = `${c.id}-${String(target).padStart(4, '0')}`;
      duplicates.push({
        id: `${c.id}-dup-${d}`,
        type: 'candidate',
        category: c.id,
        data: { ...c.text(target), instruction: `${c.text(target).instruction}（言い換え${d}）` },
        meta: {
          outcome: {
            status: 'duplicate',
            reason: d % 2 ? 'exact' : 'near',
            detail: { duplicateOf: keptId, similarity: 0.9 - d / 100 },
          },
        },
        lineage: [],
        headers: {},
      });
    }
    for (let r = 0; r < c.rejected; r++) {
      const reason = r < c.filtered ? 'filter' : r % 2 ? 'repair_limit' : 'judge';
      rejected.push({
        id: `${c.id}-rej-${r}`,
        category: c.id,
        instruction: `rejected ${r}`,
        input: '',
        output: 'x',
        meta: {
          outcome: { status: 'rejected', reason, ...(reason === 'filter' ? { detail: 'too_short' } : {}) },
        },
      });
    }
    const scores = {
      1: 2,
      2: 3,
      3: c.rejected,
      4: Math.ceil(c.accepted / 7),
      5: c.accepted - Math.ceil(c.accepted / 7),
    };
    manifestCategories[c.id] = {
      generated: c.accepted + c.rejected + c.duplicates + c.dlq,
      accepted: c.accepted,
      repaired: c.repaired,
      rejected: c.rejected,
      duplicates: c.duplicates,
      dlq: c.dlq,
      filtered: c.filtered,
      ...(c.target ? { target: c.target } : {}),
      judgeScores: scores,
      avgInstructionChars: 30,
      avgOutputChars: 80,
    };
  }
  // A duplicate that is also in rejected.jsonl must be counted once.
  rejected.push(duplicates[0]);
  const total = (k: string) =>
    Object.values(manifestCategories).reduce(
      (a: number, c) => a + ((c as Record<string, number>)[k] ?? 0),
      0,
    );
  const manifest = {
    runId: 'run-2024-08-15-a1b2',
    pipeline: 'ja-business',
    createdAt: '2024-08-15T09:30:00.000Z',
    models: {
      generator: 'mistralai/Mixtral-8x22B-Instruct-v0.1',
      judge: 'mistralai/Mixtral-8x22B-Instruct-v0.1',
    },
    plugins: [
      { name: '@tane/plugin-mixtral-generator', version: '0.1.0', stage: 'generator' },
      { name: '@tane/plugin-judge', version: '0.1.0', stage: 'judge' },
      '@tane/plugin-dedup@0.1.0',
    ],
    categories: manifestCategories,
    totals: Object.fromEntries(
      ['generated', 'accepted', 'repaired', 'rejected', 'duplicates', 'dlq', 'filtered'].map((k) => [
        k,
        total(k),
      ]),
    ),
    balanced: true,
    shards,
    ...(options.simulator ? { simulator: true } : {}),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  if (!options.minimal) {
    writeFileSync(join(dir, 'duplicates.jsonl'), lines(duplicates));
    writeFileSync(join(dir, 'rejected.jsonl'), `${lines(rejected)}not json\n`);
    writeFileSync(
      join(dir, 'usage.json'),
      JSON.stringify({
        endpoint: 'http://127.0.0.1:8000/v1',
        model: 'mistralai/Mixtral-8x22B-Instruct-v0.1',
        totals: {
          calls: 300,
          requests: 320,
          promptTokens: 410_000,
          completionTokens: 96_000,
          cacheHits: 12,
          throttled: 9,
          retries: 11,
        },
        byPlugin: {
          '@tane/plugin-mixtral-generator@0.1.0': {
            requests: 60,
            promptTokens: 150_000,
            completionTokens: 60_000,
          },
          '@tane/plugin-judge@0.1.0': { requests: 240, promptTokens: 240_000, completionTokens: 30_000 },
          '@tane/plugin-repairer@0.1.0': { requests: 20, promptTokens: 20_000, completionTokens: 6_000 },
        },
        byCategory: Object.fromEntries(
          CATEGORIES.map((c, i) => [
            c.id,
            { requests: 80, promptTokens: 100_000 + i * 2_500, completionTokens: 24_000 },
          ]),
        ),
      }),
    );
  }
  return {
    categories: CATEGORIES.map((c) => c.id),
    accepted: CATEGORIES.reduce((a, c) => a + c.accepted, 0),
    duplicates: duplicates.length,
    xss: { instruction: XSS_INSTRUCTION, output: XSS_OUTPUT },
    japanese: JA_INSTRUCTIONS[0]!,
  };
}
