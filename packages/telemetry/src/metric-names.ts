/**
 * Names of the instruments tane records. Prometheus shows counters with a
 * `_total` suffix (`tane_records_consumed_total`).
 */
export const METRIC_NAMES = {
  recordsConsumed: 'tane_records_consumed',
  recordsInFlight: 'tane_records_in_flight',
  committedOffset: 'tane_committed_offset',
  consumerLag: 'tane_consumer_lag',
  stageRecordsIn: 'tane_stage_records_in',
  stageRecordsOut: 'tane_stage_records_out',
  stageDuration: 'tane_stage_duration_seconds',
  stageInFlight: 'tane_stage_in_flight',
  recordsWritten: 'tane_records_written',
  recordsDeadLettered: 'tane_records_dead_lettered',
  recordsDropped: 'tane_records_dropped',
  examplesAccepted: 'tane_examples_accepted',
  examplesRepairs: 'tane_examples_repairs',
  examplesRejected: 'tane_examples_rejected',
  llmRequests: 'tane_llm_requests',
  llmRequestDuration: 'tane_llm_request_duration_seconds',
  llmTokens: 'tane_llm_tokens',
  llmThrottled: 'tane_llm_throttled',
  llmRetries: 'tane_llm_retries',
  llmCacheHits: 'tane_llm_cache_hits',
} as const;
