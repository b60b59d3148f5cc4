import { describe, expect, it } from 'vitest';
import { readSimTask } from './sim-task.ts';

const system = {
  role: 'system',
  content: 'tane-task: generate\ntane-lang: ja\ntane-category: sql-query\ntane-k: 4\n',
};

describe('readSimTask', () => {
  it('reads the markers and the fenced JSON payload', () => {
    const user = { role: 'user', content: 'Write examples.\n\n```json\n{"examples": []}\n```' };
    expect(readSimTask([system, user])).toMatchObject({
      kind: 'generate',
      lang: 'ja',
      category: 'sql-query',
      k: 4,
      payload: { examples: [] },
    });
  });

  it('reads a payload whose examples hold code blocks (a longer fence)', () => {
    const payload = {
      examples: [
        { instruction: '売上を集計するSQLを書いてください。', input: '', output: '```sql\nSELECT 1;\n```' },
      ],
    };
    const user = {
      role: 'user',
      content: `Write examples.\n\n\`\`\`\`json\n${JSON.stringify(payload, null, 2)}\n\`\`\`\``,
    };
    expect(readSimTask([system, user])?.payload).toEqual(payload);
  });

  it('is not a tane task without markers', () => {
    expect(readSimTask([{ role: 'user', content: '```json\n{}\n```' }])).toBeUndefined();
  });
});
