import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { OperatorFunction } from 'rxjs';
import type { Logger } from './logger.ts';
import type { TaneRecord } from './record.ts';

/** The engine API major this engine implements; a plugin declares the one it targets. */
export const ENGINE_API = 1;

/** A JSON Schema (draft-07), as understood by ajv. */
export type JsonSchema = Record<string, unknown>;

/** A JSON Schema written `as const`, from which {@link ConfigFromSchema} derives a type. */
export type ConfigSchema = JSONSchema;

/**
 * The config a plugin's `create` gets, derived from its config schema (declared `as const`),
 * so the type is not written twice: keys with a `default` are always present (the engine
 * applies defaults first), keys without one are optional unless `required`.
 *
 * @example
 * ```ts
 * export const schema = {
 *   type: 'object',
 *   additionalProperties: false,
 *   properties: { minChars: { type: 'integer', minimum: 1, default: 10 } },
 * } as const satisfies ConfigSchema;
 * export type Config = ConfigFromSchema<typeof schema>; // { minChars: number }
 * ```
 */
export type ConfigFromSchema<S extends ConfigSchema> = FromSchema<S>;

/** A named output of a stage, connected in the pipeline file to a stage, a topic or `drop`. */
export interface RouteSpec {
  name: string;
  description: string;
}

/** A configuration example shown by `tane plugins describe` and in generated docs. */
export interface PluginExample {
  title: string;
  summary?: string;
  config: Record<string, unknown>;
}

/** One record sent on one named route. */
export interface Emission {
  route: string;
  record: TaneRecord;
}

/** What a stage gets with each record. */
export interface RecordContext {
  /** Stage id in the pipeline file. */
  readonly stage: string;
  /** `name@version` of the plugin. */
  readonly plugin: string;
  /** Aborted when the stage times out or the worker shuts down; pass it to I/O. */
  readonly signal: AbortSignal;
  /** 1 on the first try, 2 on the first retry, … */
  readonly attempt: number;
  readonly logger: Logger;
  /**
   * A new record derived from `parent`, with a stable id (parent id + stage +
   * index), the parent's category and trace headers, and a copy of its meta
   * unless `meta` is given.
   */
  derive<D>(parent: TaneRecord, index: number | string, init: DeriveInit<D>): TaneRecord<D>;
}

export interface DeriveInit<D> {
  type: string;
  data: D;
  category?: string;
  meta?: Record<string, unknown>;
}

/** What a stage gets once, when the pipeline starts. */
export interface StageSetupContext {
  readonly stage: string;
  readonly plugin: string;
  readonly pipeline: string;
  /** Identifies this run's outputs (pipeline name + version suffix on replay). */
  readonly runId: string;
  readonly logger: Logger;
  /** Folder of the pipeline file: relative paths in config resolve against it. */
  readonly baseDir: string;
  /** Folder where this pipeline keeps local state (caches, datasets by default). */
  readonly dataDir: string;
  /** Aborted when the worker shuts down. */
  readonly signal: AbortSignal;
  /** The physical name of a logical topic (`dataset` → `tane.dataset.v2`). */
  topic(logical: string): string;
  /**
   * Reads a logical topic from the beginning, outside the consumer group, to
   * rebuild state. With `follow`, keeps yielding new records until aborted.
   * Messages that are not valid records are skipped.
   */
  readTopic(
    logical: string,
    options?: { follow?: boolean; signal?: AbortSignal; resume?: TopicPositions },
  ): AsyncIterable<TaneRecord>;
}

/**
 * Where a reader of a topic has got to: the next offset per partition. Pass the
 * same map to `readTopic({ resume })` again and reading picks up where it ended.
 */
export type TopicPositions = Map<number, number>;

/** A source partition, by its logical topic name (`generated`, not `tane.generated`). */
export interface SourcePartition {
  topic: string;
  partition: number;
}

/** Lifecycle hooks shared by both kinds of stage. */
export interface StageHooks {
  /** Before the first record: rebuild state from topics, open files. */
  init?(): Promise<void>;
  /** When the input is idle and before shutdown: write out what is buffered. */
  flush?(): Promise<void>;
  /** Once, at shutdown, after the last record. */
  close?(): Promise<void>;
  /**
   * This worker was given source partitions (at start and after every
   * rebalance); their records are delivered only after it resolves. A stage
   * whose state other workers write to a topic (dedup reads `dataset`) catches
   * up here, so that it decides as the previous owner would have.
   */
  onPartitionsAssigned?(partitions: SourcePartition[]): Promise<void>;
  /**
   * Records enter this stage in source order: by source offset within each
   * partition, and by record id within one offset — never in the order earlier
   * stages happened to finish. For stages whose decisions depend on what they
   * saw before (dedup), so that the same topic content gives the same decisions.
   */
  ordered?: boolean;
}

/**
 * A stage that handles one record at a time, up to `concurrency` at once.
 * It may return zero, one or many emissions; returning none drops the record
 * (it is terminal). A throw sends the record to the dead-letter topic.
 */
export interface HandlerStage extends StageHooks {
  kind: 'handler';
  /** Default records in flight in this stage; the pipeline file may override it. */
  concurrency?: number;
  handle(record: TaneRecord, ctx: RecordContext): Promise<Emission[] | Emission | undefined>;
}

/** One input of an operator stage. */
export interface StageInput {
  record: TaneRecord;
  ctx: RecordContext;
}

/**
 * The answer to one input of an operator stage. Every input must be answered
 * exactly once (with no emissions to drop it, or with `error` to dead-letter it);
 * the engine cannot commit the source offset until it is.
 */
export interface StageOutput {
  input: StageInput;
  emissions: Emission[];
  error?: unknown;
}

/** A stage written as an RxJS operator, for batching or stateful plugins. */
export interface OperatorStage extends StageHooks {
  kind: 'operator';
  operator: OperatorFunction<StageInput, StageOutput>;
}

export type StageImpl = HandlerStage | OperatorStage;

/**
 * What a plugin package default-exports. The docs, the JSON Schema and the
 * config linter all come from this one definition.
 */
export interface PluginDefinition<C = Record<string, unknown>> {
  /** The npm package name. */
  name: string;
  /** The package version (read it from the package's own package.json). */
  version: string;
  /** The engine API major it targets ({@link ENGINE_API}). */
  engineApi: number;
  summary: string;
  description: string;
  examples: PluginExample[];
  /** JSON Schema of `config`; defaults in it are applied before `create`. */
  configSchema: JsonSchema;
  routes: RouteSpec[];
  /** Record types it accepts (documentation). */
  accepts?: string[];
  /** Record types it emits (documentation). */
  emits?: string[];
  create(config: C, ctx: StageSetupContext): StageImpl | Promise<StageImpl>;
}

/**
 * Declares a plugin with its types checked.
 *
 * @example
 * ```ts
 * import { definePlugin, ENGINE_API } from '@tane/core';
 * import pkg from '../package.json' with { type: 'json' };
 *
 * export default definePlugin<{ suffix: string }>({
 *   name: pkg.name, version: pkg.version, engineApi: ENGINE_API,
 *   summary: 'Appends a suffix to every output',
 *   description: 'An example plugin.',
 *   examples: [{ title: 'Exclaim', config: { suffix: '!' } }],
 *   configSchema: { type: 'object', properties: { suffix: { type: 'string', default: '!' } } },
 *   routes: [{ name: 'out', description: 'every record' }],
 *   create: (config) => ({
 *     kind: 'handler',
 *     async handle(record) {
 *       const data = record.data as { output: string };
 *       return { route: 'out', record: { ...record, data: { ...data, output: data.output + config.suffix } } };
 *     },
 *   }),
 * });
 * ```
 */
export function definePlugin<C = Record<string, unknown>>(
  definition: PluginDefinition<C>,
): PluginDefinition<C> {
  return definition;
}
