import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { TaneError } from '../errors.ts';

/** Where a route sends records: another stage, a topic, or nowhere (terminal). */
export type RouteTarget =
  | { kind: 'stage'; stage: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'drop' };

export interface StageSpec {
  id: string;
  /** `package@range`, or a path (`./plugins/x`) relative to the pipeline file. */
  plugin: string;
  config: Record<string, unknown>;
  routes: Record<string, RouteTarget>;
  /** Records in flight in this stage (handler stages); default from the plugin. */
  concurrency?: number;
  /** Per-record time limit; a record over it goes to the dead-letter topic. */
  timeoutMs?: number;
  /** Extra attempts after a failure, with backoff, before dead-lettering. */
  retries?: number;
  /** How often one record may enter this stage (bounds judge → repair → judge cycles). */
  maxVisits?: number;
}

export interface PipelineSpec {
  name: string;
  /** Absolute path of the pipeline file. */
  file: string;
  baseDir: string;
  topics: { prefix: string; partitions: number };
  /** Source topic (logical) → the stage it feeds. */
  inputs: Record<string, string>;
  /**
   * Source topic (logical) → its own cap on records of one partition in flight, for inputs that
   * set `maxInFlightPerPartition` (`inputs: { tasks: { stage: router, maxInFlightPerPartition: 32 } }`);
   * other inputs use `limits.maxInFlightPerPartition`.
   */
  inputLimits: Record<string, number>;
  stages: Record<string, StageSpec>;
  limits: {
    /** Records from one partition in flight at once; above it the partition is paused. */
    maxInFlightPerPartition: number;
    commitIntervalMs: number;
    defaultTimeoutMs: number;
    drainTimeoutMs: number;
  };
  /** Resolves a path of keys in the file to `file:line` (for error messages). */
  where(path: (string | number)[]): string;
}

/** One problem found in a pipeline file. */
export interface PipelineProblem {
  code: string;
  message: string;
  where: string;
  hint: string;
}

const TOP_KEYS = ['pipeline', 'version', 'description', 'topics', 'inputs', 'stages', 'limits', 'sources'];
const STAGE_KEYS = [
  'plugin',
  'config',
  'routes',
  'concurrency',
  'timeoutMs',
  'retries',
  'maxVisits',
  'description',
];
const TOPIC_KEYS = ['prefix', 'partitions'];
const INPUT_KEYS = ['stage', 'maxInFlightPerPartition'];
const LIMIT_KEYS = ['maxInFlightPerPartition', 'commitIntervalMs', 'defaultTimeoutMs', 'drainTimeoutMs'];

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** Parses a route target: `stageId`, `topic:<name>` or `drop`. */
export function parseRouteTarget(value: string): RouteTarget {
  if (value === 'drop') return { kind: 'drop' };
  if (value.startsWith('topic:')) return { kind: 'topic', topic: value.slice('topic:'.length) };
  return { kind: 'stage', stage: value };
}

export function formatRouteTarget(t: RouteTarget): string {
  return t.kind === 'drop' ? 'drop' : t.kind === 'topic' ? `topic:${t.topic}` : t.stage;
}

/**
 * Reads a pipeline file and checks its structure (keys, types, stage and route
 * names, cycles). Plugin-specific checks happen in {@link validatePipeline}.
 * Returns the spec (possibly partial) and every problem found, each with file:line.
 */
export function readPipelineFile(path: string): { spec: PipelineSpec; problems: PipelineProblem[] } {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TaneError(
      'CONFIG_NOT_FOUND',
      `cannot read pipeline file: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        where: file,
        hint: 'check the path; examples/ja-business/pipeline.yaml is a complete example',
      },
    );
  }
  return parsePipeline(text, file);
}

/** Like {@link readPipelineFile}, from text (the file name is used in messages and for relative paths). */
export function parsePipeline(
  text: string,
  file: string,
): { spec: PipelineSpec; problems: PipelineProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: PipelineProblem[] = [];
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line } = lineCounter.linePos(offset);
    return `${file}:${line}`;
  };
  const nodeAt = (path: (string | number)[]): Node | undefined => {
    for (let i = path.length; i >= 0; i--) {
      const n = doc.getIn(path.slice(0, i), true) as Node | undefined;
      if (n && typeof n === 'object' && 'range' in n) return n;
    }
    return undefined;
  };
  const keyAt = (path: (string | number)[]): number | undefined => {
    // Point at the key itself when the path ends in a map key, else at the value.
    const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    const last = path[path.length - 1];
    if (parent && isMap(parent)) {
      for (const item of parent.items) {
        if (isScalar(item.key) && item.key.value === last) return item.key.range?.[0];
      }
    }
    if (parent && isSeq(parent) && typeof last === 'number')
      return (parent.items[last] as Node | undefined)?.range?.[0];
    return nodeAt(path)?.range?.[0];
  };
  const where = (path: (string | number)[]) => at(keyAt(path));
  const problem = (code: string, path: (string | number)[], message: string, hint: string) =>
    problems.push({ code, message, where: where(path), hint });

  for (const e of doc.errors) {
    problems.push({
      code: 'PIPELINE_INVALID',
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
      where: at(e.pos[0]),
      hint: 'fix the YAML syntax (indentation, quotes, colons)',
    });
  }
  const raw = (doc.errors.length === 0 ? doc.toJS() : {}) as Record<string, unknown> | null;
  const root = raw && typeof raw === 'object' ? raw : {};

  const spec: PipelineSpec = {
    name: typeof root.pipeline === 'string' ? root.pipeline : '',
    file,
    baseDir: dirname(file),
    topics: { prefix: 'tane.', partitions: 4 },
    inputs: {},
    inputLimits: {},
    stages: {},
    limits: {
      maxInFlightPerPartition: 256,
      commitIntervalMs: 200,
      defaultTimeoutMs: 600_000,
      drainTimeoutMs: 60_000,
    },
    where,
  };
  if (doc.errors.length > 0) return { spec, problems };

  const checkKeys = (
    obj: Record<string, unknown>,
    allowed: string[],
    path: (string | number)[],
    what: string,
  ) => {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        const guess = closest(k, allowed);
        problem(
          'PIPELINE_INVALID',
          [...path, k],
          `unknown key '${k}' in ${what}`,
          guess ? `did you mean '${guess}'?` : `allowed keys: ${allowed.join(', ')}`,
        );
      }
    }
  };
  const isObj = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && !Array.isArray(v);
  const posInt = (v: unknown, path: (string | number)[], what: string, min = 1): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problem(
        'PIPELINE_INVALID',
        path,
        `${what} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`,
        `set ${what} to a whole number`,
      );
      return undefined;
    }
    return v;
  };

  checkKeys(root, TOP_KEYS, [], 'the pipeline file');
  if (!spec.name) {
    problem(
      'PIPELINE_INVALID',
      ['pipeline'],
      "missing 'pipeline: <name>'",
      "add a name, e.g. 'pipeline: ja-business'",
    );
  } else if (!/^[a-z0-9][a-z0-9._-]*$/i.test(spec.name)) {
    problem(
      'PIPELINE_INVALID',
      ['pipeline'],
      `pipeline name '${spec.name}' has characters not allowed in topic or group names`,
      'use letters, digits, dots, dashes and underscores',
    );
  }

  if (root.topics !== undefined) {
    if (!isObj(root.topics))
      problem(
        'PIPELINE_INVALID',
        ['topics'],
        'topics must be a mapping',
        'e.g. topics: { prefix: "tane.", partitions: 4 }',
      );
    else {
      checkKeys(root.topics, TOPIC_KEYS, ['topics'], 'topics');
      if (typeof root.topics.prefix === 'string') spec.topics.prefix = root.topics.prefix;
      spec.topics.partitions =
        posInt(root.topics.partitions, ['topics', 'partitions'], 'topics.partitions') ?? 4;
    }
  }
  if (root.limits !== undefined) {
    if (!isObj(root.limits))
      problem('PIPELINE_INVALID', ['limits'], 'limits must be a mapping', 'see docs/pipelines.md');
    else {
      checkKeys(root.limits, LIMIT_KEYS, ['limits'], 'limits');
      for (const k of LIMIT_KEYS) {
        const v = posInt(root.limits[k], ['limits', k], `limits.${k}`);
        if (v !== undefined) (spec.limits as Record<string, number>)[k] = v;
      }
    }
  }

  const stagesRaw = root.stages;
  if (!isObj(stagesRaw) || Object.keys(stagesRaw).length === 0) {
    problem(
      'PIPELINE_INVALID',
      ['stages'],
      'the pipeline has no stages',
      'add stages: { <id>: { plugin: "<package>@<range>", routes: {...} } }',
    );
  } else {
    for (const [id, s] of Object.entries(stagesRaw)) {
      const path = ['stages', id];
      if (!/^[a-z0-9][a-z0-9_-]*$/i.test(id)) {
        problem(
          'PIPELINE_INVALID',
          path,
          `stage id '${id}' is not a simple name`,
          'use letters, digits, dashes and underscores',
        );
      }
      if (!isObj(s)) {
        problem(
          'PIPELINE_INVALID',
          path,
          `stage '${id}' must be a mapping`,
          'give it at least plugin: and routes:',
        );
        continue;
      }
      checkKeys(s, STAGE_KEYS, path, `stage '${id}'`);
      if (typeof s.plugin !== 'string' || s.plugin.length === 0) {
        problem(
          'PIPELINE_INVALID',
          [...path, 'plugin'],
          `stage '${id}' has no plugin`,
          'add plugin: "<package>@<semver range>" or a local path',
        );
      }
      if (s.config !== undefined && !isObj(s.config)) {
        problem(
          'PIPELINE_INVALID',
          [...path, 'config'],
          `config of stage '${id}' must be a mapping`,
          'write config as key: value pairs',
        );
      }
      const routes: Record<string, RouteTarget> = {};
      if (s.routes !== undefined && !isObj(s.routes)) {
        problem(
          'PIPELINE_INVALID',
          [...path, 'routes'],
          `routes of stage '${id}' must be a mapping`,
          'e.g. routes: { accept: dedup, reject: topic:rejected }',
        );
      } else if (isObj(s.routes)) {
        for (const [route, target] of Object.entries(s.routes)) {
          if (typeof target !== 'string') {
            problem(
              'PIPELINE_INVALID',
              [...path, 'routes', route],
              `route '${route}' must name a stage, topic:<name> or drop`,
              'e.g. reject: topic:rejected',
            );
            continue;
          }
          routes[route] = parseRouteTarget(target);
        }
      }
      spec.stages[id] = {
        id,
        plugin: typeof s.plugin === 'string' ? s.plugin : '',
        config: isObj(s.config) ? s.config : {},
        routes,
        ...(posInt(s.concurrency, [...path, 'concurrency'], 'concurrency') !== undefined
          ? { concurrency: s.concurrency as number }
          : {}),
        ...(posInt(s.timeoutMs, [...path, 'timeoutMs'], 'timeoutMs') !== undefined
          ? { timeoutMs: s.timeoutMs as number }
          : {}),
        ...(posInt(s.retries, [...path, 'retries'], 'retries', 0) !== undefined
          ? { retries: s.retries as number }
          : {}),
        ...(posInt(s.maxVisits, [...path, 'maxVisits'], 'maxVisits') !== undefined
          ? { maxVisits: s.maxVisits as number }
          : {}),
      };
    }
  }
  const stageIds = Object.keys(spec.stages);

  if (!isObj(root.inputs) || Object.keys(root.inputs).length === 0) {
    problem(
      'PIPELINE_INVALID',
      ['inputs'],
      'the pipeline has no inputs',
      'add inputs: { <topic>: <stage> }, e.g. inputs: { tasks: router }',
    );
  } else {
    for (const [topic, entry] of Object.entries(root.inputs)) {
      let stage: unknown = entry;
      if (isObj(entry)) {
        checkKeys(entry, INPUT_KEYS, ['inputs', topic], `input '${topic}'`);
        stage = entry.stage;
        const cap = posInt(
          entry.maxInFlightPerPartition,
          ['inputs', topic, 'maxInFlightPerPartition'],
          `inputs.${topic}.maxInFlightPerPartition`,
        );
        if (cap !== undefined) spec.inputLimits[topic] = cap;
      }
      if (typeof stage !== 'string' || !spec.stages[stage]) {
        const guess = typeof stage === 'string' ? closest(stage, stageIds) : undefined;
        problem(
          'PIPELINE_INVALID',
          ['inputs', topic],
          `input topic '${topic}' feeds unknown stage '${String(stage)}'`,
          guess ? `did you mean '${guess}'?` : `stages are: ${stageIds.join(', ')}`,
        );
        continue;
      }
      spec.inputs[topic] = stage;
    }
  }

  for (const s of Object.values(spec.stages)) {
    for (const [route, target] of Object.entries(s.routes)) {
      if (target.kind === 'stage' && !spec.stages[target.stage]) {
        const guess = closest(target.stage, stageIds);
        problem(
          'ROUTE_UNKNOWN',
          ['stages', s.id, 'routes', route],
          `route '${route}' of stage '${s.id}' goes to unknown stage '${target.stage}'`,
          guess
            ? `did you mean '${guess}'? (a topic is written topic:${target.stage})`
            : `name a stage (${stageIds.join(', ')}), topic:<name> or drop`,
        );
      }
      if (target.kind === 'topic' && !/^[a-z0-9][a-z0-9._-]*$/i.test(target.topic)) {
        problem(
          'ROUTE_UNKNOWN',
          ['stages', s.id, 'routes', route],
          `'${target.topic}' is not a valid topic name`,
          'use letters, digits, dots, dashes and underscores',
        );
      }
    }
  }

  for (const cycle of findCycles(spec)) {
    if (!cycle.some((id) => spec.stages[id]?.maxVisits !== undefined)) {
      problem(
        'PIPELINE_INVALID',
        ['stages', cycle[0]!],
        `unbounded cycle: ${[...cycle, cycle[0]].join(' → ')}`,
        `set maxVisits on one stage of the cycle, e.g. 'maxVisits: 3' on stage '${cycle[0]}'`,
      );
    }
  }
  return { spec, problems };
}

/** Every elementary cycle of stage → stage routes (each once, starting at its first stage in file order). */
export function findCycles(spec: Pick<PipelineSpec, 'stages'>): string[][] {
  const ids = Object.keys(spec.stages);
  const edges = (id: string) => [
    ...new Set(
      Object.values(spec.stages[id]?.routes ?? {}).flatMap((t) =>
        t.kind === 'stage' && spec.stages[t.stage] ? [t.stage] : [],
      ),
    ),
  ];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  // Johnson-lite: ids are few (a pipeline has ~10 stages), so a DFS per start node is fine.
  ids.forEach((start, startIndex) => {
    const allowed = new Set(ids.slice(startIndex));
    const stack: string[] = [];
    const dfs = (node: string) => {
      stack.push(node);
      for (const next of edges(node)) {
        if (!allowed.has(next)) continue;
        if (next === start) {
          const key = stack.join('>');
          if (!seen.has(key)) {
            seen.add(key);
            cycles.push([...stack]);
          }
        } else if (!stack.includes(next)) dfs(next);
      }
      stack.pop();
    };
    dfs(start);
  });
  return cycles;
}
