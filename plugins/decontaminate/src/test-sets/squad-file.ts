import { TaneError } from '@tane/core';
import type { TestItem } from './test-item.ts';

interface SquadQa {
  id?: unknown;
  question?: unknown;
  answers?: unknown;
}
interface SquadParagraph {
  context?: unknown;
  qas?: unknown;
}
interface SquadArticle {
  title?: unknown;
  paragraphs?: unknown;
}

/**
 * Items of a SQuAD-style file (JSQuAD: `{data: [{title, paragraphs: [{context,
 * qas: [{id, question, answers: [{text}]}]}]}]}`): one item per paragraph
 * (id `<title>/<n>`, its context) and one per question (its id; the question
 * and answers).
 *
 * @example
 * ```ts
 * squadItems(JSON.parse(text), 'jsquad', 'valid-v1.1.json').length;
 * ```
 */
export function squadItems(value: unknown, benchmark: string, path: string): TestItem[] {
  const data = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new TaneError('CONFIG_INVALID', 'not a SQuAD-style file: it has no `data` array', {
      where: path,
      hint: 'point at a file shaped {data: [{title, paragraphs: [{context, qas}]}]}, or set `format` for this test set',
    });
  }
  const items: TestItem[] = [];
  data.forEach((article: SquadArticle, a) => {
    const title = typeof article?.title === 'string' ? article.title : `data[${a}]`;
    const paragraphs = Array.isArray(article?.paragraphs) ? (article.paragraphs as SquadParagraph[]) : [];
    paragraphs.forEach((p, n) => {
      if (typeof p?.context === 'string' && p.context.trim() !== '') {
        items.push({ benchmark, id: `${title}/${n}`, texts: [{ field: 'context', text: p.context }] });
      }
      const qas = Array.isArray(p?.qas) ? (p.qas as SquadQa[]) : [];
      qas.forEach((qa, q) => {
        const texts: { field: string; text: string }[] = [];
        if (typeof qa?.question === 'string') texts.push({ field: 'question', text: qa.question });
        if (Array.isArray(qa?.answers)) {
          for (const ans of qa.answers as { text?: unknown }[]) {
            if (typeof ans?.text === 'string') texts.push({ field: 'answer', text: ans.text });
          }
        }
        if (texts.length > 0) {
          const id =
            typeof qa.id === 'string' || typeof qa.id === 'number' ? String(qa.id) : `${title}/${n}/${q}`;
          items.push({ benchmark, id, texts });
        }
      });
    });
  });
  return items;
}
