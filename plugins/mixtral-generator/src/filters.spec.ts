import { checkPluginConfig } from '@tane/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidateFilter, compileBlocklist, type FilterConfig } from './filters.ts';
import { filtersFor, type GeneratorConfig, generatorConfigSchema } from './generator-config.ts';
import { bigramSimilarity } from './text.ts';

function defaults(overrides: Record<string, unknown> = {}): FilterConfig {
  const { config, problems } = checkPluginConfig(
    { name: 'generator', configSchema: generatorConfigSchema },
    { filters: overrides },
  );
  expect(problems).toEqual([]);
  return config.filters as FilterConfig;
}

const fewShot = [
  {
    instruction: '次のメールに、見積書を6月13日までに送る旨の返信を書いてください。',
    input: '見積をお願いします。',
    output: '承知しました。',
  },
];
const ja = (
  instruction: string,
  output = '承知いたしました。ご確認のほどよろしくお願いいたします。',
  input = '',
) => ({
  instruction,
  input,
  output,
});
const run = (
  example: ReturnType<typeof ja>,
  config = defaults(),
  lang: 'ja' | 'en' = 'ja',
  earlier = [] as ReturnType<typeof ja>[],
) => candidateFilter(config)(example, { lang, fewShot, earlier })?.filter;

describe('meta-talk and refusal filters', () => {
  const en = (instruction: string, output: string) => ({ instruction, input: '', output });
  it('rejects outputs that open with assistant talk, in English and Japanese', () => {
    for (const output of [
      'Understood. Here is the response: Dear Ms. Lee, thank you for your order.',
      'Sure! Here is the answer:\nThe total is 42.',
      "Here's the rewritten example: Thanks for writing.",
    ])
      expect(run(en('Write a short reply to the customer.', output), defaults(), 'en'), output).toBe(
        'meta_talk',
      );
    for (const output of [
      '承知しました。以下は返信メールです。\n\nお世話になっております。',
      '以下は要約です：会議で予算が承認された。',
    ])
      expect(run(ja('取引先からの納期の問い合わせに返信を書いてください。', output)), output).toBe(
        'meta_talk',
      );
  });

  it('rejects refusals, and keeps ordinary replies that acknowledge or apologise', () => {
    expect(
      run(
        en('Summarize the report.', 'As an AI language model, I cannot read the report.'),
        defaults(),
        'en',
      ),
    ).toBe('refusal');
    expect(
      run(
        ja('会議の議事録を要約してください。', '申し訳ありませんが、AIアシスタントとしてお応えできません。'),
      ),
    ).toBe('refusal');
    expect(
      run(ja('納期の問い合わせに返信を書いてください。', '承知いたしました。6月13日までにお送りします。')),
    ).toBeUndefined();
    expect(
      run(ja('お詫びのメールを書いてください。', '申し訳ありませんが、ご注文の品は来週の発送となります。')),
    ).toBeUndefined();
    expect(
      run(
        en('Reply to the meeting request.', 'Sure, Thursday at 10 works for me. See you then.'),
        defaults(),
        'en',
      ),
    ).toBeUndefined();
  });

  it('is configured per category: an empty list turns a filter off', () => {
    const config = {
      filters: defaults(),
      filtersByCategory: { chat: { metaTalk: [], refusals: [] } },
    } as unknown as Pick<GeneratorConfig, 'filters' | 'filtersByCategory'>;
    const example = en('Answer as a chatbot would.', 'Understood. Here is the response: hello.');
    expect(run(example, filtersFor(config, 'chat'), 'en')).toBeUndefined();
    expect(run(example, filtersFor(config, 'email'), 'en')).toBe('meta_talk');
  });
});

describe('candidate filters', () => {
  it('passes an ordinary Japanese example', () => {
    expect(run(ja('取引先からの納期の問い合わせに、遅延をお詫びする返信を書いてください。'))).toBeUndefined();
  });

  it('rejects an empty output', () => {
    expect(run(ja('次の文を敬語に直してください。', '   '))).toBe('output_empty');
  });

  it('measures Japanese instruction length in characters, not words', () => {
    // 7 characters and one "word": too short for the default minimum of 8 characters.
    expect(run(ja('要約してください'.slice(0, 7)))).toBe('instruction_length');
    // 8 characters passes, although Self-Instruct's "more than 3 words" rule would reject it.
    expect(run(ja('要約してください。'))).toBeUndefined();
    const strict = defaults({ instruction: { minChars: 10, maxChars: 20 } });
    expect(run(ja('要約してください。'), strict)).toBe('instruction_length');
    expect(run(ja('あ'.repeat(21)), strict)).toBe('instruction_length');
    expect(run(ja('あ'.repeat(20)), strict)).toBeUndefined();
  });

  it('measures output length in characters', () => {
    const config = defaults({ output: { minChars: 5, maxChars: 10 } });
    expect(run(ja('次の文を敬語に直してください。', 'はい。'), config)).toBe('output_length');
    expect(run(ja('次の文を敬語に直してください。', 'かしこまりました。'), config)).toBeUndefined();
    expect(run(ja('次の文を敬語に直してください。', 'かしこまりました。承知です。'), config)).toBe(
      'output_length',
    );
  });

  it('does not require an instruction to start with an ASCII letter', () => {
    expect(run(ja('「次の文」を敬語に直してください。'))).toBeUndefined();
  });

  it('blocks Japanese words for what a text model cannot do', () => {
    expect(run(ja('添付の写真に写っている商品を説明してください。'))).toBe('blocklist');
    expect(run(ja('売上の推移をグラフにしてください。'))).toBe('blocklist');
    expect(run(ja('本社までの地図を描いてください。'))).toBe('blocklist');
    expect(run(ja('会議の音声を文字起こししてください。'))).toBe('blocklist');
    expect(run(ja('組織図を作ってください。'))).toBe('blocklist');
  });

  it('does not block ordinary words that contain 図', () => {
    expect(run(ja('次のメールの意図を一文で説明してください。'))).toBeUndefined();
    expect(run(ja('図書館の利用案内を丁寧な文に直してください。'))).toBeUndefined();
  });

  it('blocks English words as whole words, plural included, case-insensitive', () => {
    const en = (instruction: string) => ({ instruction, input: '', output: 'Sure, here it is.' });
    expect(run(en('Describe the Image below in detail.'), defaults(), 'en')).toBe('blocklist');
    expect(run(en('Compare these two pictures.'), defaults(), 'en')).toBe('blocklist');
    expect(run(en('Go to the website and summarise it.'), defaults(), 'en')).toBe('blocklist');
    expect(run(en('Explain what a mapping table is used for.'), defaults(), 'en')).toBeUndefined();
    expect(run(en('Write a profile of the company.'), defaults(), 'en')).toBeUndefined();
  });

  it('uses a configured blocklist instead of the default', () => {
    const config = defaults({ blocklist: ['株価'], blocklistExceptions: [] });
    expect(run(ja('今日の株価を教えてください。'), config)).toBe('blocklist');
    expect(run(ja('添付の写真を説明してください。'), config)).toBeUndefined();
    expect(compileBlocklist(['file'], [])('Please profile this')).toBeUndefined();
  });

  it('rejects a ja example written in another language', () => {
    expect(run(ja('Write a reply to the following e-mail.'))).toBe('wrong_language');
    expect(run(ja('请总结以下文本的内容。'))).toBe('wrong_language');
    expect(
      run(
        ja(
          '次のメールに返信してください。',
          'Thank you for your message. We will reply to you by the end of the week.',
        ),
      ),
    ).toBe('wrong_language');
  });

  it('accepts an English output when the ja instruction asks for a translation or English text', () => {
    const english = 'Thank you for your order. We will ship the goods by June 10 as agreed.';
    expect(run(ja('次のメールを英語に翻訳してください。', english))).toBeUndefined();
    expect(run(ja('次の告知文を英訳してください。', english))).toBeUndefined();
    expect(run(ja('海外の取引先に送るメールをEnglishで書いてください。', english))).toBeUndefined();
    expect(run(ja('次のメールに返信してください。', english))).toBe('wrong_language');
    expect(run(ja('次のメールを英訳してください。', english), defaults({ foreignOutputWords: [] }))).toBe(
      'wrong_language',
    );
  });

  it('accepts Japanese outputs that are labels, numbers or JSON', () => {
    expect(run(ja('次の問い合わせを分類してください。', '製品不具合'))).toBeUndefined();
    expect(run(ja('合計金額を計算してください。', '94600'))).toBeUndefined();
    expect(
      run(ja('請求書の項目をJSONで抽出してください。', '```json\n{"total": 94600, "tax": 8600}\n```')),
    ).toBeUndefined();
  });

  it('rejects an en example written in Japanese, and can be turned off', () => {
    const example = { instruction: '次の文を要約してください。', input: '', output: 'Summary.' };
    expect(run(example, defaults(), 'en')).toBe('wrong_language');
    expect(run(example, defaults({ language: false }), 'en')).toBeUndefined();
  });

  it('rejects an instruction and input that copy a few-shot example', () => {
    const shot = fewShot[0]!;
    expect(run(ja(shot.instruction, '承知いたしました。', shot.input))).toBe('copy_of_few_shot');
    // a one-character change is still a copy
    expect(run(ja(shot.instruction.replace('6月13日', '6月14日'), '承知いたしました。', shot.input))).toBe(
      'copy_of_few_shot',
    );
    // the same kind of instruction with a new input is a new example
    expect(
      run(
        ja(
          shot.instruction,
          '承知いたしました。',
          'いつもお世話になっております。オフィスチェア30脚の見積をお願いできますでしょうか。納品は7月末を希望しております。',
        ),
      ),
    ).toBeUndefined();
  });

  it('finds a copy exactly when the plain text similarity reaches the threshold, task after task', () => {
    // Few syllables, so that texts often share most of their bigrams.
    const text = fc
      .array(fc.constantFrom('見積', 'を', '送る', '返信', 'して', 'ください', '。', '6月', '13日'), {
        minLength: 4,
        maxLength: 14,
      })
      .map((parts) => parts.join(''));
    const config = defaults({ instruction: { minChars: 1, maxChars: 1000 } });
    const check = candidateFilter(config);
    fc.assert(
      fc.property(
        fc.array(fc.record({ shots: fc.array(text, { minLength: 1, maxLength: 4 }), candidate: text }), {
          maxLength: 20,
        }),
        (tasks) => {
          for (const task of tasks) {
            // Every task brings its few-shot examples as new objects, as parsed from its record.
            // Seeds are kept prepared by text across tasks, accepted examples are not: both paths.
            const shots = task.shots.map((instruction, i) => ({
              instruction,
              input: '',
              output: '承知しました。',
              source: i % 2 ? 'seed' : 'generated',
            }));
            const got = check(ja(task.candidate), { lang: 'ja', fewShot: shots, earlier: [] })?.filter;
            const copy = shots.some(
              (shot) =>
                bigramSimilarity(`${task.candidate}\n`, `${shot.instruction}\n`) >= config.copySimilarity,
            );
            expect(got === 'copy_of_few_shot').toBe(copy);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies a per-category override over the stage filters', () => {
    const { config } = checkPluginConfig(
      { name: 'generator', configSchema: generatorConfigSchema },
      { filtersByCategory: { coding: { blocklist: ['image'], instruction: { maxChars: 40 } } } },
    );
    const stage = config as unknown as Pick<GeneratorConfig, 'filters' | 'filtersByCategory'>;
    const coding = filtersFor(stage, 'coding');
    expect(coding.blocklist).toEqual(['image']);
    expect(coding.instruction).toEqual({ minChars: 8, maxChars: 40 });
    expect(coding.copySimilarity).toBe(0.9);
    const en = (instruction: string) => ({ instruction, input: '', output: 'const m = new Map();' });
    expect(run(en('Group an array into a Map.'), coding, 'en')).toBeUndefined();
    expect(run(en('Group an array into a Map.'), filtersFor(stage, 'other'), 'en')).toBe('blocklist');
    const typo = checkPluginConfig(
      { name: 'generator', configSchema: generatorConfigSchema },
      { filtersByCategory: { coding: { blocklst: [] } } },
    );
    expect(typo.problems.map((p) => p.message)).toEqual(["unknown key 'blocklst'"]);
  });

  it('rejects an example repeated within the same reply', () => {
    const a = ja('取引先からの納期の問い合わせに返信してください。');
    expect(run(a, defaults(), 'ja', [a])).toBe('duplicate_in_reply');
  });
});
