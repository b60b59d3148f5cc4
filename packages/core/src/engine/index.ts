/**
 * The tane engine: pipeline files, the plugin registry and the stream engine.
 * Plugin authors need only `@tane/core`; this entry point is for the CLI,
 * the test kit and embedders.
 */
export {
  ENGINE_LINEAGE,
  Engine,
  type EngineEvent,
  type EngineHooks,
  type EngineOptions,
  type EngineStats,
} from './engine.ts';
export { groupCaughtUp, groupLag } from './group-progress.ts';
export { createMemoryTransport } from './memory-transport.ts';
export {
  findCycles,
  formatRouteTarget,
  type PipelineProblem,
  type PipelineSpec,
  parsePipeline,
  parseRouteTarget,
  type RouteTarget,
  readPipelineFile,
  type StageSpec,
} from './pipeline-file.ts';
export {
  type LoadedPlugin,
  listInstalledPlugins,
  loadPlugin,
  type PluginRef,
  parsePluginRef,
} from './registry.ts';
export { type PipelineTopology, planTopology } from './topology.ts';
export {
  type LoadedPipeline,
  loadPipeline,
  pipelineProblemsError,
  validatePipeline,
} from './validate-pipeline.ts';
export { PartitionWatermark } from './watermark.ts';
