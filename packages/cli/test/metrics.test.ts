import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTane } from './tane-process.ts';

const counter = resolve(import.meta.dirname, 'fixtures/counter-plugin.ts');

describe('tane run --metrics-port', () => {
  it('serves Prometheus metrics whose counters match the records processed, with consumer lag, and drains on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-metrics-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      `pipeline: metrics
topics: { partitions: 2 }
inputs: { in: count }
stages:
  count:
    plugin: ${counter}
    config: { log: ${join(dir, 'calls.log')} }
    routes: { out: topic:out }
`,
    );
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: `m${i}`, type: 'item', category: `c${i % 4}`, data: {} }),
    );
    writeFileSync(join(dir, 'in.jsonl'), lines.join('\n'));
    const t = ['--transport', `local:${join(dir, 't.db')}`];
    expect(await startTane(['publish', 'in', 'in.jsonl', ...t], dir).exited).toBe(0);

    const worker = startTane(['run', 'p.yaml', ...t, '--metrics-port', '0', '--progress', 'off'], dir);
    const { child } = worker;
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no metrics URL in: ${worker.output()}`)), 60_000);
      const check = () => {
        const m = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(worker.output());
        if (m) {
          clearTimeout(timer);
          done(m[1]!);
        }
      };
      child.stderr!.on('data', check);
      child.stdout!.on('data', check);
    });
    // Long enough for the 40 records and one consumer-lag sample (every 5 s).
    await new Promise((r) => setTimeout(r, 6500));
    const text = await (await fetch(url)).text();
    // Sum of a metric's samples over all label sets that contain `labels`.
    const value = (name: string, labels = '') =>
      text
        .split('\n')
        .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels))
        .reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1)), 0);
    expect(value('tane_records_consumed_total')).toBe(40);
    expect(value('tane_records_written_total', 'topic="out"')).toBe(40);
    expect(text).toMatch(/tane_consumer_lag\{[^}]*\} 0/);
    child.kill('SIGTERM');
    expect(await worker.exited, worker.output()).toBe(0);
  }, 120_000);
});
