import { checkPluginConfig, type PluginDefinition, TaneError } from '@tane/core';

/** What the harness saw a plugin do, across every `testPlugin(...).run` in this process. */
export interface PluginBehaviour {
  routes: Set<string>;
  accepted: Set<string>;
  emitted: Set<string>;
}

const seen = new Map<string, PluginBehaviour>();

/** Called by the harness for every input it handled without an error, and what it emitted. */
export function noteBehaviour(
  plugin: string,
  inputType: string,
  emissions: { route: string; type: string }[],
): void {
  let b = seen.get(plugin);
  if (!b) seen.set(plugin, (b = { routes: new Set(), accepted: new Set(), emitted: new Set() }));
  b.accepted.add(inputType);
  for (const e of emissions) {
    b.routes.add(e.route);
    b.emitted.add(e.type);
  }
}

/** What the harness saw `plugin` do so far (empty sets if it never ran). */
export function observedBehaviour(plugin: Pick<PluginDefinition<unknown>, 'name'>): PluginBehaviour {
  return seen.get(plugin.name) ?? { routes: new Set(), accepted: new Set(), emitted: new Set() };
}

export interface DefinitionCheckOptions {
  /**
   * Also compare the definition with what the harness saw in this process's tests: every route
   * emitted at least once, only declared record types accepted and emitted. Call it after the
   * tests that exercise the plugin (an `afterAll`, or a last test in the same file).
   */
  behaviour?: boolean;
  /** Routes the tests are not expected to reach, each with the reason. */
  unreachable?: Record<string, string>;
}

/**
 * Checks a plugin's definition the way the engine and the docs rely on it: name, version and
 * engine API present; the config schema compiles in strict mode; every example's config is
 * valid; route names unique and described; `accepts`/`emits` declared; and, with `behaviour`,
 * that its tests reach every route and that it accepts and emits what it declares.
 * Returns the problems found (empty when the definition holds).
 *
 * @example
 * ```ts
 * afterAll(() => expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([]));
 * ```
 */
export function checkPluginDefinition(
  plugin: PluginDefinition<unknown>,
  options: DefinitionCheckOptions = {},
): string[] {
  const problems: string[] = [];
  for (const key of ['name', 'version', 'summary', 'description'] as const) {
    if (typeof plugin[key] !== 'string' || plugin[key].trim() === '') problems.push(`${key} is empty`);
  }
  if (!Number.isInteger(plugin.engineApi)) problems.push('engineApi is not an integer');
  try {
    checkPluginConfig(plugin, {});
  } catch (err) {
    problems.push(err instanceof TaneError ? err.message : String(err));
    return problems;
  }
  if (plugin.examples.length === 0)
    problems.push('no examples: `tane plugins describe` and the README show none');
  for (const ex of plugin.examples) {
    for (const p of checkPluginConfig(plugin, ex.config).problems) {
      problems.push(`example '${ex.title}': config${p.path.map((s) => `.${s}`).join('')}: ${p.message}`);
    }
  }
  const names = plugin.routes.map((r) => r.name);
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(`route '${n}' is declared twice`);
  for (const r of plugin.routes)
    if (!r.description?.trim()) problems.push(`route '${r.name}' has no description`);
  if (!plugin.accepts || plugin.accepts.length === 0)
    problems.push('accepts is not declared (the record types it takes)');
  if (!plugin.emits) problems.push('emits is not declared (the record types it sends; [] for none)');
  if (options.behaviour) {
    const b = observedBehaviour(plugin);
    for (const r of names) {
      if (!b.routes.has(r) && !options.unreachable?.[r])
        problems.push(`route '${r}' is never reached in the tests`);
    }
    for (const t of b.accepted) {
      if (plugin.accepts && !plugin.accepts.includes(t))
        problems.push(`handled a '${t}' record, but accepts lists ${JSON.stringify(plugin.accepts)}`);
    }
    for (const t of b.emitted) {
      if (plugin.emits && !plugin.emits.includes(t))
        problems.push(`emitted a '${t}' record, but emits lists ${JSON.stringify(plugin.emits)}`);
    }
  }
  return problems;
}
