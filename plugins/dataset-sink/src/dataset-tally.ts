import { growTypedArray, IdTable } from '@tane/core';
import { type DatasetRow, importSourceName, type OutcomeEntry, rowModel, rowScore } from './dataset-row.ts';

/** Judge score counts, `"1"`…`"5"`. */
export type JudgeScores = Record<'1' | '2' | '3' | '4' | '5', number>;

/** Accounting and statistics of one category (or of all, in `totals`). */
export interface CategoryStats {
  /** Distinct candidate ids on the `generated` topic. */
  generated: number;
  /** Rows in the dataset. */
  accepted: number;
  /** Accepted, rejected or duplicate candidates that were repaired at least once. */
  repaired: number;
  /** Rejected by the judge, the repairer's bound or the generator's filters (includes `filtered`). */
  rejected: number;
  duplicates: number;
  /** Candidates a stage failed on. */
  dlq: number;
  /** Rejected by the generator's filters (part of `rejected`). */
  filtered: number;
  /** Tasks a stage failed on (not candidates, so outside the balance). */
  taskDlq: number;
  /** Accepted examples wanted (from the category settings). */
  target?: number;
  language?: string;
  /** Final judge scores of every judged candidate that got an outcome (accepted, rejected, duplicate). */
  judgeScores: JudgeScores;
  /** Judge scores of the accepted examples only. */
  acceptedJudgeScores: JudgeScores;
  avgInstructionChars: number;
  avgOutputChars: number;
  /** `generated === accepted + rejected + duplicates + dlq`. */
  balanced: boolean;
}

interface RowAggregate {
  accepted: number;
  repaired: number;
  scores: number[];
  instructionChars: number;
  outputChars: number;
  language?: string;
}

/** Length in code points, so a Japanese character counts as one. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * The sink's counters, kept per category and rebuilt at start from the shards
 * and the outcome log. Every candidate id counts once: an accepted id counts
 * only as accepted (it is in the dataset whatever else arrives for it), and
 * otherwise the last outcome received for an id wins.
 *
 * @example
 * ```ts
 * const tally = new DatasetTally();
 * tally.addRow(row);
 * tally.addOutcome({ id: 'c2', category: 'email-reply', status: 'duplicate', reason: 'near', repairs: 0 });
 * tally.stats({ 'email-reply': 2 })['email-reply'].balanced; // true
 * ```
 */
/** What the sink counted for one import source. */
export interface SourceStats {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  dlq: number;
  /** Accepted rows that the judge scored (the rest passed under the source's judge policy). */
  judgedAccepted: number;
  acceptanceRate: number;
  duplicateRate: number;
  rejectionRate: number;
}

export class DatasetTally {
  private readonly rowAggregates = new Map<string, RowAggregate>();
  /** Every candidate id (and `task:` id) counted, accepted or not, with its outcome. */
  private readonly ids = new IdTable();
  private readonly outcomes = new OutcomeColumns();
  private readonly targets = new Map<string, number>();
  private readonly modelSet = new Set<string>();
  private readonly pluginVersions = new Map<string, Set<string>>();
  private readonly sourceAccepted = new Map<string, number>();
  private readonly sourceJudged = new Map<string, number>();

  /**
   * Per import source: accepted, duplicates, rejected and failed rows, and the rates of each
   * (of the rows of that source that have an outcome). Generated rows are not in it.
   */
  sourceStats(): Record<string, SourceStats> {
    const out: Record<string, SourceStats> = {};
    const get = (name: string): SourceStats => {
      out[name] ??= {
        rows: 0,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        dlq: 0,
        judgedAccepted: 0,
        acceptanceRate: 0,
        duplicateRate: 0,
        rejectionRate: 0,
      };
      return out[name];
    };
    for (const [name, n] of this.sourceAccepted) get(name).accepted = n;
    for (const [name, n] of this.sourceJudged) get(name).judgedAccepted = n;
    const o = this.outcomes;
    for (let i = 0; i < this.ids.size; i++) {
      const status = o.status[i]!;
      if (o.source[i] === 0 || status === ACCEPTED) continue;
      const s = get(o.strings[o.source[i]!]!);
      if (status === DUPLICATE) s.duplicates++;
      else if (status === REJECTED) s.rejected++;
      else if (status === DLQ) s.dlq++;
    }
    for (const s of Object.values(out)) {
      s.rows = s.accepted + s.duplicates + s.rejected + s.dlq;
      const r = (n: number) => (s.rows ? Math.round((n / s.rows) * 1000) / 1000 : 0);
      s.acceptanceRate = r(s.accepted);
      s.duplicateRate = r(s.duplicates);
      s.rejectionRate = r(s.rejected);
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Counts an accepted row; false if its id was already counted as accepted. */
  addRow(row: DatasetRow): boolean {
    const known = this.ids.size;
    const i = this.ids.add(row.id);
    if (i < known) {
      if (this.outcomes.status[i] === ACCEPTED) return false;
    } else {
      this.outcomes.make(i, this.outcomes.intern(row.category));
    }
    this.outcomes.status[i] = ACCEPTED;
    const source = importSourceName(row.meta);
    if (source) {
      this.sourceAccepted.set(source, (this.sourceAccepted.get(source) ?? 0) + 1);
      if (row.meta.judge) this.sourceJudged.set(source, (this.sourceJudged.get(source) ?? 0) + 1);
    }
    let agg = this.rowAggregates.get(row.category);
    if (!agg) {
      agg = { accepted: 0, repaired: 0, scores: [0, 0, 0, 0, 0], instructionChars: 0, outputChars: 0 };
      this.rowAggregates.set(row.category, agg);
    }
    agg.accepted++;
    if (row.meta.repairs > 0) agg.repaired++;
    const score = rowScore(row);
    if (score !== undefined) agg.scores[scoreBucket(score)]!++;
    agg.instructionChars += codePointLength(row.instruction);
    agg.outputChars += codePointLength(row.output);
    if (row.language && !agg.language) agg.language = row.language;
    const model = rowModel(row);
    if (model) this.modelSet.add(model);
    for (const entry of row.lineage) this.addPlugin(entry.plugin);
    return true;
  }

  /**
   * Counts the outcome of a candidate that is not in the dataset (or a task's
   * dead letter); false if exactly this outcome was already counted, so the
   * caller need not log it again, or if the candidate is accepted (that wins).
   */
  addOutcome(entry: OutcomeEntry): boolean {
    if (entry.target !== undefined) this.setTarget(entry.category, entry.target);
    const o = this.outcomes;
    const known = this.ids.size;
    const i = this.ids.add(outcomeKey(entry));
    const category = o.intern(entry.category);
    if (i >= known) o.make(i, category);
    else if (o.status[i] === ACCEPTED) {
      o.category[i] = category;
      return false;
    } else if (this.#sameOutcome(i, entry)) return false;
    o.status[i] = STATUS_CODE[entry.status];
    o.category[i] = category;
    o.reason[i] = entry.reason === undefined ? 0 : o.intern(entry.reason);
    o.repairs[i] = entry.repairs;
    o.score[i] = entry.score ?? Number.NaN;
    o.source[i] = entry.source === undefined ? 0 : o.intern(entry.source);
    return true;
  }

  /** Whether exactly this outcome is already counted (a repeat needs no new log line). */
  knowsOutcome(entry: OutcomeEntry): boolean {
    const i = this.ids.get(outcomeKey(entry));
    return i >= 0 && this.outcomes.status[i] !== ACCEPTED && this.#sameOutcome(i, entry);
  }

  #sameOutcome(i: number, entry: OutcomeEntry): boolean {
    const o = this.outcomes;
    return (
      o.status[i] === STATUS_CODE[entry.status] &&
      o.strings[o.reason[i]!] === entry.reason &&
      o.repairs[i] === entry.repairs
    );
  }

  /** The outcome counted for a candidate id that is not in the dataset (not for tasks), if any. */
  outcomeOf(id: string): OutcomeEntry | undefined {
    const i = this.ids.get(id);
    if (i < 0 || this.outcomes.status[i] === ACCEPTED) return undefined;
    return this.outcomes.entry(i, id);
  }

  /**
   * Per category, the candidates the generator's filters rejected (outcome
   * `rejected`, reason `filter`) whose ids are not in `except`: generated, but
   * routed straight to `rejected` by pipelines that do not publish them on the
   * `generated` topic.
   */
  filteredCounts(except?: IdTable): Record<string, number> {
    const o = this.outcomes;
    const filter = o.lookup('filter');
    const out: Record<string, number> = {};
    if (filter === 0) return out;
    for (let i = 0; i < this.ids.size; i++) {
      if (o.status[i] !== REJECTED || o.reason[i] !== filter) continue;
      if (except?.hasOrdinalOf(this.ids, i)) continue;
      const category = o.strings[o.category[i]!]!;
      out[category] = (out[category] ?? 0) + 1;
    }
    return out;
  }

  /** Whether an id is counted as accepted. */
  isAccepted(id: string): boolean {
    const i = this.ids.get(id);
    return i >= 0 && this.outcomes.status[i] === ACCEPTED;
  }

  /** Bytes of the typed arrays holding one entry per candidate (ids and outcomes). */
  get candidateBytes(): number {
    return this.ids.bytes + this.outcomes.bytes;
  }

  /** Records a category's target (accepted examples wanted). */
  setTarget(category: string, target: number): void {
    this.targets.set(category, target);
  }

  /** Records a plugin (`name@version`) that made the dataset. */
  addPlugin(ref: string): void {
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? ref.slice(at + 1) : '';
    const versions = this.pluginVersions.get(name) ?? new Set<string>();
    if (version) versions.add(version);
    this.pluginVersions.set(name, versions);
  }

  /** Generating models of the accepted examples, sorted. */
  get models(): string[] {
    return [...this.modelSet].sort();
  }

  /** `name@version` of every plugin in the lineage of the accepted examples (and the sink), sorted. */
  get plugins(): string[] {
    const out: string[] = [];
    for (const name of [...this.pluginVersions.keys()].sort()) {
      const versions = [...this.pluginVersions.get(name)!].sort();
      if (versions.length === 0) out.push(name);
      for (const v of versions) out.push(`${name}@${v}`);
    }
    return out;
  }

  /** Per-category statistics, given the distinct candidates per category on `generated`. */
  stats(generated: Readonly<Record<string, number>>): Record<string, CategoryStats> {
    const categories = new Set<string>([
      ...Object.keys(generated),
      ...this.rowAggregates.keys(),
      ...this.targets.keys(),
    ]);
    const o = this.outcomes;
    for (let i = 0; i < this.ids.size; i++) categories.add(o.strings[o.category[i]!]!);
    const out: Record<string, CategoryStats> = {};
    for (const category of [...categories].sort()) {
      const agg = this.rowAggregates.get(category);
      const accepted = agg?.accepted ?? 0;
      const target = this.targets.get(category);
      out[category] = {
        generated: generated[category] ?? 0,
        accepted,
        repaired: agg?.repaired ?? 0,
        rejected: 0,
        duplicates: 0,
        dlq: 0,
        filtered: 0,
        taskDlq: 0,
        ...(target === undefined ? {} : { target }),
        ...(agg?.language ? { language: agg.language } : {}),
        judgeScores: toScores(agg?.scores ?? [0, 0, 0, 0, 0]),
        acceptedJudgeScores: toScores(agg?.scores ?? [0, 0, 0, 0, 0]),
        avgInstructionChars: accepted ? round1(agg!.instructionChars / accepted) : 0,
        avgOutputChars: accepted ? round1(agg!.outputChars / accepted) : 0,
        balanced: false,
      };
    }
    const filter = o.lookup('filter');
    for (let i = 0; i < this.ids.size; i++) {
      const status = o.status[i]!;
      if (status === ACCEPTED) continue;
      const s = out[o.strings[o.category[i]!]!]!;
      if (status === TASK_DLQ) {
        s.taskDlq++;
        continue;
      }
      const score = o.score[i]!;
      if (!Number.isNaN(score) && status !== DLQ) s.judgeScores[SCORE_KEYS[scoreBucket(score)]!]++;
      if (status === REJECTED) {
        s.rejected++;
        if (filter !== 0 && o.reason[i] === filter) s.filtered++;
      } else if (status === DUPLICATE) s.duplicates++;
      else s.dlq++;
      if (status !== DLQ && o.repairs[i]! > 0) s.repaired++;
    }
    for (const s of Object.values(out))
      s.balanced = s.generated === s.accepted + s.rejected + s.duplicates + s.dlq;
    return out;
  }
}

const SCORE_KEYS = ['1', '2', '3', '4', '5'] as const;

const ACCEPTED = 0;
const REJECTED = 1;
const DUPLICATE = 2;
const DLQ = 3;
const TASK_DLQ = 4;
const STATUS_CODE: Record<OutcomeEntry['status'], number> = {
  rejected: REJECTED,
  duplicate: DUPLICATE,
  dlq: DLQ,
  taskDlq: TASK_DLQ,
};
const STATUS_NAME = ['accepted', 'rejected', 'duplicate', 'dlq', 'taskDlq'] as const;

function outcomeKey(entry: OutcomeEntry): string {
  return entry.status === 'taskDlq' ? `task:${entry.id}` : entry.id;
}

/**
 * One entry per counted id, by the id's ordinal in the tally's `IdTable`:
 * status, category, reason, repairs, last judge score (NaN when not judged)
 * and import source. Strings (categories, reasons, sources: a few dozen) are
 * interned; index 0 stands for none. ~23 bytes per entry.
 */
class OutcomeColumns {
  status = new Uint8Array(512);
  category = new Uint32Array(512);
  reason = new Uint32Array(512);
  repairs = new Uint32Array(512);
  score = new Float64Array(512);
  source = new Uint32Array(512);
  readonly strings: (string | undefined)[] = [undefined];
  readonly #index = new Map<string, number>();

  intern(text: string): number {
    let n = this.#index.get(text);
    if (n === undefined) {
      n = this.strings.length;
      this.strings.push(text);
      this.#index.set(text, n);
    }
    return n;
  }

  /** The interned index of `text`, 0 if it never occurred. */
  lookup(text: string): number {
    return this.#index.get(text) ?? 0;
  }

  /** Makes room for entry `i` (the next ordinal) and clears it. */
  make(i: number, category: number): void {
    if (i >= this.status.length) {
      const n = this.status.length * 2;
      this.status = growTypedArray(this.status, n);
      this.category = growTypedArray(this.category, n);
      this.reason = growTypedArray(this.reason, n);
      this.repairs = growTypedArray(this.repairs, n);
      this.score = growTypedArray(this.score, n);
      this.source = growTypedArray(this.source, n);
    }
    this.category[i] = category;
    this.reason[i] = 0;
    this.repairs[i] = 0;
    this.score[i] = Number.NaN;
    this.source[i] = 0;
  }

  entry(i: number, id: string): OutcomeEntry {
    const reason = this.strings[this.reason[i]!];
    const source = this.strings[this.source[i]!];
    const score = this.score[i]!;
    return {
      id,
      category: this.strings[this.category[i]!]!,
      status: STATUS_NAME[this.status[i]!] as OutcomeEntry['status'],
      ...(reason === undefined ? {} : { reason }),
      repairs: this.repairs[i]!,
      ...(Number.isNaN(score) ? {} : { score }),
      ...(source === undefined ? {} : { source }),
    };
  }

  get bytes(): number {
    return (
      this.status.byteLength +
      this.category.byteLength +
      this.reason.byteLength +
      this.repairs.byteLength +
      this.score.byteLength +
      this.source.byteLength
    );
  }
}

function scoreBucket(score: number): number {
  return Math.min(5, Math.max(1, Math.round(score))) - 1;
}

function toScores(scores: number[]): JudgeScores {
  return { '1': scores[0]!, '2': scores[1]!, '3': scores[2]!, '4': scores[3]!, '5': scores[4]! };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The sum of per-category statistics (averages weighted by accepted rows). */
export function totalStats(categories: Readonly<Record<string, CategoryStats>>): CategoryStats {
  const all = Object.values(categories);
  const sum = (f: (s: CategoryStats) => number) => all.reduce((n, s) => n + f(s), 0);
  const accepted = sum((s) => s.accepted);
  const targets = all.filter((s) => s.target !== undefined);
  const scores: JudgeScores = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  const acceptedScores: JudgeScores = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const s of all) {
    for (const k of SCORE_KEYS) {
      scores[k] += s.judgeScores[k];
      acceptedScores[k] += s.acceptedJudgeScores[k];
    }
  }
  return {
    generated: sum((s) => s.generated),
    accepted,
    repaired: sum((s) => s.repaired),
    rejected: sum((s) => s.rejected),
    duplicates: sum((s) => s.duplicates),
    dlq: sum((s) => s.dlq),
    filtered: sum((s) => s.filtered),
    taskDlq: sum((s) => s.taskDlq),
    ...(targets.length > 0 ? { target: targets.reduce((n, s) => n + s.target!, 0) } : {}),
    judgeScores: scores,
    acceptedJudgeScores: acceptedScores,
    avgInstructionChars: accepted ? round1(sum((s) => s.avgInstructionChars * s.accepted) / accepted) : 0,
    avgOutputChars: accepted ? round1(sum((s) => s.avgOutputChars * s.accepted) / accepted) : 0,
    balanced: all.every((s) => s.balanced),
  };
}
