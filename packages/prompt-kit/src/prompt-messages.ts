import type { Example } from '@tane/core';
import { type PromptMarkers, type PromptMessage, promptMarkers, withJsonPayload } from './prompt-markers.ts';
import { type PromptTemplate, renderTemplateText } from './prompt-template.ts';

/** What {@link buildPromptMessages} puts together. */
export interface PromptMessagesInput {
  template: PromptTemplate;
  /** The marker lines that open the system message. */
  markers: PromptMarkers;
  /** A value for every placeholder the template may use. */
  values: Readonly<Record<string, string | number>>;
  /** Per-category text appended to the user message, before the payload. */
  extra?: string | undefined;
  /** What the fenced JSON block at the end of the user message holds. */
  payload: unknown;
}

/**
 * The two messages of a model-facing prompt, laid out the same way for every
 * task: the system message is the marker lines, then the template's system
 * text; the user message is the template's user text, then `extra`, then the
 * payload as a fenced JSON block. A template changes the wording, never this
 * frame, so the simulator and the reply parsers can rely on it.
 *
 * @example
 * ```ts
 * const messages = buildPromptMessages({
 *   template,
 *   markers: { task: 'judge', lang: 'ja', category: category.id },
 *   values: categoryTemplateValues('ja', category),
 *   extra: category.extra,
 *   payload: { example: promptExample(example), rubric },
 * });
 * ```
 */
export function buildPromptMessages(input: PromptMessagesInput): PromptMessage[] {
  const { template, values } = input;
  const markers = promptMarkers(input.markers);
  const system = renderTemplateText(template.system, values).trim();
  return [
    { role: 'system', content: system ? `${markers}\n\n${system}` : markers },
    {
      role: 'user',
      content: withJsonPayload(renderTemplateText(template.user, values), input.extra, input.payload),
    },
  ];
}

/**
 * An example as a prompt payload shows it: `instruction`, `input` (empty when
 * missing) and `output`, in that order and nothing else.
 *
 * @example
 * ```ts
 * promptExample({ instruction: '要約して', output: '…', id: 'seed-1' } as Example);
 * // { instruction: '要約して', input: '', output: '…' }
 * ```
 */
export function promptExample(example: Example): Example {
  return { instruction: example.instruction, input: example.input ?? '', output: example.output };
}
