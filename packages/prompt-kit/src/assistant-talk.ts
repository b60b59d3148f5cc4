/**
 * Chat-assistant talk that is not part of an instruction-tuning example:
 * meta-talk at the start of an instruction or output, and refusals anywhere in
 * an output. The generator filters candidates with these patterns and the
 * repairer checks its own replies with them, so neither kind reaches the
 * dataset.
 */

/**
 * Openings of an instruction or output that are a chat assistant talking, not
 * the example: English and Japanese acknowledgements and "here is" lead-ins.
 */
export const DEFAULT_META_TALK: readonly string[] = [
  // An acknowledgement followed by a lead-in: "Understood. Here is the response", "Sure! Here's".
  "(?:understood|sure|certainly|of course|absolutely|okay|ok|great)[!.,]?\\s*(?:here(?: is|'s| are)|below is|i(?:'ve| have) (?:written|rewritten|revised|created))",
  // A lead-in on its own: "Here is the rewritten example:".
  "here(?: is|'s| are) (?:the|an?|my|your) (?:response|answer|example|instruction|output|rewritten|revised|improved|updated|corrected)",
  // 「承知しました。以下は…」: an acknowledgement and a lead-in (承知いたしました alone opens many real e-mail replies).
  '(?:承知(?:しました|いたしました)|かしこまりました|了解(?:しました|いたしました)|はい)[。、！!]?\\s*以下',
  // 「以下は返信メールです。」: a lead-in on its own.
  '以下(?:は|が)[^。\\n]{0,30}(?:です|になります)[。：:]',
];

/** Refusals and self-references of a chat model, anywhere in an output. */
export const DEFAULT_REFUSALS: readonly string[] = [
  'as an ai(?: language)? model',
  'as an ai assistant',
  "i(?:'m| am) (?:sorry|afraid),? but i (?:can(?:not|'t)|am unable to|won't)",
  "^i can(?:not|'t) (?:help|assist|fulfill|comply|provide)",
  'AI(?:言語モデル|アシスタント)として',
  '私は(?:AI|人工知能)(?:です|なので|のため)',
];

/** What {@link findAssistantTalk} found: which kind, in which field, and the text that matched. */
export interface AssistantTalk {
  kind: 'meta_talk' | 'refusal';
  field: 'instruction' | 'output';
  match: string;
}

/** Compiles meta-talk (anchored at the start) or refusal patterns: case-insensitive, Unicode. */
export function compileTalkPatterns(patterns: readonly string[], anchored: boolean): RegExp[] {
  return patterns.map((p) => new RegExp(anchored ? `^(?:${p})` : p, 'iu'));
}

/**
 * The first assistant talk in an example (after NFKC): meta-talk opening the
 * output or the instruction, then a refusal in the output.
 *
 * @example
 * ```ts
 * const patterns = { metaTalk: compileTalkPatterns(DEFAULT_META_TALK, true), refusals: compileTalkPatterns(DEFAULT_REFUSALS, false) };
 * findAssistantTalk({ instruction: 'Summarize.', output: 'Understood. Here is the response: …' }, patterns);
 * // { kind: 'meta_talk', field: 'output', match: 'Understood. Here is' }
 * ```
 */
export function findAssistantTalk(
  example: { instruction: string; output: string },
  patterns: { metaTalk: readonly RegExp[]; refusals: readonly RegExp[] },
): AssistantTalk | undefined {
  const opening = (text: string) => text.normalize('NFKC').trimStart().slice(0, 400);
  for (const field of ['output', 'instruction'] as const) {
    const text = opening(example[field]);
    for (const re of patterns.metaTalk) {
      const m = re.exec(text);
      if (m) return { kind: 'meta_talk', field, match: m[0] };
    }
  }
  const output = example.output.normalize('NFKC');
  for (const re of patterns.refusals) {
    const m = re.exec(output);
    if (m) return { kind: 'refusal', field: 'output', match: m[0] };
  }
  return undefined;
}
