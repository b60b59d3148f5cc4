import type { SeededRandom } from './seeded-random.ts';
import type { SimExample, SimLang } from './sim-task.ts';
import { EN_WORDS, JA_WORDS, type WordLists } from './word-lists.ts';

/** Names chosen for one varied example, reused by the instruction templates. */
export interface EntityPicks {
  company: string;
  person: string;
  department: string;
  product: string;
  place: string;
  topic: string;
  event: string;
  role: string;
  audience: string;
  date: string;
}

const JA_WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
// Dates without a year are read as this year so that weekdays stay consistent.
const DEFAULT_YEAR = 2025;

function shifted(year: number, month: number, day: number, days: number): Date {
  return new Date(Date.UTC(year, month - 1, day + days));
}

/** Moves every date in the text by `days`, keeping each date's own format (and weekday). */
export function shiftDates(text: string, days: number): string {
  return text
    .replace(
      /(\d{4})年(\d{1,2})月(\d{1,2})日(?:([（(])([日月火水木金土])([）)]))?/g,
      (_m, y: string, mo: string, d: string, open?: string, _w?: string, close?: string) => {
        const t = shifted(+y, +mo, +d, days);
        const wd = open ? `${open}${JA_WEEKDAYS[t.getUTCDay()]}${close}` : '';
        return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日${wd}`;
      },
    )
    .replace(
      /(?<![\d年])(\d{1,2})月(\d{1,2})日(?:([（(])([日月火水木金土])([）)]))?/g,
      (_m, mo: string, d: string, open?: string, _w?: string, close?: string) => {
        const t = shifted(DEFAULT_YEAR, +mo, +d, days);
        const wd = open ? `${open}${JA_WEEKDAYS[t.getUTCDay()]}${close}` : '';
        return `${t.getUTCMonth() + 1}月${t.getUTCDate()}日${wd}`;
      },
    )
    .replace(
      /\b(\d{4})([-/])(\d{1,2})\2(\d{1,2})\b/g,
      (_m, y: string, sep: string, mo: string, d: string) => {
        const t = shifted(+y, +mo, +d, days);
        const pad = mo.length === 2;
        const mm = String(t.getUTCMonth() + 1).padStart(pad ? 2 : 1, '0');
        const dd = String(t.getUTCDate()).padStart(d.length === 2 ? 2 : 1, '0');
        return `${t.getUTCFullYear()}${sep}${mm}${sep}${dd}`;
      },
    )
    .replace(
      new RegExp(`\\b(${EN_MONTHS.join('|')}) (\\d{1,2})(?:, (\\d{4}))?\\b`, 'g'),
      (_m, month: string, d: string, y?: string) => {
        const t = shifted(y ? +y : DEFAULT_YEAR, EN_MONTHS.indexOf(month) + 1, +d, days);
        const name = EN_MONTHS[t.getUTCMonth()]!;
        return y ? `${name} ${t.getUTCDate()}, ${t.getUTCFullYear()}` : `${name} ${t.getUTCDate()}`;
      },
    );
}

function formatLike(original: string, value: number): string {
  const decimals = original.includes('.') ? (original.split('.')[1]?.length ?? 0) : 0;
  const fixed = value.toFixed(decimals);
  if (!original.includes(',')) return fixed;
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/**
 * Multiplies every money amount by the same integer factor, so totals, tax and
 * line items in one example still add up.
 */
export function scaleAmounts(text: string, factor: number): string {
  const scale = (raw: string) => formatLike(raw, Number(raw.replace(/,/g, '')) * factor);
  return text
    .replace(
      /(\d[\d,]*(?:\.\d+)?)(\s?)(円|万円|ドル|yen|dollars|USD|EUR)/g,
      (_m, n: string, sp: string, unit: string) => {
        return `${scale(n)}${sp}${unit}`;
      },
    )
    .replace(/([¥$€£])(\d[\d,]*(?:\.\d+)?)/g, (_m, sym: string, n: string) => `${sym}${scale(n)}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Japanese has no spaces, so an unknown company name ends at the first particle or honorific.
const JA_NAME_CHARS = '[^\\s、。，,「」『』（）()・:：のにはがをへとでや様御殿宛]';
const JA_COMPANY = new RegExp(
  `(?:株式会社|有限会社|合同会社)${JA_NAME_CHARS}{1,12}|${JA_NAME_CHARS}{1,12}(?:株式会社|有限会社|合同会社)`,
  'g',
);
const EN_COMPANY = /\b(?:[A-Z][A-Za-z&'-]+ ){1,3}(?:Inc\.|Corp\.|Ltd\.|LLC|LLP|Co\.)/g;

function lists(lang: SimLang): WordLists {
  return lang === 'ja' ? JA_WORDS : EN_WORDS;
}

/**
 * Builds one replacement table for the three fields so that a name changed in
 * the input is changed the same way in the instruction and the output.
 */
function nameMap(all: string, lang: SimLang, rng: SimRandomLike): Map<string, string> {
  const words = lists(lang);
  const map = new Map<string, string>();
  const take = (found: string, pool: readonly string[]) => {
    if (map.has(found)) return;
    const used = new Set(map.values());
    const free = pool.filter((p) => p !== found && !used.has(p) && !all.includes(p));
    if (free.length > 0) map.set(found, rng.pick(free));
  };
  const companyPattern = lang === 'ja' ? JA_COMPANY : EN_COMPANY;
  for (const c of words.companies) if (all.includes(c)) take(c, words.companies);
  for (const m of all.matchAll(companyPattern)) {
    const overlapsKnown = [...map.keys()].some((k) => k.includes(m[0]) || m[0].includes(k));
    if (!overlapsKnown) take(m[0], words.companies);
  }
  // Single-character surnames would hit ordinary words (森林), so they are never searched for.
  for (const s of words.surnames) {
    if ([...s].length < 2) continue;
    const hit = lang === 'ja' ? all.includes(s) : new RegExp(`\\b${escapeRegExp(s)}\\b`).test(all);
    if (hit) take(s, words.surnames);
  }
  if (lang === 'en') {
    for (const g of words.givenNames) if (new RegExp(`\\b${g}\\b`).test(all)) take(g, words.givenNames);
  }
  for (const p of words.products) {
    if (all.includes(p)) take(p, words.products);
    // Outputs often repeat only the bracketed name: 「ブリューマスター」.
    const short = /「[^」]+」/.exec(p)?.[0];
    if (short && all.includes(short)) {
      take(p, words.products);
      const long = map.get(p);
      const replacement = long ? /「[^」]+」/.exec(long)?.[0] : undefined;
      if (replacement && !map.has(short)) map.set(short, replacement);
    }
  }
  for (const d of words.departments) if (all.includes(d)) take(d, words.departments);
  for (const p of words.places) {
    const hit =
      lang === 'ja'
        ? new RegExp(`${escapeRegExp(p)}(?=支店|営業所|工場|事業所|本社|会場|駅|オフィス|店|倉庫)`).test(all)
        : new RegExp(`\\b${escapeRegExp(p)}\\b`).test(all);
    if (hit) take(p, words.places);
  }
  return map;
}

interface SimRandomLike {
  pick<T>(items: readonly T[]): T;
}

function applyMap(text: string, map: Map<string, string>): string {
  if (map.size === 0) return text;
  const keys = [...map.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(keys.join('|'), 'g'), (m) => map.get(m) ?? m);
}

function jaDate(rng: SeededRandom): string {
  const t = shifted(DEFAULT_YEAR, 1, 1, rng.int(0, 364));
  return `${t.getUTCMonth() + 1}月${t.getUTCDate()}日（${JA_WEEKDAYS[t.getUTCDay()]}）`;
}

function enDate(rng: SeededRandom): string {
  const t = shifted(DEFAULT_YEAR, 1, 1, rng.int(0, 364));
  return `${EN_MONTHS[t.getUTCMonth()]} ${t.getUTCDate()}`;
}

/**
 * Varies one example: shifts its dates, scales its amounts and swaps the
 * fictional names it contains, consistently across instruction, input and output.
 */
export function swapEntities(
  example: SimExample,
  lang: SimLang,
  rng: SeededRandom,
): { example: SimExample; picks: EntityPicks } {
  const days = rng.int(3, 200) * (rng.chance(0.5) ? 1 : -1);
  const factor = rng.pick([2, 3, 4, 5, 6, 8]);
  const all = `${example.instruction}\n${example.input}\n${example.output}`;
  const map = nameMap(all, lang, rng);
  const vary = (t: string) => applyMap(scaleAmounts(shiftDates(t, days), factor), map);
  const varied = {
    instruction: vary(example.instruction),
    input: vary(example.input),
    output: vary(example.output),
  };
  const words = lists(lang);
  const mapped = (pool: readonly string[]) => [...map.values()].find((v) => pool.includes(v));
  const surname = mapped(words.surnames) ?? rng.pick(words.surnames);
  const picks: EntityPicks = {
    company: mapped(words.companies) ?? rng.pick(words.companies),
    person: lang === 'ja' ? surname : `${rng.pick(words.givenNames)} ${surname}`,
    department: mapped(words.departments) ?? rng.pick(words.departments),
    product: mapped(words.products) ?? rng.pick(words.products),
    place: mapped(words.places) ?? rng.pick(words.places),
    topic: rng.pick(words.topics),
    event: rng.pick(words.events),
    role: rng.pick(words.roles),
    audience: rng.pick(words.audiences),
    date: lang === 'ja' ? jaDate(rng) : enDate(rng),
  };
  return { example: varied, picks };
}
