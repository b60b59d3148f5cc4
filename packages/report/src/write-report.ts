import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderReport } from './render-report.ts';

/**
 * Renders the report of a dataset folder and writes it, by default as
 * `report.html` in that folder. Returns the absolute path written.
 *
 * @example
 * ```ts
 * const file = await writeReport('out/dataset/run-42'); // …/run-42/report.html
 * ```
 */
export async function writeReport(datasetDir: string, outFile?: string): Promise<string> {
  const html = await renderReport({ datasetDir });
  const path = resolve(outFile ?? join(datasetDir, 'report.html'));
  // Write beside and rename, so a browser never sees half a page.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, html, 'utf8');
  renameSync(tmp, path);
  return path;
}
