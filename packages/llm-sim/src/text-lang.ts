const JAPANESE_CHAR = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/u;
const JAPANESE_CHARS = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/gu;

/** Whether the text contains any hiragana, katakana or kanji. */
export function hasJapanese(text: string): boolean {
  return JAPANESE_CHAR.test(text);
}

/**
 * Token estimate used for the `usage` block: Japanese characters count 1/1.5
 * token each, everything else 1/4, roughly what Mixtral's tokenizer does.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const ja = text.match(JAPANESE_CHARS)?.length ?? 0;
  const other = [...text].length - ja;
  return Math.max(1, Math.ceil(ja / 1.5 + other / 4));
}

/** Cuts text to about `tokens` tokens (same estimate as {@link estimateTokens}). */
export function clipToTokens(text: string, tokens: number): string {
  let used = 0;
  let out = '';
  for (const ch of text) {
    used += JAPANESE_CHAR.test(ch) ? 1 / 1.5 : 1 / 4;
    if (used > tokens) break;
    out += ch;
  }
  return out;
}

const EN_WORDS = /[A-Za-z]+(?:'[a-z]+)?/g;
const EN_STOPWORDS = new Set(['the', 'and', 'is', 'of', 'to', 'we', 'you', 'for', 'will', 'your', 'a', 'in']);

/** Counts common English function words, a cheap "this is English prose" signal. */
export function englishStopwordCount(text: string): number {
  let n = 0;
  for (const w of text.match(EN_WORDS) ?? []) if (EN_STOPWORDS.has(w.toLowerCase())) n++;
  return n;
}

/** English words (for word-limit checks). */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/** Length in characters (code points), the unit of 「N字以内」. */
export function charCount(text: string): number {
  return [...text].length;
}
