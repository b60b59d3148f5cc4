import {
  type Emission,
  type HandlerStage,
  type RecordContext,
  type StageSetupContext,
  TaneError,
  type TaneRecord,
} from '@tane/core';
import {
  type LlmClientFactory,
  loadStageTemplates,
  readCandidateExample,
  readCategorySettings,
  StageLlmClients,
} from '@tane/prompt-kit';
import type { JudgeConfig, Thresholds } from './judge-config.ts';
import { buildJudgeMessages, JUDGE_TEMPLATES, rubricFor } from './judge-prompt.ts';
import { type JudgeReply, judgeReplySchema, type Verdict } from './judge-reply.ts';
import { decideVerdict } from './verdict.ts';

/** Handler concurrency: the LLM client's limiter is the real bound, this only keeps enough requests queued. */
export const JUDGE_CONCURRENCY = 64;

/** `meta.judge` after a judge pass. */
export interface JudgeMeta {
  score: number;
  /** The final verdict (thresholds and rule applied); it chose the route. */
  verdict: Verdict;
  /** What the model itself said; advisory. */
  modelVerdict: Verdict;
  reasons: string[];
  criteria: Record<string, number>;
  /** `name@version` of the judge plugin. */
  judge: string;
  /** 1 on the first judge pass, 2 after one repair, … */
  round: number;
  model: string;
  template: { id: string; version: string };
}

function checkThresholds(t: Thresholds, where: string): void {
  if (t.repair > t.accept) {
    throw new TaneError(
      'CONFIG_INVALID',
      `judge thresholds: repair (${t.repair}) is above accept (${t.accept})`,
      {
        where,
        hint: 'set thresholds.repair at or below thresholds.accept (e.g. accept: 4, repair: 2)',
      },
    );
  }
}

/**
 * Creates the judge's handler: one chat request per candidate, forwarded
 * with the same id on `accept`, `repair` or `reject`.
 */
export function createJudgeStage(
  config: JudgeConfig,
  setup: Pick<StageSetupContext, 'baseDir' | 'dataDir' | 'stage' | 'logger'>,
  llmClient: LlmClientFactory,
): HandlerStage {
  checkThresholds(config.thresholds, `stage ${setup.stage}`);
  const templates = loadStageTemplates(JUDGE_TEMPLATES, config.templates, setup.baseDir);
  const clients = new StageLlmClients(llmClient, config.llm, setup);

  async function handle(record: TaneRecord, ctx: RecordContext): Promise<Emission> {
    const imported = record.meta.import as { judge?: unknown; source?: unknown } | undefined;
    if (imported && imported.judge === false) {
      // An imported row outside its source's judged share (judge: none, or a seeded share): no model call.
      const meta = {
        ...record.meta,
        judgeSkipped: { reason: 'source-policy', source: imported.source, stage: ctx.stage },
      };
      return { route: 'accept', record: { ...record, meta } };
    }
    const example = readCandidateExample(record, ctx.stage);
    const category = readCategorySettings(record, 'judge', ctx.stage);
    const thresholds = { ...config.thresholds, ...category.thresholds };
    checkThresholds(thresholds, `category ${category.id} (meta.category.rubric.thresholds)`);
    const template = templates.pick(category.lang, category.templatePath);
    const messages = buildJudgeMessages({
      template,
      lang: category.lang,
      category,
      example,
      rubric: rubricFor(config.rubric[category.lang], category),
      thresholds,
      extra: category.extra,
    });
    const temperature =
      config.useCategoryTemperature && category.temperature !== undefined
        ? category.temperature
        : config.params.temperature;
    const client = clients.get(category.modelName);
    const result = await client.chatJson<JudgeReply>({
      messages,
      params: { ...config.params, temperature },
      plugin: ctx.plugin,
      category: record.category,
      signal: ctx.signal,
      logger: ctx.logger,
      schema: judgeReplySchema,
      schemaName: 'tane_judge',
      maxInvalidRetries: config.maxInvalidRetries,
    });
    const reply = result.json;
    const verdict = decideVerdict(reply.score, reply.verdict, thresholds, config.verdictRule);

    const history = Array.isArray(record.meta.judgeHistory) ? [...record.meta.judgeHistory] : [];
    const previous = record.meta.judge as { round?: unknown } | undefined;
    if (previous !== undefined) history.push(previous);
    const previousRound = typeof previous?.round === 'number' ? previous.round : history.length;
    const judge: JudgeMeta = {
      score: reply.score,
      verdict,
      modelVerdict: reply.verdict,
      reasons: reply.reasons,
      criteria: reply.criteria,
      judge: ctx.plugin,
      round: previousRound + 1,
      model: result.model || client.model,
      template: { id: template.id, version: template.version },
    };
    const meta: Record<string, unknown> = { ...record.meta, judge };
    if (history.length > 0) meta.judgeHistory = history;
    if (verdict === 'reject') {
      meta.outcome = { status: 'rejected', reason: 'judge', detail: reply.reasons, stage: ctx.stage };
    }
    return { route: verdict, record: { ...record, meta } };
  }

  return { kind: 'handler', concurrency: JUDGE_CONCURRENCY, handle };
}
