import type { PartitionState, Token, Work } from './partition-tracker.ts';

interface Parked {
  stage: string;
  work: Work;
}

/**
 * Lets records into ordered stages in source order. A stage whose decisions
 * depend on what it saw before (dedup: the first of two near-duplicates is
 * kept) would otherwise decide by which LLM call finished first. Here a record
 * bound for an ordered stage waits until every earlier source offset of its
 * partition is done, and until every record of its own offset still in flight
 * has reached an ordered stage too; the records of one offset then enter in
 * record-id order. So the same topic content gives the same decisions, on one
 * worker or many, after a crash or not.
 *
 * Records wait only at the ordered stage: earlier stages (LLM calls) keep
 * working on later offsets, up to the partition's in-flight cap.
 */
export class OrderedGate {
  private readonly parked = new Map<Token, Parked[]>();

  constructor(private readonly enter: (stage: string, work: Work) => void) {}

  /** Holds a record for an ordered stage until its turn. */
  park(stage: string, work: Work): void {
    const { token } = work;
    token.parked++;
    let list = this.parked.get(token);
    if (!list) this.parked.set(token, (list = []));
    list.push({ stage, work });
    this.pump(token.ps);
  }

  /** Records parked in all (for stats). */
  get size(): number {
    let n = 0;
    for (const list of this.parked.values()) n += list.length;
    return n;
  }

  /** Lets the head of a partition in when its turn has come; call whenever a token's work changes. */
  pump(ps: PartitionState): void {
    for (const token of ps.live.values()) {
      const list = this.parked.get(token);
      // The oldest offset not done is busy elsewhere: everything later waits for it.
      if (!list || token.parked < token.pending) return;
      this.parked.delete(token);
      token.parked = 0;
      list.sort((a, b) =>
        a.stage === b.stage
          ? a.work.record.id < b.work.record.id
            ? -1
            : a.work.record.id > b.work.record.id
              ? 1
              : 0
          : a.stage < b.stage
            ? -1
            : 1,
      );
      for (const p of list) this.enter(p.stage, p.work);
      return;
    }
  }

  /** Takes the parked records of a partition that is no longer owned; the caller releases them. */
  drop(ps: PartitionState): Work[] {
    const out: Work[] = [];
    for (const [token, list] of this.parked) {
      if (token.ps !== ps) continue;
      this.parked.delete(token);
      token.parked = 0;
      for (const p of list) out.push(p.work);
    }
    return out;
  }
}
