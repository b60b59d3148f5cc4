/**
 * The run report of a tane dataset: one self-contained HTML page with counts
 * against targets, the funnel, judge scores, lengths, near-duplicates, tokens
 * and samples.
 */
export type { CategoryManifest, DatasetManifest, OutcomeCounts, ShardEntry } from './dataset-manifest.ts';
export type { DatasetRow } from './dataset-row.ts';
export type { LengthBin, LengthStats, LengthSummary } from './length-stats.ts';
export {
  type CategorySnapshot,
  type DatasetSnapshot,
  type DuplicateCluster,
  type InputFile,
  type JudgeScores,
  type ReadDatasetOptions,
  type RejectionCount,
  readDataset,
} from './read-dataset.ts';
export { renderHtml } from './render-html.ts';
export { type RenderReportOptions, renderReport } from './render-report.ts';
export type { TokenUsage, UsageReport } from './usage-report.ts';
export { writeReport } from './write-report.ts';
