import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './node-http-fetch.ts';

let server: Server | undefined;
const sockets = new Set<unknown>();

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

afterEach(async () => {
  sockets.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('nodeHttpFetch', () => {
  it('sends method, headers and a UTF-8 body, and reuses one connection for calls in turn', async () => {
    const seen: { method?: string; auth?: string; length?: string; body: string }[] = [];
    const url = await serve(async (req, res) => {
      seen.push({
        method: req.method,
        auth: req.headers.authorization,
        length: req.headers['content-length'],
        body: await bodyOf(req),
      });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-request-id', 'r-1');
      res.end(JSON.stringify({ ok: true, echo: seen.at(-1)?.body }));
    });
    const f = nodeHttpFetch({ maxSockets: 4 });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await f(`${url}/v1/chat/completions?x=1`, {
          method: 'POST',
          headers: new Headers({ Authorization: 'Bearer k', 'content-type': 'application/json' }),
          body: '{"q":"日本語"}',
        });
        expect(r.status).toBe(200);
        expect(r.headers.get('x-request-id')).toBe('r-1');
        expect(await r.json()).toEqual({ ok: true, echo: '{"q":"日本語"}' });
      }
    } finally {
      f.close();
    }
    expect(seen[0]).toEqual({ method: 'POST', auth: 'Bearer k', length: '17', body: '{"q":"日本語"}' });
    expect(sockets.size).toBe(1);
  });

  it('decodes a gzip reply and hands over error statuses and 204 without throwing', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/gz') {
        res.setHeader('content-encoding', 'gzip');
        res.end(gzipSync('{"a":1}'));
      } else if (req.url === '/none') {
        res.statusCode = 204;
        res.end();
      } else {
        res.statusCode = 429;
        res.setHeader('retry-after', '2');
        res.end('slow down');
      }
    });
    const f = nodeHttpFetch({ maxSockets: 2 });
    try {
      const gz = await f(`${url}/gz`);
      expect(gz.headers.get('content-encoding')).toBeNull();
      expect(await gz.json()).toEqual({ a: 1 });
      expect((await f(`${url}/none`)).status).toBe(204);
      const busy = await f(`${url}/busy`);
      expect([busy.status, busy.ok, busy.headers.get('retry-after'), await busy.text()]).toEqual([
        429,
        false,
        '2',
        'slow down',
      ]);
    } finally {
      f.close();
    }
  });

  it('rejects with the abort reason, and with the network code when nothing listens', async () => {
    const url = await serve(() => {
      // never answers
    });
    const f = nodeHttpFetch({ maxSockets: 2 });
    try {
      const ac = new AbortController();
      const pending = f(`${url}/slow`, { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await expect(f(`${url}/x`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      });
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
      await expect(f(`${url}/x`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      f.close();
    }
  });

  it('rejects a reply cut off mid-body with ECONNRESET, so the call is retried', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"choices":[');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const f = nodeHttpFetch({ maxSockets: 2 });
    try {
      await expect(f(`${url}/cut`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    } finally {
      f.close();
    }
  });
});
