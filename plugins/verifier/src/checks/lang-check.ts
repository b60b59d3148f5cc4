import { type CheckResult, failed, passed, skipped } from '../check-result.ts';

const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}ー]/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const LETTER = /\p{L}/gu;
/** Share of letters in the expected script at which the output counts as in that language. */
const MIN_SHARE = 0.3;

/** Share of the letters of a text that are Japanese (kana or kanji), 0–1. */
export function japaneseShare(text: string): number {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return 0;
  return (text.match(JAPANESE)?.length ?? 0) / letters;
}

/**
 * The output is in the expected language: at least 30% of the letters of its
 * prose (code blocks and inline code left out) are in that language's script
 * — Japanese (kana and kanji, with some kana) for `ja`, Latin or other
 * non-Japanese letters otherwise. So an answer that explains English phrases
 * in Japanese passes for either, and an answer wholly in the wrong language
 * fails. Japanese and English are told apart by script, which needs no model
 * or word list.
 */
export function checkLanguage(output: string, expected: string): CheckResult {
  const prose = output.replace(/(`{3,})[\s\S]*?\1/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const letters = prose.match(LETTER)?.length ?? 0;
  if (letters < 3) return skipped('lang', 'the output has no prose to tell the language of');
  const share = japaneseShare(prose);
  const lang = expected.toLowerCase().split('-')[0]!;
  if (lang === 'ja') {
    if (KANA.test(prose) && share >= MIN_SHARE) return passed('lang', 'ja');
    return failed(
      'lang',
      `the output should be Japanese but only ${Math.round(share * 100)}% of its letters are Japanese`,
    );
  }
  if (1 - share >= MIN_SHARE) return passed('lang', lang);
  return failed(
    'lang',
    `the output should be in ${lang === 'en' ? 'English' : lang} but ${Math.round(share * 100)}% of its letters are Japanese`,
  );
}
