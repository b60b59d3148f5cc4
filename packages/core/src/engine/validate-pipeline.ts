import { TaneError } from '../errors.ts';
import { checkPluginConfig } from '../plugin-config.ts';
import type { PipelineProblem, PipelineSpec } from './pipeline-file.ts';
import { readPipelineFile } from './pipeline-file.ts';
import { type LoadedPlugin, loadPlugin } from './registry.ts';

/** A pipeline whose plugins are loaded and whose configs are checked, with defaults applied. */
export interface LoadedPipeline {
  spec: PipelineSpec;
  plugins: Record<string, LoadedPlugin>;
  configs: Record<string, Record<string, unknown>>;
}

/**
 * Everything `tane validate` checks: the file's structure, that every plugin
 * resolves at a version in range and for this engine API, that every config
 * passes its plugin's schema, and that every route a plugin declares is
 * connected and every connected route exists. Every problem has file:line.
 */
export async function validatePipeline(
  spec: PipelineSpec,
  structural: PipelineProblem[] = [],
): Promise<{
  pipeline: LoadedPipeline;
  problems: PipelineProblem[];
}> {
  const problems = [...structural];
  const plugins: Record<string, LoadedPlugin> = {};
  const configs: Record<string, Record<string, unknown>> = {};
  for (const stage of Object.values(spec.stages)) {
    if (!stage.plugin) continue;
    const pluginWhere = spec.where(['stages', stage.id, 'plugin']);
    let loaded: LoadedPlugin;
    try {
      loaded = await loadPlugin(stage.plugin, spec.baseDir, pluginWhere);
    } catch (err) {
      if (err instanceof TaneError) {
        problems.push({
          code: err.code,
          message: err.message,
          where: err.where ?? pluginWhere,
          hint: err.hint ?? '',
        });
        continue;
      }
      problems.push({
        code: 'PLUGIN_INVALID',
        message: `loading ${stage.plugin} failed: ${(err as Error).message}`,
        where: pluginWhere,
        hint: 'check that the plugin package is installed and builds',
      });
      continue;
    }
    plugins[stage.id] = loaded;
    const def = loaded.definition;
    const { config, problems: configProblems } = checkPluginConfig(def, stage.config);
    configs[stage.id] = config;
    for (const p of configProblems) {
      problems.push({
        code: 'CONFIG_INVALID',
        message: `stage '${stage.id}' (${def.name}): config${p.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}: ${p.message}`,
        where: spec.where(['stages', stage.id, 'config', ...p.path]),
        hint: `see \`tane plugins describe ${def.name}\` for the accepted keys`,
      });
    }
    const declared = def.routes.map((r) => r.name);
    for (const route of Object.keys(stage.routes)) {
      if (!declared.includes(route)) {
        problems.push({
          code: 'ROUTE_UNKNOWN',
          message: `stage '${stage.id}' (${def.name}) has no route '${route}'`,
          where: spec.where(['stages', stage.id, 'routes', route]),
          hint: declared.length
            ? `its routes are: ${declared.join(', ')}`
            : 'this plugin emits nothing: remove routes',
        });
      }
    }
    for (const route of declared) {
      if (!stage.routes[route]) {
        problems.push({
          code: 'PIPELINE_INVALID',
          message: `route '${route}' of stage '${stage.id}' is not connected`,
          where: spec.where(['stages', stage.id, 'routes']),
          hint: `add '${route}: <stage> | topic:<name> | drop' under routes (${def.routes.find((r) => r.name === route)?.description ?? ''})`,
        });
      }
    }
  }
  return { pipeline: { spec, plugins, configs }, problems };
}

/** Reads, checks and loads a pipeline file; throws one `PIPELINE_INVALID` listing every problem. */
export async function loadPipeline(path: string): Promise<LoadedPipeline> {
  const { spec, problems: structural } = readPipelineFile(path);
  const { pipeline, problems } = await validatePipeline(spec, structural);
  if (problems.length > 0) throw pipelineProblemsError(problems);
  return pipeline;
}

export function pipelineProblemsError(problems: PipelineProblem[]): TaneError {
  const first = problems[0]!;
  const list = problems
    .map((p) => `${p.where}: ${p.code}: ${p.message}${p.hint ? `\n    → ${p.hint}` : ''}`)
    .join('\n  ');
  return new TaneError(
    first.code === 'CONFIG_INVALID' || first.code.startsWith('PLUGIN_') ? first.code : 'PIPELINE_INVALID',
    problems.length === 1
      ? `${first.message}`
      : `${problems.length} problems in the pipeline file:\n  ${list}`,
    {
      where: first.where,
      hint: problems.length === 1 ? first.hint : 'fix them and run `tane validate` again',
    },
  );
}
