import type { Logger } from '@tane/core';
import type { EngineHooks } from '@tane/core/engine';

/** Options of {@link setupTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` of traces and metrics. Default `OTEL_SERVICE_NAME`, else `tane`. */
  serviceName?: string;
  /**
   * Base URL of an OTLP/HTTP receiver (a collector), e.g. `http://127.0.0.1:4318`;
   * traces go to `<url>/v1/traces`, metrics to `<url>/v1/metrics`.
   * Default `OTEL_EXPORTER_OTLP_ENDPOINT` (or the per-signal `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
   * / `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, which are full URLs).
   */
  otlpEndpoint?: string;
  /** Serve Prometheus text format on `http://<metricsHost>:<metricsPort>/metrics`; `0` picks a free port. */
  metricsPort?: number;
  /** Interface of the Prometheus endpoint. Default `127.0.0.1` (use `0.0.0.0` in a container). */
  metricsHost?: string;
  /** How often metrics are pushed over OTLP. Default `OTEL_METRIC_EXPORT_INTERVAL`, else 15000 ms. */
  metricExportIntervalMs?: number;
  logger?: Logger;
}

/**
 * What the LLM client reports about each call (`LlmClient.onEvent` of
 * `@tane/llm`, whose events fit this type). Only the fields telemetry reads are
 * listed.
 */
export interface LlmTelemetryEvent {
  type: 'request' | 'response' | 'retry' | 'throttled' | 'cache_hit';
  /** `name@version` of the plugin that made the call. */
  plugin: string;
  category?: string | undefined;
  /** Model name (a label on request counts and latency). */
  model?: string;
  /** Wall time of the HTTP call (on `response`). */
  latencyMs?: number;
  /** HTTP status (on `response`, `retry`, `throttled`); absent for timeouts and connection errors. */
  status?: number | string;
  /** Tokens the call spent (on `response`): `{prompt, completion}`; `promptTokens`/`completionTokens` also read. */
  tokens?: { prompt?: number; completion?: number; promptTokens?: number; completionTokens?: number };
}

/** The running telemetry of one worker process. */
export interface Telemetry {
  /** Pass to the engine (`new Engine({ hooks })`): a span per stage call and the engine metrics. */
  readonly hooks: EngineHooks;
  /** Feed LLM client events in: `client.onEvent((e) => telemetry.onLlmEvent(e))`. */
  onLlmEvent(event: LlmTelemetryEvent): void;
  /** Reports consumer lag (end offset minus committed offset) of one partition. */
  recordLag(topic: string, partition: number, lag: number): void;
  /** True when something is exported (OTLP or Prometheus); false means every call is a no-op. */
  readonly enabled: boolean;
  /** True when spans are exported over OTLP. */
  readonly tracing: boolean;
  /** `http://host:port/metrics` when the Prometheus endpoint is on (with the real port when `metricsPort` was 0). */
  readonly metricsUrl: string | undefined;
  /** Exports everything buffered now (spans, metrics). */
  flush(): Promise<void>;
  /** Flushes, stops the exporters and closes the Prometheus endpoint. Safe to call twice. */
  shutdown(): Promise<void>;
}
