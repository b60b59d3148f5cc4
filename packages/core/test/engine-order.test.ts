import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTransport, Engine, loadPipeline } from '../src/engine/index.ts';
import type { TaneRecord } from '../src/index.ts';
import { entered } from './fixtures/test-plugins.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const running: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

const pipelineYaml = (seed: number) => `
pipeline: ordered
topics: { partitions: 2 }
limits: { commitIntervalMs: 20 }
inputs: { in: fan }
stages:
  fan:
    plugin: ${fixtures}/fanout.ts
    config: { n: 3 }
    routes: { out: wait }
  wait:
    plugin: ${fixtures}/jitter.ts
    config: { seed: ${seed}, maxMs: 25 }
    routes: { out: decide }
  decide:
    plugin: ${fixtures}/first-wins.ts
    routes: { unique: topic:kept, duplicate: topic:dropped }
`;

// Records whose children collide on (category, data.n): which one is "first" depends only on source order.
const inputs: TaneRecord[] = Array.from({ length: 24 }, (_, i) => ({
  id: `r${String(i).padStart(2, '0')}`,
  type: 'item',
  category: `c${i % 3}`,
  data: { n: i % 5 },
  meta: {},
  lineage: [],
  headers: {},
}));

async function run(seed: number, transactional: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'tane-order-'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, pipelineYaml(seed));
  const pipeline = await loadPipeline(file);
  const transport = createMemoryTransport({ transactional });
  await transport.createTopics([{ name: 'tane.in', partitions: 2 }]);
  const producer = await transport.producer();
  await producer.send(inputs.map((value) => ({ topic: 'tane.in', key: value.category, value })));
  const engine = new Engine({ pipeline, transport, dataDir: dir });
  running.push(engine);
  entered.length = 0;
  await engine.start();
  await engine.waitUntilIdle({ quietMs: 100, pollMs: 20 });
  const ids = (topic: string) => transport.values(topic).map((v) => (JSON.parse(v) as TaneRecord).id);
  return {
    engine,
    kept: ids('tane.kept'),
    dropped: ids('tane.dropped'),
    entered: [...entered],
    enteredByCategory: Object.fromEntries(
      ['c0', 'c1', 'c2'].map((c) => [c, entered.filter((e) => e.startsWith(`${c}:`))]),
    ),
    committed: [...(await transport.committedOffsets(engine.group, 'tane.in'))].sort(
      (a, b) => a.partition - b.partition,
    ),
    ends: (await transport.offsets('tane.in')).map((o) => ({ partition: o.partition, offset: o.high })),
  };
}

describe('ordered stages and ordered outputs', () => {
  for (const transactional of [false, true]) {
    const mode = transactional ? 'transactional commit' : 'at-least-once commit';
    it(`gives the same decisions and the same topic order however the calls finish (${mode})`, async () => {
      const a = await run(1, transactional);
      const b = await run(7, transactional);
      const c = await run(123, transactional);
      expect(a.engine.delivery).toContain(transactional ? 'exactly-once' : 'at-least-once');
      // Every child reached the ordered stage once, and the jitter really did reorder completions
      // upstream (otherwise this test would prove nothing): the decisions still agree.
      expect(a.entered).toHaveLength(72);
      expect(new Set(a.entered).size).toBe(72);
      expect(b.kept).toEqual(a.kept);
      expect(c.kept).toEqual(a.kept);
      expect(b.dropped).toEqual(a.dropped);
      // Within a partition the ordered stage sees the same sequence; partitions interleave freely.
      expect(c.enteredByCategory).toEqual(a.enteredByCategory);
      // 3 categories × 5 values of n, each kept once (a child inherits its parent's n).
      expect(a.kept).toHaveLength(15);
      expect(a.kept.length + a.dropped.length).toBe(72);
      expect(a.committed).toEqual(a.ends);
    });
  }

  it('lets records in by source offset, and by id within one offset', async () => {
    const order = (await run(42, true)).enteredByCategory.c0!.map((e) => e.slice(3));
    // Children of one parent are contiguous and in id order; parents follow their partition's offsets.
    const groups: string[][] = [];
    for (let i = 0; i < order.length; i += 3) groups.push(order.slice(i, i + 3));
    for (const g of groups) expect([...g].sort()).toEqual(g);
    expect(new Set(groups.map((g) => g.length))).toEqual(new Set([3]));
    expect(groups).toHaveLength(8);
  });
});
