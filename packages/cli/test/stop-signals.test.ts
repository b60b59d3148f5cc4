import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTane } from './tane-process.ts';

// A worker stopped right after it was started (a deploy rolled back, a scaler changed its mind)
// must stop as gracefully as one stopped later: exit 0, not killed half-way through its start.

const jitter = resolve(import.meta.dirname, 'fixtures/jitter-plugin.ts');

function pipelineDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tane-stop-'));
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `pipeline: stop
topics: { partitions: 2 }
inputs: { in: jitter }
stages:
  jitter:
    plugin: ${jitter}
    routes: { out: topic:out, skip: drop }
`,
  );
  return dir;
}

describe('tane run and stop signals', () => {
  for (const delayMs of [150, 600]) {
    it(`SIGTERM ${delayMs} ms after the start (while it still loads) drains and exits 0`, async () => {
      const dir = pipelineDir();
      const worker = startTane(
        ['run', 'pipeline.yaml', '--transport', `local:${join(dir, 'tane.db')}`, '--progress', 'off'],
        dir,
      );
      await new Promise((r) => setTimeout(r, delayMs));
      worker.child.kill('SIGTERM');
      expect(await worker.exited, worker.output()).toBe(0);
      expect(worker.output()).toContain('SIGTERM received');
    }, 60_000);
  }
});
