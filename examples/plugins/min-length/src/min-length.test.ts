import { makeRecord, testPlugin } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import minLength from './index.ts';

describe('min-length plugin', () => {
  it('routes short outputs to short, counting characters (Japanese too)', async () => {
    const h = await testPlugin(minLength, { config: { minChars: 5 } });
    const out = await h.run([
      makeRecord({ type: 'candidate', data: { instruction: 'i', input: '', output: 'ありがとう' } }),
      makeRecord({ type: 'candidate', data: { instruction: 'i', input: '', output: 'はい' } }),
    ]);
    expect(out.byRoute.ok).toHaveLength(1);
    expect(out.byRoute.short?.[0]?.meta.outcome).toMatchObject({ status: 'rejected', reason: 'filter' });
    expect(out.byRoute.short?.[0]?.lineage.at(-1)).toEqual({
      plugin: '@acme/tane-plugin-min-length@1.0.0',
      stage: 'stage',
    });
    await h.close();
  });

  it('fails a record without an output with a clear code', async () => {
    const h = await testPlugin(minLength);
    const out = await h.run([makeRecord({ data: { instruction: 'x' } })]);
    expect(out.failed[0]?.code).toBe('INPUT_INVALID');
  });

  it('refuses an invalid config', async () => {
    await expect(testPlugin(minLength, { config: { minChars: 0 } })).rejects.toThrow(/minChars/);
  });
});
