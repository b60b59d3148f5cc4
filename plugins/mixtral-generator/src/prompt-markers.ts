import type { PromptLang } from './category-settings.ts';

/** One chat message of a prompt (the shape `@tane/llm` sends). */
export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * The `tane-*` marker lines that open every system message. The simulator
 * reads them to know what to answer; a real model reads them as harmless
 * metadata.
 */
export function promptMarkers(markers: {
  task: 'generate' | 'judge' | 'repair';
  lang: PromptLang;
  category: string;
  k?: number;
}): string {
  const lines = [
    `tane-task: ${markers.task}`,
    `tane-lang: ${markers.lang}`,
    `tane-category: ${markers.category}`,
  ];
  if (markers.k !== undefined) lines.push(`tane-k: ${markers.k}`);
  return lines.join('\n');
}

/** A user message that ends with the payload as a fenced JSON block. */
export function withJsonPayload(text: string, extra: string | undefined, payload: unknown): string {
  const parts = [text.trim()];
  if (extra?.trim()) parts.push(extra.trim());
  parts.push('```json\n' + JSON.stringify(payload, null, 2) + '\n```');
  return parts.join('\n\n');
}
