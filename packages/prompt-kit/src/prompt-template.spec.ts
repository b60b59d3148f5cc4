import { TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { loadPromptTemplate, parsePromptTemplate, renderTemplateText } from './prompt-template.ts';

const vars = ['k', 'category.name'];

describe('prompt templates', () => {
  it('reads id, version and the two sections', () => {
    const t = parsePromptTemplate(
      '---\nid: my-gen\nversion: "3"\n---\n<!-- system -->\nYou write data.\n<!-- user -->\nWrite {{k}} for {{ category.name }}.\n',
      'inline',
      vars,
    );
    expect(t).toMatchObject({ id: 'my-gen', version: '3', system: 'You write data.' });
    expect(renderTemplateText(t.user, { k: 4, 'category.name': 'メール' })).toBe('Write 4 for メール.');
  });

  it('rejects a template without id, version or user section, naming the file', () => {
    expect(() => parsePromptTemplate('no front matter', 'a.md', vars)).toThrow(/a\.md.*front matter/);
    expect(() => parsePromptTemplate('---\nversion: 1\n---\n<!-- user -->\nx', 'b.md', vars)).toThrow(/`id`/);
    expect(() => parsePromptTemplate('---\nid: x\nversion: 1\n---\nhello', 'c.md', vars)).toThrow(/user/);
  });

  it('rejects an unknown placeholder when loading, not in the middle of a run', () => {
    try {
      parsePromptTemplate('---\nid: x\nversion: 1\n---\n<!-- user -->\n{{catgory.name}}', 'd.md', vars);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TaneError);
      expect((err as TaneError).code).toBe('CONFIG_INVALID');
      expect((err as TaneError).message).toContain('{{catgory.name}}');
    }
  });

  it('reports a missing file as CONFIG_NOT_FOUND with the path', () => {
    expect(() => loadPromptTemplate('/nonexistent/t.md', vars)).toThrow(/nonexistent\/t\.md/);
  });
});
