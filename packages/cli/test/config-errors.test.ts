import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');
const example = resolve(import.meta.dirname, '../../../examples/en-general');

function tane(args: string[], cwd: string) {
  const env = { ...process.env, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

describe('a broken categories file', () => {
  it('is reported by validate with file:line, and run prints it once and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-cfg-'));
    cpSync(example, join(dir, 'p'), { recursive: true });
    const categories = join(dir, 'p/categories.yaml');
    writeFileSync(categories, readFileSync(categories, 'utf8').replace('    target: 30', '    targt: 30'));

    const validate = tane(['validate', 'p/pipeline.yaml'], dir);
    expect(validate.code, validate.all).toBe(2);
    expect(validate.out).toMatch(/categories\.yaml:\d+: CONFIG_INVALID: .*unknown key 'targt'/);

    const run = tane(
      ['run', 'p/pipeline.yaml', '--until-idle', '--progress', 'off', '--transport', 'local:t.db'],
      dir,
    );
    expect(run.code, run.all).toBe(2);
    expect(run.all.split('CONFIG_INVALID').length - 1, run.all).toBe(1);
    expect(run.all).toContain("unknown key 'targt'");
    expect(existsSync(join(dir, 't.db'))).toBe(false);
    expect(existsSync(join(dir, '.tane/datasets'))).toBe(false);
  });
});
