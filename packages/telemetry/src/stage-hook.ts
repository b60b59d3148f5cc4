import { context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { type Emission, redactSecrets, type TaneRecord, toTaneError } from '@tane/core';
import type { EngineHooks } from '@tane/core/engine';
import type { TaneMetrics } from './tane-metrics.ts';
import { carryTraceContext, extractTraceContext, injectTraceContext } from './trace-headers.ts';

type AroundStage = NonNullable<EngineHooks['aroundStage']>;

/** Span attribute names (also documented in the README). */
export const SPAN_ATTRIBUTES = {
  stage: 'tane.stage',
  plugin: 'tane.plugin',
  recordId: 'tane.record.id',
  recordType: 'tane.record.type',
  category: 'tane.category',
  routes: 'tane.routes',
  emissions: 'tane.emissions',
  errorCode: 'tane.error.code',
} as const;

const A = SPAN_ATTRIBUTES;

/**
 * The engine's `aroundStage` hook: one span per stage call, a child of the
 * trace context the record carries, injected into every record it emits.
 * Without a tracer it only keeps the incoming trace context on the emitted
 * records and counts stage work in flight.
 */
export function createStageHook(tracer: Tracer | undefined, metrics: TaneMetrics | undefined): AroundStage {
  return async (info, run) => {
    metrics?.stageStarted(info.stage);
    try {
      if (!tracer) return carryTraceContext(info.record.headers, await run());
      return await traced(tracer, info, run);
    } finally {
      metrics?.stageEnded(info.stage);
    }
  };
}

async function traced(
  tracer: Tracer,
  info: { stage: string; plugin: string; record: TaneRecord },
  run: () => Promise<Emission[]>,
): Promise<Emission[]> {
  const parent = extractTraceContext(info.record.headers);
  const span = tracer.startSpan(
    `tane.stage ${info.stage}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [A.stage]: info.stage,
        [A.plugin]: info.plugin,
        [A.recordId]: info.record.id,
        [A.recordType]: info.record.type,
        [A.category]: info.record.category,
      },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  try {
    const emissions = await context.with(ctx, run);
    span.setAttribute(A.routes, [...new Set(emissions.map((e) => e.route))]);
    span.setAttribute(A.emissions, emissions.length);
    return injectTraceContext(ctx, emissions);
  } catch (err) {
    const e = toTaneError(err);
    // Error messages can quote a model reply or a URL: redact before they leave the process.
    const message = redactSecrets(e.message);
    span.setAttribute(A.errorCode, e.code);
    span.recordException({ name: e.code, message });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.code}: ${message}` });
    throw err;
  } finally {
    span.end();
  }
}
