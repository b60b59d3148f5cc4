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
  private readonly acceptedIds = new Set<string>();
  private readonly outcomes = new Map<string, OutcomeEntry>();
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
    for (const e of this.outcomes.values()) {
      if (!e.source || this.acceptedIds.has(e.id)) continue;
      const s = get(e.source);
      if (e.status === 'duplicate') s.duplicates++;
      else if (e.status === 'rejected') s.rejected++;
      else if (e.status === 'dlq') s.dlq++;
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
    if (this.acceptedIds.has(row.id)) return false;
    this.acceptedIds.add(row.id);
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
   * caller need not log it again.
   */
  addOutcome(entry: OutcomeEntry): boolean {
    if (entry.target !== undefined) this.setTarget(entry.category, entry.target);
    if (this.knowsOutcome(entry)) return false;
    this.outcomes.set(entry.status === 'taskDlq' ? `task:${entry.id}` : entry.id, entry);
    return true;
  }

  /** Whether exactly this outcome is already counted (a repeat needs no new log line). */
  knowsOutcome(entry: OutcomeEntry): boolean {
    const known = this.outcomes.get(entry.status === 'taskDlq' ? `task:${entry.id}` : entry.id);
    return (
      known !== undefined &&
      known.status === entry.status &&
      known.reason === entry.reason &&
      known.repairs === entry.repairs
    );
  }

  /** The outcome counted for a candidate id (not for tasks), if any. */
  outcomeOf(id: string): OutcomeEntry | undefined {
    return this.outcomes.get(id);
  }

  /**
   * Candidates the generator's filters rejected (outcome `rejected`, reason
   * `filter`): generated, but routed straight to `rejected` by pipelines that
   * do not publish them on the `generated` topic.
   */
  *filteredCandidates(): Iterable<OutcomeEntry> {
    for (const e of this.outcomes.values()) {
      if (e.status === 'rejected' && e.reason === 'filter' && !this.acceptedIds.has(e.id)) yield e;
    }
  }

  /** Whether an id is counted as accepted. */
  isAccepted(id: string): boolean {
    return this.acceptedIds.has(id);
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
    for (const e of this.outcomes.values()) categories.add(e.category);
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
    for (const e of this.outcomes.values()) {
      const s = out[e.category]!;
      if (e.status === 'taskDlq') {
        s.taskDlq++;
        continue;
      }
      if (this.acceptedIds.has(e.id)) continue;
      if (e.score !== undefined && e.status !== 'dlq') s.judgeScores[SCORE_KEYS[scoreBucket(e.score)]!]++;
      if (e.status === 'rejected') {
        s.rejected++;
        if (e.reason === 'filter') s.filtered++;
      } else if (e.status === 'duplicate') s.duplicates++;
      else s.dlq++;
      if (e.status !== 'dlq' && e.repairs > 0) s.repaired++;
    }
    for (const s of Object.values(out))
      s.balanced = s.generated === s.accepted + s.rejected + s.duplicates + s.dlq;
    return out;
  }
}

const SCORE_KEYS = ['1', '2', '3', '4', '5'] as const;

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
