import { hostname } from 'node:os';
import { DiagLogLevel, diag, type Tracer } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { type IMetricReader, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Logger, redactSecrets, silentLogger, TaneError } from '@tane/core';
import type { EngineHooks } from '@tane/core/engine';
import corePkg from '@tane/core/package.json' with { type: 'json' };
import pkg from '../package.json' with { type: 'json' };
import { type MetricsServer, startMetricsServer } from './metrics-server.ts';
import { createStageHook } from './stage-hook.ts';
import { TaneMetrics } from './tane-metrics.ts';
import type { Telemetry, TelemetryOptions } from './telemetry.ts';

const SCOPE = '@tane/telemetry';

/**
 * Sets up traces and metrics for one worker process, in one place: OTLP over
 * HTTP (JSON) when an endpoint is set, a Prometheus scrape endpoint when
 * `metricsPort` is set, nothing otherwise (then `hooks` is empty and the engine
 * pays nothing). The providers belong to the returned object; no global
 * OpenTelemetry state is registered, so several can live in one process.
 *
 * @example
 * ```ts
 * const telemetry = await setupTelemetry({ serviceName: 'tane-worker', metricsPort: 9464 });
 * const engine = new Engine({ pipeline, transport, hooks: telemetry.hooks });
 * llm.onEvent((e) => telemetry.onLlmEvent(e));
 * // …
 * await engine.stop();
 * await telemetry.shutdown();
 * ```
 */
export async function setupTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const logger = (options.logger ?? silentLogger).child({ component: 'telemetry' });
  if (envFlag('OTEL_SDK_DISABLED')) {
    logger.info('telemetry disabled by OTEL_SDK_DISABLED');
    return disabledTelemetry();
  }
  const endpoint = options.otlpEndpoint ?? getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
  const shownEndpoint = endpoint === undefined ? undefined : checkEndpoint(endpoint, options.otlpEndpoint);
  const tracesOn =
    envValue('OTEL_TRACES_EXPORTER') !== 'none' &&
    (endpoint !== undefined || getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined);
  const otlpMetricsOn =
    envValue('OTEL_METRICS_EXPORTER') !== 'none' &&
    (endpoint !== undefined || getStringFromEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') !== undefined);
  const prometheusOn = options.metricsPort !== undefined;
  if (!tracesOn && !otlpMetricsOn && !prometheusOn) return disabledTelemetry();

  const serviceName = options.serviceName ?? getStringFromEnv('OTEL_SERVICE_NAME') ?? 'tane';
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.version': corePkg.version,
        'service.instance.id': `${hostname()}-${process.pid}`,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': serviceName }));
  const releaseDiag = options.logger ? forwardDiagnostics(logger) : () => {};
  // An explicit endpoint is a base URL; without one the exporters read the OTEL_* variables themselves.
  const signalUrl = (path: string) =>
    options.otlpEndpoint === undefined ? {} : { url: `${options.otlpEndpoint.replace(/\/+$/, '')}/${path}` };

  let tracerProvider: BasicTracerProvider | undefined;
  let tracer: Tracer | undefined;
  if (tracesOn) {
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter(signalUrl('v1/traces')), {
          maxQueueSize: 8192,
          maxExportBatchSize: 1024,
          scheduledDelayMillis: 2000,
        }),
      ],
    });
    tracer = tracerProvider.getTracer(SCOPE, pkg.version);
  }

  const readers: IMetricReader[] = [];
  if (otlpMetricsOn) {
    const interval =
      options.metricExportIntervalMs ?? (Number(getStringFromEnv('OTEL_METRIC_EXPORT_INTERVAL')) || 15_000);
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(signalUrl('v1/metrics')),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(30_000, interval),
      }),
    );
  }
  let prometheus: PrometheusExporter | undefined;
  if (prometheusOn) {
    prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    readers.push(prometheus);
  }
  const meterProvider = new MeterProvider({ resource, readers });
  const metrics = new TaneMetrics(meterProvider.getMeter(SCOPE, pkg.version));

  let server: MetricsServer | undefined;
  if (prometheus) {
    try {
      server = await startMetricsServer(prometheus, options.metricsHost ?? '127.0.0.1', options.metricsPort!);
    } catch (err) {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider?.shutdown()]);
      releaseDiag();
      throw err;
    }
  }
  logger.info('telemetry on', {
    service: serviceName,
    traces: tracesOn ? (shownEndpoint ?? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') : false,
    otlpMetrics: otlpMetricsOn ? (shownEndpoint ?? 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') : false,
    prometheus: server?.url ?? false,
  });

  const hooks: EngineHooks = {
    aroundStage: createStageHook(tracer, metrics),
    onEvent: (event) => metrics.onEngineEvent(event),
  };
  let stopped: Promise<void> | undefined;
  return {
    hooks,
    enabled: true,
    tracing: tracer !== undefined,
    metricsUrl: server?.url,
    onLlmEvent: (event) => metrics.onLlmEvent(event),
    recordLag: (topic, partition, lag) => metrics.recordLag(topic, partition, lag),
    flush: async () => {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: () => {
      stopped ??= (async () => {
        const results = await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
        await server?.close();
        releaseDiag();
        for (const r of results) {
          if (r.status === 'rejected') {
            logger.warn('telemetry did not flush cleanly', { error: redactSecrets(String(r.reason)) });
          }
        }
      })();
      return stopped;
    },
  };
}

function disabledTelemetry(): Telemetry {
  return {
    hooks: {},
    enabled: false,
    tracing: false,
    metricsUrl: undefined,
    onLlmEvent: () => {},
    recordLag: () => {},
    flush: async () => {},
    shutdown: async () => {},
  };
}

/** The endpoint as it may be logged (no credentials); throws when it is not a URL. */
function checkEndpoint(endpoint: string, explicit: string | undefined): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new TaneError('CONFIG_INVALID', `OTLP endpoint is not an http(s) URL: ${redactSecrets(endpoint)}`, {
      where: explicit === undefined ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'otlpEndpoint',
      hint: 'give the collector base URL with its scheme, e.g. http://127.0.0.1:4318',
    });
  }
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}

function envValue(name: string): string | undefined {
  return getStringFromEnv(name)?.trim().toLowerCase();
}

function envFlag(name: string): boolean {
  return envValue(name) === 'true';
}

let diagUsers = 0;

/** Sends OpenTelemetry's own warnings (a collector that cannot be reached) to our logger. */
function forwardDiagnostics(logger: Logger): () => void {
  diagUsers++;
  const say =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]) =>
      logger[level](`opentelemetry: ${redactSecrets(message)}`, {
        ...(args.length > 0 ? { detail: redactSecrets(args.map(String).join(' ')) } : {}),
      });
  diag.setLogger(
    { error: say('error'), warn: say('warn'), info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--diagUsers === 0) diag.disable();
  };
}
