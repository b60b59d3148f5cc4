import type { LoadedPipeline } from '@tane/core/engine';
import { describe, expect, it } from 'vitest';
import { endpointLimits } from './run-pipeline.ts';

const pipeline = (configs: Record<string, Record<string, unknown>>) =>
  ({ configs }) as unknown as LoadedPipeline;

describe('the start line’s endpoints', () => {
  it('names each (endpoint, model) once with the requests in flight, the first stage deciding', async () => {
    const lines = await endpointLimits(
      pipeline({
        router: { categories: 'categories.yaml' },
        generator: { llm: { baseURL: 'http://127.0.0.1:8000/v1', model: 'm', maxConcurrency: 128 } },
        judge: { llm: { baseURL: 'http://127.0.0.1:8000/v1', model: 'm', maxConcurrency: 8 } },
        repairer: { llm: { baseURL: 'http://127.0.0.1:8001/v1', model: 'm' } },
      }),
    );
    expect(lines).toEqual([
      'm @ http://127.0.0.1:8000/v1 (up to 128 in flight)',
      'm @ http://127.0.0.1:8001/v1 (up to 64 in flight)',
    ]);
  });

  it('never shows credentials in the endpoint', async () => {
    const [line] = await endpointLimits(
      pipeline({
        judge: { llm: { baseURL: 'http://127.0.0.1:8000/v1?api_key=s3cret-q', model: 'm' } },
      }),
    );
    expect(line).toContain('127.0.0.1:8000');
    expect(line).not.toContain('s3cret');
  });
});
