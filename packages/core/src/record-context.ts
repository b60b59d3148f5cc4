import { deriveId } from './ids.ts';
import type { Logger } from './logger.ts';
import type { RecordContext } from './plugin.ts';

/** The context a stage gets with one record (used by the engine and by `@tane/testkit`). */
export function createRecordContext(options: {
  stage: string;
  plugin: string;
  signal: AbortSignal;
  attempt: number;
  logger: Logger;
}): RecordContext {
  const { stage } = options;
  return {
    ...options,
    derive(parent, index, init) {
      return {
        id: deriveId(parent.id, stage, index),
        type: init.type,
        category: init.category ?? parent.category,
        data: init.data,
        meta: init.meta ?? structuredClone(parent.meta),
        lineage: [...parent.lineage],
        headers: { ...parent.headers },
      };
    },
  };
}
