/**
 * OpenTelemetry traces and metrics for tane, set up in one place: a span per
 * stage per record (one trace follows a record across topics and workers) and
 * `tane_*` metrics over OTLP/HTTP or a Prometheus endpoint.
 */

export { METRIC_NAMES } from './metric-names.ts';
export { setupTelemetry } from './setup-telemetry.ts';
export { SPAN_ATTRIBUTES } from './stage-hook.ts';
export type { LlmTelemetryEvent, Telemetry, TelemetryOptions } from './telemetry.ts';
export {
  carryTraceContext,
  extractTraceContext,
  injectTraceContext,
  TRACE_HEADERS,
} from './trace-headers.ts';
