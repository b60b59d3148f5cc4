import { readDataset } from './read-dataset.ts';
import { renderHtml } from './render-html.ts';

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  /** The folder the dataset sink wrote (`manifest.json`, `shards/`, optional `usage.json`, …). */
  datasetDir: string;
  /** Page title; default `Dataset report — <pipeline>`. */
  title?: string;
  /** Sample rows shown per category; default 3. */
  samplesPerCategory?: number;
}

/**
 * Reads a dataset folder and renders its report: one self-contained HTML page
 * (inline CSS and SVG charts, no scripts, nothing loaded from the network) with
 * counts against targets, the accept/repair/reject funnel, judge scores, length
 * histograms, near-duplicate clusters, tokens spent and sample rows.
 *
 * @example
 * ```ts
 * const html = await renderReport({ datasetDir: 'out/dataset/run-42', samplesPerCategory: 5 });
 * ```
 */
export async function renderReport(options: RenderReportOptions): Promise<string> {
  const snapshot = await readDataset(options.datasetDir, {
    ...(options.samplesPerCategory !== undefined ? { samplesPerCategory: options.samplesPerCategory } : {}),
  });
  return renderHtml(snapshot, { ...(options.title !== undefined ? { title: options.title } : {}) });
}
