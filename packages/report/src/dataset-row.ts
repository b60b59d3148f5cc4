/** One example as the report shows it, whatever shape the line had. */
export interface DatasetRow {
  id: string;
  category: string;
  instruction: string;
  input: string;
  output: string;
  meta: Record<string, unknown>;
}

/** `meta.outcome` of a rejected or duplicate record (see docs/records.md). */
export interface RowOutcome {
  status?: string;
  reason?: string;
  detail?: unknown;
  stage?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);

/**
 * A dataset line as a row: either a record envelope (`{id, category, data: {instruction, input, output}, meta}`)
 * or a flat row (`{id, category, instruction, input, output, meta…}`). Undefined when it is neither.
 */
export function toDatasetRow(value: unknown, fallbackCategory: string): DatasetRow | undefined {
  if (!isObject(value)) return undefined;
  const body =
    isObject(value.data) && ('instruction' in value.data || 'output' in value.data) ? value.data : value;
  if (!('instruction' in body) && !('output' in body)) return undefined;
  const meta = isObject(value.meta) ? value.meta : {};
  // Flat rows may carry meta fields at the top level (judge, outcome, …).
  const flatMeta: Json = {};
  if (body === value) {
    for (const [k, v] of Object.entries(value)) {
      if (!['id', 'category', 'instruction', 'input', 'output', 'meta'].includes(k)) flatMeta[k] = v;
    }
  }
  return {
    id: text(value.id) || '(no id)',
    category: (typeof value.category === 'string' && value.category) || fallbackCategory,
    instruction: text(body.instruction),
    input: text(body.input),
    output: text(body.output),
    meta: { ...flatMeta, ...meta },
  };
}

/** The outcome a rejected or duplicate row carries, if any. */
export function rowOutcome(row: DatasetRow): RowOutcome | undefined {
  const o = row.meta.outcome;
  if (!isObject(o)) return undefined;
  return {
    ...(typeof o.status === 'string' ? { status: o.status } : {}),
    ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
    ...(o.detail !== undefined ? { detail: o.detail } : {}),
    ...(typeof o.stage === 'string' ? { stage: o.stage } : {}),
  };
}

/** The judge's score of a row (1–5), if it has one. */
export function rowJudgeScore(row: DatasetRow): number | undefined {
  const j = row.meta.judge;
  const s = isObject(j) ? j.score : undefined;
  return typeof s === 'number' && s >= 1 && s <= 5 ? Math.round(s) : undefined;
}
