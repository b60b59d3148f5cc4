import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTane } from './tane-process.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const example = resolve(import.meta.dirname, '../../../examples/en-general');
const pipeline = join(example, 'pipeline.yaml');

// The simulator runs in this process: the CLI is spawned asynchronously so it can answer.
async function tane(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const base = { ...process.env };
  delete base.OPENAI_BASE_URL;
  delete base.OPENAI_API_KEY;
  delete base.TANE_MODEL;
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const p = startTane(args, cwd, merged);
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr(), all: p.output() };
}

let sim: LlmSim;
beforeAll(async () => {
  sim = await startLlmSim({ requireApiKey: 'sk-right-key-123' });
});
afterAll(async () => {
  await sim.close();
});

describe('a wrong model setup stops the run before it consumes anything', () => {
  const t = ['--transport', 'local:t.db'];
  const run = ['run', pipeline, '--until-idle', '--quiet-ms', '300', '--progress', 'off', ...t];

  it('exits 2 with the code, the endpoint and the hint, commits nothing, and the tasks run later', {
    timeout: 240_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-setup-'));
    const seeds = await tane(['publish', 'seeds', join(example, 'seeds/summarization.jsonl'), ...t], dir);
    expect(seeds.code, seeds.all).toBe(0);
    const generate = await tane(['generate', pipeline, '--per-category', '1', ...t], dir);
    expect(generate.code, generate.all).toBe(0);

    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{}, 'LLM_CONFIG', /OPENAI_BASE_URL/],
      [{ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, 'LLM_UNREACHABLE', /start the model server/],
      [{ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-wrong-key-456' }, 'LLM_CONFIG', /OPENAI_API_KEY/],
      [
        { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-right-key-123', TANE_MODEL: 'no-such-model' },
        'LLM_MODEL_UNKNOWN',
        /TANE_MODEL/,
      ],
    ];
    for (const [env, code, hint] of cases) {
      const r = await tane(run, dir, env);
      expect(r.code, r.all).toBe(2);
      expect(r.err).toContain(code);
      expect(r.err).toMatch(hint);
      expect(r.err).toContain('stage ');
      expect(r.all).not.toContain('sk-wrong-key-456');
      // printed once
      expect(r.err.split(code).length - 1, r.err).toBe(1);
    }
    const dlq = await tane(['topics', 'tail', 'tane.dlq', '--from-beginning', '-n', '100', ...t], dir);
    expect(dlq.out.trim()).toBe('');

    const good = await tane(run, dir, { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-right-key-123' });
    expect([0, 3], good.all).toContain(good.code);
    const rows = await tane(['topics', 'tail', 'tane.dataset', '--from-beginning', '-n', '1000', ...t], dir);
    expect(rows.out.trim().split('\n').length).toBeGreaterThan(0);
    // Every run (not only demo) says the simulator made the data, and carries the token usage.
    expect(good.all).toContain('SIMULATOR');
    const dataset = join(dir, '.tane/datasets/en-general');
    const manifest = JSON.parse(readFileSync(join(dataset, 'manifest.json'), 'utf8')) as {
      simulator: boolean;
      llmUsage: { requests: number; totalTokens: number };
    };
    expect(manifest.simulator).toBe(true);
    expect(manifest.llmUsage.requests).toBeGreaterThan(0);
    expect(manifest.llmUsage.totalTokens).toBeGreaterThan(0);
    expect(readFileSync(join(dataset, 'README.md'), 'utf8')).toContain('**Simulated.**');
  });

  it('a run that dead-lettered records exits 3 and says how many and where to look', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-dlq-'));
    const log = join(dir, 'calls.log');
    writeFileSync(
      join(dir, 'p.yaml'),
      `pipeline: one
topics: { partitions: 1 }
inputs: { in: only }
stages:
  only:
    plugin: ${fixtures}/counter-plugin.ts
    config: { log: ${log} }
    routes: { out: topic:out }
`,
    );
    const records = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ id: `r${i}`, type: 'item', category: 'c', data: { i, fail: i % 3 === 0 } }),
    );
    writeFileSync(join(dir, 'in.jsonl'), records.join('\n'));
    expect((await tane(['publish', 'in', 'in.jsonl', ...t], dir)).code).toBe(0);
    const r = await tane(
      ['run', 'p.yaml', '--until-idle', '--quiet-ms', '200', '--progress', 'off', ...t],
      dir,
    );
    expect(r.code, r.all).toBe(3);
    expect(r.err).toContain('2 records were dead-lettered to tane.dlq');
    expect(r.err).toContain('tane topics tail tane.dlq');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(6);

    // The way back: list, show, and retry to the source topic, once per retry count.
    const list = await tane(['dlq', 'list', '--pipeline', 'p.yaml', ...t], dir);
    expect(list.code, list.all).toBe(0);
    expect(list.out).toContain('2 dead-lettered records on tane.dlq');
    expect(list.out).toMatch(
      /only {2}TEST_FAILED {2}attempts=1 {2}tane\.in\/\d+@\d+ {2}failed on r0 on purpose/,
    );
    const id = list.out.trim().split('\n')[0]!.split(' ')[0]!;
    const show = await tane(['dlq', 'show', id, ...t], dir);
    expect(JSON.parse(show.out).data.error.hint).toBe('drop data.fail');
    const retry = await tane(['dlq', 'retry', '--all', ...t], dir);
    expect(retry.out, retry.all).toContain('published 2 records again to tane.in');
    const again = await tane(['dlq', 'retry', '--code', 'TEST_FAILED', ...t], dir);
    expect(again.out, again.all).toContain('0 retried, 2 skipped');
    const rerun = await tane(
      ['run', 'p.yaml', '--until-idle', '--quiet-ms', '200', '--progress', 'off', ...t],
      dir,
    );
    expect(rerun.code, rerun.all).toBe(3);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(8);
    const tail = await tane(['topics', 'tail', 'tane.in', '--from-beginning', '-n', '100', ...t], dir);
    const retried = tail.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { meta: { dlqRetries?: number } });
    expect(retried.filter((r) => r.meta.dlqRetries === 1)).toHaveLength(2);
  });
});
