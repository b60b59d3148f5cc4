/** Hiragana and katakana, CJK ideographs (extension A and the unified block), half-width katakana. */
function isJapanese(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x9fff) ||
    (code >= 0xff66 && code <= 0xff9f)
  );
}

/**
 * Rough token count before the server has answered (for tokens-per-minute
 * limits): Japanese characters ~1/1.5 token each, other characters ~1/4.
 * One pass over the UTF-16 code units, nothing allocated (every range counted is in the BMP).
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  let ja = 0;
  for (let i = 0; i < text.length; i++) if (isJapanese(text.charCodeAt(i))) ja++;
  return Math.ceil(ja / 1.5 + (text.length - ja) / 4);
}
