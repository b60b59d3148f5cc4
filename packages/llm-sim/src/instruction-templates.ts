import { lengthLimit, outputLength } from './defects.ts';
import type { EntityPicks } from './entity-swap.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { SimLang } from './sim-task.ts';

// Scene-setting first sentences. `{x}` is filled from EntityPicks.
const JA_LEADS = [
  '{company}{department}の{role}として対応する場面です。',
  '{place}支店で{topic}の件が持ち上がりました。',
  '{date}の{event}の前に片付けておきたい作業です。',
  '{company}との{topic}に関するやり取りを想定します。',
  '{person}さんから{topic}について相談を受けました。',
  '{department}に配属されたばかりの{role}向けの練習課題です。',
  '{place}で開かれる{event}の準備を進めています。',
  '{product}の導入を検討している{company}の案件です。',
  '{date}までに{topic}への対応を終える必要があります。',
  '{person}部長の指示で、{topic}の資料を整えています。',
  '今週の{event}で{topic}が議題に上がりました。',
  'この課題は{department}の業務マニュアルに載せる例です。',
  '{place}営業所の{role}が実際に受けた依頼をもとにしています。',
  '{product}をめぐって{topic}が社内で話題です。',
  '{audience}とのやり取りで{topic}が問題になっています。',
  '月末の{event}に向けて、{department}では{topic}を整理中です。',
  '{company}から{product}について連絡がありました。',
  '{role}の{person}さんが{place}への出張前に頼んできた作業です。',
  '繁忙期の{department}では、{topic}への問い合わせが続いています。',
  '{person}さんは{company}を担当して三年目になります。',
  '{place}工場の稼働状況を踏まえて判断が求められています。',
  '{audience}から{date}付けで連絡が届きました。',
  '昨年度の反省から、{department}は{topic}の手順を見直しました。',
  '{company}とは長年の取引があり、信頼関係を大切にしています。',
  '{event}の議事進行は{person}さんが務めます。',
  '{product}の売れ行きが{place}で伸び悩んでいます。',
  '{role}として初めて{topic}を任されました。',
  '取引先の{company}が{place}に新拠点を開設しました。',
  '{date}から新しい運用ルールが始まります。',
  '{department}長の{person}さんは細かい表現にも厳しい人です。',
];

const JA_DETAILS = [
  '関係者は{department}と{company}の担当者です。',
  '相手は{audience}です。',
  '期限は{date}です。',
  '{person}さんが内容を確認してから送ります。',
  '背景には{topic}があります。',
  '{place}の拠点にも共有される予定です。',
  '過去に{topic}で行き違いがありました。',
  '{event}の資料にも転用します。',
  '読み手は{role}の立場にあります。',
  '{product}に関する問い合わせも増えています。',
];

// Inserted after 次の/以下の/下記の so the task sentence itself names who or what it is about.
const JA_QUALIFIERS = [
  '{company}から届いた',
  '{person}さんがまとめた',
  '{event}で配られた',
  '{place}支店に寄せられた',
  '{date}付けの',
  '{department}宛ての',
  '{topic}に関する',
  '{product}についての',
  '{audience}向けの',
  '{role}が受け取った',
];

const JA_CONSTRAINTS = [
  '{audience}に伝わる言葉で',
  '丁寧な言葉遣いを保って',
  '結論を先に示して',
  '要点を落とさずに',
  '専門用語はできるだけ避けて',
  '事実と推測を分けて',
  '読み手が次に何をすればよいか分かるように',
  '原文にない情報は加えずに',
  '簡潔に',
  '{role}の立場で',
  '誤解の余地がないように',
  '相手の立場に配慮して',
  '数字や日付を正確に扱って',
  '社外秘の情報に触れずに',
  '前置きを短くして',
  '角が立たない表現で',
];

const JA_CLOSINGS = [
  'なお、{c}回答してください。',
  '{c}お願いします。',
  '回答は{c}まとめること。',
  '{c}仕上げてください。',
];

const JA_SYNONYMS: Array<[string, string[]]> = [
  ['次の', ['以下の', '下記の', 'この']],
  ['以下の', ['次の', '下記の']],
  ['作成してください', ['書いてください', '用意してください', '考えてください']],
  ['書いてください', ['作成してください', '起こしてください']],
  ['まとめてください', ['整理してください', '要約してください']],
  ['抽出してください', ['抜き出してください', '取り出してください']],
  ['抜き出してください', ['抽出してください', '拾い出してください']],
  ['書き換えてください', ['言い換えてください', '直してください']],
  ['分類してください', ['振り分けてください', '判定してください']],
  ['答えてください', ['回答してください', '示してください']],
];

const EN_LEADS = [
  'You work as {a:role} at {company}.',
  'The {place} office is dealing with {topic}.',
  'This comes up right before the {event} on {date}.',
  '{person} from {department} asked for help with {topic}.',
  'Imagine you support the {department} team at {company}.',
  'Context: {company} is evaluating the {product}.',
  '{a:role} in {place} receives the request below.',
  'This is a practice task for someone new to the {role} job.',
  'The agenda for the {event} includes {topic}.',
  '{person} needs this finished by {date}.',
  'While handling {topic}, {department} at {company} needs support.',
  'Picture a busy week in {place}: {topic} is top of the list.',
  'Ahead of the {event}, {person} is tidying up loose ends.',
  '{company} just called about the {product}.',
  '{person} has handled the {company} account for three years.',
  'Sales of the {product} have stalled in {place}.',
  'Last quarter, {department} changed how it handles {topic}.',
  'A message from {audience} arrived on {date}.',
  '{company} has just opened a new site in {place}.',
  'New working rules start on {date}.',
  'The head of {department}, {person}, is picky about wording.',
  'You have just been put in charge of {topic} for the first time.',
  'The {event} will be chaired by {person}.',
  'The {department} team is swamped because of {topic}.',
];

const EN_DETAILS = [
  'The people involved are in {department} and at {company}.',
  'The deadline is {date}.',
  '{person} will check it before it goes out.',
  'The background is {topic}.',
  'It will also be shared with the {place} office.',
  'There was a misunderstanding about {topic} before.',
  'It may be reused in the {event} slides.',
  'The reader works as {a:role}.',
  'Questions about the {product} are increasing too.',
  'Your reader is {audience}.',
];

// Appended to the task sentence so it names who or what it is about.
const EN_QUALIFIERS = [
  'It came from {company}.',
  '{person} wrote it.',
  'It was handed out at the {event}.',
  'It reached the {place} office.',
  'It is dated {date}.',
  'It was sent to {department}.',
  'It concerns {topic}.',
  'It is about the {product}.',
  'It is meant for {audience}.',
  '{a:role} received it.',
];

const EN_CONSTRAINTS = [
  'Write it for {audience}.',
  'Lead with the conclusion.',
  'Keep the tone warm but professional.',
  'Avoid jargon.',
  'Do not add facts that are not in the input.',
  'Make the next step obvious to the reader.',
  'Be concise.',
  'Separate facts from assumptions.',
  'Answer as the {role} would.',
  'Leave no room for misunderstanding.',
  'Get the numbers and dates exactly right.',
  'Keep the opening short.',
  'Stay diplomatic.',
  'Do not mention anything confidential.',
];

const EN_SYNONYMS: Array<[RegExp, string[]]> = [
  [/\bWrite\b/, ['Draft', 'Compose', 'Put together']],
  [/\bSummari[sz]e\b/, ['Condense', 'Sum up', 'Give a short summary of']],
  [/\bExtract\b/, ['Pull out', 'List']],
  [/\bthe following\b/, ['this', 'the given']],
  [/\bClassify\b/, ['Categorize', 'Label']],
  [/\bRewrite\b/, ['Rephrase', 'Rework']],
  [/\bExplain\b/, ['Describe', 'Clarify']],
  [/\bReply to\b/, ['Respond to', 'Answer']],
];

function fill(template: string, picks: EntityPicks): string {
  // `{a:role}` adds the English indefinite article.
  return template.replace(/\{(a:)?(\w+)\}/g, (m, article: string | undefined, key: string) => {
    if (!(key in picks)) return m;
    const value = String(picks[key as keyof EntityPicks]);
    return article ? `${/^[aeiou]/i.test(value) ? 'an' : 'a'} ${value}` : value;
  });
}

/** Capital first letter, and no doubled period after names like "Co.". */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`.replace(/\.\.$/, '.');
}

function rephraseJa(core: string, rng: SeededRandom): string {
  let out = core;
  for (const [from, tos] of JA_SYNONYMS)
    if (out.includes(from) && rng.chance(0.7)) out = out.replace(from, rng.pick(tos));
  return out;
}

function rephraseEn(core: string, rng: SeededRandom): string {
  let out = core;
  for (const [from, tos] of EN_SYNONYMS)
    if (from.test(out) && rng.chance(0.7)) out = out.replace(from, rng.pick(tos));
  return out;
}

// Long seed instructions are cut to their last sentence so the new instruction is not mostly a copy.
function coreOf(instruction: string, lang: SimLang): string {
  const sentences =
    lang === 'ja'
      ? instruction
          .split(/(?<=[。！？\n])/)
          .map((s) => s.trim())
          .filter(Boolean)
      : instruction
          .split(/(?<=[.!?])\s+|\n/)
          .map((s) => s.trim())
          .filter(Boolean);
  if (sentences.length <= 1) return instruction.trim();
  const imperative = sentences.filter((s) => (lang === 'ja' ? /ください|なさい|こと[。]?$/.test(s) : true));
  return (imperative.at(-1) ?? sentences.at(-1))!;
}

/**
 * Writes a new instruction for a varied example: a scene sentence built from
 * the word lists, the seed's task reworded, and optionally a constraint. A
 * length limit, when added, always leaves room for the example's output.
 */
export function composeInstruction(
  seedInstruction: string,
  output: string,
  picks: EntityPicks,
  lang: SimLang,
  rng: SeededRandom,
): string {
  const core = coreOf(seedInstruction, lang);
  const hasLimit = lengthLimit(core, lang) !== undefined;
  if (lang === 'ja') {
    const details = rng.sample(JA_DETAILS, rng.chance(0.85) ? (rng.chance(0.35) ? 2 : 1) : 0);
    const lead = [rng.pick(JA_LEADS), ...details].map((t) => fill(t, picks)).join('');
    let body = rephraseJa(core, rng);
    const qualifier = fill(rng.pick(JA_QUALIFIERS), picks);
    const anchor = /(次の|以下の|下記の|この)/.exec(body);
    body = anchor
      ? `${body.slice(0, anchor.index + anchor[0].length)}${qualifier}${body.slice(anchor.index + anchor[0].length)}`
      : `${qualifier.replace(/の$/, '')}件で、${body}`;
    if (!/[。！？]$/.test(body)) body += '。';
    let tail = '';
    const roll = rng.next();
    if (!hasLimit && roll < 0.3 && output.length > 0) {
      const limit = Math.ceil((outputLength(output, 'ja') * 1.3 + 1) / 50) * 50;
      tail = `${limit}字以内で答えてください。`;
    } else if (roll < 0.8) {
      tail = fill(rng.pick(JA_CLOSINGS), picks).replace('{c}', fill(rng.pick(JA_CONSTRAINTS), picks));
    }
    return `${lead}${body}${tail}`;
  }
  const details = rng.sample(EN_DETAILS, rng.chance(0.85) ? (rng.chance(0.35) ? 2 : 1) : 0);
  const lead = [rng.pick(EN_LEADS), ...details].map((t) => sentence(fill(t, picks))).join(' ');
  let body = rephraseEn(core, rng);
  if (!/[.!?:]$/.test(body)) body += '.';
  body = `${body} ${sentence(fill(rng.pick(EN_QUALIFIERS), picks))}`;
  let tail = '';
  const roll = rng.next();
  if (!hasLimit && roll < 0.3 && output.length > 0) {
    const limit = Math.ceil((outputLength(output, 'en') * 1.3 + 1) / 10) * 10;
    tail = `Keep it to at most ${limit} words.`;
  } else if (roll < 0.8) {
    tail = fill(rng.pick(EN_CONSTRAINTS), picks);
  }
  return [lead, body, tail].filter(Boolean).join(' ');
}
