import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { TaneError } from '@tane/core';

/** A running Prometheus scrape endpoint. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` from the exporter on our own server: the exporter's
 * built-in one cannot listen on port 0, which tests and side-by-side workers need.
 */
export async function startMetricsServer(
  exporter: PrometheusExporter,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('not found: metrics are at /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new TaneError(
          'CONFIG_INVALID',
          `cannot serve metrics on ${host}:${port}: ${err.code ?? err.message}`,
          {
            where: `metricsPort ${port}`,
            hint:
              err.code === 'EADDRINUSE'
                ? 'another process uses that port: pick another metrics port (or 0 for a free one)'
                : 'check the metrics host and port',
            cause: err,
          },
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
