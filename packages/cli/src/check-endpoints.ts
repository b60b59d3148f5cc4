import { type Logger, TaneError } from '@tane/core';
import type { LoadedPipeline } from '@tane/core/engine';

/**
 * Checks every model endpoint the pipeline's stages use (their `llm` block,
 * with the OPENAI_BASE_URL / OPENAI_API_KEY / TANE_MODEL defaults) before the
 * worker consumes anything, so a wrong setup stops the run instead of
 * dead-lettering every record. Throws the first problem, naming the stage;
 * says whether an endpoint is llm-sim, the simulator.
 */
export async function checkPipelineEndpoints(
  pipeline: LoadedPipeline,
  logger: Logger,
): Promise<{ simulator: boolean }> {
  const stages = Object.entries(pipeline.configs).filter(
    ([, config]) => config && typeof config.llm === 'object' && config.llm !== null,
  );
  let simulator = false;
  if (stages.length === 0) return { simulator };
  const { checkLlmEndpoint } = await import('@tane/llm');
  const checked = new Set<string>();
  for (const [stage, config] of stages) {
    const llm = config.llm as { baseURL?: string; model?: string; timeoutMs?: number };
    const endpoint = {
      ...(llm.baseURL ? { baseURL: llm.baseURL } : {}),
      ...(llm.model ? { model: llm.model } : {}),
      ...(llm.timeoutMs ? { timeoutMs: llm.timeoutMs } : {}),
    };
    const key = `${endpoint.baseURL ?? ''}\u0000${endpoint.model ?? ''}`;
    if (checked.has(key)) continue;
    checked.add(key);
    try {
      const result = await checkLlmEndpoint(endpoint);
      simulator ||= result.simulator;
      if (result.warning) {
        logger.warn('could not confirm the LLM endpoint; going on', {
          stage,
          endpoint: result.endpoint,
          reason: result.warning,
        });
      }
    } catch (err) {
      if (!(err instanceof TaneError)) throw err;
      throw new TaneError(err.code, `${err.message}; nothing was consumed or committed`, {
        where: `${err.where ?? 'llm endpoint'} (stage ${stage})`,
        ...(err.hint ? { hint: err.hint } : {}),
        cause: err,
      });
    }
  }
  return { simulator };
}
