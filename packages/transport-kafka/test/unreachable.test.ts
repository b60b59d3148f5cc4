import { createServer, type Socket } from 'node:net';
import { memoryLogger, TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { createKafkaTransport, kafkaTransportFactory } from '../src/index.ts';

/** A loopback port nobody listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function failure(promise: Promise<unknown>): Promise<TaneError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaneError);
  return err as TaneError;
}

describe('an unreachable broker', () => {
  // The test timeouts are the bound: the error must come, not a hang.
  it('fails with TRANSPORT_UNREACHABLE naming the address and the next step', async () => {
    const port = await closedPort();
    const logger = memoryLogger();
    const err = await failure(createKafkaTransport({ brokers: [`127.0.0.1:${port}`], logger }));
    expect(err.code).toBe('TRANSPORT_UNREACHABLE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.hint).toContain('npm run kafka:start');
    expect(err.retryable).toBe(true);
  }, 20_000);

  it('fails the same way through the kafka:// factory', async () => {
    const port = await closedPort();
    const err = await failure(kafkaTransportFactory.create(`kafka://127.0.0.1:${port}`, { env: {} }));
    expect(err.code).toBe('TRANSPORT_UNREACHABLE');
    expect(err.format()).toContain(`127.0.0.1:${port}`);
  }, 20_000);

  it('gives up within the connect deadline when a port accepts but never answers', async () => {
    // A listener that never speaks Kafka: kafkajs would wait on it request after request.
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    try {
      const err = await failure(
        createKafkaTransport({ brokers: [`127.0.0.1:${address.port}`], connectDeadlineMs: 4_000 }),
      );
      expect(err.code).toBe('TRANSPORT_UNREACHABLE');
      expect(err.message).toContain(`127.0.0.1:${address.port}`);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  }, 20_000);
});
