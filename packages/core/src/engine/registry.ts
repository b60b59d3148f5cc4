import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { TaneError } from '../errors.ts';
import { ENGINE_API, type PluginDefinition } from '../plugin.ts';

/** A plugin reference split into its parts: `@tane/plugin-judge@^0.1` → name + range. */
export interface PluginRef {
  kind: 'package' | 'path';
  name: string;
  range: string;
}

export function parsePluginRef(ref: string): PluginRef {
  const trimmed = ref.trim();
  if (trimmed.startsWith('.') || trimmed.startsWith('/') || trimmed.startsWith('file:')) {
    return { kind: 'path', name: trimmed.replace(/^file:/, ''), range: '*' };
  }
  const at = trimmed.indexOf('@', trimmed.startsWith('@') ? 1 : 0);
  if (at < 0) return { kind: 'package', name: trimmed, range: '*' };
  return { kind: 'package', name: trimmed.slice(0, at), range: trimmed.slice(at + 1) || '*' };
}

export interface LoadedPlugin {
  ref: string;
  definition: PluginDefinition<Record<string, unknown>>;
  /** Absolute folder of the plugin package (or file). */
  location: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function findPackageDir(name: string, fromDirs: string[]): string | undefined {
  for (const dir of fromDirs) {
    try {
      const req = createRequire(join(dir, 'noop.js'));
      return dirname(req.resolve(`${name}/package.json`));
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * The export conditions Node resolves a package's entry with: `import`, `node`, `default`, plus
 * any given with `--conditions` (in this repository's tests, `@tane/source` selects a package's
 * TypeScript sources instead of its build).
 */
function activeConditions(): Set<string> {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const user = [...flags.matchAll(/(?:--conditions|-C)[= ](\S+)/g)].map((m) => m[1]!);
  return new Set(['import', 'node', 'default', ...user]);
}

/** The first target of an `exports` entry whose condition is active (Node's rules, in key order). */
function pickTarget(target: unknown, conditions: Set<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = pickTarget(t, conditions);
      if (found) return found;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key === 'types' || !conditions.has(key)) continue;
      const found = pickTarget(value, conditions);
      if (found) return found;
    }
  }
  return undefined;
}

function entryOf(dir: string, pkg: Record<string, unknown>): string {
  const exp = pkg.exports;
  let target: string | undefined;
  if (exp !== undefined) {
    const isMap =
      exp !== null && typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp)[0]?.startsWith('.');
    target = pickTarget(isMap ? (exp as Record<string, unknown>)['.'] : exp, activeConditions());
  }
  const rel = target ?? (typeof pkg.main === 'string' ? pkg.main : 'src/index.ts');
  return resolve(dir, rel);
}

function checkDefinition(
  def: unknown,
  ref: string,
  where: string | undefined,
): PluginDefinition<Record<string, unknown>> {
  const d = def as Partial<PluginDefinition<Record<string, unknown>>> | undefined;
  const missing = !d
    ? ['default export']
    : (['name', 'version', 'engineApi', 'summary', 'configSchema', 'routes', 'create'] as const).filter(
        (k) => d[k] === undefined,
      );
  if (missing.length > 0 || typeof d?.create !== 'function' || !Array.isArray(d?.routes)) {
    throw new TaneError(
      'PLUGIN_INVALID',
      `${ref} is not a tane plugin (missing: ${missing.join(', ') || 'create/routes'})`,
      {
        ...(where ? { where } : {}),
        hint: 'a plugin default-exports definePlugin({...}) from @tane/core; see docs/plugin-authoring.md',
      },
    );
  }
  if (d.engineApi !== ENGINE_API) {
    throw new TaneError(
      'PLUGIN_API_MISMATCH',
      `${d.name}@${d.version} targets engine API ${String(d.engineApi)}, this engine implements API ${ENGINE_API}`,
      {
        ...(where ? { where } : {}),
        hint: `use a version of ${d.name} built for engine API ${ENGINE_API}, or upgrade tane`,
      },
    );
  }
  return d as PluginDefinition<Record<string, unknown>>;
}

/**
 * Loads a plugin named in a pipeline file: `package@semver-range` resolved from
 * the pipeline's folder, the current folder or tane's own installation; or a
 * local path. Refuses a missing plugin, a version outside the range and a
 * plugin for another engine API major, each with a clear error.
 */
export async function loadPlugin(ref: string, baseDir: string, where?: string): Promise<LoadedPlugin> {
  const parsed = parsePluginRef(ref);
  const w = where ? { where } : {};
  if (parsed.kind === 'path') {
    const abs = isAbsolute(parsed.name) ? parsed.name : resolve(baseDir, parsed.name);
    if (!existsSync(abs)) {
      throw new TaneError('PLUGIN_NOT_FOUND', `no plugin at ${abs}`, {
        ...w,
        hint: 'check the path (relative paths start at the pipeline file)',
      });
    }
    let entry = abs;
    let location = dirname(abs);
    if (statSync(abs).isDirectory()) {
      location = abs;
      const pkgPath = join(abs, 'package.json');
      entry = existsSync(pkgPath) ? entryOf(abs, readJson(pkgPath)) : join(abs, 'src/index.ts');
    }
    const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
    return { ref, definition: checkDefinition(mod.default, ref, where), location };
  }

  if (parsed.range !== '*' && !semver.validRange(parsed.range)) {
    throw new TaneError('PIPELINE_INVALID', `'${parsed.range}' is not a semver range (in ${ref})`, {
      ...w,
      hint: `write e.g. ${parsed.name}@^0.1.0`,
    });
  }
  const dir = findPackageDir(parsed.name, [baseDir, process.cwd(), here]);
  if (!dir) {
    throw new TaneError('PLUGIN_NOT_FOUND', `plugin package ${parsed.name} is not installed`, {
      ...w,
      hint: `run \`npm install ${parsed.name}\` next to the pipeline file, or give a local path (plugin: ./path/to/plugin)`,
    });
  }
  const pkg = readJson(join(dir, 'package.json'));
  const version = String(pkg.version);
  if (!semver.satisfies(version, parsed.range, { includePrerelease: true })) {
    throw new TaneError(
      'PLUGIN_VERSION_MISMATCH',
      `${parsed.name} is installed at ${version}, outside the range ${parsed.range}`,
      {
        ...w,
        hint: `install a matching version (\`npm install ${parsed.name}@"${parsed.range}"\`) or change the range`,
      },
    );
  }
  const mod = (await import(pathToFileURL(entryOf(dir, pkg)).href)) as { default?: unknown };
  const definition = checkDefinition(mod.default, ref, where);
  if (definition.version !== version || definition.name !== parsed.name) {
    throw new TaneError(
      'PLUGIN_INVALID',
      `${parsed.name} declares itself as ${definition.name}@${definition.version} but its package.json says ${pkg.name}@${version}`,
      { ...w, hint: 'read name and version from package.json in the plugin definition' },
    );
  }
  return { ref, definition, location: dir };
}

/** Plugins installed next to tane (packages whose package.json has `"tane": {"role": "plugin"}`). */
export function listInstalledPlugins(
  fromDir: string = process.cwd(),
): { name: string; version: string; dir: string }[] {
  const found = new Map<string, { name: string; version: string; dir: string }>();
  const roots = new Set<string>();
  for (let d = resolve(fromDir); ; d = dirname(d)) {
    roots.add(join(d, 'node_modules'));
    if (dirname(d) === d) break;
  }
  for (let d = here; ; d = dirname(d)) {
    roots.add(join(d, 'node_modules'));
    if (dirname(d) === d) break;
  }
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      const dirs = entry.startsWith('@')
        ? readdirSync(join(root, entry)).map((e: string) => join(root, entry, e))
        : [join(root, entry)];
      for (const dir of dirs) {
        const pj = join(dir, 'package.json');
        if (!existsSync(pj)) continue;
        try {
          const pkg = readJson(pj);
          const tane = pkg.tane as { role?: string } | undefined;
          if (tane?.role === 'plugin' && typeof pkg.name === 'string' && !found.has(pkg.name)) {
            found.set(pkg.name, { name: pkg.name, version: String(pkg.version), dir });
          }
        } catch {
          // not a readable package: skip
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
