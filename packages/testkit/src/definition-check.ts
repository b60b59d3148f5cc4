import { checkPluginConfig, type PluginDefinition, TaneError } from '@tane/core';

/**
 * What the harness saw a plugin do, across every `testPlugin(...).run` in this process.
 *
 * It is kept in memory only, on purpose: a test runner that isolates test files (vitest does by
 * default, `node --test` runs each file in a process of its own) gives every file its own
 * record, so a behaviour check sees exactly the tests of the file it runs in — never a stale
 * run, another plugin's run or a file that happened to finish first.
 */
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
   * emitted at least once, only declared record types accepted and emitted (inputs the stage
   * failed on are not counted). What the harness saw is not shared between test files, so call
   * it in the file whose `testPlugin` tests reach every route, after them: an `afterAll`
   * (vitest), an `after` (`node:test`) or a last test. Run that file whole: with a name filter
   * or `.only`, the routes of the tests left out are reported as never reached.
   */
  behaviour?: boolean;
  /**
   * Routes the tests are not expected to reach through the harness, each with the reason
   * (e.g. `{ overflow: 'needs a broker that runs out of space' }`); prefer a test that reaches it.
   */
  unreachable?: Record<string, string>;
}

/**
 * Checks a plugin's definition the way the engine and the docs rely on it: name, version and
 * engine API present; the config schema compiles in strict mode; every example's config is
 * valid; route names unique and described; `accepts`/`emits` declared; and, with `behaviour`,
 * that the tests of this file reach every route and that it accepts and emits what it declares.
 * Returns the problems found (empty when the definition holds).
 *
 * @example
 * ```ts
 * // At the end of the test file whose `testPlugin` tests reach every route (vitest):
 * afterAll(() => expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([]));
 * // node:test
 * after(() => assert.deepEqual(checkPluginDefinition(plugin, { behaviour: true }), []));
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
