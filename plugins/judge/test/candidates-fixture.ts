import type { TaneRecord } from '@tane/core';
import { candidateRecord } from '@tane/prompt-kit/testing';

export const MINUTES_CATEGORY = {
  id: 'meeting-minutes',
  name: '議事録の要約',
  description: '会議の発言録やメモから、決定事項・担当者・期限を整理した議事録や要約を作る。',
  language: 'ja',
  target: 50,
  weight: 1,
  rubric: { extra: ['決定事項と未決事項が区別されているか'] },
};

const memo =
  '・新商品の発売日は6月2日で確定。\n・SNS広告は5月19日から、予算80万円。\n・店頭POPの案は岡本さんが5月16日までに出す。';

/** Examples a careful writer would accept. */
export const GOOD = [
  {
    instruction: '次の会議メモから決定事項だけを箇条書きで抜き出してください。',
    input: memo,
    output: '・新商品の発売日を6月2日とする。\n・SNS広告を5月19日から予算80万円で出稿する。',
  },
  {
    instruction: '次のメモから、担当者と期限がはっきりしているToDoを1つ挙げてください。',
    input: memo,
    output: '岡本さんが5月16日までに店頭POPの案を提出する。',
  },
];

/** Examples with one defect each that a rewrite can fix. */
export const FIXABLE = [
  {
    // cut off in the middle of a sentence
    instruction: '次の会議メモを2文で要約してください。',
    input: memo,
    output: '新商品の発売日は6月2日に確定し、',
  },
  {
    // longer than the instruction allows
    instruction: '次の会議メモを30字以内で要約してください。',
    input: memo,
    output:
      '新商品の発売日は6月2日に確定し、SNS広告を5月19日から予算80万円で出し、店頭POPの案は岡本さんが5月16日までに提出することになった。',
  },
  {
    // written in the wrong language
    instruction: '次の会議メモの要点を日本語で説明してください。',
    input: memo,
    output:
      'The launch date is fixed for June 2, and the SNS ads will start on May 19 with a budget of 800,000 yen.',
  },
];

/** A refusal: nothing to repair. */
export const UNUSABLE = [
  {
    instruction: '次の会議メモを要約してください。',
    input: memo,
    output: '申し訳ありませんが、そのご依頼にはお応えできません。',
  },
];

/** A candidate of the meeting-minutes category, as the generator emits it. */
export function candidate(
  id: string,
  data: { instruction: string; input: string; output: string },
): TaneRecord {
  return candidateRecord({ id, category: MINUTES_CATEGORY, data, taskId: 'task-1' });
}
