import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { emptyTally, importSource, judged, readSourcesFile, type SourceTally } from '../src/index.ts';

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'tane-import-'));
}

async function run(dir: string, yaml: string) {
  writeFileSync(join(dir, 'sources.yaml'), yaml);
  const cfg = readSourcesFile(join(dir, 'sources.yaml'));
  const out = [];
  const bad: string[] = [];
  const tallies: SourceTally[] = [];
  for (const s of cfg.sources) {
    const t = emptyTally(s.name);
    tallies.push(t);
    for await (const r of importSource(s, cfg.baseDir, t, { bad: (w, e) => bad.push(`${w}: ${e}`) }))
      out.push(r);
  }
  return { records: out, bad, tallies };
}

describe('tane import readers', () => {
  it('reads Alpaca JSONL with a BOM, CRLF, an empty input, a broken line and a repeated row (gzip)', async () => {
    const dir = workdir();
    const lines = [
      '\uFEFF{"instruction":"Translate to French","input":"cat","output":"chat"}',
      '{"instruction":"Name a colour","input":"","output":"blue"}',
      '{"instruction": "broken',
      '',
      '{"instruction":"Name a colour","input":"","output":"blue"}',
      '{"instruction":"","input":"","output":"nothing asked"}',
    ];
    writeFileSync(join(dir, 'alpaca.jsonl.gz'), gzipSync(lines.join('\r\n')));
    const { records, bad, tallies } = await run(
      dir,
      'sources:\n  - name: alpaca\n    path: alpaca.jsonl.gz\n    format: alpaca\n    license: CC-BY-NC-4.0\n    category: { fixed: general }\n',
    );
    expect(records.map((r) => r.data)).toEqual([
      { instruction: 'Translate to French', input: 'cat', output: 'chat' },
      { instruction: 'Name a colour', input: '', output: 'blue' },
    ]);
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/alpaca\.jsonl\.gz:3: not valid JSON/);
    expect(bad[1]).toMatch(/alpaca\.jsonl\.gz:6: field 'instruction' is missing or empty/);
    expect(tallies[0]).toMatchObject({ rowsRead: 5, records: 2, bad: 2, repeats: 1 });
    const meta = records[0]?.meta.import as Record<string, unknown>;
    expect(meta.source).toMatch(/^alpaca@[0-9a-f]{12}$/);
    expect(meta).toMatchObject({ license: 'CC-BY-NC-4.0', row: 1 });
    expect(records[0]?.lineage).toEqual([
      { plugin: expect.stringMatching(/^@tane\/import@/), stage: 'import' },
    ]);
  });

  it('gives the same ids on a second import, and other ids when the content differs', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'a.jsonl'),
      '{"prompt":"2+2?","completion":"4"}\n{"prompt":"3+3?","completion":"6"}\n',
    );
    const yaml =
      'sources:\n  - name: pc\n    path: a.jsonl\n    format: prompt-completion\n    license: MIT\n    category: { fixed: math }\n';
    const a = await run(dir, yaml);
    const b = await run(dir, yaml);
    expect(a.records.map((r) => r.id)).toEqual(b.records.map((r) => r.id));
    expect(new Set(a.records.map((r) => r.id)).size).toBe(2);
  });

  it('maps Dolly categories through a table, with the rest counted in the fallback (zstd JSON array)', async () => {
    const dir = workdir();
    const rows = [
      { instruction: 'What is Kafka?', context: '', response: 'A log.', category: 'open_qa' },
      { instruction: 'Summarise', context: 'Long text here.', response: 'Short.', category: 'summarization' },
      { instruction: 'Write a poem', context: '', response: 'Roses…', category: 'creative_writing' },
    ];
    writeFileSync(join(dir, 'dolly.json'), JSON.stringify(rows));
    execFileSync('zstd', ['-q', '--rm', join(dir, 'dolly.json')]);
    const { records, tallies } = await run(
      dir,
      'sources:\n  - name: dolly\n    path: dolly.json.zst\n    format: dolly\n    license: CC-BY-SA-3.0\n    category:\n      field: category\n      map: { open_qa: qa, summarization: summary }\n      fallback: general\n',
    );
    expect(records.map((r) => r.category)).toEqual(['qa', 'summary', 'general']);
    expect(records[1]?.data).toEqual({
      instruction: 'Summarise',
      input: 'Long text here.',
      output: 'Short.',
    });
    expect(tallies[0]?.fallback).toBe(1);
    expect(tallies[0]?.categories).toEqual({ qa: 1, summary: 1, general: 1 });
  });

  it('turns ShareGPT conversations with system turns and mixed role names into single-turn rows', async () => {
    const dir = workdir();
    const conv = {
      conversations: [
        { from: 'system', value: 'Be brief.' },
        { from: 'human', value: 'Hi?' },
        { from: 'gpt', value: 'Hello.' },
        { from: 'user', value: 'Capital of Japan?' },
        { from: 'assistant', value: 'Tokyo.' },
      ],
    };
    writeFileSync(
      join(dir, 'sg.jsonl'),
      `${JSON.stringify(conv)}\n${JSON.stringify({ conversations: [{ from: 'martian', value: 'x' }] })}\n`,
    );
    const base =
      'sources:\n  - name: sg\n    path: sg.jsonl\n    format: sharegpt\n    license: Apache-2.0\n    category: { fixed: chat }\n';
    const each = await run(dir, `${base}    multiTurn: each\n    system: input\n`);
    expect(each.records.map((r) => r.data)).toEqual([
      { instruction: 'Hi?', input: 'Be brief.', output: 'Hello.' },
      { instruction: 'Capital of Japan?', input: 'Be brief.', output: 'Tokyo.' },
    ]);
    expect(each.bad[0]).toMatch(/sg\.jsonl:2: turn 0 has unknown role 'martian'/);
    const history = await run(dir, `${base}    multiTurn: history\n`);
    expect(history.records.map((r) => r.data)).toEqual([
      { instruction: 'Capital of Japan?', input: 'User: Hi?\nAssistant: Hello.', output: 'Tokyo.' },
    ]);
  });

  it('reads OpenAI messages and CSV with quoted newlines and a BOM', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'm.jsonl'),
      `${JSON.stringify({
        messages: [
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: 'A1' },
        ],
      })}\n`,
    );
    writeFileSync(
      join(dir, 'c.csv'),
      '\uFEFFquestion,answer\r\n"Line one\nline two?","Yes,\nit is."\r\n"only a question"\r\n',
    );
    const { records, bad } = await run(
      dir,
      'sources:\n  - name: m\n    path: m.jsonl\n    format: messages\n    license: MIT\n    category: { fixed: chat }\n' +
        '  - name: c\n    path: c.csv\n    format: alpaca\n    fields: { instruction: question, output: answer }\n    license: MIT\n    category: { fixed: qa }\n',
    );
    expect(records.map((r) => r.data)).toEqual([
      { instruction: 'Q1', input: '', output: 'A1' },
      { instruction: 'Line one\nline two?', input: '', output: 'Yes,\nit is.' },
    ]);
    expect(bad).toEqual([
      expect.stringMatching(/c\.csv:4: row has 1 cells, the header 2 \(missing: answer\)/),
    ]);
  });

  it('reads a Hugging Face dataset folder of Parquet row groups, nested list columns included', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'hf', 'data'), { recursive: true });
    writeFileSync(join(dir, 'hf', 'README.md'), '---\nlicense: mit\n---\n');
    const n = 2500;
    for (const shard of [0, 1]) {
      await parquetWriteFile({
        filename: join(dir, 'hf', 'data', `train-0000${shard}-of-00002.parquet`),
        columnData: [
          {
            name: 'instruction',
            data: Array.from({ length: n }, (_, i) => `q ${shard}-${i}`),
            type: 'STRING',
          },
          {
            name: 'output',
            data: Array.from({ length: n }, (_, i) => (i === 7 ? '' : `a ${shard}-${i}`)),
            type: 'STRING',
          },
          { name: 'tags', data: Array.from({ length: n }, (_, i) => [`t${i % 3}`, 'x']) },
        ],
        rowGroupSize: 1000,
      });
    }
    const { records, bad, tallies } = await run(
      dir,
      'sources:\n  - name: hf\n    path: hf\n    format: alpaca\n    license: MIT\n    judge: 0.1\n    category: { fixed: qa }\n',
    );
    expect(tallies[0]).toMatchObject({ files: 2, rowsRead: 2 * n, records: 2 * n - 2, bad: 2 });
    expect(bad[0]).toMatch(/train-00000-of-00002\.parquet#rowgroup 0, row 7: field 'output'/);
    expect(records[2 * n - 3]?.meta.import).toMatchObject({ row: n });
    // the judged share is seeded by id: about 10 %, and the same ids every time
    const share = (tallies[0]?.toJudge ?? 0) / (2 * n - 2);
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
    expect(records.filter((r) => (r.meta.import as { judge: boolean }).judge).map((r) => r.id)).toEqual(
      records.filter((r) => judged(r.id, 0.1)).map((r) => r.id),
    );
  });
});

describe('sources: validation', () => {
  it('reports every problem with file:line and the next step', () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 's.yaml'),
      'sources:\n  - name: a\n    path: x.jsonl\n    format: alpacca\n    licence: MIT\n    category: { fixed: qa }\n  - name: a\n    path: y.jsonl\n    format: dolly\n    license: MIT\n    judge: 2\n    category: { field: category }\n',
    );
    let message = '';
    try {
      readSourcesFile(join(dir, 's.yaml'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/s\.yaml:4: format must be one of alpaca, dolly/);
    expect(message).toMatch(/s\.yaml:5: unknown key 'licence' \(did you mean 'license'\?\)/);
    expect(message).toMatch(/s\.yaml:7: source 'a' is named twice/);
    expect(message).toMatch(/s\.yaml:11: judge must be all, none or a share/);
    expect(message).toMatch(/s\.yaml:12: category\.fallback is missing/);
  });
});
