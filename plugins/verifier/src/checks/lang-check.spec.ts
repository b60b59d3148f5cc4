import { describe, expect, it } from 'vitest';
import { checkLanguage } from './lang-check.ts';
import { checkLength } from './length-check.ts';
import { checkPatterns } from './regex-check.ts';

describe('checkLanguage, checkLength, checkPatterns', () => {
  it('tells an English output from a Japanese one by script', () => {
    expect(checkLanguage('Thank you for your email. We will reply by Friday.', 'en').status).toBe('passed');
    expect(checkLanguage('ご連絡ありがとうございます。金曜日までに返信します。', 'en')).toMatchObject({
      status: 'failed',
      error: 'the output should be in English but 100% of its letters are Japanese',
    });
    expect(checkLanguage('Thank you for your email.', 'ja').status).toBe('failed');
    expect(checkLanguage('「よろしくお願いします」は Best regards とします。', 'en').status).toBe('passed');
    expect(checkLanguage('```sql\nSELECT 1;\n```\n件数を数えます。', 'ja').status).toBe('passed');
  });

  it('checks length bounds and required or forbidden patterns', () => {
    expect(checkLength('あいう', { max: 2 }).error).toBe(
      'the output has 3 characters; at most 2 are allowed',
    );
    expect(checkLength('abc', { min: 1, max: 3 }).status).toBe('passed');
    expect(checkPatterns('答え:22,800円', { required: ['^答え'], forbidden: ['TODO'] }).status).toBe(
      'passed',
    );
    expect(checkPatterns('TODO', { required: ['答え'] }).error).toBe(
      'the output does not match the required pattern /答え/',
    );
  });
});
