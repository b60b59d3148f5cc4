import type { SourceSpec } from './sources-config.ts';

/** A row in tane's single-turn shape. */
export interface Example {
  instruction: string;
  input: string;
  output: string;
}

export type Mapped = { ok: true; examples: Example[]; rawCategory?: string } | { ok: false; error: string };

/** The row shapes `tane import` understands, and the fields each reads by default. */
export const FORMAT_FIELDS = {
  alpaca: { instruction: 'instruction', input: 'input', output: 'output' },
  dolly: { instruction: 'instruction', input: 'context', output: 'response' },
  'prompt-completion': { instruction: 'prompt', input: '', output: 'completion' },
  sharegpt: { conversations: 'conversations' },
  messages: { conversations: 'messages' },
} as const;

export type RowFormat = keyof typeof FORMAT_FIELDS;

const USER = new Set(['human', 'user', 'prompter']);
const ASSISTANT = new Set(['gpt', 'assistant', 'bot', 'chatgpt', 'model']);

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Maps one raw row to zero or more examples, following the source's format, fields and turn policy. */
export function mapRow(fields: Record<string, unknown>, source: SourceSpec): Mapped {
  const f = source.fields;
  const rawCategory = source.category.field ? text(fields[source.category.field]) : undefined;
  if (source.format === 'sharegpt' || source.format === 'messages') {
    const key = f.conversations ?? FORMAT_FIELDS[source.format].conversations;
    let conv = fields[key];
    if (typeof conv === 'string') {
      try {
        conv = JSON.parse(conv);
      } catch {
        return { ok: false, error: `field '${key}' is a string that is not a JSON list of turns` };
      }
    }
    if (!Array.isArray(conv)) return { ok: false, error: `field '${key}' is missing or not a list of turns` };
    const turns: { role: 'system' | 'user' | 'assistant'; text: string }[] = [];
    for (const [i, t] of conv.entries()) {
      if (!t || typeof t !== 'object') return { ok: false, error: `turn ${i} is not an object` };
      const o = t as Record<string, unknown>;
      const roleRaw = String(o.from ?? o.role ?? '').toLowerCase();
      const value = text(o.value ?? o.content);
      if (value === undefined) return { ok: false, error: `turn ${i} has no text (value/content)` };
      const role =
        roleRaw === 'system'
          ? 'system'
          : USER.has(roleRaw)
            ? 'user'
            : ASSISTANT.has(roleRaw)
              ? 'assistant'
              : undefined;
      if (!role)
        return {
          ok: false,
          error: `turn ${i} has unknown role '${roleRaw}' (expected system, human/user, gpt/assistant)`,
        };
      turns.push({ role, text: value });
    }
    const system = turns
      .filter((t) => t.role === 'system')
      .map((t) => t.text.trim())
      .filter(Boolean)
      .join('\n');
    const pairs: Example[] = [];
    let history: string[] = [];
    for (let i = 0; i < turns.length; i++) {
      const t = turns[i] as (typeof turns)[number];
      if (t.role !== 'user') continue;
      const next = turns[i + 1];
      if (next?.role === 'assistant' && t.text.trim() !== '' && next.text.trim() !== '') {
        const context = [
          source.system === 'input' ? system : '',
          source.multiTurn === 'history' ? history.join('\n') : '',
        ]
          .filter(Boolean)
          .join('\n\n');
        pairs.push({ instruction: t.text.trim(), input: context, output: next.text.trim() });
        history = [...history, `User: ${t.text.trim()}`, `Assistant: ${next.text.trim()}`];
      }
    }
    if (pairs.length === 0) return { ok: false, error: 'no user turn followed by an assistant answer' };
    const picked =
      source.multiTurn === 'first'
        ? pairs.slice(0, 1)
        : source.multiTurn === 'last' || source.multiTurn === 'history'
          ? pairs.slice(-1)
          : pairs;
    return { ok: true, examples: picked, ...(rawCategory !== undefined ? { rawCategory } : {}) };
  }
  const defaults = FORMAT_FIELDS[source.format];
  const iKey = f.instruction ?? defaults.instruction;
  const inKey = f.input ?? defaults.input;
  const oKey = f.output ?? defaults.output;
  const instruction = text(fields[iKey])?.trim() ?? '';
  const input = inKey ? (text(fields[inKey])?.trim() ?? '') : '';
  const output = text(fields[oKey])?.trim() ?? '';
  if (instruction === '') return { ok: false, error: `field '${iKey}' is missing or empty` };
  if (output === '') return { ok: false, error: `field '${oKey}' is missing or empty` };
  return {
    ok: true,
    examples: [{ instruction, input, output }],
    ...(rawCategory !== undefined ? { rawCategory } : {}),
  };
}

/** The category a row goes to, or the fallback (and whether the fallback was used). */
export function categoryOf(
  rawCategory: string | undefined,
  source: SourceSpec,
): { category: string; fallback: boolean } {
  const c = source.category;
  if (c.fixed) return { category: c.fixed, fallback: false };
  if (rawCategory !== undefined && rawCategory.trim() !== '') {
    const v = rawCategory.trim();
    if (c.map) {
      const m = c.map[v];
      if (m) return { category: m, fallback: false };
    } else if (/^[a-z0-9][a-z0-9_-]*$/i.test(v)) return { category: v, fallback: false };
  }
  return { category: c.fallback, fallback: true };
}
