import { hashUnit } from './seeded-random.ts';

/** How the simulator writes its replies: `clean` JSON (the default), or `messy` like real open models. */
export type SimStyle = 'clean' | 'messy';

/** The shapes a messy reply takes; `readable` ones still hold the JSON value. */
export type MessyShape =
  | 'plain'
  | 'fenced'
  | 'preamble-fenced'
  | 'preamble-trailer'
  | 'trailing-commas'
  | 'single-quotes'
  | 'comments'
  | 'empty'
  | 'cut-off'
  | 'prose';

const SHAPES: ReadonlyArray<[MessyShape, number]> = [
  ['plain', 0.12],
  ['fenced', 0.12],
  ['preamble-fenced', 0.14],
  ['preamble-trailer', 0.1],
  ['trailing-commas', 0.12],
  ['single-quotes', 0.12],
  ['comments', 0.1],
  ['empty', 0.06],
  ['cut-off', 0.06],
  ['prose', 0.06],
];

/** Shapes whose text still holds the whole JSON value (a repairing reader can use it). */
export const READABLE_SHAPES: ReadonlySet<MessyShape> = new Set([
  'plain',
  'fenced',
  'preamble-fenced',
  'preamble-trailer',
  'trailing-commas',
  'single-quotes',
  'comments',
]);

/** The shape of the reply to the request with this hash (the same on every run with the same seed). */
export function messyShape(seed: number, hash: string): MessyShape {
  let u = hashUnit(seed, 'messy-shape', hash);
  for (const [shape, share] of SHAPES) {
    if (u < share) return shape;
    u -= share;
  }
  return 'plain';
}

const EN_PREAMBLES = [
  'Sure! Here is the JSON you asked for:',
  'Understood. Here is the response:',
  'Certainly.',
];
const JA_PREAMBLES = ['承知しました。以下はJSONです。', 'かしこまりました。以下が回答です：'];
const EN_TRAILERS = ['Let me know if you need anything else!', 'I hope this helps.'];
const JA_TRAILERS = ['ご不明な点があればお知らせください。'];

function pick<T>(list: readonly T[], seed: number, key: string, hash: string): T {
  return list[Math.floor(hashUnit(seed, key, hash) * list.length)]!;
}

/** Pretty JSON with a comma after the last member of every object and array. */
function withTrailingCommas(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/([}\]"\d]|true|false|null)(\n\s*[}\]])/g, '$1,$2');
}

/** JSON whose keys are single-quoted, as Python's repr writes them. */
function withSingleQuotedKeys(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/^(\s*)"([A-Za-z_][A-Za-z0-9_]*)":/gm, "$1'$2':");
}

/**
 * Writes a JSON reply in the way real open models do when they ignore or do
 * not get structured output: fences, chatty preambles and closing remarks,
 * trailing commas, single quotes, comments; and sometimes nothing usable
 * (empty content, a reply cut off with `finish_reason: "length"`, prose).
 *
 * @example
 * ```ts
 * messyReply({ verdict: 'accept' }, 'trailing-commas', 'en', 1, hash);
 * // { content: '{\n  "verdict": "accept",\n}', finishReason: 'stop' }
 * ```
 */
export function messyReply(
  value: unknown,
  shape: MessyShape,
  lang: 'ja' | 'en',
  seed: number,
  hash: string,
): { content: string; finishReason: 'stop' | 'length' } {
  const json = JSON.stringify(value);
  const preamble = pick(lang === 'ja' ? JA_PREAMBLES : EN_PREAMBLES, seed, 'messy-pre', hash);
  const trailer = pick(lang === 'ja' ? JA_TRAILERS : EN_TRAILERS, seed, 'messy-post', hash);
  const stop = (content: string) => ({ content, finishReason: 'stop' as const });
  switch (shape) {
    case 'plain':
      return stop(json);
    case 'fenced':
      return stop(`\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``);
    case 'preamble-fenced':
      return stop(`${preamble}\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\n${trailer}`);
    case 'preamble-trailer':
      return stop(`${preamble}\n${json}\n${trailer}`);
    case 'trailing-commas':
      return stop(withTrailingCommas(value));
    case 'single-quotes':
      return stop(withSingleQuotedKeys(value));
    case 'comments':
      return stop(`// ${lang === 'ja' ? '回答' : 'answer'}\n${JSON.stringify(value, null, 2)}`);
    case 'empty':
      return stop('');
    case 'cut-off':
      return { content: json.slice(0, Math.max(1, Math.floor(json.length / 2))), finishReason: 'length' };
    case 'prose':
      return stop(
        lang === 'ja'
          ? '承知しました。内容を確認しましたが、特に問題はないと思います。'
          : 'I have looked at this carefully and I think it is fine overall.',
      );
  }
}

const EN_META = [
  'Understood. Here is the response: ',
  'Sure! Here is the answer:\n',
  'Certainly! Here is the rewritten example:\n',
];
const JA_META = ['承知しました。以下は回答です。', '以下は回答です。', 'かしこまりました。以下が回答です：'];
const EN_REFUSAL = 'As an AI language model, I cannot help with that request.';
const JA_REFUSAL = '申し訳ありませんが、AIアシスタントとしてその依頼にはお応えできません。';

/**
 * Makes some generated examples sound like a chat model instead of a dataset:
 * an output that opens with meta-talk ("Understood. Here is the response",
 * 「承知しました」), or a refusal ("As an AI language model, I cannot…").
 */
export function messyExample<T extends { output: string }>(
  example: T,
  lang: 'ja' | 'en',
  seed: number,
  key: string,
): T {
  const u = hashUnit(seed, 'messy-example', key);
  if (u < 0.12) {
    const prefix = pick(lang === 'ja' ? JA_META : EN_META, seed, 'messy-meta', key);
    return { ...example, output: `${prefix}${example.output}` };
  }
  if (u < 0.16) return { ...example, output: lang === 'ja' ? JA_REFUSAL : EN_REFUSAL };
  return example;
}
