import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryTransport,
  Engine,
  loadPipeline,
  readPipelineFile,
  validatePipeline,
} from '../src/engine/index.ts';
import { memoryLogger, type TaneRecord } from '../src/index.ts';
import { gauge } from './fixtures/test-plugins.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const running: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

function writePipeline(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tane-engine-'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, yaml.replaceAll('FIX/', `${fixtures}/`));
  return file;
}

function record(id: string, data: Record<string, unknown>, category = 'cat'): TaneRecord {
  return { id, type: 'item', category, data, meta: {}, lineage: [], headers: {} };
}

async function setup(yaml: string, inputs: TaneRecord[], topic = 'tane.in', partitions = 1) {
  const pipeline = await loadPipeline(writePipeline(yaml));
  const transport = createMemoryTransport();
  await transport.createTopics([{ name: topic, partitions }]);
  const producer = await transport.producer();
  await producer.send(inputs.map((value) => ({ topic, key: value.category, value })));
  const logger = memoryLogger();
  const engine = new Engine({
    pipeline,
    transport,
    logger,
    dataDir: mkdtempSync(join(tmpdir(), 'tane-data-')),
  });
  running.push(engine);
  const parse = (t: string) => transport.values(t).map((v) => JSON.parse(v) as TaneRecord);
  return { engine, transport, logger, parse };
}

const ROUTING = `
pipeline: routing
topics: { partitions: 2 }
inputs: { in: fan }
stages:
  fan:
    plugin: FIX/fanout.ts
    config: { n: 3 }
    routes: { out: sort }
  sort:
    plugin: FIX/classify.ts
    routes: { a: topic:out-a, b: topic:out-b, skip: drop }
`;

describe('engine routing', () => {
  it('fans out, routes by name, drops, and adds lineage; ids are the same on a second run', async () => {
    const inputs = [
      record('r1', { route: 'a' }),
      record('r2', { route: 'b' }),
      record('r3', { route: 'skip' }),
    ];
    const first = await setup(ROUTING, inputs);
    await first.engine.start();
    await first.engine.waitUntilIdle({ quietMs: 100 });
    const a = first.parse('tane.out-a');
    const b = first.parse('tane.out-b');
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    expect(a[0]!.lineage.map((l) => `${l.plugin}/${l.stage}`)).toEqual([
      'test-fanout@1.0.0/fan',
      'test-classify@1.0.0/sort',
    ]);
    expect(new Set([...a, ...b].map((r) => r.id)).size).toBe(6);
    expect(first.engine.stats.stages.sort!.routes).toEqual({ a: 3, b: 3, skip: 3 });
    expect(await first.transport.committedOffsets(first.engine.group, 'tane.in')).toEqual([
      { partition: 0, offset: 3 },
    ]);

    const second = await setup(ROUTING, inputs);
    await second.engine.start();
    await second.engine.waitUntilIdle({ quietMs: 100 });
    expect(
      second
        .parse('tane.out-a')
        .map((r) => r.id)
        .sort(),
    ).toEqual(a.map((r) => r.id).sort());
  });

  it('sends a record a plugin throws on to the dlq with stage, code and attempts, redacted, and goes on', async () => {
    const yaml = ROUTING.replace('routes: { out: sort }', 'routes: { out: sort }\n    retries: 0').replace(
      'plugin: FIX/classify.ts',
      'plugin: FIX/classify.ts\n    retries: 2',
    );
    const { engine, parse } = await setup(yaml, [
      record('ok', { route: 'a' }),
      record('bad', { fail: true }),
    ]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(parse('tane.out-a')).toHaveLength(3);
    const dlq = parse('tane.dlq');
    expect(dlq).toHaveLength(3);
    const d = dlq[0]!.data as {
      stage: string;
      error: { code: string; message: string };
      attempts: number;
      record: TaneRecord;
    };
    expect(d.stage).toBe('sort');
    expect(d.error.code).toBe('STAGE_ERROR');
    expect(d.error.message).toContain('boom');
    expect(JSON.stringify(dlq)).not.toContain('sk-test-SECRET');
    expect(d.attempts).toBe(3);
    expect(d.record.data).toMatchObject({ fail: true });
  });

  it('dead-letters a record holding secrets in any quoting without dying, and keeps working after it', async () => {
    const input =
      'api_key="sk-live-0123456789" password = "hunter\\"2" token: \'t0k3n-abcdef\' secret=\\"x9y8z7w6\\"';
    const { engine, parse } = await setup(ROUTING, [
      record('leaky', { fail: true, input, password: 'p4ssw0rd-plain' }),
      record('after', { route: 'a' }),
    ]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(parse('tane.out-a')).toHaveLength(3);
    const dlq = parse('tane.dlq');
    expect(dlq).toHaveLength(3);
    const text = JSON.stringify(dlq);
    for (const secret of ['sk-live-0123456789', 'hunter', 't0k3n-abcdef', 'x9y8z7w6', 'p4ssw0rd-plain'])
      expect(text).not.toContain(secret);
    expect((dlq[0]!.data as { record: TaneRecord }).record.id).toMatch(/./);
  });

  it('keeps the error hint in the dlq record and its log line, and counts the attempts really made', async () => {
    const { engine, parse, logger } = await setup(ROUTING, [record('tired', { failTried: 7 })]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    const d = parse('tane.dlq')[0]!.data as { attempts: number; error: { hint?: string; where?: string } };
    expect(d.error.hint).toBe('fix the test endpoint');
    expect(d.error.where).toBe('test endpoint');
    expect(d.attempts).toBe(7);
    const line = logger.entries.find((e) => e.msg === 'record dead-lettered');
    expect(line?.fields).toMatchObject({ hint: 'fix the test endpoint', attempts: 7 });
  });

  it('dead-letters a record that exceeds the stage timeout', async () => {
    const yaml = ROUTING.replace('plugin: FIX/classify.ts', 'plugin: FIX/classify.ts\n    timeoutMs: 150');
    const { engine, parse } = await setup(yaml, [
      record('slow', { hang: true }),
      record('fast', { route: 'b' }),
    ]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    const dlq = parse('tane.dlq');
    expect(dlq).toHaveLength(3);
    expect((dlq[0]!.data as { error: { code: string } }).error.code).toBe('STAGE_TIMEOUT');
    expect(parse('tane.out-b')).toHaveLength(3);
  });

  it('dead-letters a message that is not a valid record, keeping the raw text', async () => {
    const { engine, transport, parse } = await setup(ROUTING, [record('ok', { route: 'a' })]);
    transport.appendRaw('tane.in', 0, '{"id": 1, "nope": true}', 'k');
    transport.appendRaw('tane.in', 0, 'not json at all', 'k');
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    const dlq = parse('tane.dlq');
    expect(dlq.map((d) => (d.data as { error: { code: string } }).error.code)).toEqual([
      'RECORD_INVALID',
      'RECORD_INVALID',
    ]);
    expect((dlq[1]!.data as { raw: string }).raw).toBe('not json at all');
    expect(parse('tane.out-a')).toHaveLength(3);
    expect(await transport.committedOffsets(engine.group, 'tane.in')).toEqual([{ partition: 0, offset: 3 }]);
  });

  it('stops a cycle at maxVisits and dead-letters the record with CYCLE_LIMIT', async () => {
    const yaml = `
pipeline: cycle
inputs: { in: spin }
stages:
  spin:
    plugin: FIX/loop.ts
    maxVisits: 3
    routes: { again: spin }
`;
    const { engine, parse } = await setup(yaml, [record('x', {})]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    const dlq = parse('tane.dlq');
    expect(dlq).toHaveLength(1);
    expect((dlq[0]!.data as { error: { code: string } }).error.code).toBe('CYCLE_LIMIT');
    expect(engine.stats.stages.spin!.in).toBe(3);
  });

  it('runs operator stages and acknowledges each input once answered', async () => {
    const yaml = `
pipeline: batch
inputs: { in: batch }
stages:
  batch:
    plugin: FIX/batcher.ts
    config: { size: 2 }
    routes: { out: topic:out }
`;
    const { engine, parse, transport } = await setup(yaml, [
      record('1', {}),
      record('2', {}),
      record('3', {}),
      record('4', {}),
    ]);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(parse('tane.out').map((r) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(await transport.committedOffsets(engine.group, 'tane.in')).toEqual([{ partition: 0, offset: 4 }]);
  });
});

describe('engine acknowledgements', () => {
  const SLOW = `
pipeline: slow
limits: { maxInFlightPerPartition: 4, commitIntervalMs: 20 }
inputs: { in: wait }
stages:
  wait:
    plugin: FIX/slow.ts
    config: { ms: 10 }
    routes: { out: topic:out }
`;

  it('holds outputs while an early record is in flight, then writes them in source order', async () => {
    const inputs = [
      record('first', { delayMs: 700 }),
      ...Array.from({ length: 3 }, (_, i) => record(`r${i}`, {})),
    ];
    const { engine, transport, parse } = await setup(SLOW, inputs);
    await engine.start();
    await new Promise((r) => setTimeout(r, 300));
    // The later records are done, but neither their outputs nor their offsets may pass the first.
    expect(engine.stats.stages.wait!.done).toBe(3);
    expect(parse('tane.out')).toHaveLength(0);
    expect(await transport.committedOffsets(engine.group, 'tane.in')).toEqual([]);
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(await transport.committedOffsets(engine.group, 'tane.in')).toEqual([{ partition: 0, offset: 4 }]);
    expect(parse('tane.out').map((r) => r.id)).toEqual(['first', 'r0', 'r1', 'r2']);
  });

  it('never has more records of a partition in flight than the cap', async () => {
    gauge.max = 0;
    const inputs = Array.from({ length: 40 }, (_, i) => record(`r${i}`, {}));
    const { engine, parse } = await setup(SLOW, inputs);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(parse('tane.out')).toHaveLength(40);
    expect(gauge.max).toBeLessThanOrEqual(4);
    expect(gauge.max).toBeGreaterThanOrEqual(2);
  });

  it('holds an input with its own cap to that cap, below the pipeline-wide one', async () => {
    gauge.max = 0;
    const inputs = Array.from({ length: 40 }, (_, i) => record(`r${i}`, {}));
    const own = SLOW.replace(
      'inputs: { in: wait }',
      'inputs: { in: { stage: wait, maxInFlightPerPartition: 2 } }',
    );
    const { engine, parse } = await setup(own, inputs);
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    expect(parse('tane.out').map((r) => r.id)).toEqual(inputs.map((r) => r.id));
    expect(gauge.max).toBeLessThanOrEqual(2);
  });

  it('drains in-flight work on stop and commits it', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => record(`r${i}`, { delayMs: 150 }));
    const { engine, transport, parse } = await setup(SLOW, inputs);
    await engine.start();
    await new Promise((r) => setTimeout(r, 50));
    await engine.stop();
    const committed = (await transport.committedOffsets(engine.group, 'tane.in'))[0]?.offset ?? 0;
    expect(committed).toBeGreaterThan(0);
    expect(parse('tane.out').length).toBeGreaterThanOrEqual(committed);
  });
});

describe('pipeline validation', () => {
  it('reports config errors, unknown routes and stages with file:line and a fix', async () => {
    const file = writePipeline(`pipeline: bad
inputs: { in: fan }
stages:
  fan:
    plugin: FIX/fanout.ts
    config:
      n: many
      colour: red
    routes: { out: srot, extra: drop }
  sort:
    plugin: FIX/classify.ts
    routes: { a: topic:x, b: topic:y }
`);
    const { spec, problems: structural } = readPipelineFile(file);
    const { problems } = await validatePipeline(spec, structural);
    const byMsg = (s: string) => problems.find((p) => p.message.includes(s));
    expect(byMsg("unknown stage 'srot'")?.where).toBe(`${file}:9`);
    expect(byMsg("unknown stage 'srot'")?.hint).toContain("did you mean 'sort'");
    expect(byMsg('config.n')?.where).toBe(`${file}:7`);
    expect(byMsg('config.n')?.code).toBe('CONFIG_INVALID');
    expect(byMsg("unknown key 'colour'")?.where).toBe(`${file}:8`);
    expect(byMsg("has no route 'extra'")?.where).toBe(`${file}:9`);
    expect(byMsg("route 'skip' of stage 'sort' is not connected")?.where).toBe(`${file}:12`);
  });

  it("checks an input's own settings: its stage, its keys and its cap", () => {
    const file = writePipeline(`pipeline: caps
inputs:
  in: { stage: a, maxInFlight: 2 }
  more: { stage: a, maxInFlightPerPartition: 0 }
  ok: { stage: a, maxInFlightPerPartition: 8 }
stages:
  a: { plugin: FIX/slow.ts, routes: { out: drop } }
`);
    const { spec, problems } = readPipelineFile(file);
    const unknown = problems.find((p) => p.message.includes("unknown key 'maxInFlight'"));
    expect(unknown?.where).toBe(`${file}:3`);
    expect(unknown?.hint).toContain('maxInFlightPerPartition');
    const zero = problems.find((p) => p.message.includes('inputs.more.maxInFlightPerPartition'));
    expect(zero?.where).toBe(`${file}:4`);
    expect(spec.inputs).toEqual({ in: 'a', more: 'a', ok: 'a' });
    expect(spec.inputLimits).toEqual({ ok: 8 });
    expect(problems).toHaveLength(2);
  });

  it('refuses unbounded cycles and unknown top-level keys', () => {
    const file = writePipeline(`pipeline: cyc
inputs: { in: a }
stagse: {}
stages:
  a: { plugin: FIX/loop.ts, routes: { again: b } }
  b: { plugin: FIX/loop.ts, routes: { again: a } }
`);
    const { problems } = readPipelineFile(file);
    expect(problems.find((p) => p.message.includes('unbounded cycle'))?.message).toContain('a → b → a');
    const unknown = problems.find((p) => p.message.includes("unknown key 'stagse'"));
    expect(unknown?.where).toBe(`${file}:3`);
    expect(unknown?.hint).toContain("did you mean 'stages'");
  });

  it('refuses a missing plugin, a version outside the range and another engine API major', async () => {
    const file = writePipeline(`pipeline: refs
inputs: { in: a }
stages:
  a: { plugin: "@tane/plugin-does-not-exist@^1.0.0", routes: {} }
  b: { plugin: "@tane/core@^9.0.0", routes: {} }
  c: { plugin: FIX/wrong-api.ts, routes: {} }
`);
    const { spec, problems: structural } = readPipelineFile(file);
    const { problems } = await validatePipeline(spec, structural);
    expect(problems.map((p) => [p.code, p.where])).toEqual([
      ['PLUGIN_NOT_FOUND', `${file}:4`],
      ['PLUGIN_VERSION_MISMATCH', `${file}:5`],
      ['PLUGIN_API_MISMATCH', `${file}:6`],
    ]);
  });
});
