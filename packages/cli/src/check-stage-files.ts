import { TaneError } from '@tane/core';
import type { LoadedPipeline, PipelineProblem } from '@tane/core/engine';
import { categoriesFor } from './top-up.ts';

/**
 * Loads the files the pipeline's stages name (the category-router's
 * categories file), so `tane validate` reports what `tane run` would reject
 * and `tane run` stops before it starts a stage or writes anything.
 */
export async function checkStageFiles(pipeline: LoadedPipeline): Promise<PipelineProblem[]> {
  const routed = Object.values(pipeline.plugins).some(
    (p) => p.definition.name === '@tane/plugin-category-router',
  );
  if (!routed) return [];
  try {
    await categoriesFor(pipeline);
    return [];
  } catch (err) {
    if (!(err instanceof TaneError)) throw err;
    return [
      {
        code: err.code,
        message: err.message,
        where: err.where ?? pipeline.spec.file,
        hint: err.hint ?? 'fix the categories file',
      },
    ];
  }
}

/** Throws the first problem of {@link checkStageFiles} as a TaneError. */
export async function assertStageFiles(pipeline: LoadedPipeline): Promise<void> {
  const [first] = await checkStageFiles(pipeline);
  if (first) throw new TaneError(first.code, first.message, { where: first.where, hint: first.hint });
}
