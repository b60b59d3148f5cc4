import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { TaneError } from './errors.ts';
import type { PluginDefinition } from './plugin.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

// Strict: a schema with an unknown keyword, a misspelt `type` or `required` naming an undeclared
// property is a plugin bug, refused when the plugin loads instead of silently accepting any config.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, coerceTypes: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** One problem in a plugin's config: a JSON-pointer-like path below `config` and what is expected. */
export interface ConfigProblem {
  /** Path segments below the stage's `config` (e.g. `['rubric', 0]`). */
  path: (string | number)[];
  message: string;
}

function describe(e: ErrorObject): ConfigProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return {
        path: [...path, String(p.additionalProperty)],
        message: `unknown key '${String(p.additionalProperty)}'`,
      };
    case 'required':
      return { path, message: `missing required key '${String(p.missingProperty)}'` };
    case 'enum':
      return { path, message: `must be one of ${JSON.stringify(p.allowedValues)}` };
    default:
      return { path, message: e.message ?? 'invalid' };
  }
}

/**
 * Validates a stage's config against its plugin's JSON Schema and fills in
 * defaults. Returns the problems instead of throwing, so a linter can report
 * all of them with file:line.
 */
export function checkPluginConfig(
  plugin: Pick<PluginDefinition<unknown>, 'configSchema' | 'name'>,
  config: unknown,
): { config: Record<string, unknown>; problems: ConfigProblem[] } {
  let validate = compiled.get(plugin.configSchema);
  if (!validate) {
    try {
      validate = ajv.compile(plugin.configSchema);
    } catch (err) {
      throw new TaneError(
        'PLUGIN_INVALID',
        `plugin ${plugin.name} has an invalid config schema: ${(err as Error).message}`,
        {
          hint: 'fix the plugin, or pin an earlier version of it in the pipeline file',
        },
      );
    }
    compiled.set(plugin.configSchema, validate);
  }
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  const ok = validate(copy);
  return { config: copy, problems: ok ? [] : (validate.errors ?? []).map(describe) };
}

/** Like {@link checkPluginConfig}, but throws `CONFIG_INVALID` listing every problem. */
export function resolvePluginConfig<C>(
  plugin: Pick<PluginDefinition<unknown>, 'configSchema' | 'name'>,
  config: unknown,
  where?: string,
): C {
  const { config: resolved, problems } = checkPluginConfig(plugin, config);
  if (problems.length > 0) {
    const list = problems.map(
      (p) =>
        `config${p.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}: ${p.message}`,
    );
    throw new TaneError('CONFIG_INVALID', `config for ${plugin.name} is invalid: ${list.join('; ')}`, {
      ...(where ? { where } : {}),
      hint: `see \`tane plugins describe ${plugin.name}\` for the accepted keys`,
    });
  }
  return resolved as C;
}
