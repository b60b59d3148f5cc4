import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRecordContext,
  type Emission,
  type Logger,
  memoryLogger,
  type PluginDefinition,
  type RecordContext,
  resolvePluginConfig,
  type StageImpl,
  type StageInput,
  type StageOutput,
  type StageSetupContext,
  type TaneRecord,
  toTaneError,
} from '@tane/core';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { noteBehaviour } from './definition-check.ts';

export interface PluginHarnessOptions {
  /** The stage's config as it would appear in the pipeline file; schema defaults are applied. */
  config?: Record<string, unknown>;
  /** Stage id (default: `stage`). */
  stage?: string;
  /** Records already on logical topics, visible to `readTopic` (e.g. `seeds`, `dataset`). */
  topics?: Record<string, TaneRecord[]>;
  /** Folder relative config paths resolve against (default: the current folder). */
  baseDir?: string;
  /** Local state folder (default: a fresh temp folder). */
  dataDir?: string;
  logger?: Logger;
}

/** What one `run` produced. */
export interface HarnessResult {
  /** Emitted records by route name. */
  byRoute: Record<string, TaneRecord[]>;
  /** Inputs the stage failed on (thrown error or answered with `error`). */
  failed: { record: TaneRecord; code: string; message: string }[];
  /** Every emission in order. */
  emissions: Emission[];
}

/** A running plugin, for unit tests of plugin authors. */
export interface PluginHarness {
  readonly stage: StageImpl;
  readonly context: StageSetupContext;
  /** Sends records through the stage and collects its outputs per route. */
  run(records: TaneRecord[]): Promise<HarnessResult>;
  /** Appends records to a logical topic (followers of `readTopic` see them). */
  publish(topic: string, records: TaneRecord[]): void;
  /** Calls `flush` and `close`. */
  close(): Promise<void>;
}

/**
 * Runs one plugin outside any pipeline, the way the engine would: config
 * validated with defaults, `init` called, lineage added to emissions, errors
 * collected instead of thrown.
 *
 * @example
 * ```ts
 * const h = await testPlugin(dedup, { config: { threshold: 0.7 }, topics: { dataset: [] } });
 * const out = await h.run([a, b]);
 * expect(out.byRoute.duplicate).toHaveLength(1);
 * ```
 */
export async function testPlugin<C>(
  plugin: PluginDefinition<C>,
  options: PluginHarnessOptions = {},
): Promise<PluginHarness> {
  const stageId = options.stage ?? 'stage';
  const pluginRef = `${plugin.name}@${plugin.version}`;
  const logger = options.logger ?? memoryLogger();
  const topics = new Map<string, TaneRecord[]>(
    Object.entries(options.topics ?? {}).map(([k, v]) => [k, [...v]]),
  );
  const waiters = new Set<() => void>();
  const shutdown = new AbortController();

  const context: StageSetupContext = {
    stage: stageId,
    plugin: pluginRef,
    pipeline: 'test',
    runId: 'test',
    logger,
    baseDir: options.baseDir ?? process.cwd(),
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'tane-testkit-')),
    signal: shutdown.signal,
    topic: (logical) => logical,
    async *readTopic(logical, readOptions = {}) {
      let i = 0;
      for (;;) {
        const list = topics.get(logical) ?? [];
        while (i < list.length) yield list[i++]!;
        if (!readOptions.follow) return;
        const signal = readOptions.signal ?? shutdown.signal;
        if (signal.aborted) return;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            signal.removeEventListener('abort', wake);
            resolve();
          };
          waiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    },
  };

  const config = resolvePluginConfig<C>(
    plugin as PluginDefinition<unknown>,
    options.config ?? {},
    `stage ${stageId}`,
  );
  const stage = await plugin.create(config, context);
  await stage.init?.();

  const recordContext = (): RecordContext =>
    createRecordContext({
      stage: stageId,
      plugin: pluginRef,
      signal: new AbortController().signal,
      attempt: 1,
      logger,
    });

  const withLineage = (e: Emission): Emission => ({
    route: e.route,
    record: { ...e.record, lineage: [...e.record.lineage, { plugin: pluginRef, stage: stageId }] },
  });

  async function run(records: TaneRecord[]): Promise<HarnessResult> {
    const outputs: StageOutput[] = [];
    if (stage.kind === 'handler') {
      for (const record of records) {
        const input: StageInput = { record, ctx: recordContext() };
        try {
          const result = await stage.handle(record, input.ctx);
          const emissions = result === undefined ? [] : Array.isArray(result) ? result : [result];
          outputs.push({ input, emissions });
        } catch (error) {
          outputs.push({ input, emissions: [], error });
        }
      }
    } else {
      const subject = new Subject<StageInput>();
      const done = lastValueFrom(subject.pipe(stage.operator, toArray()), { defaultValue: [] });
      for (const record of records) subject.next({ record, ctx: recordContext() });
      subject.complete();
      outputs.push(...(await done));
    }
    const result: HarnessResult = { byRoute: {}, failed: [], emissions: [] };
    for (const out of outputs) {
      if (out.error !== undefined) {
        const err = toTaneError(out.error);
        result.failed.push({ record: out.input.record, code: err.code, message: err.message });
        continue;
      }
      noteBehaviour(
        plugin.name,
        out.input.record.type,
        out.emissions.map((e) => ({ route: e.route, type: e.record.type })),
      );
      for (const e of out.emissions) {
        const declared = plugin.routes.some((r) => r.name === e.route);
        if (!declared) throw new Error(`plugin ${pluginRef} emitted on undeclared route '${e.route}'`);
        const withL = withLineage(e);
        result.emissions.push(withL);
        (result.byRoute[e.route] ??= []).push(withL.record);
      }
    }
    return result;
  }

  return {
    stage,
    context,
    run,
    publish(topic, records) {
      const list = topics.get(topic) ?? [];
      list.push(...records);
      topics.set(topic, list);
      for (const wake of [...waiters]) wake();
    },
    async close() {
      await stage.flush?.();
      shutdown.abort();
      for (const wake of [...waiters]) wake();
      await stage.close?.();
    },
  };
}
