import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');

function tane(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, all: r.stdout + r.stderr };
}

describe('help that tells the truth', () => {
  it('plugins describe lists nested config fields with their defaults', () => {
    const r = tane(['plugins', 'describe', '@tane/plugin-mixtral-generator']);
    expect(r.code, r.all).toBe(0);
    expect(r.out).toMatch(/filters\.instruction\.minChars\s+integer = 8/);
    expect(r.out).toMatch(/params\.temperature\s+number = 0\.9/);
    expect(r.out).toMatch(/llm\.throttleBudgetMs\s+integer/);
  });

  it('replay --help states the consumer group a replay really uses', () => {
    const r = tane(['replay', '--help']);
    expect(r.code, r.all).toBe(0);
    expect(r.out).toMatch(/--group <id>\s+consumer group \(default: <prefix><pipeline>\.replay\.<suffix>\)/);
    expect(r.out).not.toContain('(default: <prefix><pipeline>)');
  });
});

describe('the command list of `tane --help`', () => {
  it('shows each command with the summary its own module gives it', async () => {
    const { COMMANDS } = await import('../src/main.ts');
    const { Command } = await import('commander');
    for (const entry of COMMANDS) {
      const program = new Command('tane');
      (await entry.load())(program);
      const real = program.commands.find((c) => c.name() === entry.name);
      expect(real, entry.name).toBeDefined();
      expect(entry.summary, entry.name).toBe(real!.summary());
    }
    const r = tane(['--help']);
    expect(r.code, r.all).toBe(0);
    for (const entry of COMMANDS) expect(r.out).toContain(entry.name);
  });

  it('runs the command it names, with its own options and help', () => {
    const r = tane(['validate', '--help']);
    expect(r.code, r.all).toBe(0);
    expect(r.out).toContain('Usage: tane validate [options] <pipeline>');
    expect(tane(['help', 'dlq']).out).toContain('Usage: tane dlq');
  });
});
