import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');
const fixtures = resolve(import.meta.dirname, 'fixtures');

function tane(args: string[], cwd: string, input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'tane-cli-'));
}

describe('tane CLI', () => {
  it('--help teaches by example and exits 0', () => {
    const r = tane(['--help'], workdir());
    expect(r.code).toBe(0);
    expect(r.out).toContain('tane demo');
    const run = tane(['run', '--help'], workdir());
    expect(run.out).toContain('Examples:');
    expect(run.out).toContain('--until-idle');
  });

  it('validate reports each problem with file:line and exits 2', () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'p.yaml'),
      `pipeline: bad
inputs: { in: count }
stages:
  count:
    plugin: ${fixtures}/counter-plugin.ts
    config: { log: x.log, colour: red }
    routes: { out: nowhere }
`,
    );
    const r = tane(['validate', 'p.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /p\.yaml:7: ROUTE_UNKNOWN: route 'out' of stage 'count' goes to unknown stage 'nowhere'/,
    );
    const json = JSON.parse(tane(['validate', 'p.yaml', '--json'], dir).out) as {
      valid: boolean;
      problems: { where: string }[];
    };
    expect(json.valid).toBe(false);
    expect(json.problems.every((p) => /p\.yaml:\d+$/.test(p.where))).toBe(true);
  });

  it('publish sends the valid lines, reports the bad ones by line number, and exits 3', () => {
    const dir = workdir();
    const lines = [
      JSON.stringify({
        id: 's1',
        category: 'email-reply',
        instruction: '返信を書いてください。',
        input: '',
        output: '承知しました。',
      }),
      '{not json',
      JSON.stringify({ id: 's2', category: 'email-reply', instruction: 'no output' }),
      JSON.stringify({
        id: 's3',
        category: 'email-reply',
        instruction: '要約してください。',
        input: '本文',
        output: '要約です。',
      }),
    ];
    writeFileSync(join(dir, 'seeds.jsonl'), `${lines.join('\n')}\n`);
    const r = tane(['publish', 'seeds', 'seeds.jsonl', '--transport', 'local:t.db'], dir);
    expect(r.code).toBe(3);
    expect(r.err).toContain('seeds.jsonl:2: not JSON');
    expect(r.err).toMatch(/seeds\.jsonl:3: not a seed: .*output/);
    expect(r.out).toContain('published 2 records to tane.seeds');
    const again = tane(['publish', 'seeds', 'seeds.jsonl', '--transport', 'local:t.db'], dir);
    expect(again.out).toContain('published 0 records to tane.seeds');
    expect(again.out).toContain('2 already there');
    const tail = tane(['topics', 'tail', 'tane.seeds', '--transport', 'local:t.db', '--from-beginning'], dir);
    expect(
      tail.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id)
        .sort(),
    ).toEqual(['s1', 's3']);
  });

  it('keeps the embedded log in --data-dir for every command that touches topics', () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'seeds.jsonl'),
      `${JSON.stringify({ id: 's1', category: 'qa', instruction: '質問に答えてください。', output: 'はい。' })}\n`,
    );
    const env = { ...process.env };
    delete env.TANE_TRANSPORT;
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const published = run(['publish', 'seeds', 'seeds.jsonl', '--data-dir', 'runs/a']);
    expect(published.code).toBe(0);
    expect(published.out).toContain('published 1 record to tane.seeds');
    expect(existsSync(join(dir, 'runs/a/tane.db'))).toBe(true);
    expect(existsSync(join(dir, '.tane'))).toBe(false);
    expect(run(['topics', 'list', '--data-dir', 'runs/a']).out).toMatch(/tane\.seeds\b.*\b1\b/);
    // Another folder is another log; --transport still wins over --data-dir.
    expect(run(['topics', 'list', '--data-dir', 'runs/b']).out).not.toContain('tane.seeds');
    const named = run([
      'topics',
      'list',
      '--data-dir',
      'runs/b',
      '--transport',
      `local:${join(dir, 'runs/a/tane.db')}`,
    ]);
    expect(named.out).toContain('tane.seeds');
  });

  it('refuses an unknown transport with a code and the fix', () => {
    const r = tane(['topics', 'list', '--transport', 'redis://x'], workdir());
    expect(r.code).toBe(2);
    expect(r.err).toContain('USAGE');
    expect(r.err).toContain('kafka://');
  });

  it('refuses a count that is not a whole number, naming the flag, before starting anything', () => {
    const dir = workdir();
    for (const [args, flag] of [
      [['demo', '--target', 'abc', '--data-dir', join(dir, 'data')], '--target'],
      [['demo', '--max-rounds', '0', '--data-dir', join(dir, 'data')], '--max-rounds'],
      [['generate', 'p.yaml', '--until-accepted', '1.5'], '--until-accepted'],
      [['generate', 'p.yaml', '--per-category', '-3'], '--per-category'],
    ] as const) {
      const r = tane([...args], dir);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`USAGE at ${flag}: ${flag} must be a whole number`);
      expect(r.out).not.toContain('simulator');
    }
    // nothing was started: no embedded log was created for the demo
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('replay from a checkpoint re-runs only the downstream stages and reproduces the output ids', () => {
    const dir = workdir();
    const log = join(dir, 'calls.log');
    writeFileSync(
      join(dir, 'p.yaml'),
      `pipeline: two
topics: { partitions: 2 }
inputs: { in: first, mid: second }
stages:
  first:
    plugin: ${fixtures}/counter-plugin.ts
    config: { log: ${log} }
    routes: { out: topic:mid }
  second:
    plugin: ${fixtures}/counter-plugin.ts
    config: { log: ${log} }
    routes: { out: topic:out }
`,
    );
    const records = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ id: `r${i}`, type: 'item', category: `c${i % 3}`, data: { i } }),
    );
    writeFileSync(join(dir, 'in.jsonl'), records.join('\n'));
    const t = ['--transport', 'local:t.db'];
    expect(tane(['publish', 'in', 'in.jsonl', ...t], dir).code).toBe(0);
    const run = tane(['run', 'p.yaml', '--until-idle', '--quiet-ms', '200', '--progress', 'off', ...t], dir);
    expect(run.code, run.all).toBe(0);
    const calls = () => readFileSync(log, 'utf8').trim().split('\n');
    expect(calls().filter((l) => l.startsWith('first ')).length).toBe(50);
    expect(calls().filter((l) => l.startsWith('second ')).length).toBe(50);

    const replay = tane(
      [
        'replay',
        'p.yaml',
        '--from',
        'mid',
        '--suffix',
        'v2',
        '--until-idle',
        '--quiet-ms',
        '200',
        '--progress',
        'off',
        ...t,
      ],
      dir,
    );
    expect(replay.code, replay.all).toBe(0);
    expect(calls().filter((l) => l.startsWith('first ')).length).toBe(50);
    expect(calls().filter((l) => l.startsWith('second ')).length).toBe(100);
    const ids = (topic: string) =>
      tane(['topics', 'tail', topic, '--from-beginning', '-n', '1000', ...t], dir)
        .out.trim()
        .split('\n')
        .map((l) => JSON.parse(l).id as string)
        .sort();
    expect(ids('tane.out.v2')).toHaveLength(50);
    expect(ids('tane.out.v2')).toEqual(ids('tane.out'));
    const list = tane(['topics', 'list', ...t], dir).out;
    expect(list).toMatch(/tane\.out\.v2\s+2\s+50/);
    expect(list).not.toContain('tane.mid.v2');
  });
});
