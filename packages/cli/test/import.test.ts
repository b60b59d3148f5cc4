import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRows } from '@tane/import';
import { startLlmSim } from '@tane/llm-sim';
import { describe, expect, it } from 'vitest';
import { startTane } from './tane-process.ts';

const bin = resolve(import.meta.dirname, '../bin/tane.js');

function tane(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

describe('tane import', () => {
  const t = ['--transport', 'local:t.db'];

  it('publishes each row once, reports bad rows with file:line, and adds nothing the second time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-import-cli-'));
    const rows = [
      { instruction: '日本の首都は？', context: '', response: '東京です。', category: 'open_qa' },
      {
        instruction: 'Summarise this',
        context: 'Kafka is a log.',
        response: 'A log.',
        category: 'summarization',
      },
      { instruction: 'broken row without a response', context: '', category: 'open_qa' },
      { instruction: 'Write a haiku', context: '', response: 'Old pond…', category: 'creative_writing' },
    ];
    writeFileSync(join(dir, 'dolly.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(
      join(dir, 'sources.yaml'),
      'sources:\n  - name: dolly\n    path: dolly.jsonl\n    format: dolly\n    language: ja\n    license: CC-BY-SA-3.0\n' +
        '    judge: none\n    category: { field: category, map: { open_qa: qa, summarization: summary }, fallback: general }\n',
    );
    const first = tane(['import', 'sources.yaml', ...t], dir);
    expect(first.code, first.all).toBe(3);
    expect(first.err).toContain("dolly.jsonl:3: field 'response' is missing or empty");
    expect(first.out).toContain(
      'dolly: 4 rows in 1 file → 3 records (1 bad, 0 repeated in the source, 1 to the fallback category, 0 to the judge)',
    );
    expect(first.out).toContain('published 3 records to tane.generated');
    const second = tane(['import', 'sources.yaml', ...t], dir);
    expect(second.out).toContain('published 0 records to tane.generated (3 already there, skipped)');
    const tail = tane(['topics', 'tail', 'tane.generated', '--from-beginning', ...t], dir);
    const recs = tail.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(recs.map((r) => r.category).sort()).toEqual(['general', 'qa', 'summary']);
    const qa = recs.find((r) => r.category === 'qa');
    expect(qa.meta.import).toMatchObject({ license: 'CC-BY-SA-3.0', language: 'ja', row: 1, judge: false });
    expect(qa.meta.import.source).toMatch(/^dolly@[0-9a-f]{12}$/);
    expect(qa.lineage.map((l: { stage: string }) => l.stage)).toEqual(['import']);
  });

  it('refuses a sources: section with a typo, with file:line and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-import-cli-'));
    writeFileSync(
      join(dir, 'sources.yaml'),
      'sources:\n  - name: x\n    path: x.jsonl\n    format: sharegtp\n    license: MIT\n    category: { fixed: chat }\n',
    );
    const r = tane(['import', 'sources.yaml', ...t], dir);
    expect(r.code, r.all).toBe(2);
    expect(r.err).toContain('sources.yaml:4: format must be one of');
  });

  it('runs imported rows through judge, dedup, decontamination and the sink, into JSONL and Parquet (examples/mix)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-import-mix-'));
    const examples = resolve(import.meta.dirname, '../../../examples');
    cpSync(join(examples, 'mix'), join(dir, 'mix'), { recursive: true });
    cpSync(join(examples, 'benchmarks'), join(dir, 'benchmarks'), { recursive: true });
    const sim = await startLlmSim({});
    try {
      const env = { ...process.env, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-sim' };
      const imp = tane(['import', 'mix/pipeline.yaml', ...t, '-q'], dir, env);
      expect(imp.code, imp.all).toBe(3); // one Dolly row has no response
      expect(imp.out).toContain('published 9 records to tane.mix.generated');
      // not spawnSync: the simulator runs in this process and must answer while the worker runs
      const run = startTane(['run', 'mix/pipeline.yaml', '--until-idle', ...t, '-q'], dir, env);
      expect(await run.exited, run.output()).toBe(0);
      expect(sim.stats().requestsTotal).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
    const ds = join(dir, '.tane', 'datasets', 'mix');
    const manifest = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
    const tot = manifest.totals;
    // in = kept + duplicates + rejected
    expect(tot.generated).toBe(9);
    expect(tot.accepted + tot.duplicates + tot.rejected + tot.dlq).toBe(9);
    expect(tot.duplicates).toBe(1);
    const rejected = readFileSync(join(ds, 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.some((r) => r.meta.outcome.reason === 'contaminated')).toBe(true);
    const shardRows = readdirSync(join(ds, 'shards'), { recursive: true })
      .filter((f) => String(f).endsWith('.jsonl'))
      .flatMap((f) =>
        readFileSync(join(ds, 'shards', String(f)), 'utf8')
          .trim()
          .split('\n'),
      )
      .map((l) => JSON.parse(l));
    expect(shardRows).toHaveLength(tot.accepted);
    expect(shardRows.every((r) => /^(dolly|chat)-sample@[0-9a-f]{12}$/.test(r.meta.import.source))).toBe(
      true,
    );
    expect(readdirSync(join(ds, 'data'))).toEqual(['train-00000-of-00001.parquet']);
    const pq: Record<string, unknown>[] = [];
    for await (const r of readRows(join(ds, 'data', 'train-00000-of-00001.parquet'), 'parquet'))
      if ('fields' in r) pq.push(r.fields);
    expect(pq.map((r) => r.id).sort()).toEqual(shardRows.map((r) => r.id).sort());
    const card = readFileSync(join(ds, 'README.md'), 'utf8');
    expect(card).toContain('path: data/train-*.parquet');
    // per source: the Dolly repeat is its duplicate, the copied test item the CSV's rejection
    const src = manifest.sources;
    expect(Object.keys(src)).toEqual(['chat-sample', 'dolly-sample']);
    expect(src['dolly-sample']).toMatchObject({ rows: 5, duplicates: 1, judgedAccepted: 0 });
    expect(src['chat-sample'].rows).toBe(4);
    expect(src['chat-sample'].rejected).toBeGreaterThanOrEqual(1);
    expect(src['dolly-sample'].accepted + src['chat-sample'].accepted).toBe(tot.accepted);
    expect(card).toContain('## Imported sources');
    expect(card).toMatch(/\| dolly-sample \| 5 \| 4 \| 0 \| 1 \| 0 \| 0 \| 80\.0 % \| 20\.0 % \| 0\.0 % \|/);

    // A mixture recipe added afterwards takes effect when the sink starts again, with no model call:
    // the exports hold the mixture, the shards every accepted row, the manifest requested vs actual.
    const pipelineFile = join(dir, 'mix', 'pipeline.yaml');
    writeFileSync(
      pipelineFile,
      readFileSync(pipelineFile, 'utf8').replace(
        'config: { formats: [plain, parquet] }',
        'config: { formats: [plain, parquet], mixture: { seed: 3, total: 4, sources: { dolly-sample: { weight: 3 }, chat-sample: { weight: 1 } } } }',
      ),
    );
    const sim2 = await startLlmSim({});
    try {
      const again = startTane(['run', 'mix/pipeline.yaml', '--until-idle', ...t, '-q'], dir, {
        ...process.env,
        OPENAI_BASE_URL: sim2.url,
        OPENAI_API_KEY: 'sk-sim',
      });
      expect(await again.exited, again.output()).toBe(0);
      expect(sim2.stats().chatCompletions).toBe(0);
    } finally {
      await sim2.close();
    }
    const mixed = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
    expect(mixed.totals.accepted).toBe(tot.accepted);
    expect(mixed.mixture).toMatchObject({ rows: 4, accepted: tot.accepted, missingSources: [] });
    expect(mixed.mixture.sources['dolly-sample']).toMatchObject({
      requested: 3,
      actual: 3,
      sampling: 'down',
    });
    expect(mixed.mixture.sources['chat-sample']).toMatchObject({ requested: 1, actual: 1 });
    const mixedRows: Record<string, unknown>[] = [];
    for await (const r of readRows(join(ds, 'data', 'train-00000-of-00001.parquet'), 'parquet'))
      if ('fields' in r) mixedRows.push(r.fields);
    expect(mixedRows).toHaveLength(4);
    const shardIds = new Set(shardRows.map((r) => r.id));
    expect(mixedRows.every((r) => shardIds.has(r.id as string))).toBe(true);
    expect(readFileSync(join(ds, 'README.md'), 'utf8')).toContain(
      '| dolly-sample | 3 |  | 4 | 3 | 3 | down |',
    );
  });
});
