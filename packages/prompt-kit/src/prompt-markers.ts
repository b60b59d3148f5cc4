import type { PromptTask } from './category-settings.ts';
import type { PromptLang } from './prompt-lang.ts';

/** One chat message of a prompt (the shape `@tane/llm` sends). */
export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** What the marker lines of a prompt say. */
export interface PromptMarkers {
  task: PromptTask;
  lang: PromptLang;
  /** The category id. */
  category: string;
  /** Examples asked for (generation only). */
  k?: number;
}

/**
 * The `tane-*` marker lines that open every system message. The simulator
 * reads them to know what to answer; a real model reads them as harmless
 * metadata.
 *
 * @example
 * ```ts
 * promptMarkers({ task: 'generate', lang: 'ja', category: 'email-reply', k: 8 });
 * // 'tane-task: generate\ntane-lang: ja\ntane-category: email-reply\ntane-k: 8'
 * ```
 */
export function promptMarkers(markers: PromptMarkers): string {
  const lines = [
    `tane-task: ${markers.task}`,
    `tane-lang: ${markers.lang}`,
    `tane-category: ${markers.category}`,
  ];
  if (markers.k !== undefined) lines.push(`tane-k: ${markers.k}`);
  return lines.join('\n');
}

/**
 * A user message that ends with the payload as a fenced JSON block: the
 * text, then `extra` (when not blank), then the block, separated by blank
 * lines.
 *
 * @example
 * ```ts
 * withJsonPayload('Judge this example.', undefined, { example });
 * // 'Judge this example.\n\n```json\n{\n  "example": …\n}\n```'
 * ```
 */
export function withJsonPayload(text: string, extra: string | undefined, payload: unknown): string {
  const parts = [text.trim()];
  if (extra?.trim()) parts.push(extra.trim());
  const json = JSON.stringify(payload, null, 2);
  // Seeds may hold code blocks: make the fence longer than any backtick run inside (CommonMark's rule).
  // (a loop, not Math.max(...runs): a spread of a million runs overflows the stack)
  let longestRun = 0;
  for (const m of json.matchAll(/`+/g)) longestRun = Math.max(longestRun, m[0].length);
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  parts.push(`${fence}json\n${json}\n${fence}`);
  return parts.join('\n\n');
}
