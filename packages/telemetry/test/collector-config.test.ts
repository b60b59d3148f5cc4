import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const file = resolve(import.meta.dirname, '../../../deploy/otel/collector.yaml');

interface CollectorConfig {
  receivers: Record<string, { protocols?: { http?: { endpoint?: string } } }>;
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string }>;
  extensions?: Record<string, unknown>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
}

describe('deploy/otel/collector.yaml', () => {
  const config = parse(readFileSync(file, 'utf8')) as CollectorConfig;

  it('receives OTLP over HTTP on 4318, where the workers send it', () => {
    expect(config.receivers.otlp?.protocols?.http?.endpoint).toBe('0.0.0.0:4318');
  });

  it('uses only components it defines, and exports metrics to Prometheus', () => {
    for (const [name, p] of Object.entries(config.service.pipelines)) {
      for (const r of p.receivers) expect(config.receivers, `${name} receiver ${r}`).toHaveProperty([r]);
      for (const r of p.processors ?? [])
        expect(config.processors, `${name} processor ${r}`).toHaveProperty([r]);
      for (const r of p.exporters) expect(config.exporters, `${name} exporter ${r}`).toHaveProperty([r]);
    }
    for (const e of config.service.extensions ?? []) expect(config.extensions).toHaveProperty([e]);
    expect(config.service.pipelines.metrics?.exporters).toContain('prometheus');
    expect(config.service.pipelines.traces?.exporters).toContain('debug');
    // memory_limiter must come first to protect the collector.
    expect(config.service.pipelines.traces?.processors?.[0]).toBe('memory_limiter');
  });
});
