import type { LineageEntry, TaneRecord } from '@tane/core';

/**
 * One line of a shard file: the example and what is known about how it was
 * made. `meta` keeps the record's own `judge`, `generation` and `repairs`
 * (docs/records.md), so tools that read records read rows too. The exports are
 * derived from these rows.
 */
export interface DatasetRow {
  /** The candidate id (stable across replays). */
  id: string;
  category: string;
  /** The category's language (`meta.category.language`), when known. */
  language?: string;
  instruction: string;
  input: string;
  output: string;
  meta: {
    /** The judge's final verdict: `{score, verdict, reasons, criteria, judge, round}`. */
    judge?: Record<string, unknown>;
    /** How it was generated: `{model, params, template, fewShotIds, taskId}`. */
    generation?: Record<string, unknown>;
    /** Number of repairs before it was accepted (0 = never repaired). */
    repairs: number;
    /** Where an imported row came from (`tane import`): `{source: name@hash, license, language, file, row}`. */
    import?: Record<string, unknown>;
  };
  /** The plugins and stages that made it, oldest first. */
  lineage: LineageEntry[];
}

/** What the sink counts for a candidate that did not end in the dataset (or a failed task). */
export interface OutcomeEntry {
  /** The candidate id; for `taskDlq`, the task id. */
  id: string;
  category: string;
  status: 'rejected' | 'duplicate' | 'dlq' | 'taskDlq';
  /** `judge`, `repair_limit`, `filter`, `exact`, `near`, or the failing stage for dlq. */
  reason?: string;
  repairs: number;
  /** The judge's last score, when it was judged. */
  score?: number;
  /** Category target, when the record carried the category settings. */
  target?: number;
  /** The import source's name (`meta.import.source` without `@hash`), for an imported row. */
  source?: string;
}

/**
 * An outcome as written to the outcome log: the counted entry plus what
 * `rejected.jsonl` and `duplicates.jsonl` show (the example, the outcome's
 * stage and detail). Only the counted part is kept in memory.
 */
export interface OutcomeLogEntry extends OutcomeEntry {
  stage?: string;
  detail?: unknown;
  example?: { instruction: string; input: string; output: string };
}

/** How the sink files one incoming record. */
export type ClassifiedRecord =
  | { kind: 'row'; row: DatasetRow; target?: number }
  | { kind: 'outcome'; entry: OutcomeLogEntry }
  | { kind: 'ignored'; why: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The final judge score (1–5) of a row, if it was judged. */
export function rowScore(row: DatasetRow): number | undefined {
  return num(row.meta.judge?.score);
}

/** The generating model of a row, if known. */
export function rowModel(row: DatasetRow): string | undefined {
  const model = str(row.meta.generation?.model);
  return model ? model : undefined;
}

/** The part of a log entry that is counted. */
export function countedPart(entry: OutcomeLogEntry): OutcomeEntry {
  return {
    id: entry.id,
    category: entry.category,
    status: entry.status,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    repairs: entry.repairs,
    ...(entry.score === undefined ? {} : { score: entry.score }),
    ...(entry.target === undefined ? {} : { target: entry.target }),
    ...(entry.source === undefined ? {} : { source: entry.source }),
  };
}

/** The import source's name of a record's or row's meta (`dolly@1a2b…` → `dolly`), if imported. */
export function importSourceName(meta: unknown): string | undefined {
  const m = isObj(meta) && isObj(meta.import) ? meta.import : undefined;
  const s = m ? str(m.source) : undefined;
  return s ? s.replace(/@[0-9a-f]+$/, '') : undefined;
}

function categorySettings(meta: Obj): { target?: number; language?: string } {
  const c = isObj(meta.category) ? meta.category : {};
  const target = num(c.target);
  const language = str(c.language);
  return { ...(target === undefined ? {} : { target }), ...(language === undefined ? {} : { language }) };
}

function scoreOf(meta: Obj): number | undefined {
  return isObj(meta.judge) ? num(meta.judge.score) : undefined;
}

function repairsOf(meta: Obj): number {
  return Math.max(0, Math.floor(num(meta.repairs) ?? 0));
}

/**
 * Files a record the sink received: an accepted candidate becomes a dataset
 * row; a rejected or duplicate candidate, or a dead-lettered candidate or
 * task, becomes an outcome entry; anything else is ignored (with the reason).
 *
 * @example
 * ```ts
 * const c = classifyRecord(record);
 * if (c.kind === 'row') rows.push(c.row);
 * ```
 */
export function classifyRecord(record: TaneRecord): ClassifiedRecord {
  const meta = isObj(record.meta) ? record.meta : {};
  if (record.type === 'dlq') {
    const data = isObj(record.data) ? record.data : {};
    const original = isObj(data.record) ? data.record : undefined;
    if (!original)
      return { kind: 'ignored', why: 'dlq record without the original record (unparseable message)' };
    const id = str(original.id);
    const type = str(original.type);
    if (!id || (type !== 'candidate' && type !== 'task')) {
      return { kind: 'ignored', why: `dlq record of a ${type ?? 'unknown'} record` };
    }
    const originalMeta = isObj(original.meta) ? original.meta : {};
    const { target } = categorySettings(originalMeta);
    const score = scoreOf(originalMeta);
    const stage = str(data.stage);
    return {
      kind: 'outcome',
      entry: {
        id,
        category: str(original.category) ?? record.category,
        status: type === 'candidate' ? 'dlq' : 'taskDlq',
        ...(stage === undefined ? {} : { reason: stage }),
        repairs: repairsOf(originalMeta),
        ...(score === undefined ? {} : { score }),
        ...(target === undefined ? {} : { target }),
      },
    };
  }
  if (record.type !== 'candidate') return { kind: 'ignored', why: `record of type ${record.type}` };

  const outcome = isObj(meta.outcome) ? meta.outcome : {};
  const status = str(outcome.status);
  const { target, language } = categorySettings(meta);
  const data = isObj(record.data) ? record.data : {};
  if (status === 'accepted') {
    const instruction = str(data.instruction);
    const output = str(data.output);
    if (instruction === undefined || output === undefined) {
      return { kind: 'ignored', why: 'accepted candidate without data.instruction and data.output strings' };
    }
    const row: DatasetRow = {
      id: record.id,
      category: record.category,
      ...(language === undefined ? {} : { language }),
      instruction,
      input: str(data.input) ?? '',
      output,
      meta: {
        ...(isObj(meta.judge) ? { judge: meta.judge } : {}),
        ...(isObj(meta.generation) ? { generation: meta.generation } : {}),
        repairs: repairsOf(meta),
        ...(isObj(meta.import) ? { import: meta.import } : {}),
      },
      lineage: Array.isArray(record.lineage) ? record.lineage : [],
    };
    return { kind: 'row', row, ...(target === undefined ? {} : { target }) };
  }
  if (status === 'rejected' || status === 'duplicate') {
    const reason = str(outcome.reason);
    const stage = str(outcome.stage);
    const score = scoreOf(meta);
    const source = importSourceName(meta);
    return {
      kind: 'outcome',
      entry: {
        id: record.id,
        category: record.category,
        status,
        ...(reason === undefined ? {} : { reason }),
        repairs: repairsOf(meta),
        ...(score === undefined ? {} : { score }),
        ...(target === undefined ? {} : { target }),
        ...(stage === undefined ? {} : { stage }),
        ...(source === undefined ? {} : { source }),
        ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
        example: {
          instruction: str(data.instruction) ?? '',
          input: str(data.input) ?? '',
          output: str(data.output) ?? '',
        },
      },
    };
  }
  return {
    kind: 'ignored',
    why: `candidate without a final outcome (meta.outcome.status = ${status ?? 'missing'})`,
  };
}
