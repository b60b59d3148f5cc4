import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import verifier, { type VerificationMeta } from '../src/index.ts';

const SQL_CATEGORY = {
  id: 'sql-query',
  name: 'SQL',
  description: 'SQL',
  language: 'ja',
  verify: { sql: true },
};

function candidate(id: string, output: string, category: Record<string, unknown> = SQL_CATEGORY) {
  return makeRecord({
    id,
    type: 'candidate',
    category: String(category.id),
    data: {
      instruction: '注文テーブルから件数を数えるSQLを書いてください。',
      input: 'orders(order_id INT, amount INT)',
      output,
    },
    meta: { category },
  });
}

describe('@tane/plugin-verifier', () => {
  it('routes a passing answer to `pass` with a verified mark in lineage, a failing one to `fail` with the error', async () => {
    const h = await testPlugin(verifier, { stage: 'verifier' });
    const out = await h.run([
      candidate('ok', '```sql\nSELECT COUNT(*) FROM orders;\n```\n件数を数えます。'),
      candidate('bad', '```sql\nSELECT COUNT(*) FORM orders;\n```\n件数を数えます。'),
    ]);
    const ok = out.byRoute.pass?.[0];
    expect(ok?.meta.verification).toMatchObject({
      status: 'verified',
      round: 1,
      verifier: `${verifier.name}@${verifier.version}`,
      checks: [{ check: 'sql', status: 'passed' }],
    });
    expect(ok?.lineage.slice(-2)).toEqual([
      { plugin: `${verifier.name}@${verifier.version}`, stage: 'verifier:verified', checks: ['sql'] },
      { plugin: `${verifier.name}@${verifier.version}`, stage: 'verifier' },
    ]);
    const bad = out.byRoute.fail?.[0];
    const v = bad?.meta.verification as VerificationMeta;
    expect(v.status).toBe('failed');
    expect(v.checks[0]?.error).toMatch(/syntax error/);
    expect(bad?.lineage.map((l) => l.stage)).toEqual(['verifier']);
  });

  it('keeps earlier verifications when a repaired record comes back', async () => {
    const h = await testPlugin(verifier);
    const first = (await h.run([candidate('r', '```sql\nSELEC 1;\n```\nです。')])).byRoute.fail![0]!;
    const repaired = {
      ...first,
      data: { ...(first.data as object), output: '```sql\nSELECT 1;\n```\nです。' },
    };
    const second = (await h.run([repaired])).byRoute.pass![0]!;
    expect(second.meta.verification).toMatchObject({ status: 'verified', round: 2 });
    expect(second.meta.verificationHistory).toEqual([
      expect.objectContaining({ status: 'failed', round: 1 }),
    ]);
  });

  it('passes records of categories without checks as unchecked, and takes checks from the stage config too', async () => {
    const plain = { id: 'email-reply', name: 'メール', description: 'メール', language: 'ja' };
    const h = await testPlugin(verifier, { config: { categories: { 'email-reply': { lang: 'en' } } } });
    const out = await h.run([candidate('m', 'ご連絡ありがとうございます。', plain)]);
    expect(out.byRoute.fail?.[0]?.meta.verification).toMatchObject({
      status: 'failed',
      checks: [{ check: 'lang' }],
    });
    const none = await (await testPlugin(verifier)).run([
      candidate('m', 'ご連絡ありがとうございます。', plain),
    ]);
    expect(none.byRoute.pass?.[0]?.meta.verification).toMatchObject({ status: 'unchecked', checks: [] });
  });

  it('rejects bad config at start and dead-letters bad declarations and records', async () => {
    await expect(testPlugin(verifier, { config: { defaults: { sqll: true } } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    const h = await testPlugin(verifier);
    const out = await h.run([
      candidate('d', 'x', { ...SQL_CATEGORY, verify: { lang: 5 } }),
      makeRecord({ id: 'e', type: 'candidate', data: { text: 'x' } }),
    ]);
    expect(out.failed.map((f) => f.code)).toEqual(['CONFIG_INVALID', 'INPUT_INVALID']);
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(verifier, { behaviour: true })).toEqual([]));
