import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');
const pipeline = resolve(import.meta.dirname, '../../../examples/en-general/pipeline.yaml');

function tane(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

describe('tane publish on real-world input', () => {
  const t = ['--transport', 'local:t.db'];

  it('warns about an empty file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-pub-'));
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    const r = tane(['publish', 'seeds', 'empty.jsonl', ...t], dir);
    expect(r.code, r.all).toBe(0);
    expect(r.err).toContain('warning: empty.jsonl is empty');
  });

  it('with --pipeline, refuses seeds of a category the pipeline does not have, and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-pub-'));
    const seed = (category: string) =>
      JSON.stringify({
        category,
        instruction: 'Summarize the text in one line.',
        input: 'Long text.',
        output: 'Short.',
      });
    writeFileSync(join(dir, 'seeds.jsonl'), [seed('summarization'), seed('targt')].join('\n'));
    const r = tane(['publish', 'seeds', 'seeds.jsonl', '--pipeline', pipeline, ...t], dir);
    expect(r.code, r.all).toBe(3);
    expect(r.err).toContain("seeds.jsonl:2: category 'targt' is not in the pipeline's categories");
    expect(r.out).toContain('published 1 record');
  });
});
