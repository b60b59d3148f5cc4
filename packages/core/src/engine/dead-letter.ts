import { type TaneError, toTaneError } from '../errors.ts';
import { contentId, deriveId } from '../ids.ts';
import type { TaneRecord } from '../record.ts';
import { redactSecrets, redactValue } from '../redact.ts';
import type { ConsumedMessage, TopicPartition } from '../transport.ts';

/** The engine's own lineage name. */
export const ENGINE_LINEAGE = 'tane-engine';

/** Where a dead-lettered record came from: the source message it derives from. */
export interface DeadLetterSource extends TopicPartition {
  offset: number;
}

/**
 * The `dlq` record for a record a stage failed on: the error (code, message,
 * place, hint), the attempts, the original record and its source offset, with
 * secrets redacted. Its id derives from the record's id and the stage, so a
 * redo dead-letters to the same id.
 */
export function deadLetterRecord(
  stage: string,
  record: TaneRecord,
  error: unknown,
  attempts: number,
  source: DeadLetterSource,
): TaneRecord {
  const err = toTaneError(error);
  // Secrets are removed inside the structure, never from serialized text (that breaks its escaping).
  const safeRecord = redactValue(record);
  return {
    id: deriveId(record.id, `dlq:${stage}`, 0),
    type: 'dlq',
    category: record.category,
    data: {
      stage,
      error: errorInfo(err),
      attempts: attemptsTried(err, attempts),
      record: safeRecord,
      source: { topic: source.topic, partition: source.partition, offset: source.offset },
    },
    meta: {},
    lineage: [...record.lineage, { plugin: ENGINE_LINEAGE, stage }],
    headers: { ...record.headers },
  };
}

/** The error as a DLQ record keeps it: code, message, place and hint, with secrets redacted. */
function errorInfo(err: TaneError): Record<string, string> {
  return {
    code: err.code,
    message: redactSecrets(err.message),
    ...(err.where ? { where: redactSecrets(err.where) } : {}),
    ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
  };
}

/**
 * The attempts really made: the stage's earlier attempts, plus what its last
 * attempt tried itself (an LLM client's own retries, in the error's `attempts`).
 */
export function attemptsTried(error: unknown, attempts: number): number {
  if (attempts === 0) return 0;
  return attempts - 1 + Math.max(1, toTaneError(error).attempts ?? 1);
}

/** The category of a raw message that is not a valid record, if it names one. */
export function categoryOfRaw(value: string): string {
  try {
    const v = JSON.parse(value) as { category?: unknown };
    return typeof v.category === 'string' && v.category ? v.category : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The `dlq` record for a message that is not a valid record at all (kept raw, up to 64 KiB). */
export function deadLetterRawRecord(m: ConsumedMessage, error: unknown, stage: string): TaneRecord {
  const err = toTaneError(error);
  return {
    id: contentId('dlq', m.topic, m.partition, m.offset),
    type: 'dlq',
    category: categoryOfRaw(m.value),
    data: {
      stage,
      error: errorInfo(err),
      attempts: 1,
      raw: redactSecrets(m.value.length > 65_536 ? `${m.value.slice(0, 65_536)}…` : m.value),
      source: { topic: m.topic, partition: m.partition, offset: m.offset },
    },
    meta: {},
    lineage: [{ plugin: ENGINE_LINEAGE, stage }],
    headers: {},
  };
}
