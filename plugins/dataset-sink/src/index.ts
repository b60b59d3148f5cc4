/**
 * `@tane/plugin-dataset-sink`: writes a tane pipeline's accepted examples as a
 * versioned dataset folder. The default export is the plugin; the manifest,
 * card and export functions are exported for the CLI and other tools.
 */
export { AtomicFileWriter, writeFileAtomic } from './atomic-file.ts';
export { type DatasetCardOptions, renderDatasetCard } from './dataset-card.ts';
export { type ClassifiedRecord, classifyRecord, type DatasetRow, type OutcomeEntry } from './dataset-row.ts';
export { datasetSinkPlugin as default, resolveDatasetDir } from './dataset-sink-plugin.ts';
export {
  type CategoryStats,
  codePointLength,
  DatasetTally,
  type JudgeScores,
  totalStats,
} from './dataset-tally.ts';
export {
  type ChatExportOptions,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportInfo,
  exportPath,
  type RowSource,
  toLlmJpEval,
  toOpenAIChat,
  toPlain,
  toShareGPT,
  userTurn,
  writeExports,
} from './export-formats.ts';
export { GroupCommit, type GroupCommitOptions, SerialQueue } from './group-commit.ts';
export { buildManifest, type DatasetManifest, type ManifestInput } from './manifest.ts';
export { OutcomeLog } from './outcome-log.ts';
export {
  type QualitySource,
  type QualitySummary,
  renderQualitySections,
  summariseQuality,
} from './quality-summary.ts';
export { categoryFolder, type ShardInfo, ShardStore } from './shard-store.ts';
export { type DatasetSinkConfig, datasetSinkConfigSchema } from './sink-config.ts';
export {
  type DatasetSummary,
  type DatasetSummaryRow,
  formatDatasetSummary,
  summariseDataset,
} from './summarise-dataset.ts';
