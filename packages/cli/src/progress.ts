import type { EngineEvent, EngineStats } from '@tane/core/engine';

export type ProgressMode = 'tty' | 'plain' | 'off';

export interface ProgressOptions {
  mode: ProgressMode;
  stats: () => EngineStats;
  /** Accepted examples wanted per category (shows accepted / target and an ETA). */
  targets?: Record<string, number>;
  /** Accepted examples already there before this run started. */
  baseline?: Record<string, number>;
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  intervalMs?: number;
}

/** Picks `tty` when stderr is a terminal, else one plain line every few seconds. */
export function progressMode(flag: string | undefined, quiet: boolean): ProgressMode {
  if (quiet || flag === 'off') return 'off';
  if (flag === 'plain' || flag === 'tty') return flag;
  return process.stderr.isTTY ? 'tty' : 'plain';
}

const fmt = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));
const elapsed = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Live progress of a run: records per stage and rate, accepted per category
 * against its target with an ETA. On a terminal it redraws in place; elsewhere
 * it prints a plain line every `intervalMs` (default 10 s).
 */
export class Progress {
  private readonly accepted: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private lines = 0;
  private lastConsumed = 0;
  private lastAt = Date.now();
  private readonly stream: NodeJS.WritableStream;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
  }

  /** Feed engine events here (accepted counts come from records written to `dataset`). */
  onEvent = (event: EngineEvent): void => {
    if (event.type === 'written' && event.topic === 'dataset') {
      this.accepted[event.category] = (this.accepted[event.category] ?? 0) + 1;
    }
  };

  start(): void {
    if (this.options.mode === 'off') return;
    const interval = this.options.intervalMs ?? (this.options.mode === 'tty' ? 500 : 10_000);
    this.timer = setInterval(() => this.render(), interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.options.mode !== 'off') this.render(true);
  }

  private render(final = false): void {
    const s = this.options.stats();
    const now = Date.now();
    const rate = ((s.consumed - this.lastConsumed) * 1000) / Math.max(1, now - this.lastAt);
    this.lastConsumed = s.consumed;
    this.lastAt = now;
    const stageText = Object.entries(s.stages)
      .map(
        ([id, st]) =>
          `${id} ${fmt(st.done)}${st.inFlight ? `+${st.inFlight}` : ''}${st.failed ? ` !${st.failed}` : ''}`,
      )
      .join(' │ ');
    const written = Object.entries(s.written)
      .map(([t, n]) => `${t} ${fmt(n)}`)
      .join('  ');
    const head = `[${elapsed(now - s.startedAt)}] in ${fmt(s.consumed)} (${rate.toFixed(1)}/s) in-flight ${s.inFlight}  ${written}`;
    if (this.options.mode === 'plain') {
      this.stream.write(`${head} │ ${stageText}${this.categoryLine()}\n`);
      return;
    }
    const lines = [head, `  stages: ${stageText}`, ...this.categoryRows(now - s.startedAt)];
    if (this.lines > 0) this.stream.write(`\x1b[${this.lines}A\x1b[0J`);
    this.stream.write(`${lines.join('\n')}\n`);
    this.lines = final ? 0 : lines.length;
  }

  private categoryLine(): string {
    const targets = this.options.targets;
    if (!targets) return '';
    const done = Object.keys(targets).filter((c) => this.total(c) >= targets[c]!).length;
    return ` │ categories at target ${done}/${Object.keys(targets).length}`;
  }

  private total(category: string): number {
    return (this.options.baseline?.[category] ?? 0) + (this.accepted[category] ?? 0);
  }

  private categoryRows(elapsedMs: number): string[] {
    const targets = this.options.targets;
    if (!targets) return [];
    const rows: string[] = [];
    const cats = Object.keys(targets);
    for (let i = 0; i < cats.length; i += 4) {
      rows.push(
        `  ${cats
          .slice(i, i + 4)
          .map((c) => {
            const got = this.total(c);
            const t = targets[c]!;
            const run = this.accepted[c] ?? 0;
            const perMs = run / Math.max(1, elapsedMs);
            const eta = got >= t ? 'done' : perMs > 0 ? `eta ${elapsed((t - got) / perMs)}` : 'eta –';
            return `${c.slice(0, 18).padEnd(18)} ${String(got).padStart(4)}/${String(t).padEnd(4)} ${eta.padEnd(12)}`;
          })
          .join(' ')}`,
      );
    }
    return rows;
  }
}
