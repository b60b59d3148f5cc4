import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Logger, memoryLogger, parseRecord, type TaneRecord, type Transport } from '@tane/core';
import { Engine, type LoadedPipeline, loadPipeline } from '@tane/core/engine';
import { createLocalTransport } from '@tane/transport-local';

export interface PipelineHarnessOptions {
  /** Records to put on logical input topics before the run (`{ tasks: [...] }`). */
  inputs: Record<string, TaneRecord[]>;
  /** Use this transport instead of a fresh local SQLite log in a temp folder. */
  transport?: Transport;
  /** Local state folder (default: a temp folder). */
  dataDir?: string;
  logger?: Logger;
  /** How long the pipeline must stay idle before the run ends (default 300 ms). */
  quietMs?: number;
  /** Replay part of the pipeline instead of running all of it. */
  replay?: { from: string; suffix: string };
}

export interface PipelineRun {
  /** Records on each logical topic after the run (inputs included), in partition/offset order. */
  topics: Record<string, TaneRecord[]>;
  /** Shortcut for `topics.dlq`. */
  dlq: TaneRecord[];
  engine: Engine;
  transport: Transport;
  dataDir: string;
}

/**
 * Runs a whole pipeline file on the local transport (a temporary SQLite log)
 * with the given input records, until it is idle, and returns what every topic
 * holds — the way Redpanda Connect's config tests run a stream with
 * `input_batches` and check `output_batches`.
 *
 * @example
 * ```ts
 * const run = await testPipeline('examples/ja-business/pipeline.yaml', { inputs: { tasks } });
 * expect(run.topics.dataset.length).toBeGreaterThan(0);
 * expect(run.dlq).toEqual([]);
 * ```
 */
export async function testPipeline(
  pipelineFile: string | LoadedPipeline,
  options: PipelineHarnessOptions,
): Promise<PipelineRun> {
  const pipeline = typeof pipelineFile === 'string' ? await loadPipeline(pipelineFile) : pipelineFile;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tane-pipeline-'));
  const transport = options.transport ?? (await createLocalTransport({ path: join(dataDir, 'tane.db') }));
  const prefix = pipeline.spec.topics.prefix;
  const physical = (logical: string) =>
    options.replay && logical !== options.replay.from
      ? `${prefix}${logical}.${options.replay.suffix}`
      : `${prefix}${logical}`;
  const producer = await transport.producer();
  for (const [logical, records] of Object.entries(options.inputs)) {
    const topic = physical(logical);
    await transport.createTopics([{ name: topic, partitions: pipeline.spec.topics.partitions }]);
    await producer.send(
      records.map((value) => ({
        topic,
        key: logical === 'seeds' ? `${value.category}/${value.id}` : value.category,
        value,
      })),
    );
  }
  await producer.close();
  const engine = new Engine({
    pipeline,
    transport,
    dataDir,
    logger: options.logger ?? memoryLogger(),
    ...(options.replay ? { replay: options.replay } : {}),
  });
  await engine.start();
  try {
    await Promise.race([engine.waitUntilIdle({ quietMs: options.quietMs ?? 300 }), engine.failed()]);
  } finally {
    await engine.stop();
  }
  const topics: Record<string, TaneRecord[]> = {};
  const logicals = new Set([
    ...Object.keys(options.inputs),
    ...engine.topology.outputs,
    ...engine.topology.inputs.map((i) => i.logical),
  ]);
  for (const logical of logicals) {
    const name = engine.topology.physical(logical);
    if (!(await transport.listTopics()).some((t) => t.name === name)) continue;
    const list: TaneRecord[] = [];
    for await (const m of transport.read(name)) list.push(parseRecord(m.value));
    topics[logical] = list;
  }
  return { topics, dlq: topics.dlq ?? [], engine, transport, dataDir };
}

/** Writes a pipeline YAML text to a temp folder (plugins given as paths resolve against `baseDir`). */
export function writeTestPipeline(yaml: string, baseDir?: string): string {
  const dir = baseDir ? resolve(baseDir) : mkdtempSync(join(tmpdir(), 'tane-pipeline-file-'));
  const file = join(dir, `pipeline-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, yaml);
  return resolve(dirname(file), file);
}
