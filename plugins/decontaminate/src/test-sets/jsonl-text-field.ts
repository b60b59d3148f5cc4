import type { TestItem } from './test-item.ts';
import { textsOf } from './test-item.ts';

/**
 * An item of a plain JSON lines test set: the named text fields of one line,
 * id from `idField` when given and present, else `line N`.
 *
 * @example
 * ```ts
 * jsonlTextItem({ id: 'q1', prompt: 'What is …' }, 'my-eval', 1, ['prompt'], 'id')?.id; // 'q1'
 * ```
 */
export function jsonlTextItem(
  line: Record<string, unknown>,
  benchmark: string,
  lineNumber: number,
  textFields: readonly string[],
  idField?: string,
): TestItem | undefined {
  const texts = textsOf(line, textFields);
  if (texts.length === 0) return undefined;
  const raw = idField === undefined ? undefined : line[idField];
  const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : `line ${lineNumber}`;
  return { benchmark, id, texts };
}
