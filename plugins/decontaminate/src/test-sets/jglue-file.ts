import type { TestItem } from './test-item.ts';

const ID_FIELDS = ['q_id', 'id', 'sentence_pair_id', 'qid', 'ID'];
const TEXT_FIELD = /^(question|choice\d+|sentence\d*|context|premise|hypothesis|text)$/;

/**
 * Items of a JGLUE-style JSON lines file (JCommonsenseQA: `question`,
 * `choice0…choice4`; JNLI / JSTS: `sentence1`, `sentence2`; MARC-ja:
 * `sentence`): one item per line, with every such text field. The id is the
 * line's `q_id` (or `id`, `sentence_pair_id`), else `line N`.
 *
 * @example
 * ```ts
 * jglueLineItem({ q_id: 8939, question: '…', choice0: '…' }, 'jcommonsenseqa', 1)?.id; // '8939'
 * ```
 */
export function jglueLineItem(
  line: Record<string, unknown>,
  benchmark: string,
  lineNumber: number,
): TestItem | undefined {
  const texts: { field: string; text: string }[] = [];
  for (const [field, v] of Object.entries(line)) {
    if (TEXT_FIELD.test(field) && typeof v === 'string' && v.trim() !== '') texts.push({ field, text: v });
  }
  if (texts.length === 0) return undefined;
  const idField = ID_FIELDS.find((f) => typeof line[f] === 'string' || typeof line[f] === 'number');
  const id = idField ? String(line[idField]) : `line ${lineNumber}`;
  return { benchmark, id, texts };
}

/** Whether a JSON lines record looks like a JGLUE line (has one of its text fields). */
export function isJglueLine(line: Record<string, unknown>): boolean {
  return Object.keys(line).some((k) => TEXT_FIELD.test(k) && k !== 'text');
}
