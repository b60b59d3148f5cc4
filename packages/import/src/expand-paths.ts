import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import { glob } from 'tinyglobby';
import { containerOf } from './read-rows.ts';

const DATA_FILES = ['**/*.{jsonl,ndjson,json,csv,parquet}', '**/*.{jsonl,ndjson,json,csv}.{gz,zst}'];

/**
 * The files of a source path, sorted (so the import order, and with it the row numbers, never
 * depend on the file system): a file; a glob; or a folder — a Hugging Face dataset folder reads
 * `data/train-*` when it has one, else every data file under it (README.md and the like are skipped).
 */
export async function expandPaths(path: string, baseDir: string, where: string): Promise<string[]> {
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  let files: string[];
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const train = await glob(['data/train-*', 'data/train/*'], { cwd: abs, absolute: true, onlyFiles: true });
    files = (
      train.length ? train : await glob(DATA_FILES, { cwd: abs, absolute: true, onlyFiles: true })
    ).filter((f) => containerOf(f));
  } else if (existsSync(abs)) files = [abs];
  else files = await glob(path, { cwd: baseDir, absolute: true, onlyFiles: true });
  files.sort();
  if (files.length === 0) {
    throw new TaneError('INPUT_INVALID', `no data files at ${path}`, {
      where,
      hint: 'check the path; a glob is relative to the sources file, e.g. data/*.jsonl.gz',
    });
  }
  for (const f of files) {
    if (!containerOf(f))
      throw new TaneError('INPUT_INVALID', `cannot tell the file type of ${f}`, {
        where,
        hint: 'name files .jsonl, .json, .csv or .parquet (optionally .gz or .zst)',
      });
  }
  return files;
}
