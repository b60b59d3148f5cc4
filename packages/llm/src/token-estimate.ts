const JAPANESE_CHARS = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/gu;

/**
 * Rough token count before the server has answered (for tokens-per-minute
 * limits): Japanese characters ~1/1.5 token each, other characters ~1/4.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const ja = text.match(JAPANESE_CHARS)?.length ?? 0;
  return Math.ceil(ja / 1.5 + (text.length - ja) / 4);
}
