/** One instruction-tuning example as it travels in prompts and replies. */
export interface SimExample {
  instruction: string;
  input: string;
  output: string;
}

export type SimTaskKind = 'generate' | 'judge' | 'repair';
export type SimLang = 'ja' | 'en';

/** What the simulator read from a chat request's markers and payload. */
export interface SimTask {
  kind: SimTaskKind;
  lang: SimLang;
  category: string | undefined;
  k: number | undefined;
  payload: Record<string, unknown>;
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
}

const MARKER = /^\s*tane-(task|lang|category|k)\s*:\s*(.+?)\s*$/gm;
// A fence of three or more backticks, closed by the same run (longer fences wrap payloads holding code blocks).
const FENCED_JSON = /(`{3,})json\s*\n([\s\S]*?)\n?\1(?!`)/g;

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  // The OpenAI wire format also allows an array of content parts.
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '',
      )
      .join('');
  }
  return '';
}

/**
 * Reads the `tane-*` markers from the system message(s) and the fenced JSON
 * payload from the last user message. Returns undefined when the request is not
 * a tane task (no `tane-task` marker or no payload).
 */
export function readSimTask(messages: readonly WireMessage[]): SimTask | undefined {
  const markers = new Map<string, string>();
  for (const m of messages) {
    if (m.role !== 'system') continue;
    for (const match of text(m.content).matchAll(MARKER)) markers.set(match[1]!, match[2]!);
  }
  const kind = markers.get('task');
  if (kind !== 'generate' && kind !== 'judge' && kind !== 'repair') return undefined;
  // The first user message carries the task; later ones are re-asks after invalid output.
  const firstUser = messages.find((m) => m.role === 'user');
  if (!firstUser) return undefined;
  const blocks = [...text(firstUser.content).matchAll(FENCED_JSON)];
  const last = blocks.at(-1);
  if (!last) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(last[2]!);
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const kRaw = markers.get('k');
  const k = kRaw === undefined ? undefined : Number.parseInt(kRaw, 10);
  return {
    kind,
    lang: markers.get('lang') === 'ja' ? 'ja' : 'en',
    category: markers.get('category'),
    k: k !== undefined && Number.isFinite(k) && k > 0 ? k : undefined,
    payload: payload as Record<string, unknown>,
  };
}

/** Coerces an unknown payload value to an example (missing fields become empty strings). */
export function toSimExample(value: unknown): SimExample | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.instruction !== 'string') return undefined;
  return {
    instruction: v.instruction,
    input: typeof v.input === 'string' ? v.input : '',
    output: typeof v.output === 'string' ? v.output : '',
  };
}
