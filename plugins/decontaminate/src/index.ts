/**
 * `@tane/plugin-decontaminate`: benchmark decontamination for tane pipelines.
 * The default export is the plugin; the index, the test-set readers and the
 * dataset check (used by `tane decontaminate`) are exported for tools.
 */
export { type BuiltContaminationIndex, buildContaminationIndex } from './build-contamination-index.ts';
export {
  ContaminationIndex,
  type ContaminationIndexOptions,
  type ContaminationIndexStats,
  type ContaminationMatch,
  type ContaminationRule,
} from './contamination-index.ts';
export { type DecontaminateConfig, decontaminateConfigSchema } from './decontaminate-config.ts';
export {
  type DecontaminateDatasetOptions,
  type DecontaminationReport,
  decontaminateDataset,
  renderDecontaminationReport,
} from './decontaminate-dataset.ts';
export { type ContaminationDetail, decontaminatePlugin as default } from './decontaminate-plugin.ts';
export { ngramHashes } from './ngram-hash.ts';
export { type NgramMode, type NgramUnits, ngramUnits, usesCharacterNgrams } from './ngram-text.ts';
export { benchmarkNameOf, loadTestSet, type TestSetSpec } from './test-sets/load-test-set.ts';
export type { TestItem, TestSet, TestSetFormat } from './test-sets/test-item.ts';
