import {
  type Emission,
  type HandlerStage,
  type RecordContext,
  type StageSetupContext,
  TaneError,
  type TaneRecord,
} from '@tane/core';
import {
  compileTalkPatterns,
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
  findAssistantTalk,
  type LlmClientFactory,
  loadStageTemplates,
  readCandidateExample,
  readCategorySettings,
  type SamplingParams,
  StageLlmClients,
} from '@tane/prompt-kit';
import { buildRepairMessages, REPAIR_TEMPLATES, type RepairFeedback } from './repair-prompt.ts';
import { type RepairReply, repairReplySchema } from './repair-reply.ts';
import type { RepairerConfig } from './repairer-config.ts';
import { VERIFIER_FAILED_SCORE, verifierEvidence } from './verifier-evidence.ts';

/** Handler concurrency: the LLM client's limiter is the real bound, this only keeps enough requests queued. */
export const REPAIRER_CONCURRENCY = 64;

/** `meta.repair` after a repair: how the current `data` was made. */
export interface RepairMeta {
  /** Which repair this was (equals `meta.repairs`). */
  attempt: number;
  /** `name@version` of the repairer plugin. */
  repairer: string;
  model: string;
  params: SamplingParams;
  template: { id: string; version: string };
  /** The judgement the repair answered. */
  feedback: RepairFeedback & { round?: number };
}

/** Repairs done so far: `meta.repairs`, 0 when missing. */
export function repairsDone(record: TaneRecord): number {
  const n = record.meta.repairs;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function lastJudgement(
  record: TaneRecord,
): { score?: number; reasons?: string[]; round?: number } | undefined {
  const j = record.meta.judge;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return undefined;
  const { score, reasons, round } = j as Record<string, unknown>;
  return {
    ...(typeof score === 'number' ? { score } : {}),
    ...(Array.isArray(reasons) ? { reasons: reasons.filter((r): r is string => typeof r === 'string') } : {}),
    ...(typeof round === 'number' ? { round } : {}),
  };
}

/**
 * Creates the repairer's handler: rewrites a candidate with the judge's
 * feedback and sends the same record back on `repaired`, or on `give_up`
 * (without a model call) once it has been repaired `maxAttempts` times.
 */
export function createRepairerStage(
  config: RepairerConfig,
  setup: Pick<StageSetupContext, 'baseDir' | 'dataDir' | 'stage' | 'logger'>,
  llmClient: LlmClientFactory,
): HandlerStage {
  const templates = loadStageTemplates(REPAIR_TEMPLATES, config.templates, setup.baseDir);
  const clients = new StageLlmClients(llmClient, config.llm, setup);
  const talkPatterns = {
    metaTalk: compileTalkPatterns(config.filters?.metaTalk ?? DEFAULT_META_TALK, true),
    refusals: compileTalkPatterns(config.filters?.refusals ?? DEFAULT_REFUSALS, false),
  };

  async function handle(record: TaneRecord, ctx: RecordContext): Promise<Emission> {
    const done = repairsDone(record);
    const judgement = lastJudgement(record);
    if (done >= config.maxAttempts) {
      const outcome = {
        status: 'rejected',
        reason: 'repair_limit',
        detail: verifierEvidence(record).length > 0 ? verifierEvidence(record) : (judgement?.reasons ?? []),
        stage: ctx.stage,
      };
      return { route: 'give_up', record: { ...record, meta: { ...record.meta, outcome } } };
    }
    const example = readCandidateExample(record, ctx.stage);
    const evidence = verifierEvidence(record);
    if (evidence.length === 0 && (judgement?.score === undefined || !judgement.reasons)) {
      throw new TaneError(
        'INPUT_INVALID',
        `record ${record.id} has no meta.judge {score, reasons} to repair from`,
        {
          where: `stage ${ctx.stage}`,
          hint: "route the judge's `repair` output into the repairer; the repair prompt needs the judge's reasons",
        },
      );
    }
    const feedback: RepairFeedback =
      evidence.length > 0
        ? { score: judgement?.score ?? VERIFIER_FAILED_SCORE, reasons: evidence }
        : { score: judgement!.score!, reasons: judgement!.reasons! };
    const category = readCategorySettings(record, 'repair', ctx.stage);
    const template = templates.pick(category.lang, category.templatePath);
    const messages = buildRepairMessages({
      template,
      lang: category.lang,
      category,
      example,
      feedback,
      extra: category.extra,
    });
    const params = { ...config.params, temperature: category.temperature ?? config.params.temperature };
    const client = clients.get(category.modelName);
    const result = await client.chatJson<RepairReply>({
      messages,
      params,
      plugin: ctx.plugin,
      category: record.category,
      signal: ctx.signal,
      logger: ctx.logger,
      schema: repairReplySchema,
      schemaName: 'tane_repair',
      maxInvalidRetries: config.maxInvalidRetries,
    });
    const { instruction, input, output } = result.json;
    const repair: RepairMeta = {
      attempt: done + 1,
      repairer: ctx.plugin,
      model: result.model || client.model,
      params,
      template: { id: template.id, version: template.version },
      feedback: { ...feedback, ...(judgement?.round !== undefined ? { round: judgement.round } : {}) },
    };
    const repaired = { instruction, input: input ?? '', output };
    // A chat model's "Understood. Here is the response…" or a refusal is not a repair: a lenient judge would keep it.
    const talk = findAssistantTalk(repaired, talkPatterns);
    if (talk) {
      const outcome = { status: 'rejected', reason: 'filter', detail: talk.kind, stage: ctx.stage };
      return {
        route: 'give_up',
        record: {
          ...record,
          data: repaired,
          meta: {
            ...record.meta,
            repairs: done + 1,
            repair,
            outcome,
            filter: {
              name: talk.kind,
              message: `the repaired ${talk.field} holds assistant talk (${JSON.stringify(talk.match)})`,
            },
          },
        },
      };
    }
    return {
      route: 'repaired',
      record: {
        ...record,
        data: repaired,
        meta: { ...record.meta, repairs: done + 1, repair },
      },
    };
  }

  return { kind: 'handler', concurrency: REPAIRER_CONCURRENCY, handle };
}
