import { TaneError } from '../errors.ts';
import type { TopicSpec } from '../transport.ts';
import type { PipelineSpec } from './pipeline-file.ts';

/** Which stages run, which topics are read and written, and their physical names. */
export interface PipelineTopology {
  /** Stage ids that run, in file order. */
  stages: string[];
  /** Input topics this run consumes. */
  inputs: { logical: string; physical: string; stage: string }[];
  /** Logical topics written by routes (plus `dlq`). */
  outputs: string[];
  /** Every topic to create, with partitions. */
  topicSpecs: TopicSpec[];
  physical(logical: string): string;
  /** The logical name of a physical topic this run reads or writes. */
  logical(physical: string): string;
  defaultGroup: string;
  runId: string;
}

/**
 * Works out a run's topology. On replay (`from` + `suffix`), only the stages
 * reachable from `from`'s input stage run; `from` is read from its original
 * topic, and every topic the replayed part writes — and reads back, like the
 * dataset topic a dedup index is rebuilt from — gets the suffix, so the
 * original topics and groups are never touched. Topics only read (seeds) keep
 * their names.
 */
export function planTopology(
  spec: PipelineSpec,
  replay?: { from: string; suffix: string },
): PipelineTopology {
  const prefix = spec.topics.prefix;
  const reachable = new Set<string>();
  // A stage runs with every stage its routes lead to (judge → dedup, repairer → judge …).
  const visit = (id: string) => {
    if (reachable.has(id) || !spec.stages[id]) return;
    reachable.add(id);
    for (const t of Object.values(spec.stages[id]!.routes)) if (t.kind === 'stage') visit(t.stage);
  };
  let entries = Object.entries(spec.inputs);
  if (replay) {
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(replay.suffix)) {
      throw new TaneError('USAGE', `replay suffix '${replay.suffix}' must be a simple name like v2`, {
        hint: 'use letters, digits, dashes',
      });
    }
    const entry = spec.inputs[replay.from];
    if (!entry) {
      throw new TaneError('USAGE', `'${replay.from}' is not an input topic of pipeline ${spec.name}`, {
        where: spec.file,
        hint: `replay from one of: ${Object.keys(spec.inputs).join(', ')}`,
      });
    }
    visit(entry);
  } else {
    for (const id of Object.keys(spec.stages)) reachable.add(id);
  }

  const written = new Set<string>(['dlq']);
  for (const id of reachable) {
    for (const t of Object.values(spec.stages[id]!.routes)) if (t.kind === 'topic') written.add(t.topic);
  }
  if (replay) {
    // Also run the stages fed by topics the replayed part writes (e.g. dataset → sink).
    // Their stage routes are followed too: replaying from tasks runs generator → generated → judge → dedup ….
    let grew = true;
    while (grew) {
      grew = false;
      for (const [topic, stage] of Object.entries(spec.inputs)) {
        if (written.has(topic) && topic !== replay.from && !reachable.has(stage)) {
          visit(stage);
          grew = true;
        }
      }
      for (const id of reachable) {
        for (const t of Object.values(spec.stages[id]!.routes)) if (t.kind === 'topic') written.add(t.topic);
      }
    }
    entries = entries.filter(
      ([topic, stage]) => reachable.has(stage) && (topic === replay.from || written.has(topic)),
    );
  }

  const physical = (logical: string) =>
    replay && logical !== replay.from && written.has(logical)
      ? `${prefix}${logical}.${replay.suffix}`
      : `${prefix}${logical}`;
  const partitions = spec.topics.partitions;
  const names = new Set<string>([...entries.map(([t]) => t), ...written]);
  const topicSpecs: TopicSpec[] = [...names].map((logical) => ({
    name: physical(logical),
    partitions,
    ...(logical === 'seeds' ? { compacted: true } : {}),
  }));
  const stages = Object.keys(spec.stages).filter((id) => reachable.has(id));
  const byPhysical = new Map([...names].map((l) => [physical(l), l]));
  return {
    stages,
    inputs: entries.map(([logical, stage]) => ({ logical, physical: physical(logical), stage })),
    outputs: [...written],
    topicSpecs,
    physical,
    logical: (p: string) => byPhysical.get(p) ?? p,
    defaultGroup: replay ? `${prefix}${spec.name}.replay.${replay.suffix}` : `${prefix}${spec.name}`,
    runId: replay ? `${spec.name}.${replay.suffix}` : spec.name,
  };
}
