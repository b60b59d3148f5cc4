import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineageEntry, TaneRecord } from '@tane/core';
import { closeAllLlmClients } from '@tane/llm';
import { type LlmSim, plantVerifiableDefect, startLlmSim } from '@tane/llm-sim';
import { makeRecord, testPipeline } from '@tane/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredSeeds } from './example-seeds.ts';

const API_KEY = 'sk-test-verifier-pipeline';
const pick = <T>(items: readonly T[]) => items[0]!;
const rng = { next: () => 0.4, int: () => 3, chance: () => true, pick } as unknown as Parameters<
  typeof plantVerifiableDefect
>[2];

describe('verifier → repairer → verifier → judge in a pipeline, over the simulator', () => {
  let sim: LlmSim;
  const previousKey = process.env.OPENAI_API_KEY;
  beforeAll(async () => {
    process.env.OPENAI_API_KEY = API_KEY;
    sim = await startLlmSim({ seed: 3, requireApiKey: API_KEY, quality: { unfixableRate: 0 } });
  });
  afterAll(async () => {
    await closeAllLlmClients();
    await sim?.close();
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = previousKey;
  });

  it('repairs planted defects with the verifier evidence, verifies again, and the books balance', async () => {
    const seeds = declaredSeeds().filter(
      (s) => s.set === 'ja-business' && ['sql-query', 'math-reasoning'].includes(s.category),
    );
    const records: TaneRecord[] = [];
    const planted = new Set<string>();
    seeds.forEach((s, i) => {
      const category = {
        id: s.category,
        name: s.category,
        description: s.category,
        language: 'ja',
        target: 100,
        verify: s.verify,
      };
      let example = s.example;
      const kind = s.category === 'sql-query' ? 'sql-syntax' : 'wrong-total';
      if (i % 2 === 1) {
        const changed = plantVerifiableDefect(example, kind, rng);
        if (changed.output !== example.output) {
          example = changed;
          planted.add(`c${i}`);
        }
      }
      records.push(
        makeRecord({
          id: `c${i}`,
          type: 'candidate',
          category: s.category,
          data: example,
          meta: { category },
        }),
      );
    });
    expect(planted.size).toBeGreaterThanOrEqual(6);

    const dir = mkdtempSync(join(tmpdir(), 'tane-verifier-pipeline-'));
    const llm = `{ baseURL: "${sim.url}", cachePath: false, maxRetries: 1 }`;
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      `pipeline: verifier-test
version: 1
topics: { prefix: v., partitions: 1 }
inputs:
  generated: verifier
  dataset: sink
  rejected: sink
  dlq: sink
stages:
  verifier:
    plugin: "@tane/plugin-verifier@^0.1.0"
    maxVisits: 4
    routes: { pass: judge, fail: repairer }
  judge:
    plugin: "@tane/plugin-judge@^0.1.0"
    config: { llm: ${llm} }
    maxVisits: 4
    routes: { accept: dedup, repair: repairer, reject: topic:rejected }
  repairer:
    plugin: "@tane/plugin-repairer@^0.1.0"
    config: { llm: ${llm}, maxAttempts: 2 }
    routes: { repaired: verifier, give_up: topic:rejected }
  dedup:
    plugin: "@tane/plugin-dedup@^0.1.0"
    config: { seedsTopic: "" }
    routes: { unique: topic:dataset, duplicate: topic:rejected }
  sink:
    plugin: "@tane/plugin-dataset-sink@^0.1.0"
    config: { dir: ${join(dir, 'dataset')}, flushIntervalMs: 20, publishIntervalMs: 20 }
    routes: {}
`,
    );
    const run = await testPipeline(join(dir, 'pipeline.yaml'), {
      inputs: { generated: records },
      quietMs: 2000,
    });
    expect(run.dlq).toEqual([]);
    const dataset = new Map((run.topics.dataset ?? []).map((r) => [r.id, r]));
    for (const id of planted) {
      const r = dataset.get(id);
      expect(r, `${id} reached the dataset`).toBeDefined();
      expect(r!.meta.repairs).toBe(1);
      // A query on tables the input does not define is checked for syntax only: `unchecked` after the repair.
      expect(r!.meta.verification).toMatchObject({
        status: expect.stringMatching(/^(verified|unchecked)$/),
        round: 2,
      });
      const reasons = (r!.meta.repair as { feedback: { reasons: string[] } }).feedback.reasons;
      expect(reasons[0]).toMatch(/^verifier \((sql|arithmetic)\): /);
    }
    expect(sim.stats().byTask.repair).toBe(planted.size);

    const shardDir = join(dir, 'dataset', 'shards', 'sql-query');
    const rows = readdirSync(shardDir).flatMap((f) =>
      readFileSync(join(shardDir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { lineage: LineageEntry[] }),
    );
    const marked = rows.filter((row) => row.lineage.some((l) => l.stage === 'verifier:verified'));
    expect(marked.length).toBeGreaterThanOrEqual(rows.length - 3);
    const manifest = JSON.parse(readFileSync(join(dir, 'dataset', 'manifest.json'), 'utf8'));
    expect(manifest.balanced).toBe(true);
    expect(manifest.totals.generated).toBe(records.length);
  });
});
