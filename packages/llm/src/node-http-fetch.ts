import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** A `fetch` for the OpenAI SDK over Node's own HTTP client, with its keep-alive pool. */
export interface NodeHttpFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the pooled connections. */
  close(): void;
}

const NO_BODY = new Set([101, 204, 205, 304]);

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [key, value] of pairs)
    if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
  return out;
}

function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  switch (String(res.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

/**
 * A `fetch` for one endpoint's requests, built on `node:http` / `node:https` with a keep-alive
 * agent of `maxSockets` connections. The SDK sends small JSON bodies and reads whole JSON replies;
 * Node's built-in fetch (undici with web streams) spends about twice the CPU per call on that
 * (`bench/results/pipeline-scale.json`). The reply body is read whole and handed over as a standard
 * `Response`; connection errors keep Node's codes (`ECONNREFUSED`, `ECONNRESET`, …) as the
 * rejection, and an aborted signal rejects with an `AbortError`, as fetch does.
 */
export function nodeHttpFetch(options: { maxSockets: number }): NodeHttpFetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
  };
  const fetchImpl = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const protocol = url.protocol as 'http:' | 'https:';
      if (protocol !== 'http:' && protocol !== 'https:') {
        reject(new TypeError(`unsupported protocol ${url.protocol} in ${url.origin}`));
        return;
      }
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
        return;
      }
      const body = init.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        reject(new TypeError('this fetch sends string or byte bodies only'));
        return;
      }
      const headers = plainHeaders(init.headers);
      if (body !== undefined && body !== null && headers['content-length'] === undefined)
        headers['content-length'] = String(
          typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        );
      const request = (protocol === 'https:' ? https : http).request(
        {
          protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: init.method ?? 'GET',
          headers,
          agent: agents[protocol],
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i]!;
            // The body handed over is decoded, so its encoding and length headers would lie.
            if (/^content-(encoding|length)$/i.test(name)) continue;
            responseHeaders.append(name, res.rawHeaders[i + 1]!);
          }
          const chunks: Buffer[] = [];
          const stream = decoded(res);
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          res.on('aborted', () =>
            reject(Object.assign(new Error('the reply was cut off'), { code: 'ECONNRESET' })),
          );
          stream.on('end', () => {
            try {
              resolve(
                new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: responseHeaders,
                }),
              );
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError' && signal?.reason !== undefined) reject(signal.reason);
        else reject(err);
      });
      request.end(body ?? undefined);
    });
  return Object.assign(fetchImpl, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}
