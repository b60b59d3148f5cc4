/**
 * What the model-facing plugins (generator, judge, repairer) share: prompt
 * templates with an id and a version, the prompt frame with the simulator's
 * marker lines, the category settings carried in `meta.category`, and the
 * `llm` block of a stage's config with the clients it makes.
 */
export {
  type AssistantTalk,
  compileTalkPatterns,
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
  findAssistantTalk,
} from './assistant-talk.ts';
export { readCandidateExample } from './candidate-example.ts';
export { type CategoryPromptSettings, type PromptTask, readCategorySettings } from './category-settings.ts';
export { CATEGORY_TEMPLATE_VARIABLES, categoryTemplateValues } from './category-template-values.ts';
export { type LlmClientFactory, StageLlmClients } from './llm-clients.ts';
export { endpointConfig, type LlmSettings, llmSettingsSchema } from './llm-settings.ts';
export { type PromptLang, promptLang, promptLanguageName } from './prompt-lang.ts';
export { type PromptMarkers, type PromptMessage, promptMarkers, withJsonPayload } from './prompt-markers.ts';
export { buildPromptMessages, type PromptMessagesInput, promptExample } from './prompt-messages.ts';
export {
  loadPromptTemplate,
  type PromptTemplate,
  parsePromptTemplate,
  renderTemplateText,
} from './prompt-template.ts';
export {
  type BuiltInTemplates,
  loadDefaultTemplates,
  loadStageTemplates,
  PromptTemplates,
} from './prompt-templates.ts';
export {
  maxInvalidRetriesSchema,
  type SamplingParams,
  samplingParamsSchema,
  type TemplatesConfig,
  templatesConfigSchema,
} from './stage-config-schemas.ts';
