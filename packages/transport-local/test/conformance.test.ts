import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTransportConformance } from '@tane/testkit/transport-conformance';
import { createLocalTransport } from '@tane/transport-local';

describeTransportConformance('local', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tane-local-conformance-'));
  const transport = await createLocalTransport({ path: join(dir, 'store', 'tane.db') });
  return {
    transport,
    async cleanup() {
      await transport.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
