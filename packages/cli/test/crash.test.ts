import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deriveId, parseRecord, type TaneRecord } from '@tane/core';
import { createLocalTransport } from '@tane/transport-local';
import { describe, expect, it } from 'vitest';
import { startTane } from './tane-process.ts';

const plugin = resolve(import.meta.dirname, 'fixtures/jitter-plugin.ts');

describe('crash safety of tane run on the local transport', () => {
  it('after several kill -9 at random points and a restart, every input is terminal exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-crash-'));
    const db = join(dir, 'tane.db');
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      `pipeline: crash
topics: { partitions: 3 }
limits: { maxInFlightPerPartition: 64, commitIntervalMs: 100 }
inputs: { in: jitter }
stages:
  jitter:
    plugin: ${plugin}
    routes: { out: topic:out, skip: drop }
`,
    );
    const N = 40_000;
    const inputs: TaneRecord[] = Array.from({ length: N }, (_, n) => ({
      id: `in-${n}`,
      type: 'item',
      category: `c${n % 7}`,
      data: { n },
      meta: {},
      lineage: [],
      headers: {},
    }));
    const transport = await createLocalTransport({ path: db });
    await transport.createTopics([{ name: 'tane.in', partitions: 3 }]);
    const producer = await transport.producer();
    await producer.send(inputs.map((value) => ({ topic: 'tane.in', key: value.category, value })));
    await producer.close();

    const args = [
      'run',
      'pipeline.yaml',
      '--transport',
      `local:${db}`,
      '--progress',
      'off',
      '--log-level',
      'warn',
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const kills = 4;
    for (let k = 0; k < kills; k++) {
      const run = startTane(args, dir);
      await new Promise((r) => setTimeout(r, 1200 + random() * 2000));
      run.child.kill('SIGKILL');
      expect(await run.exited).toBeNull();
    }
    const committedBefore = (await transport.committedOffsets('tane.crash', 'tane.in')).reduce(
      (n, o) => n + o.offset,
      0,
    );
    expect(committedBefore).toBeLessThan(N);

    const final = startTane([...args, '--until-idle', '--quiet-ms', '300'], dir);
    const code = await final.exited;
    expect(code, final.output()).toBe(0);

    const expected = new Set(
      inputs
        .filter((r) => (r.data as { n: number }).n % 10 !== 0)
        .flatMap((r) => [0, 1].map((i) => deriveId(r.id, 'jitter', i))),
    );
    const seen: string[] = [];
    for await (const m of transport.read('tane.out')) seen.push(parseRecord(m.value).id);
    expect(new Set(seen).size).toBe(expected.size);
    expect(seen.length).toBe(expected.size);
    for (const id of seen) expect(expected.has(id)).toBe(true);
    const committed = await transport.committedOffsets('tane.crash', 'tane.in');
    expect(committed.reduce((n, o) => n + o.offset, 0)).toBe(N);
    await transport.close();
  }, 180_000);
});
