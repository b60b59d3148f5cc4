/**
 * Test helpers for model-facing plugins: a fake client factory that answers
 * from a function and records every request, the plugin wired to it,
 * candidate records as they reach the judge and the repairer, and the texts a
 * secret must never show up in. Import from `@tane/prompt-kit/testing`, in
 * tests only.
 */
export { type CandidateRecordInit, candidateRecord } from './candidate-record.ts';
export {
  type FakeLlmCall,
  type FakeLlmClients,
  type FakeLlmClientsOptions,
  fakeLlmClients,
} from './fake-llm-clients.ts';
export { type StageRunOutput, userVisibleTexts } from './user-visible-texts.ts';
export { TEST_PLUGIN_VERSION, withLlmClientFactory } from './with-llm-client-factory.ts';
