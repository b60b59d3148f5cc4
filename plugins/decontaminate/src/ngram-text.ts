/** How a text is cut into n-gram units: characters (Japanese) or words (English and other spaced scripts). */
export type NgramMode = 'char' | 'word';

/** A text cut into units, with each unit's place in the normalised text. */
export interface NgramUnits {
  mode: NgramMode;
  /** NFKC, lower-cased text the offsets point into. */
  text: string;
  units: string[];
  /** Start offset of each unit in `text`. */
  starts: number[];
  /** End offset (exclusive) of each unit in `text`. */
  ends: number[];
}

// Han, hiragana, katakana (with ー), hangul: scripts written without spaces between words.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]/u;
const CJK_GLOBAL = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/**
 * Whether a text is cut into characters: when at least a fifth of its letters
 * are CJK. Japanese with a few English words (`JSONで出力`) is still Japanese.
 */
export function usesCharacterNgrams(text: string): boolean {
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  if (cjk === 0) return false;
  let letters = 0;
  for (const ch of text) if (LETTER_OR_DIGIT.test(ch)) letters++;
  return cjk * 5 >= letters;
}

/**
 * Normalises a text (NFKC, lower case) and cuts it into n-gram units: every
 * letter or digit for CJK text (whitespace and punctuation are dropped, so
 * `「請求書」の` and `請求書の` give the same units), every word otherwise —
 * the units of GPT-3's and NeMo Curator's word 13-grams.
 *
 * @example
 * ```ts
 * ngramUnits('Hello, World!').units; // ['hello', 'world']
 * ngramUnits('請求書の金額').units;     // ['請', '求', '書', 'の', '金', '額']
 * ```
 */
export function ngramUnits(raw: string): NgramUnits {
  const text = raw.normalize('NFKC').toLowerCase();
  const units: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  if (usesCharacterNgrams(text)) {
    let i = 0;
    for (const ch of text) {
      if (LETTER_OR_DIGIT.test(ch) || CJK.test(ch)) {
        units.push(ch);
        starts.push(i);
        ends.push(i + ch.length);
      }
      i += ch.length;
    }
    return { mode: 'char', text, units, starts, ends };
  }
  for (const m of text.matchAll(WORD)) {
    units.push(m[0]);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { mode: 'word', text, units, starts, ends };
}
