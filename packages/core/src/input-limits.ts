import type { TaneRecord } from './record.ts';

/**
 * Size limits on input that tane accepts (`tane publish`): far above any real
 * seed or example, and low enough that every stage, prompt and Kafka message
 * stays well-behaved. Documented in docs/records.md.
 */
export const INPUT_LIMITS = {
  /** Characters (UTF-16 code units) in one string field of a record. */
  fieldChars: 32_768,
  /** Bytes of one record as UTF-8 JSON. */
  recordBytes: 262_144,
  /** Bytes of one input line (JSONL, CSV, YAML, JSON). */
  lineBytes: 1_048_576,
} as const;

/**
 * Why a record is over a limit of {@link INPUT_LIMITS} (naming the field), or
 * undefined when it fits.
 *
 * @example
 * ```ts
 * recordLimitError({ ...seed, data: { instruction: 'x'.repeat(40_000), output: 'y' } });
 * // 'field data.instruction has 40000 characters, more than the limit of 32768'
 * ```
 */
export function recordLimitError(record: TaneRecord): string | undefined {
  const field = longField(record, '', 0);
  if (field) {
    return `field ${field.path} has ${field.length} characters, more than the limit of ${INPUT_LIMITS.fieldChars}`;
  }
  const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');
  if (bytes > INPUT_LIMITS.recordBytes) {
    return `the record is ${bytes} bytes as JSON, more than the limit of ${INPUT_LIMITS.recordBytes}`;
  }
  return undefined;
}

function longField(
  value: unknown,
  path: string,
  depth: number,
): { path: string; length: number } | undefined {
  if (typeof value === 'string') {
    return value.length > INPUT_LIMITS.fieldChars ? { path, length: value.length } : undefined;
  }
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = longField(v, path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return undefined;
}
