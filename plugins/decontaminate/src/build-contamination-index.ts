import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ContaminationIndex, type ContaminationIndexOptions } from './contamination-index.ts';
import { loadTestSet, type TestSetSpec } from './test-sets/load-test-set.ts';

/** What {@link buildContaminationIndex} returns. */
export interface BuiltContaminationIndex {
  index: ContaminationIndex;
  /** Whether the index was read from `cacheFile` instead of built from the test sets. */
  fromCache: boolean;
  /** Wall time of building or loading. */
  ms: number;
}

/**
 * Reads every test set and indexes its items — or, with `cacheFile`, reads
 * the index from that file when it was built from the same files (by content
 * hash) and options, and writes it there otherwise.
 *
 * @example
 * ```ts
 * const { index } = await buildContaminationIndex([{ path: 'jaster/jcommonsenseqa.json' }], { charNgram: 13 });
 * ```
 */
export async function buildContaminationIndex(
  specs: readonly TestSetSpec[],
  options: ContaminationIndexOptions = {},
  cacheFile?: string,
): Promise<BuiltContaminationIndex> {
  const started = Date.now();
  const contents = await Promise.all(specs.map((s) => readFile(s.path).catch(() => undefined)));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ options, specs: specs.map((s) => ({ ...s, path: undefined })) }))
    .update(contents.map((c) => (c ? createHash('sha256').update(c).digest('hex') : 'missing')).join(','))
    .digest('hex');
  if (cacheFile) {
    const cached = await readFile(cacheFile).catch(() => undefined);
    const index = cached ? ContaminationIndex.fromBytes(cached, fingerprint) : undefined;
    if (index) return { index, fromCache: true, ms: Date.now() - started };
  }
  const index = new ContaminationIndex(options);
  for (const spec of specs) {
    const set = await loadTestSet(spec);
    for (const item of set.items) index.addItem(item);
  }
  if (cacheFile) {
    await mkdir(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(tmp, index.toBytes(fingerprint));
    await rename(tmp, cacheFile);
  }
  return { index, fromCache: false, ms: Date.now() - started };
}
