/**
 * Helpers to unit-test a tane plugin or a whole pipeline, with any test runner (vitest,
 * `node:test`, …). The transport conformance suite needs vitest and lives in
 * `@tane/testkit/transport-conformance`.
 */
export {
  checkPluginDefinition,
  type DefinitionCheckOptions,
  observedBehaviour,
  type PluginBehaviour,
} from './definition-check.ts';
export { makeRecord } from './make-record.ts';
export {
  type PipelineHarnessOptions,
  type PipelineRun,
  testPipeline,
  writeTestPipeline,
} from './pipeline-harness.ts';
export {
  type HarnessResult,
  type PluginHarness,
  type PluginHarnessOptions,
  testPlugin,
} from './plugin-harness.ts';
