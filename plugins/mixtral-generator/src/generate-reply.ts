import type { Example } from '@tane/core';
import { parseNumberedList } from './numbered-list.ts';

/** JSON Schema of the generation reply (`chatJson` validates it with ajv). */
export const generateReplySchema = {
  type: 'object',
  required: ['examples'],
  properties: {
    examples: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['instruction', 'input', 'output'],
        properties: {
          instruction: { type: 'string' },
          input: { type: 'string' },
          // Empty outputs are allowed here: the `output_empty` filter records them instead of re-asking.
          output: { type: 'string' },
        },
      },
    },
  },
} as const;

/** The reply as the schema describes it. */
export interface GenerateReply {
  examples: Example[];
}

/** How a reply was read: the JSON object asked for, or the numbered-list fallback. */
export type ReplyFormat = 'json' | 'json-truncated' | 'numbered-list';

function toExample(value: unknown): Example | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.instruction !== 'string' || v.instruction.trim() === '') return undefined;
  return {
    instruction: v.instruction,
    input: typeof v.input === 'string' ? v.input : '',
    output: typeof v.output === 'string' ? v.output : '',
  };
}

function examplesFromJson(value: unknown): Example[] | undefined {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { examples?: unknown }).examples)
      ? (value as { examples: unknown[] }).examples
      : undefined;
  if (!list) return undefined;
  const examples = list.map(toExample).filter((e): e is Example => e !== undefined);
  return examples.length > 0 ? examples : undefined;
}

function jsonCandidates(text: string): string[] {
  const out = [text.trim()];
  for (const m of text.matchAll(/```(?:json)?[ \t]*\r?\n([\s\S]*?)```/g)) out.push(m[1]!.trim());
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open >= 0 && close > open) out.push(text.slice(open, close + 1));
  const openArr = text.indexOf('[');
  const closeArr = text.lastIndexOf(']');
  if (openArr >= 0 && closeArr > openArr) out.push(text.slice(openArr, closeArr + 1));
  return out;
}

/**
 * The complete objects of a JSON array that was cut off (a reply stopped by
 * `max_tokens`): every `{…}` directly inside the `examples` array that closes
 * before the text ends.
 */
export function salvageTruncatedJson(text: string): Example[] {
  const key = text.search(/"examples"\s*:\s*\[/);
  const start = key >= 0 ? text.indexOf('[', key) : text.indexOf('[');
  if (start < 0) return [];
  const out: Example[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let objectStart = -1;
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0 && ch === '{') objectStart = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      if (depth === 0) break;
      depth--;
      if (depth === 0 && ch === '}' && objectStart >= 0) {
        try {
          const example = toExample(JSON.parse(text.slice(objectStart, i + 1)));
          if (example) out.push(example);
        } catch {
          // an object that does not parse on its own is skipped, like a truncated one
        }
        objectStart = -1;
      }
    }
  }
  return out;
}

/**
 * Reads the examples out of a generation reply that did not pass the schema:
 * first as JSON wrapped in prose or a code fence, then the complete examples
 * of a JSON reply cut off by `max_tokens`, then as a numbered list
 * (`1. Instruction: … Input: … Output: …`, also with 指示/入力/出力).
 * Returns undefined when none yields an example.
 *
 * @example
 * ```ts
 * parseGenerateReply('1. Instruction: Greet.\nInput: <noinput>\nOutput: Hello.');
 * // { format: 'numbered-list', examples: [{ instruction: 'Greet.', input: '', output: 'Hello.' }] }
 * ```
 */
export function parseGenerateReply(text: string): { examples: Example[]; format: ReplyFormat } | undefined {
  for (const candidate of jsonCandidates(text)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const examples = examplesFromJson(value);
    if (examples) return { examples, format: 'json' };
  }
  const salvaged = salvageTruncatedJson(text);
  if (salvaged.length > 0) return { examples: salvaged, format: 'json-truncated' };
  const listed = parseNumberedList(text);
  return listed.length > 0 ? { examples: listed, format: 'numbered-list' } : undefined;
}

/** The examples of a reply that passed the schema, with blank instructions dropped. */
export function examplesFromReply(reply: GenerateReply): Example[] {
  return examplesFromJson(reply) ?? [];
}
