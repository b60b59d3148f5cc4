import { hashUnit, type SeededRandom } from './seeded-random.ts';
import type { SimExample, SimLang } from './sim-task.ts';
import { charCount, englishStopwordCount, hasJapanese, wordCount } from './text-lang.ts';
import { EN_WORDS, JA_WORDS, REFUSALS } from './word-lists.ts';

/** Defects a repair can remove. */
export type DefectKind = 'empty' | 'truncated' | 'wrong-language' | 'length';
export const DEFECT_KINDS: readonly DefectKind[] = ['empty', 'truncated', 'wrong-language', 'length'];

/** What the simulated judge finds wrong with an example. `refusal` is never repairable. */
export interface Finding {
  kind: DefectKind | 'refusal';
  reason: string;
}

const JA_LIMIT = /(\d+)字以内/;
const EN_LIMIT = /\b(?:at most|no more than|under|within) (\d+) words\b/i;

/** The length limit an instruction sets, if any (characters for ja, words for en). */
export function lengthLimit(instruction: string, lang: SimLang): number | undefined {
  const m = (lang === 'ja' ? JA_LIMIT : EN_LIMIT).exec(instruction);
  return m ? Number(m[1]) : undefined;
}

/** Output length in the unit of {@link lengthLimit}. */
export function outputLength(output: string, lang: SimLang): number {
  return lang === 'ja' ? charCount(output) : wordCount(output);
}

export function isRefusal(output: string): boolean {
  const t = output.trim();
  return t.startsWith('申し訳ありませんが、') || /^I'm sorry, but I (?:can't|cannot)\b/.test(t);
}

/**
 * The simulated judge's whole quality check. Every rule looks only at the
 * example's text, so a judge in another process reaches the same verdict.
 */
export function findDefect(example: SimExample, lang: SimLang): Finding | undefined {
  const out = example.output.trim();
  const ja = lang === 'ja';
  if (out.length === 0) {
    return { kind: 'empty', reason: ja ? '出力が空で、指示に答えていない' : 'The output is empty.' };
  }
  if (isRefusal(out)) {
    return {
      kind: 'refusal',
      reason: ja
        ? '出力が回答を拒否しており、例として使えない'
        : 'The output refuses the task; it is not a usable example.',
    };
  }
  if (/[、,，]$/.test(out)) {
    return {
      kind: 'truncated',
      reason: ja ? '出力が文の途中で途切れている' : 'The output stops in the middle of a sentence.',
    };
  }
  const wrongLanguage = ja ? !hasJapanese(out) && englishStopwordCount(out) >= 3 : hasJapanese(out);
  if (wrongLanguage) {
    return {
      kind: 'wrong-language',
      reason: ja
        ? '出力が日本語ではなく英語で書かれている'
        : 'The output is written in Japanese, not English.',
    };
  }
  const limit = lengthLimit(example.instruction, lang);
  const length = outputLength(out, lang);
  if (limit !== undefined && length > limit) {
    return {
      kind: 'length',
      reason: ja
        ? `指示は${limit}字以内を求めているが、出力は${length}字ある`
        : `The instruction asks for at most ${limit} words but the output has ${length}.`,
    };
  }
  return undefined;
}

/**
 * Whether the simulated repairer gives up on this example. Decided from the
 * instruction and input only, which a repair never changes.
 */
export function isUnfixable(seed: number | string, example: SimExample, unfixableRate: number): boolean {
  return hashUnit(seed, 'unfixable', example.instruction, example.input) < unfixableRate;
}

export function refusalText(lang: SimLang, rng: SeededRandom): string {
  return rng.pick(REFUSALS[lang]);
}

function wrongLanguageText(lang: SimLang, rng: SeededRandom): string {
  if (lang === 'ja') {
    const topic = rng.pick(EN_WORDS.topics);
    return rng.pick([
      `Thank you for your message about ${topic}. We have reviewed the details and will follow up with you by the end of the week.`,
      `Here is a short summary of ${topic}. The team agreed to the plan, and the next review is scheduled for next month.`,
      `We are sorry for the trouble caused by ${topic}. Our staff will contact you to confirm the next steps.`,
    ]);
  }
  const topic = rng.pick(JA_WORDS.topics);
  return rng.pick([
    `${topic}についてご連絡いただきありがとうございます。内容を確認のうえ、今週中に改めてご連絡いたします。`,
    `${topic}の件で、関係者と調整した結果をお知らせします。詳細は別途共有いたします。`,
  ]);
}

/** Which planted defects make sense for this example (a 3-character output cannot be cut in half). */
export function applicableDefects(example: SimExample, lang: SimLang): DefectKind[] {
  const len = outputLength(example.output, lang);
  const kinds: DefectKind[] = ['empty', 'wrong-language'];
  if (charCount(example.output) >= 12) kinds.push('truncated');
  if (len >= (lang === 'ja' ? 30 : 8)) kinds.push('length');
  return kinds;
}

function setLengthLimit(instruction: string, limit: number, lang: SimLang): string {
  if (lang === 'ja') {
    if (JA_LIMIT.test(instruction)) return instruction.replace(JA_LIMIT, `${limit}字以内`);
    return `${instruction}${instruction.endsWith('。') ? '' : '。'}${limit}字以内で答えてください。`;
  }
  if (EN_LIMIT.test(instruction)) return instruction.replace(EN_LIMIT, `at most ${limit} words`);
  return `${instruction.trimEnd()}${/[.!?]$/.test(instruction.trim()) ? '' : '.'} Keep it to at most ${limit} words.`;
}

/** Gives a clean example one detectable defect of the given kind. */
export function plantDefect(
  example: SimExample,
  kind: DefectKind,
  lang: SimLang,
  rng: SeededRandom,
): SimExample {
  switch (kind) {
    case 'empty':
      return { ...example, output: '' };
    case 'wrong-language':
      return { ...example, output: wrongLanguageText(lang, rng) };
    case 'truncated': {
      const chars = [...example.output];
      let cut = chars.slice(0, Math.max(4, Math.floor(chars.length * (0.35 + rng.next() * 0.3)))).join('');
      if (lang === 'en') cut = cut.replace(/\s+\S*$/, '');
      cut = cut.replace(/[\s、。,.，!?！？]+$/u, '');
      return { ...example, output: `${cut}${lang === 'ja' ? '、' : ','}` };
    }
    case 'length': {
      const len = outputLength(example.output, lang);
      const step = lang === 'ja' ? 10 : 5;
      const limit = Math.max(step, Math.floor((len * 0.5) / step) * step);
      return { ...example, instruction: setLengthLimit(example.instruction, limit, lang) };
    }
  }
}
