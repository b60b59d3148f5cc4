// Whitespace, punctuation, control and format characters. After NFKC the
// full-width forms (！？，．（）) are ASCII, and the Japanese marks 、。「」『』・
// 〜 are Unicode punctuation (P*), so one class covers both scripts. `~` is
// added because ～ (its full-width form) is written interchangeably with 〜.
// One character at a time: a `+` over this class recurses per character in V8
// and overflows the stack on a long run (a 10 MB field of 、).
const STRIP = /[\p{P}\p{Z}\p{Cc}\p{Cf}\s~]/gu;

/**
 * The text the exact and near-duplicate checks compare: NFKC, lower-case, with
 * whitespace and punctuation (Latin, Japanese and full-width) removed.
 *
 * @example
 * ```ts
 * normalizeText('「請求書」の金額を、抽出してください！'); // '請求書の金額を抽出してください'
 * normalizeText('Summarise   the e-mail.'); // 'summarisetheemail'
 * ```
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(STRIP, '');
}

/** Which fields of an example the dedup index compares. */
export type DedupField = 'instruction' | 'input' | 'output';

// Fields are joined with NUL, which normalisation strips from the fields
// themselves, so ('ab', 'c') and ('a', 'bc') never produce the same text.
const FIELD_SEPARATOR = '\u0000';

/**
 * The normalised comparison text of an example: the chosen fields, each
 * normalised, joined with a separator that cannot occur inside a field.
 *
 * @example
 * ```ts
 * comparisonText({ instruction: '要約して。', input: '本文' }, ['instruction', 'input']); // '要約して\u0000本文'
 * ```
 */
export function comparisonText(
  example: Partial<Record<DedupField, unknown>>,
  fields: readonly DedupField[],
): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const value = example[fields[i]!];
    if (i > 0) out += FIELD_SEPARATOR;
    if (typeof value === 'string') out += normalizeText(value);
  }
  return out;
}
