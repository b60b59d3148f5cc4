import type { Example } from '@tane/core';
import { compileTalkPatterns, findAssistantTalk, type PromptLang } from '@tane/prompt-kit';
import type { FilterConfig } from './generator-config.ts';
import {
  type ComparableText,
  charLength,
  comparableSimilarity,
  comparableText,
  hasJapanese,
  hasKana,
  japaneseShare,
  looksLikeLatinProse,
  looksStructured,
} from './text.ts';

/** The filter names that appear in `meta.outcome.detail` of a filtered candidate. */
export type FilterName =
  | 'output_empty'
  | 'instruction_length'
  | 'output_length'
  | 'wrong_language'
  | 'blocklist'
  | 'copy_of_few_shot'
  | 'duplicate_in_reply'
  | 'meta_talk'
  | 'refusal';

/** Filter settings (the `filters` block of the config). */
export type { FilterConfig };

/** Why a candidate failed: the filter's name and a sentence for people tuning the filters. */
export interface FilterFailure {
  filter: FilterName;
  message: string;
}

/** What a candidate is compared against. */
export interface FilterContext {
  lang: PromptLang | undefined;
  fewShot: readonly Example[];
  /** Examples earlier in the same reply. */
  earlier: readonly Example[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A matcher for the blocklist: ASCII words match whole words (and their plural); others match anywhere. */
export function compileBlocklist(
  words: readonly string[],
  exceptions: readonly string[],
): (text: string) => string | undefined {
  const ascii = words.filter((w) => /^[\x20-\x7e]+$/.test(w));
  const other = words.filter((w) => !/^[\x20-\x7e]+$/.test(w)).map((w) => w.normalize('NFKC'));
  const asciiRe = ascii.map((w) => ({ word: w, re: new RegExp(`\\b${escapeRegExp(w)}(?:s|es)?\\b`, 'i') }));
  const stripped = [...exceptions].map((e) => e.normalize('NFKC')).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let t = text.normalize('NFKC');
    for (const e of stripped) if (e) t = t.split(e).join(' ');
    for (const { word, re } of asciiRe) if (re.test(t)) return word;
    return other.find((w) => w !== '' && t.includes(w));
  };
}

/** Seed texts kept prepared across tasks, per filter (a category's seeds are usually a few dozen). */
const SHOT_CACHE_SIZE = 512;

function lengthFailure(
  field: 'instruction' | 'output',
  text: string,
  limits: { minChars: number; maxChars: number },
): FilterFailure | undefined {
  const n = charLength(text);
  if (n < limits.minChars) {
    return {
      filter: `${field}_length`,
      message: `${field} has ${n} characters, fewer than ${limits.minChars}`,
    };
  }
  if (n > limits.maxChars) {
    return {
      filter: `${field}_length`,
      message: `${field} has ${n} characters, more than ${limits.maxChars}`,
    };
  }
  return undefined;
}

function languageFailure(
  example: Example,
  lang: PromptLang,
  asksForeign: (instruction: string) => boolean,
): FilterFailure | undefined {
  if (lang === 'ja') {
    if (!hasKana(example.instruction)) {
      return {
        filter: 'wrong_language',
        message: 'the instruction of a ja category has no hiragana or katakana',
      };
    }
    const out = example.output;
    const foreign = asksForeign(example.instruction);
    if (!foreign && !hasJapanese(out) && !looksStructured(out) && looksLikeLatinProse(out)) {
      return {
        filter: 'wrong_language',
        message: 'the output of a ja category is Latin-script prose with no Japanese',
      };
    }
    return undefined;
  }
  if (japaneseShare(example.instruction) > 0.5) {
    return { filter: 'wrong_language', message: 'the instruction of an en category is mostly Japanese' };
  }
  return undefined;
}

/**
 * Self-Instruct's post-generation filters, adapted to Japanese: lengths in
 * characters instead of words, no "must start with an ASCII letter" rule, a
 * blocklist with Japanese words, and a language check. Returns the first
 * filter the example fails, or undefined when it passes them all.
 *
 * @example
 * ```ts
 * const check = candidateFilter(filters);
 * check({ instruction: '添付の写真を説明してください。', input: '', output: '…' }, { lang: 'ja', fewShot, earlier: [] });
 * // { filter: 'blocklist', message: 'the instruction mentions 写真, which a text model cannot handle' }
 * ```
 */
export function candidateFilter(
  config: FilterConfig,
): (example: Example, ctx: FilterContext) => FilterFailure | undefined {
  const blocked = compileBlocklist(config.blocklist, config.blocklistExceptions);
  const foreignWords = config.foreignOutputWords.map((w) => w.normalize('NFKC').toLowerCase());
  const asksForeign = (instruction: string) => {
    const t = instruction.normalize('NFKC').toLowerCase();
    return foreignWords.some((w) => w !== '' && t.includes(w));
  };
  const key = (e: Example) => `${e.instruction}\n${e.input ?? ''}`;
  // A task's few-shot examples are the same objects for every candidate of its reply, and each
  // candidate is compared with those before it: prepare each text once.
  const prepared = new WeakMap<Example, ComparableText>();
  const comparable = (e: Example): ComparableText => {
    let c = prepared.get(e);
    if (!c) {
      c = comparableText(key(e));
      prepared.set(e, c);
    }
    return c;
  };
  // Most few-shot examples are the category's seeds, so the same texts come back in task after
  // task as new objects: keep seeds by text too (a bounded number). Accepted examples rarely
  // repeat (two of a thousand per task), and keeping them would only hold memory.
  const shotsByText = new Map<string, ComparableText>();
  const comparableShot = (e: Example & { source?: unknown }): ComparableText => {
    let c = prepared.get(e);
    if (c) return c;
    if (e.source !== 'seed') return comparable(e);
    const text = key(e);
    c = shotsByText.get(text);
    if (!c) {
      if (shotsByText.size >= SHOT_CACHE_SIZE) shotsByText.clear();
      c = comparableText(text);
      shotsByText.set(text, c);
    }
    prepared.set(e, c);
    return c;
  };
  const talkPatterns = {
    metaTalk: compileTalkPatterns(config.metaTalk, true),
    refusals: compileTalkPatterns(config.refusals, false),
  };
  return (example, ctx) => {
    if (example.output.trim() === '') return { filter: 'output_empty', message: 'the output is empty' };
    const talk = findAssistantTalk(example, talkPatterns);
    if (talk?.kind === 'meta_talk') {
      return {
        filter: 'meta_talk',
        message: `the ${talk.field} opens with assistant talk (${JSON.stringify(talk.match)}), not the example itself`,
      };
    }
    if (talk)
      return { filter: 'refusal', message: `the output is a refusal (${JSON.stringify(talk.match)})` };
    const lengths =
      lengthFailure('instruction', example.instruction, config.instruction) ??
      lengthFailure('output', example.output, config.output);
    if (lengths) return lengths;
    if (config.language && ctx.lang) {
      const failure = languageFailure(example, ctx.lang, asksForeign);
      if (failure) return failure;
    }
    const word = blocked(example.instruction);
    if (word !== undefined) {
      return {
        filter: 'blocklist',
        message: `the instruction mentions ${word}, which a text model cannot handle`,
      };
    }
    const own = comparable(example);
    for (const shot of ctx.fewShot) {
      const other = comparableShot(shot);
      // The Dice coefficient is at most 2·min/sum of the bigram counts (the same division, so the
      // bound is exact in floating point too): skip pairs whose lengths alone keep them below it.
      if ((2 * Math.min(own.total, other.total)) / (own.total + other.total) < config.copySimilarity)
        continue;
      const similarity = comparableSimilarity(own, other);
      if (similarity >= config.copySimilarity) {
        return {
          filter: 'copy_of_few_shot',
          message: `instruction and input copy a few-shot example (similarity ${similarity.toFixed(2)})`,
        };
      }
    }
    if (ctx.earlier.some((e) => comparable(e).norm === own.norm)) {
      return {
        filter: 'duplicate_in_reply',
        message: 'the same instruction and input appear earlier in the reply',
      };
    }
    return undefined;
  };
}
