import { describeTransportConformance } from '@tane/testkit/transport-conformance';
import { expect, it } from 'vitest';
import { requireBroker, testTransport } from './broker.ts';

// The suite below only skips its tests when its setup fails; this one fails loudly instead.
it('has a Kafka broker to run the conformance suite against', async () => {
  await expect(requireBroker()).resolves.toBeUndefined();
});

// The same suite the local transport passes, against the real broker.
describeTransportConformance('kafka', async () => {
  const transport = await testTransport();
  return { transport, cleanup: () => transport.close() };
});
