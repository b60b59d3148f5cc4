import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaneRecord } from '@tane/core';
import { readDataset } from '@tane/report';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import sink, { type DatasetManifest, formatDatasetSummary, summariseDataset } from '../src/index.ts';

const LINEAGE = [
  { plugin: '@tane/plugin-mixtral-generator@0.1.0', stage: 'generator' },
  { plugin: '@tane/plugin-judge@0.1.0', stage: 'judge' },
  { plugin: '@tane/plugin-dedup@0.1.0', stage: 'dedup' },
];

function candidate(category: string, i: number, meta: Record<string, unknown> = {}): TaneRecord {
  return makeRecord({
    id: `${category}-c${i}`,
    type: 'candidate',
    category,
    data: { instruction: `${category} の指示 ${i}`, input: i % 2 ? `入力 ${i}` : '', output: `出力 ${i}` },
    meta: {
      category: { id: category, language: category === 'summary' ? 'en' : 'ja', target: 10 },
      generation: { model: 'mistralai/Mixtral-8x22B-Instruct-v0.1' },
      ...meta,
    },
    lineage: LINEAGE,
  });
}

const accepted = (category: string, i: number, score = 5, repairs = 0) =>
  candidate(category, i, { outcome: { status: 'accepted', stage: 'dedup' }, judge: { score }, repairs });
const rejected = (category: string, i: number, reason: string, repairs = 0) =>
  candidate(category, i, {
    outcome: { status: 'rejected', reason, stage: 'judge' },
    judge: { score: 2 },
    repairs,
  });
const duplicate = (category: string, i: number) =>
  candidate(category, i, {
    outcome: { status: 'duplicate', reason: 'near', detail: { duplicateOf: 'x', similarity: 0.8 } },
  });
const deadLetter = (record: TaneRecord, stage = 'judge') =>
  makeRecord({
    id: `dlq-${record.id}`,
    type: 'dlq',
    category: record.category,
    data: { stage, error: { code: 'LLM_INVALID_OUTPUT', message: 'bad json' }, attempts: 3, record },
  });

function shardRows(dir: string): { id: string; category: string }[] {
  const rows: { id: string; category: string }[] = [];
  for (const folder of readdirSync(join(dir, 'shards')).sort()) {
    for (const part of readdirSync(join(dir, 'shards', folder)).sort()) {
      for (const line of readFileSync(join(dir, 'shards', folder, part), 'utf8').split('\n')) {
        if (line) rows.push(JSON.parse(line));
      }
    }
  }
  return rows;
}

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
const fast = { flushEvery: 1000, flushIntervalMs: 5 };

/** A run of two categories: accepted (some repaired), judged out, filtered, repair give-ups, duplicates, dlq. */
function mix() {
  const generated = [
    ...Array.from({ length: 10 }, (_, i) => candidate('email-reply', i)),
    ...Array.from({ length: 6 }, (_, i) => candidate('summary', i)),
  ];
  const outcomes = [
    accepted('email-reply', 0, 5),
    accepted('email-reply', 1, 4, 1),
    accepted('email-reply', 2, 5),
    rejected('email-reply', 3, 'judge'),
    rejected('email-reply', 4, 'filter'),
    rejected('email-reply', 5, 'repair_limit', 2),
    duplicate('email-reply', 6),
    duplicate('email-reply', 7),
    deadLetter(candidate('email-reply', 8)),
    accepted('email-reply', 9, 3),
    accepted('summary', 0, 5),
    accepted('summary', 1, 4),
    rejected('summary', 2, 'judge', 1),
    duplicate('summary', 3),
    deadLetter(candidate('summary', 4), 'repairer'),
    accepted('summary', 5, 5),
    deadLetter(
      makeRecord({ id: 'task-1', type: 'task', category: 'summary', data: { runId: 'r', index: 1, k: 4 } }),
      'generator',
    ),
  ];
  return { generated, outcomes };
}

describe('@tane/plugin-dataset-sink', () => {
  it('has the row on disk when handle resolves: a crash right after loses nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sink-crash-'));
    const crashed = await testPlugin(sink, { dataDir, config: fast });
    await crashed.run([accepted('email-reply', 0), rejected('email-reply', 1, 'judge')]);
    // No flush, no close: the process is gone.
    const restarted = await testPlugin(sink, { dataDir, config: fast });
    const dir = join(dataDir, 'datasets', 'test');
    expect(shardRows(dir).map((r) => r.id)).toEqual(['email-reply-c0']);
    await restarted.close();
    expect(manifestOf(dir).categories['email-reply']).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('writes valid JSONL shards of accepted examples only', async () => {
    const h = await testPlugin(sink, { config: fast });
    const { outcomes } = mix();
    await h.run(outcomes);
    await h.close();
    const dir = join(h.context.dataDir, 'datasets', 'test');
    const rows = shardRows(dir);
    expect(rows.map((r) => r.id).sort()).toEqual(
      [
        'email-reply-c0',
        'email-reply-c1',
        'email-reply-c2',
        'email-reply-c9',
        'summary-c0',
        'summary-c1',
        'summary-c5',
      ].sort(),
    );
    expect(rows[0]).toMatchObject({
      id: 'email-reply-c0',
      category: 'email-reply',
      instruction: 'email-reply の指示 0',
      input: '',
      output: '出力 0',
      language: 'ja',
      meta: {
        judge: { score: 5 },
        generation: { model: 'mistralai/Mixtral-8x22B-Instruct-v0.1' },
        repairs: 0,
      },
      lineage: LINEAGE,
    });
    expect(readdirSync(join(dir, 'shards')).sort()).toEqual(['email-reply', 'summary']);
  });

  it('never writes a row twice: same records again, and again after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sink-restart-'));
    const records = [accepted('email-reply', 0), accepted('email-reply', 1), accepted('summary', 0)];
    const first = await testPlugin(sink, { dataDir, config: { ...fast, shardSize: 2 } });
    await first.run([...records, records[0]!]);
    await first.close();

    const second = await testPlugin(sink, { dataDir, config: { ...fast, shardSize: 2 } });
    await second.run([...records, accepted('email-reply', 2)]);
    await second.close();

    const rows = shardRows(join(dataDir, 'datasets', 'test'));
    expect(rows.map((r) => r.id).sort()).toEqual([
      'email-reply-c0',
      'email-reply-c1',
      'email-reply-c2',
      'summary-c0',
    ]);
    const manifest = manifestOf(join(dataDir, 'datasets', 'test'));
    expect(manifest.totals.accepted).toBe(4);
    expect(manifest.shards.map((s) => [s.path, s.rows])).toEqual([
      ['shards/email-reply/part-00000.jsonl', 2],
      ['shards/email-reply/part-00001.jsonl', 1],
      ['shards/summary/part-00000.jsonl', 1],
    ]);
  });

  it('balances the accounting per category for a mix of outcomes', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, { config: fast, topics: { generated } });
    await h.run(outcomes);
    await h.close();
    const m = manifestOf(join(h.context.dataDir, 'datasets', 'test'));
    expect(m.categories['email-reply']).toMatchObject({
      generated: 10,
      accepted: 4,
      repaired: 2,
      rejected: 3,
      filtered: 1,
      duplicates: 2,
      dlq: 1,
      taskDlq: 0,
      target: 10,
      language: 'ja',
      judgeScores: { '1': 0, '2': 3, '3': 1, '4': 1, '5': 2 },
      acceptedJudgeScores: { '1': 0, '2': 0, '3': 1, '4': 1, '5': 2 },
      balanced: true,
    });
    expect(m.categories.summary).toMatchObject({
      generated: 6,
      accepted: 3,
      repaired: 1,
      rejected: 1,
      duplicates: 1,
      dlq: 1,
      taskDlq: 1,
      balanced: true,
    });
    expect(m.totals).toMatchObject({
      generated: 16,
      accepted: 7,
      rejected: 4,
      duplicates: 3,
      dlq: 2,
      target: 20,
    });
    expect(m.balanced).toBe(true);
    expect(m.models).toEqual(['mistralai/Mixtral-8x22B-Instruct-v0.1']);
    expect(m.plugins).toEqual([
      `${sink.name}@${sink.version}`,
      '@tane/plugin-dedup@0.1.0',
      '@tane/plugin-judge@0.1.0',
      '@tane/plugin-mixtral-generator@0.1.0',
    ]);
    expect(m.categories['email-reply']!.avgOutputChars).toBe(4);
  });

  it('is not balanced when a generated candidate never got an outcome', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, { config: fast, topics: { generated } });
    await h.run(outcomes.filter((r) => r.id !== 'summary-c3'));
    await h.close();
    const m = manifestOf(join(h.context.dataDir, 'datasets', 'test'));
    expect(m.balanced).toBe(false);
    expect(m.categories.summary!.balanced).toBe(false);
    expect(m.categories['email-reply']!.balanced).toBe(true);
    const summary = formatDatasetSummary(await summariseDataset(join(h.context.dataDir, 'datasets', 'test')));
    expect(summary).toMatch(/summary !\s+10\s+6\s+3/);
  });

  it('keeps its counters across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sink-counters-'));
    const { generated, outcomes } = mix();
    const first = await testPlugin(sink, { dataDir, config: fast, topics: { generated } });
    await first.run(outcomes.slice(0, 8));
    await first.close();
    const second = await testPlugin(sink, { dataDir, config: fast, topics: { generated } });
    await second.run(outcomes.slice(5));
    await second.close();
    const m = manifestOf(join(dataDir, 'datasets', 'test'));
    expect(m.balanced).toBe(true);
    expect(m.totals).toMatchObject({
      generated: 16,
      accepted: 7,
      rejected: 4,
      duplicates: 3,
      dlq: 2,
      taskDlq: 1,
    });
  });

  it('writes exports that parse, a dataset card, and a manifest the CLI can summarise', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, {
      config: {
        ...fast,
        formats: ['plain', 'alpaca', 'openai', 'sharegpt', 'llm-jp-eval'],
        systemPrompt: 'sys',
      },
      topics: { generated },
    });
    await h.run(outcomes);
    await h.close();
    const dir = join(h.context.dataDir, 'datasets', 'test');
    const jsonl = (p: string) =>
      readFileSync(join(dir, p), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    expect(jsonl('exports/plain.jsonl')).toHaveLength(7);
    expect(JSON.parse(readFileSync(join(dir, 'exports/alpaca.json'), 'utf8'))).toHaveLength(7);
    expect(jsonl('exports/openai.jsonl')[1]).toEqual({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'email-reply の指示 1\n\n入力 1' },
        { role: 'assistant', content: '出力 1' },
      ],
    });
    expect(jsonl('exports/sharegpt.jsonl')[0].conversations).toHaveLength(3);
    const jp = JSON.parse(readFileSync(join(dir, 'exports/llm-jp-eval/summary.json'), 'utf8'));
    expect(jp[0]).toMatchObject({ instruction: 'summary の指示 0', output: '出力 0' });
    expect(jp[0].ID).toBe(jsonl('exports/plain.jsonl').find((r) => r.instruction === 'summary の指示 0').id);
    // summary is an English category here: its rows get the English prompt.
    expect(jp[0].text).toContain('### Instruction:\nsummary の指示 0');

    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(card).toContain('| email-reply | ja | 10 | 10 | 4 | 2 | 3 | 1 | 2 | 1 |');
    expect(card).toContain('`@tane/plugin-judge@0.1.0`');

    const summary = await summariseDataset(dir);
    expect(summary.totals).toMatchObject({
      generated: 16,
      accepted: 7,
      repaired: 3,
      rejected: 4,
      duplicates: 3,
      dlq: 2,
    });
    expect(summary.balanced).toBe(true);
  });

  it('publishes exports on an idle flush, at most once per publishIntervalMs', async () => {
    const h = await testPlugin(sink, { config: { ...fast, publishIntervalMs: 0 } });
    const dir = join(h.context.dataDir, 'datasets', 'test');
    await h.run([accepted('email-reply', 0)]);
    await h.stage.flush?.();
    expect(readFileSync(join(dir, 'exports/plain.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(
      1,
    );
    await h.run([accepted('email-reply', 1)]);
    await h.stage.flush?.();
    expect(readFileSync(join(dir, 'exports/plain.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(
      2,
    );
    await h.close();
  });

  it('resolves a relative dir against the pipeline folder and fills in {runId}', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'sink-base-'));
    const h = await testPlugin(sink, { baseDir, config: { ...fast, dir: 'out/{runId}' } });
    await h.run([accepted('email-reply', 0)]);
    await h.close();
    expect(existsSync(join(baseDir, 'out', 'test', 'manifest.json'))).toBe(true);
  });

  it('does not write a candidate that has no final outcome', async () => {
    const h = await testPlugin(sink, { config: fast });
    await h.run([
      candidate('email-reply', 0),
      candidate('email-reply', 1, { outcome: { status: 'accepted' } }),
    ]);
    await h.close();
    expect(shardRows(join(h.context.dataDir, 'datasets', 'test')).map((r) => r.id)).toEqual([
      'email-reply-c1',
    ]);
  });

  it('writes rejected.jsonl and duplicates.jsonl with the final outcome of each candidate', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, { config: fast, topics: { generated } });
    // email-reply-c6 is a duplicate first, and accepted on a later replay: it must appear in neither file.
    await h.run([...outcomes, accepted('email-reply', 6)]);
    await h.close();
    const dir = join(h.context.dataDir, 'datasets', 'test');
    const read = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    const duplicates = read('duplicates.jsonl');
    expect(duplicates.map((r) => r.id).sort()).toEqual(['email-reply-c7', 'summary-c3']);
    expect(duplicates[0]).toMatchObject({
      category: 'email-reply',
      instruction: 'email-reply の指示 7',
      meta: {
        outcome: { status: 'duplicate', reason: 'near', detail: { duplicateOf: 'x', similarity: 0.8 } },
      },
    });
    expect(
      read('rejected.jsonl')
        .map((r) => `${r.id}:${r.meta.outcome.reason}`)
        .sort(),
    ).toEqual([
      'email-reply-c3:judge',
      'email-reply-c4:filter',
      'email-reply-c5:repair_limit',
      'summary-c2:judge',
    ]);
    expect(manifestOf(dir).categories['email-reply']).toMatchObject({
      accepted: 5,
      duplicates: 1,
      balanced: true,
    });
  });

  it('writes a folder that `tane report` reads with the same figures', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, { config: fast, topics: { generated } });
    await h.run(outcomes);
    await h.close();
    const snapshot = await readDataset(join(h.context.dataDir, 'datasets', 'test'));
    expect(snapshot.totals).toMatchObject({
      generated: 16,
      accepted: 7,
      rejected: 4,
      duplicates: 3,
      dlq: 2,
      filtered: 1,
    });
    expect(snapshot.manifest.balanced).toBe(true);
    expect(snapshot.rowsRead).toBe(7);
    expect(snapshot.shards.every((s) => s.found)).toBe(true);
    expect(snapshot.manifest.plugins).toContain('@tane/plugin-judge@0.1.0');
    expect(snapshot.manifest.models).toEqual(['mistralai/Mixtral-8x22B-Instruct-v0.1']);
    expect(snapshot.rejections.find((r) => r.reason === 'filter')).toMatchObject({
      category: 'email-reply',
      count: 1,
    });
    expect(snapshot.clusters.map((c) => c.keptId)).toEqual(['x']);
    expect(snapshot.inputs.filter((i) => i.name.endsWith('.jsonl')).every((i) => i.found)).toBe(true);
  });

  it('counts candidates published to the generated topic while it runs', async () => {
    const { generated, outcomes } = mix();
    const h = await testPlugin(sink, { config: fast });
    h.publish('generated', generated.slice(0, 8));
    await h.run(outcomes.slice(0, 8));
    h.publish('generated', generated.slice(8));
    await h.run(outcomes.slice(8));
    await h.close();
    const m = manifestOf(join(h.context.dataDir, 'datasets', 'test'));
    expect(m.totals.generated).toBe(16);
    expect(m.balanced).toBe(true);
  });

  it('counts a candidate the generator filtered as generated even when it never reached the generated topic', async () => {
    const { generated, outcomes } = mix();
    // email-reply-c4 was filtered: a pipeline that routes `filtered` straight to `rejected` never publishes it.
    const h = await testPlugin(sink, {
      config: fast,
      topics: { generated: generated.filter((r) => r.id !== 'email-reply-c4') },
    });
    await h.run(outcomes);
    await h.close();
    const m = manifestOf(join(h.context.dataDir, 'datasets', 'test'));
    expect(m.categories['email-reply']).toMatchObject({ generated: 10, filtered: 1, balanced: true });
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(sink, { behaviour: true })).toEqual([]));
