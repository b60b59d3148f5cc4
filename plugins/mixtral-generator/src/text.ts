const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const JAPANESE_ALL = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/gu;
const LATIN_LETTERS = /[A-Za-z]/g;
const LATIN_WORDS = /[A-Za-z]{2,}/g;

/** Length in characters (code points) of the trimmed text: the unit of 「N字以内」. */
export function charLength(text: string): number {
  return [...text.trim()].length;
}

/** Whether the text has hiragana or katakana, which Chinese text does not. */
export function hasKana(text: string): boolean {
  return KANA.test(text);
}

/** Whether the text has any hiragana, katakana or kanji. */
export function hasJapanese(text: string): boolean {
  return JAPANESE.test(text);
}

/** Japanese characters as a share of Japanese characters plus Latin letters (0 when there are neither). */
export function japaneseShare(text: string): number {
  const ja = text.match(JAPANESE_ALL)?.length ?? 0;
  const latin = text.match(LATIN_LETTERS)?.length ?? 0;
  return ja + latin === 0 ? 0 : ja / (ja + latin);
}

/** Code blocks and JSON carry no language of their own, so they never count as "wrong language". */
export function looksStructured(text: string): boolean {
  const t = text.trim();
  return t.startsWith('```') || t.startsWith('{') || t.startsWith('[') || t.startsWith('<');
}

/**
 * Whether a text without Japanese reads as English prose: at least three Latin
 * words and mostly Latin letters. Labels, numbers and short codes do not.
 */
export function looksLikeLatinProse(text: string): boolean {
  const words = text.match(LATIN_WORDS)?.length ?? 0;
  const letters = text.match(LATIN_LETTERS)?.length ?? 0;
  const visible = text.replace(/\s/g, '').length;
  return words >= 3 && visible > 0 && letters / visible > 0.5;
}

/** Text reduced to what matters for "is this the same sentence": NFKC, lower case, no spaces or punctuation. */
export function normalizeForComparison(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

/** A text prepared for {@link comparableSimilarity}: normalised once, its bigrams listed once. */
export interface ComparableText {
  /** {@link normalizeForComparison} of the text. */
  readonly norm: string;
  /** Character bigrams (two code points packed in one number), sorted, a repeated bigram once per occurrence. */
  readonly grams: Float64Array;
  /** Number of bigrams (with repeats). */
  readonly total: number;
}

const CODE_POINTS = 0x110000;

/**
 * Normalises a text and lists its character bigrams in order, for comparing it with many
 * others: a sorted typed array makes each comparison one merge, with nothing allocated.
 */
export function comparableText(text: string): ComparableText {
  const norm = normalizeForComparison(text);
  let points = 0;
  for (let i = 0; i < norm.length; i++) {
    const cp = norm.codePointAt(i)!;
    if (cp > 0xffff) i++;
    points++;
  }
  // A one-character text is its own "bigram".
  const grams = new Float64Array(points === 1 ? 1 : Math.max(0, points - 1));
  let previous = -1;
  let n = 0;
  for (let i = 0; i < norm.length; i++) {
    const cp = norm.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (previous >= 0) grams[n++] = previous * CODE_POINTS + cp;
    previous = cp;
  }
  if (points === 1) grams[0] = previous;
  grams.sort();
  return { norm, grams, total: grams.length };
}

/** {@link bigramSimilarity} of two prepared texts. */
export function comparableSimilarity(a: ComparableText, b: ComparableText): number {
  if (a.norm === b.norm) return 1;
  if (a.norm.length === 0 || b.norm.length === 0) return 0;
  const x = a.grams;
  const y = b.grams;
  let i = 0;
  let j = 0;
  let overlap = 0;
  while (i < x.length && j < y.length) {
    const u = x[i]!;
    const v = y[j]!;
    if (u === v) {
      overlap++;
      i++;
      j++;
    } else if (u < v) i++;
    else j++;
  }
  return (2 * overlap) / (a.total + b.total);
}

/**
 * Dice coefficient over character bigrams of the normalised texts (1 = same).
 * Works for Japanese, which has no spaces to split words on. To compare one
 * text with many, prepare each once with {@link comparableText}.
 */
export function bigramSimilarity(a: string, b: string): number {
  return comparableSimilarity(comparableText(a), comparableText(b));
}
