import type { Logger } from '@tane/core';
import type { EngineHooks } from '@tane/core/engine';

export interface CliTelemetry {
  hooks: EngineHooks;
  recordLag(topic: string, partition: number, lag: number): void;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry when asked for (`--metrics-port` or `OTEL_EXPORTER_OTLP_ENDPOINT`);
 * otherwise loads nothing, so a plain run pays nothing for it.
 */
export async function startTelemetry(
  metricsPort: string | undefined,
  logger: Logger,
): Promise<CliTelemetry | undefined> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!metricsPort && !endpoint) return undefined;
  const { setupTelemetry } = await import('@tane/telemetry');
  const telemetry = await setupTelemetry({
    serviceName: 'tane',
    ...(endpoint ? { otlpEndpoint: endpoint } : {}),
    ...(metricsPort ? { metricsPort: Number(metricsPort) } : {}),
    logger,
  });
  const { onLlmEvents } = await import('@tane/llm');
  const unsubscribe = onLlmEvents((e) => telemetry.onLlmEvent(e));
  if (telemetry.metricsUrl) logger.info(`metrics on ${telemetry.metricsUrl}`);
  return {
    hooks: telemetry.hooks,
    recordLag: (topic, partition, lag) => telemetry.recordLag(topic, partition, lag),
    async shutdown() {
      unsubscribe();
      await telemetry.shutdown();
    },
  };
}
