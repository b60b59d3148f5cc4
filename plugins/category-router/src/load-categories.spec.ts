import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { loadCategories, parseCategories } from './load-categories.ts';

const dir = mkdtempSync(join(tmpdir(), 'tane-categories-'));
let n = 0;
function write(text: string): string {
  const path = join(dir, `categories-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

async function failure(text: string): Promise<TaneError> {
  const path = write(text);
  const err = await loadCategories(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TaneError)) throw new Error(`expected a TaneError, got ${String(err)}`);
  return err;
}

const VALID = `version: 1
language: ja
categories:
  - id: email-reply
    name: ビジネスメール返信
    description: 取引先や社内からのメールに、適切な敬語で返信文を書く。
    target: 50
    rubric:
      extra: ["敬語が適切か"]
  - id: summarize-en
    name: Summaries
    description: Summarise a text.
    language: en
    target: 20
    weight: 2.5
    model: { model: m, temperature: 0.9 }
    prompt: { template: prompts/summary.md, extra: "Keep it short." }
`;

describe('loadCategories', () => {
  it('reads a valid file, filling in language and weight defaults', async () => {
    const set = await loadCategories(write(VALID));
    expect(set.version).toBe(1);
    expect(set.language).toBe('ja');
    expect(set.categories).toEqual([
      {
        id: 'email-reply',
        name: 'ビジネスメール返信',
        description: '取引先や社内からのメールに、適切な敬語で返信文を書く。',
        language: 'ja',
        target: 50,
        weight: 1,
        rubric: { extra: ['敬語が適切か'] },
      },
      {
        id: 'summarize-en',
        name: 'Summaries',
        description: 'Summarise a text.',
        language: 'en',
        target: 20,
        weight: 2.5,
        model: { model: 'm', temperature: 0.9 },
        prompt: { template: 'prompts/summary.md', extra: 'Keep it short.' },
      },
    ]);
  });

  it('accepts BCP-47 style language tags', () => {
    const set = parseCategories(
      'version: 1\nlanguage: en-US\ncategories:\n  - {id: a, name: A, description: d, target: 0, language: zh-Hant-TW}\n',
    );
    expect(set.categories[0]?.language).toBe('zh-Hant-TW');
  });

  it('reports a missing file as CONFIG_NOT_FOUND with the path', async () => {
    const path = join(dir, 'nope.yaml');
    await expect(loadCategories(path)).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', where: path });
  });

  it('points at the line of a YAML syntax error', async () => {
    const err = await failure('version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: "unterminated\n');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/not valid YAML/);
    expect(err.where).toMatch(/categories-\d+\.yaml:5$/);

    const duplicateKey = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    name: B\n    description: d\n    target: 1\n',
    );
    expect(duplicateKey.message).toMatch(/not valid YAML: Map keys must be unique/);
    expect(duplicateKey.where).toMatch(/:6$/);
  });

  it('points at a duplicate id, naming the first one', async () => {
    const err = await failure(
      [
        'version: 1',
        'language: ja',
        'categories:',
        '  - id: email-reply',
        '    name: A',
        '    description: d',
        '    target: 1',
        '  - id: email-reply',
        '    name: B',
        '    description: d',
        '    target: 1',
      ].join('\n'),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.where).toMatch(/:8$/);
    expect(err.message).toBe('duplicate category id "email-reply" (first defined at line 4)');
    expect(err.hint).toMatch(/own id/);
  });

  it('points at an id that is not kebab-case', async () => {
    const err = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: Email_Reply\n    name: A\n    description: d\n    target: 1\n',
    );
    expect(err.where).toMatch(/:4$/);
    expect(err.message).toBe('category id "Email_Reply" is not kebab-case');
    expect(err.hint).toMatch(/email-reply/);
  });

  it('points at a negative or fractional target', async () => {
    const negative = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: -1\n',
    );
    expect(negative.where).toMatch(/:7$/);
    expect(negative.message).toBe('category "a": target must be a whole number ≥ 0 (got -1)');

    const fractional = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: 2.5\n',
    );
    expect(fractional.where).toMatch(/:7$/);
  });

  it('points at a weight that is not > 0', async () => {
    const err = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: 1\n    weight: 0\n',
    );
    expect(err.where).toMatch(/:8$/);
    expect(err.message).toMatch(/weight must be a number > 0/);
  });

  it('points at an unknown key (a typo) and lists the allowed ones', async () => {
    const err = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: 1\n    tagret: 5\n',
    );
    expect(err.where).toMatch(/:8$/);
    expect(err.message).toBe(`category "a" has unknown key 'tagret'`);
    expect(err.hint).toMatch(/target/);
  });

  it('points at the category missing a required key', async () => {
    const err = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: 1\n  - id: b\n    name: B\n    description: d\n',
    );
    expect(err.where).toMatch(/:8$/);
    expect(err.message).toBe(`category "b" is missing required key 'target'`);
  });

  it('rejects a language that is not a language tag', async () => {
    const err = await failure(
      'version: 1\nlanguage: japanese_jp\ncategories:\n  - {id: a, name: A, description: d, target: 1}\n',
    );
    expect(err.where).toMatch(/:2$/);
    expect(err.message).toBe('language "japanese_jp" is not a language tag');
  });

  it('rejects another format version', async () => {
    const err = await failure(
      'version: 2\nlanguage: ja\ncategories:\n  - {id: a, name: A, description: d, target: 1}\n',
    );
    expect(err.where).toMatch(/:1$/);
    expect(err.message).toBe('version 2 is not supported');
  });

  it('lists every problem, sorted by line, with the first one as the place', async () => {
    const err = await failure(
      'version: 1\nlanguage: ja\ncategories:\n  - id: a\n    name: A\n    description: d\n    target: x\n  - id: B\n    name: B\n    description: d\n    target: 1\n',
    );
    expect(err.where).toMatch(/:7$/);
    expect(err.message).toMatch(
      /^2 problems: line 7: .*target.*; line 8: category id "B" is not kebab-case$/,
    );
  });

  it('rejects an empty file and an empty category list', async () => {
    expect((await failure('')).message).toBe('the file must be a YAML mapping');
    const empty = await failure('version: 1\nlanguage: ja\ncategories: []\n');
    expect(empty.message).toBe('categories is empty');
    expect(empty.where).toMatch(/:3$/);
  });
});
