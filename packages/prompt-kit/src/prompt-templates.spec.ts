import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import {
  type BuiltInTemplates,
  loadDefaultTemplates,
  loadStageTemplates,
  PromptTemplates,
} from './prompt-templates.ts';

const template = (id: string, user = 'Write {{k}}.') =>
  `---\nid: ${id}\nversion: 1\n---\n<!-- user -->\n${user}\n`;

/** A plugin-like folder with built-in `gen.ja.md` / `gen.en.md`, and a pipeline folder beside it. */
function setup(): { builtIn: BuiltInTemplates; pipelineDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'tane-prompt-kit-'));
  const templatesDir = join(root, 'plugin', 'templates');
  const pipelineDir = join(root, 'pipeline');
  mkdirSync(templatesDir, { recursive: true });
  mkdirSync(join(pipelineDir, 'prompts'), { recursive: true });
  writeFileSync(join(templatesDir, 'gen.ja.md'), template('built-in-ja'));
  writeFileSync(join(templatesDir, 'gen.en.md'), template('built-in-en'));
  return {
    builtIn: { name: 'gen', dir: pathToFileURL(`${templatesDir}/`), variables: ['k'] },
    pipelineDir,
  };
}

describe('loadDefaultTemplates', () => {
  it('loads the built-in file of each language and labels it built-in', () => {
    const { builtIn, pipelineDir } = setup();
    const t = loadDefaultTemplates(builtIn, {}, pipelineDir);
    expect(t.ja).toMatchObject({ id: 'built-in-ja', source: 'built-in:gen.ja.md' });
    expect(t.en).toMatchObject({ id: 'built-in-en', source: 'built-in:gen.en.md' });
  });

  it('finds the built-in files when the folder URL has no trailing slash', () => {
    const { builtIn, pipelineDir } = setup();
    const dir = new URL(builtIn.dir.href.replace(/\/$/, ''));
    expect(loadDefaultTemplates({ ...builtIn, dir }, {}, pipelineDir).ja.id).toBe('built-in-ja');
  });

  it('uses a configured template path relative to the pipeline folder', () => {
    const { builtIn, pipelineDir } = setup();
    writeFileSync(
      join(pipelineDir, 'mine.md'),
      '---\nid: mine\nversion: 7\n---\n<!-- user -->\nWrite {{k}}.',
    );
    const t = loadDefaultTemplates(builtIn, { ja: 'mine.md' }, pipelineDir);
    expect(t.ja.id).toBe('mine');
    expect(t.ja.source).toBe('mine.md');
    expect(t.en.id).toBe('built-in-en');
  });

  it('fails at load, naming the file, when a template uses a placeholder the plugin does not fill', () => {
    const { builtIn, pipelineDir } = setup();
    writeFileSync(join(pipelineDir, 'typo.md'), template('typo', 'Write {{kk}}.'));
    expect(() => loadDefaultTemplates(builtIn, { en: 'typo.md' }, pipelineDir)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('typo.md') }),
    );
  });

  it('reports a configured file that does not exist as CONFIG_NOT_FOUND', () => {
    const { builtIn, pipelineDir } = setup();
    try {
      loadDefaultTemplates(builtIn, { ja: 'prompts/missing.md' }, pipelineDir);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TaneError);
      expect((err as TaneError).code).toBe('CONFIG_NOT_FOUND');
      expect((err as TaneError).message).toContain('prompts/missing.md');
    }
  });
});

describe('PromptTemplates', () => {
  it('picks the default of the language when the category names no template', () => {
    const { builtIn, pipelineDir } = setup();
    const templates = loadStageTemplates(builtIn, {}, pipelineDir);
    expect(templates.pick('ja', undefined).id).toBe('built-in-ja');
    expect(templates.pick('en', '').id).toBe('built-in-en');
  });

  it('loads a category template relative to the pipeline folder on first use and keeps it', () => {
    const { builtIn, pipelineDir } = setup();
    const templates = new PromptTemplates(loadDefaultTemplates(builtIn, {}, pipelineDir), pipelineDir, ['k']);
    const file = join(pipelineDir, 'prompts', 'email.md');
    writeFileSync(file, template('email-v1'));
    const first = templates.pick('ja', 'prompts/email.md');
    expect(first).toMatchObject({ id: 'email-v1', source: 'prompts/email.md' });
    // a running stage keeps the version it started with, so one run's records share one template version
    writeFileSync(file, template('email-v2'));
    expect(templates.pick('ja', 'prompts/email.md')).toBe(first);
    expect(templates.pick('en', file)).toMatchObject({ id: 'email-v1' });
  });

  it('fails the record, not the stage, when a category template is invalid', () => {
    const { builtIn, pipelineDir } = setup();
    const templates = loadStageTemplates(builtIn, {}, pipelineDir);
    writeFileSync(join(pipelineDir, 'bad.md'), 'no front matter');
    expect(() => templates.pick('ja', 'bad.md')).toThrow(/bad\.md/);
    expect(templates.pick('ja', undefined).id).toBe('built-in-ja');
  });
});
