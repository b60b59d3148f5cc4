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

function bigrams(text: string): Map<string, number> {
  const chars = [...text];
  const out = new Map<string, number>();
  if (chars.length === 1) out.set(chars[0]!, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i]! + chars[i + 1]!;
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/**
 * Dice coefficient over character bigrams of the normalised texts (1 = same).
 * Works for Japanese, which has no spaces to split words on.
 */
export function bigramSimilarity(a: string, b: string): number {
  const na = normalizeForComparison(a);
  const nb = normalizeForComparison(b);
  if (na === nb) return 1;
  if (na.length === 0 || nb.length === 0) return 0;
  const ga = bigrams(na);
  const gb = bigrams(nb);
  let overlap = 0;
  let total = 0;
  for (const [g, n] of ga) {
    overlap += Math.min(n, gb.get(g) ?? 0);
    total += n;
  }
  for (const n of gb.values()) total += n;
  return (2 * overlap) / total;
}
