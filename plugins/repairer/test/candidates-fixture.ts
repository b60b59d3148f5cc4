import type { TaneRecord } from '@tane/core';
import { candidateRecord } from '@tane/prompt-kit/testing';

export const KEIGO_CATEGORY = {
  id: 'keigo-rewrite',
  name: '敬語への書き換え',
  description: 'くだけた文や社内向けの文を、指定された相手に送れる適切な敬語に書き換える。',
  language: 'ja',
  target: 50,
  weight: 1,
};

const casual =
  '資料見ました。だいたいOKだけど、3ページ目の数字が前のと違うから確認してもらえる?あと、来週の打ち合わせ、火曜でいい?';

/** Examples with one defect each that a rewrite can fix. */
export const FIXABLE = [
  {
    // cut off in the middle of a sentence
    instruction: '次の文を、取引先の担当者に送るメールにふさわしい敬語に書き換えてください。',
    input: casual,
    output: '資料を拝見しました。おおむね問題ございませんが、',
  },
  {
    // longer than the instruction allows
    instruction: '次の文を、取引先に送れる敬語に40字以内で書き換えてください。',
    input: casual,
    output:
      '資料を拝見しました。おおむね問題ございませんが、3ページ目の数値が以前いただいた資料と異なっているようですので、ご確認いただけますでしょうか。また、来週のお打ち合わせは火曜日でご都合はいかがでしょうか。',
  },
  {
    // written in the wrong language
    instruction: '次の文を、部長に送る丁寧な日本語に書き換えてください。',
    input: '明日の会議の資料、さっき共有フォルダに入れといたので見といてください。',
    output:
      'I have put the materials for tomorrow in the shared folder, so please take a look at them when you can.',
  },
  {
    // no output at all
    instruction: '次の依頼を、顧客に送る丁寧な文に書き換えてください。',
    input: '明日までに返事ください。',
    output: '',
  },
];

/** A candidate of the keigo-rewrite category, as the generator emits it. */
export function candidate(
  id: string,
  data: { instruction: string; input: string; output: string },
): TaneRecord {
  return candidateRecord({ id, category: KEIGO_CATEGORY, data, taskId: 'task-9' });
}
