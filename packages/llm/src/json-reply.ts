/** The outcome of reading a model reply as JSON. */
export type JsonReadResult = { ok: true; value: unknown } | { ok: false; error: string };

const FENCE = /^\s*```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```\s*$/;

/**
 * Parses a reply that should be one JSON value: strips a Markdown fence
 * (```json … ```), and if prose surrounds the object, tries the outermost
 * `{…}` span before giving up.
 */
export function readJsonReply(content: string): JsonReadResult {
  const trimmed = content.trim();
  const unfenced = FENCE.exec(trimmed)?.[1] ?? trimmed;
  if (unfenced.length === 0) return { ok: false, error: 'the reply is empty' };
  try {
    return { ok: true, value: JSON.parse(unfenced) };
  } catch (err) {
    const first = unfenced.indexOf('{');
    const last = unfenced.lastIndexOf('}');
    if (first >= 0 && last > first && (first > 0 || last < unfenced.length - 1)) {
      try {
        return { ok: true, value: JSON.parse(unfenced.slice(first, last + 1)) };
      } catch {
        // fall through to the original parse error, which points at the real problem
      }
    }
    return { ok: false, error: `the reply is not valid JSON (${(err as Error).message})` };
  }
}
