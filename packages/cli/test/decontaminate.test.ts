import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');
const testSets = resolve(import.meta.dirname, '../../../plugins/decontaminate/test/fixtures');

function tane(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function dataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tane-decontaminate-cli-'));
  const rows = {
    'faq-answer': [
      {
        id: 'r1',
        instruction: 'よくある質問に答えてください。',
        input: '送料はかかりますか。',
        output: '無料です。',
      },
      {
        id: 'r2',
        instruction: '次の文章を要約してください。',
        input:
          'みどり川は架空の県北部の山地に源を発し、三つの町を流れて湾に注ぐ全長およそ八十キロメートルの河川である。',
        output: '川の説明です。',
      },
    ],
    reasoning: [
      {
        id: 'r3',
        instruction: 'Solve the problem.',
        input:
          'A bakery sells loaves of bread for four dollars each and gives a discount of one dollar on every third loaf.',
        output: 'Eleven dollars.',
      },
      {
        id: 'r4',
        instruction: 'Reply politely.',
        input: 'Can we meet on Monday?',
        output: 'Monday works for me.',
      },
    ],
  };
  for (const [category, list] of Object.entries(rows)) {
    mkdirSync(join(dir, 'shards', category), { recursive: true });
    const lines = list.map((r) => JSON.stringify({ ...r, category, meta: { repairs: 0 }, lineage: [] }));
    writeFileSync(join(dir, 'shards', category, 'part-00000.jsonl'), `${lines.join('\n')}\n`);
  }
  return dir;
}

describe('tane decontaminate', () => {
  it('writes a cleaned copy, contaminated.jsonl and a per-benchmark report', () => {
    const dir = dataset();
    const out = join(dir, '..', `${dir.split('/').pop()}.clean`);
    const r = tane(
      [
        'decontaminate',
        dir,
        '--against',
        join(testSets, 'jsquad-valid.json'),
        join(testSets, 'jcommonsenseqa.json'),
        '-o',
        out,
      ],
      dir,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('4 rows checked, **1 removed**');
    expect(r.out).toMatch(/\| jsquad \| 2 \| \d+ \| 4 \| 1 \|/);
    const kept = readFileSync(join(out, 'shards/faq-answer/part-00000.jsonl'), 'utf8').trim().split('\n');
    expect(kept.map((l) => JSON.parse(l).id)).toEqual(['r1']);
    const removed = JSON.parse(readFileSync(join(out, 'contaminated.jsonl'), 'utf8').trim());
    expect(removed.meta.outcome).toMatchObject({
      status: 'rejected',
      reason: 'contaminated',
      detail: { benchmark: 'jsquad', itemId: 'みどり川/0' },
    });
    const report = JSON.parse(readFileSync(join(out, 'decontamination.json'), 'utf8'));
    expect(report).toMatchObject({ rowsChecked: 4, rowsRemoved: 1, rowsKept: 3 });
    expect(readFileSync(join(dir, 'shards/faq-answer/part-00000.jsonl'), 'utf8')).toContain('"r2"');

    const en = tane(
      [
        'decontaminate',
        dir,
        '--against',
        join(testSets, 'en-reading.jsonl'),
        '--format',
        'jsonl',
        '--text-field',
        'question',
        '--json',
      ],
      dir,
    );
    expect(en.code).toBe(0);
    const enReport = JSON.parse(en.out);
    expect(enReport.benchmarks['en-reading']).toMatchObject({
      rowsRemoved: 1,
      examples: [{ rowId: 'r3', itemId: 'line 2' }],
    });
  });

  it('teaches in --help and fails with a code, the place and a hint', () => {
    const dir = dataset();
    const help = tane(['decontaminate', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--against');
    expect(help.out).toContain('Examples:');
    const none = tane(['decontaminate', dir], dir);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/USAGE at tane decontaminate: no test sets given\n {2}→ add --against/);
    const missing = tane(['decontaminate', dir, '--against', join(dir, 'jaster.json')], dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`CONFIG_NOT_FOUND at ${join(dir, 'jaster.json')}: test set file not found`);
    const notDataset = tane(
      ['decontaminate', testSets, '--against', join(testSets, 'jsquad-valid.json')],
      dir,
    );
    expect(notDataset.code).toBe(2);
    expect(notDataset.err).toContain('INPUT_INVALID');
    const badNumber = tane(
      ['decontaminate', dir, '--against', join(testSets, 'jsquad-valid.json'), '--char-ngram', 'x'],
      dir,
    );
    expect(badNumber.err).toContain('USAGE at --char-ngram');
  });
});
