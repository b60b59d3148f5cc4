/**
 * A deterministic OpenAI-compatible HTTP server for tests, demos and
 * benchmarks: it answers tane's generate, judge and repair prompts with
 * plausible Japanese or English examples, and injects faults on demand.
 */
export {
  DEFAULT_QUALITY,
  type GeneratedItem,
  generateExamples,
  type PlantedKind,
  type SimQuality,
} from './generate-examples.ts';
export { judgeExample, type SimJudgement } from './judge-example.ts';
export type { LlmSim, LlmSimOptions, SimFaults, SimLatency, SimStats } from './llm-sim-options.ts';
export { type MessyShape, messyReply, messyShape, READABLE_SHAPES, type SimStyle } from './messy-reply.ts';
export { repairExample } from './repair-example.ts';
export { type LlmSimCliIo, runLlmSimCli } from './run-llm-sim-cli.ts';
export { SAMPLE_SEEDS } from './sample-seeds.ts';
export { SeededRandom } from './seeded-random.ts';
export { readSimTask, type SimExample, type SimLang, type SimTask, type SimTaskKind } from './sim-task.ts';
export { startLlmSim } from './start-llm-sim.ts';
export {
  applicableVerifiableDefects,
  plantVerifiableDefect,
  repairVerifiableDefect,
  type VerifiableDefectKind,
} from './verifiable-defects.ts';
