/** One test-set item, as the index sees it: where it is from and its texts. */
export interface TestItem {
  /** The benchmark's name (`jcommonsenseqa`, `jsquad`, …). */
  benchmark: string;
  /** The item's id inside its benchmark (`samples[12]`, a `q_id`, a SQuAD question id). */
  id: string;
  /** The item's texts, each indexed on its own so no n-gram spans two fields. */
  texts: { field: string; text: string }[];
}

/** A test set read from one file. */
export interface TestSet {
  benchmark: string;
  /** The file it was read from. */
  path: string;
  format: TestSetFormat;
  items: TestItem[];
}

/** The test-set file formats the plugin reads. */
export type TestSetFormat = 'llm-jp-eval' | 'jglue' | 'squad' | 'jsonl';

/** Strings only: a number or a null field is not text. */
export function textsOf(
  record: Record<string, unknown>,
  fields: readonly string[],
): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  for (const field of fields) {
    const v = record[field];
    if (typeof v === 'string' && v.trim() !== '') out.push({ field, text: v });
  }
  return out;
}
