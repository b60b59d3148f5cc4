import { describe, expect, it } from 'vitest';
import { promptLang, promptLanguageName } from './prompt-lang.ts';

describe('promptLang', () => {
  it('maps language tags to prompt languages', () => {
    expect(promptLang('ja')).toBe('ja');
    expect(promptLang('JA-jp')).toBe('ja');
    expect(promptLang('en-US')).toBe('en');
    expect(promptLang('de')).toBe('en');
    expect(promptLang('jav')).toBe('en');
  });

  it('names the language in its own words for {{language}}', () => {
    expect(promptLanguageName('ja')).toBe('日本語');
    expect(promptLanguageName('en')).toBe('English');
  });
});
