import { jsonrepair } from 'jsonrepair';

/**
 * The outcome of reading a model reply as JSON. `repaired` is true when the
 * text was not strict JSON and a repair (trailing commas, single quotes,
 * comments, unquoted keys, Python literals) made it readable.
 */
export type JsonReadResult = { ok: true; value: unknown; repaired: boolean } | { ok: false; error: string };

const WHOLE_FENCE = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/;
const ANY_FENCE = /```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)```/g;

/** The spans of a reply that may hold the JSON value, most likely first. */
function jsonSpans(text: string): string[] {
  const spans: string[] = [];
  const add = (s: string | undefined) => {
    const t = s?.trim();
    if (t && !spans.includes(t)) spans.push(t);
  };
  add(WHOLE_FENCE.exec(text)?.[1] ?? text);
  // A preamble ("Sure! Here is the JSON:") or a closing remark around a fenced block.
  for (const m of text.matchAll(ANY_FENCE)) add(m[1]);
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) add(text.slice(first, last + 1));
  const firstArr = text.indexOf('[');
  const lastArr = text.lastIndexOf(']');
  if (firstArr >= 0 && lastArr > firstArr) add(text.slice(firstArr, lastArr + 1));
  return spans;
}

/**
 * Whether a span opens with `{` or `[` and closes every bracket it opens
 * (outside strings): a reply cut off mid-value does not, and repairing it would
 * invent the end.
 */
function closesEverything(span: string): boolean {
  if (span[0] !== '{' && span[0] !== '[') return false;
  let depth = 0;
  let quote = '';
  for (let i = 0; i < span.length; i++) {
    const ch = span[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && i < span.length - 1) return false;
    }
  }
  return depth === 0 && quote === '';
}

/**
 * Parses a reply that should be one JSON value, the way real open models
 * answer: strict JSON first; then a Markdown fence (```json … ```) anywhere in
 * the reply, or the outermost `{…}` / `[…]` span inside prose; each span
 * strict first, then repaired with `jsonrepair` (trailing commas, single
 * quotes, comments).
 * A span that does not close every bracket it opens (a reply cut off) is never
 * repaired into a value.
 *
 * @example
 * ```ts
 * readJsonReply("Sure! Here it is:\n```json\n{'verdict': 'accept',}\n```");
 * // { ok: true, value: { verdict: 'accept' }, repaired: true }
 * ```
 */
export function readJsonReply(content: string): JsonReadResult {
  const trimmed = content.trim();
  if (trimmed.length === 0) return { ok: false, error: 'the reply is empty' };
  const spans = jsonSpans(trimmed);
  let firstError: string | undefined;
  for (const span of spans) {
    try {
      return { ok: true, value: JSON.parse(span), repaired: false };
    } catch (err) {
      firstError ??= (err as Error).message;
    }
    if (!closesEverything(span)) continue;
    try {
      const value: unknown = JSON.parse(jsonrepair(span));
      if (value !== null && typeof value === 'object') return { ok: true, value, repaired: true };
    } catch {
      // not repairable: try the next span
    }
  }
  return { ok: false, error: `the reply is not valid JSON (${firstError})` };
}
