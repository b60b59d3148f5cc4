/** Helpers to unit-test a tane plugin or a whole pipeline. */
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
export { describeTransportConformance, type TransportConformanceSetup } from './transport-conformance.ts';
