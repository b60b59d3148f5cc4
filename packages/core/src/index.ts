/**
 * The tane plugin SDK: the record envelope, the plugin API, errors and the
 * transport interface. The engine itself is in `@tane/core/engine`.
 */

export { canonicalJson } from './canonical-json.ts';
export { type ErrorCode, ErrorCodes, TaneError, type TaneErrorOptions, toTaneError } from './errors.ts';
export { followTopic } from './follow-topic.ts';
export { growTypedArray, IdTable } from './id-table.ts';
export { contentId, deriveId, stableHash32 } from './ids.ts';
export { INPUT_LIMITS, recordLimitError } from './input-limits.ts';
export { type Logger, type MemoryLogEntry, memoryLogger, silentLogger } from './logger.ts';
export {
  type ConfigFromSchema,
  type ConfigSchema,
  type DeriveInit,
  definePlugin,
  type Emission,
  ENGINE_API,
  type HandlerStage,
  type JsonSchema,
  type OperatorStage,
  type PluginDefinition,
  type PluginExample,
  type RecordContext,
  type RouteSpec,
  type SourcePartition,
  type StageHooks,
  type StageImpl,
  type StageInput,
  type StageOutput,
  type StageSetupContext,
  type TopicPositions,
} from './plugin.ts';
export { type ConfigProblem, checkPluginConfig, resolvePluginConfig } from './plugin-config.ts';
export {
  type Example,
  exampleSchema,
  formatSchemaErrors,
  type LineageEntry,
  parseRecord,
  recordSchema,
  serializeRecord,
  type TaneRecord,
  validateRecord,
} from './record.ts';
export { createRecordContext } from './record-context.ts';
export { redactSecrets, redactValue, registerSecret } from './redact.ts';
export { RoundCatchUp, readUntilDone, rowRound, taskRound } from './round-catch-up.ts';
export type {
  CommittedOffset,
  ConsumedMessage,
  ConsumerHandlers,
  ConsumerOptions,
  GroupConsumer,
  OffsetReset,
  OutgoingMessage,
  PartitionOffsets,
  Producer,
  ReadOptions,
  TopicInfo,
  TopicPartition,
  TopicSpec,
  Transport,
  TransportFactory,
} from './transport.ts';
