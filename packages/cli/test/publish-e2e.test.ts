/**
 * Publishing, end to end: a copy of this repository is released with `nx release` (independent
 * versions, changelogs from conventional commits) to a local Verdaccio on 127.0.0.1, and then,
 * in a fresh folder outside the repository, tane is installed from there and used the way a team
 * outside this repository uses it: `tane init`, `tane demo`, `tane run`, and a third-party plugin
 * made with `tane plugin new`, published as 1.0.0, 1.1.0 and (for another engine API) 2.0.0.
 *
 * Nothing touches the repository's git history: the release runs in a temporary copy with a
 * git repository of its own. Every package comes from that Verdaccio: `@tane/*` as released,
 * `@acme/*` as the team publishes it, and the third-party packages packed from this repository's
 * own install (`registry-seed.ts`), so no command reaches anything but 127.0.0.1. npm uses a cache
 * of the test's own. Install scripts are skipped and better-sqlite3's native build is copied from
 * this repository's install (the same pinned version), so nothing compiles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { startLlmSim } from '@tane/llm-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyClosure, seedRegistry } from './registry-seed.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PLUGIN = '@acme/tane-plugin-min-length';

/** The environment of every command: no source condition, no settings of an outer npm run. */
const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|NX_|OPENAI_|TANE_)/i.test(k) && k !== 'NODE_OPTIONS'),
);

let work: string;

/**
 * Runs a command to its end (asynchronously: the simulator in this process keeps answering).
 * Colours are off and stripped, so the output compares as plain text whatever the terminal.
 */
function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; all: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, {
      cwd,
      env: {
        ...baseEnv,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        npm_config_cache: join(work, 'npm-cache'),
        npm_config_update_notifier: 'false',
        // Anything npm would fetch from beyond 127.0.0.1 goes to a closed local port and fails.
        npm_config_proxy: 'http://127.0.0.1:9',
        npm_config_https_proxy: 'http://127.0.0.1:9',
        npm_config_noproxy: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let all = '';
    child.stdout.on('data', (d) => {
      out += d;
      all += d;
    });
    child.stderr.on('data', (d) => {
      all += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, out: stripVTControlCharacters(out), all: stripVTControlCharacters(all) });
    });
  });
}

function ok(r: { code: number | null; all: string }, what: string): string {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}:\n${r.all.slice(-4000)}`);
  return r.all;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Every dataset row of a dataset folder, in file order. */
function datasetRows(dir: string): Record<string, unknown>[] {
  const shards = join(dir, 'shards');
  const files = readdirSync(shards, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  return files.flatMap((f) =>
    readFileSync(join(shards, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

const lineageOf = (row: Record<string, unknown>) =>
  (row.lineage as { plugin: string }[]).map((l) => l.plugin).filter((p) => p.startsWith(PLUGIN));

let sim: { url: string; close(): Promise<void> } | undefined;
let started = Date.now();
/** Prints how long each step took, so a slow step is visible in the test output. */
function step(name: string): void {
  process.stdout.write(`publish-e2e: ${name} at ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
let verdaccio: ChildProcess | undefined;
let registry: string;
let npmrc: string;

beforeAll(async () => {
  started = Date.now();
  sim = await startLlmSim({ port: 0 });
  work = mkdtempSync(join(tmpdir(), 'tane-publish-'));
  const port = await freePort();
  registry = `http://127.0.0.1:${port}/`;
  mkdirSync(join(work, 'verdaccio'));
  // No uplinks: Verdaccio serves only what is published to it, and never reaches anything else.
  writeFileSync(
    join(work, 'verdaccio/config.yaml'),
    [
      `storage: ${join(work, 'verdaccio/storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'verdaccio/htpasswd')}, max_users: 10 }`,
      'uplinks: {}',
      'packages:',
      "  '**': { access: $all, publish: $authenticated }",
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: warn }',
      `listen: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  verdaccio = spawn(
    join(ROOT, 'node_modules/.bin/verdaccio'),
    ['--config', join(work, 'verdaccio/config.yaml')],
    { env: baseEnv, stdio: 'ignore' },
  );
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${registry}-/ping`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 100) throw new Error('verdaccio did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  // A throwaway local user; its token stays in the temporary .npmrc files and is never printed.
  const res = await fetch(`${registry}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: `pw-${port}-${Date.now()}` }),
  });
  const { token } = (await res.json()) as { token: string };
  npmrc = join(work, 'npmrc');
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  // Third-party packages from this repository's install: what tane and a scaffolded plugin need.
  const closure = dependencyClosure(ROOT, { '@types/node': '*', typescript: '*' });
  const seeded = await seedRegistry(ROOT, registry, token, closure);
  step(`seeded the registry with ${seeded} third-party packages`);
}, 180_000);

afterAll(async () => {
  verdaccio?.kill();
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A project folder outside the repository whose packages all come from Verdaccio. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  useRegistry(dir);
  return dir;
}

function useRegistry(dir: string): void {
  const auth = readFileSync(npmrc, 'utf8').split('\n')[1];
  writeFileSync(join(dir, '.npmrc'), `registry=${registry}\n${auth}\n`);
}

async function npmInstall(dir: string, ...pkgs: string[]) {
  ok(
    await sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...pkgs], dir),
    `npm install ${pkgs.join(' ')} in ${dir}`,
  );
  const native = join(dir, 'node_modules/better-sqlite3');
  if (existsSync(native))
    cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(native, 'build'), { recursive: true });
}

/** Re-runs the project's pipeline from `generated` into datasets and topics suffixed `suffix`. */
const replay = async (dir: string, suffix: string) =>
  ok(
    await tane(dir, 'replay', 'with-plugin.yaml', '--from', 'generated', '--suffix', suffix, '--until-idle'),
    `replay into ${suffix}`,
  );

/** `tane` as installed in `dir`, against the simulator. */
const tane = (dir: string, ...args: string[]) =>
  sh('npx', ['--no-install', 'tane', ...args], dir, {
    OPENAI_BASE_URL: sim!.url,
    OPENAI_API_KEY: 'sk-simulator-no-key',
  });

describe('a team outside this repository', () => {
  it('installs tane from a registry, starts a project, and ships, pins and replays its own plugin', async () => {
    step('start');
    // 1. Release a copy of the repository: its working tree, its build, a git history of its own.
    const repo = join(work, 'repo');
    const files = ok(
      await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT),
      'git ls-files',
    )
      .split('\0')
      .filter((f) => f && !f.startsWith('\n') && existsSync(join(ROOT, f)));
    for (const f of files) cpSync(join(ROOT, f), join(repo, f), { recursive: true });
    for (const group of ['packages', 'plugins']) {
      for (const p of readdirSync(join(ROOT, group))) {
        const dist = join(ROOT, group, p, 'dist');
        if (!existsSync(dist)) throw new Error(`${group}/${p} is not built: run npm run build`);
        cpSync(dist, join(repo, group, p, 'dist'), { recursive: true });
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
    // The copy shares the repository's node_modules, so its lock file is not refreshed from a registry.
    const nxJson = JSON.parse(readFileSync(join(repo, 'nx.json'), 'utf8'));
    nxJson.release.version.versionActionsOptions = { skipLockFileUpdate: true };
    writeFileSync(join(repo, 'nx.json'), JSON.stringify(nxJson, null, 2));
    step('copied the repository');
    const git = async (...args: string[]) =>
      ok(
        await sh(
          'git',
          ['-c', 'user.name=release', '-c', 'user.email=release@example.invalid', ...args],
          repo,
        ),
        `git ${args[0]}`,
      );
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'chore: import');
    writeFileSync(join(repo, 'packages/core/RELEASE-NOTE.md'), 'A change for the release test.\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'feat(core): a new SDK feature');
    const env = {
      NPM_CONFIG_USERCONFIG: npmrc,
      GIT_AUTHOR_NAME: 'release',
      GIT_AUTHOR_EMAIL: 'release@example.invalid',
      GIT_COMMITTER_NAME: 'release',
      GIT_COMMITTER_EMAIL: 'release@example.invalid',
    };
    // Versions, changelogs, a release commit and tags; then every package of the group is
    // published (a first release also publishes the ones without changes, like @tane/examples).
    step('committed');
    ok(await sh('npx', ['nx', 'release', '--first-release', '--skip-publish'], repo, env), 'nx release');
    step('versioned');
    const release = ok(
      await sh('npx', ['nx', 'release', 'publish', '--first-release'], repo, env),
      'nx release publish',
    );
    expect(release).toContain('Successfully ran target nx-release-publish');
    // Independent versions: the feat bumps core's minor; its dependents get their own versions
    // and ranges that follow it.
    const read = (p: string) => JSON.parse(readFileSync(join(repo, p, 'package.json'), 'utf8'));
    const core = read('packages/core').version as string;
    expect(core).toBe('0.2.0');
    expect(read('plugins/judge').dependencies['@tane/core']).toBe(`^${core}`);
    expect(readFileSync(join(repo, 'packages/core/CHANGELOG.md'), 'utf8')).toContain('a new SDK feature');
    expect(ok(await sh('git', ['tag', '--list', '@tane/core@*'], repo), 'git tag')).toContain(
      `@tane/core@${core}`,
    );

    step('published');
    // 2. A fresh project: npm install @tane/cli, tane init, tane demo, tane run.
    const proj = project('dataset');
    writeFileSync(join(proj, 'package.json'), '{ "name": "dataset", "private": true }\n');
    await npmInstall(proj, '@tane/cli');
    step('installed @tane/cli');
    // The manifests a team installs carry no scripts of this repository (its Nx targets live in
    // project.json files, which are not published).
    for (const p of readdirSync(join(proj, 'node_modules/@tane'))) {
      const manifest = JSON.parse(readFileSync(join(proj, 'node_modules/@tane', p, 'package.json'), 'utf8'));
      expect(manifest.scripts, `@tane/${p}`).toBeUndefined();
    }
    const init = ok(await tane(proj, 'init'), 'tane init');
    expect(init).toContain('pipeline.yaml');
    for (const f of ['pipeline.yaml', 'categories.yaml', 'seeds', 'README.md'])
      expect(existsSync(join(proj, f))).toBe(true);
    expect(readdirSync(join(proj, 'seeds')).length).toBeGreaterThan(0);
    step('init');
    const demo = ok(
      // No OPENAI_BASE_URL: the installed tane starts its own simulator and says so.
      await sh('npx', ['--no-install', 'tane', 'demo', '--target', '1', '--data-dir', '.tane-demo'], proj),
      'tane demo',
    );
    expect(demo).toContain('SIMULATOR');
    // With no --example, the demo runs the project in this folder (what tane init made).
    expect(demo).toMatch(/categories from \.,/);
    expect(existsSync(join(proj, '.tane-demo/datasets/en-general/manifest.json'))).toBe(true);

    step('demo');
    // 3. A third-party plugin: scaffolded, tested, published as 1.0.0.
    const plug = join(work, 'plugin');
    ok(await tane(proj, 'plugin', 'new', PLUGIN, '--dir', plug), 'tane plugin new');
    useRegistry(plug);
    await npmInstall(plug);
    expect(ok(await sh('npm', ['test'], plug), 'the plugin test')).toMatch(/# pass 2/);
    ok(await sh('npm', ['publish', '--ignore-scripts'], plug), 'npm publish 1.0.0');

    step('plugin 1.0.0 tested and published');
    // The project's pipeline with the plugin after dedup, on topics of its own.
    const pipeline = readFileSync(join(proj, 'pipeline.yaml'), 'utf8')
      .replace(/^pipeline: .*$/m, 'pipeline: with-plugin')
      .replace(/^ {2}prefix: .*$/m, '  prefix: wp.')
      .replace('routes: { unique: decontaminate,', 'routes: { unique: length,')
      .replace(
        /^ {2}decontaminate:$/m,
        `  length:\n    plugin: "${PLUGIN}@RANGE"\n    config: { minChars: 1 }\n    routes: { ok: decontaminate, short: drop }\n  decontaminate:`,
      );
    expect(pipeline).toContain('unique: length');
    const usePipeline = (range: string) =>
      writeFileSync(join(proj, 'with-plugin.yaml'), pipeline.replace('@RANGE', `@${range}`));
    usePipeline('^1.0.0');
    await npmInstall(proj, `${PLUGIN}@^1.0.0`);
    ok(await tane(proj, 'validate', 'with-plugin.yaml'), 'tane validate');
    ok(
      await tane(
        proj,
        'publish',
        'seeds',
        ...readdirSync(join(proj, 'seeds')).map((f) => `seeds/${f}`),
        '--pipeline',
        'with-plugin.yaml',
      ),
      'tane publish',
    );
    ok(await tane(proj, 'generate', 'with-plugin.yaml', '--per-category', '1'), 'tane generate');
    ok(await tane(proj, 'run', 'with-plugin.yaml', '--until-idle', '--quiet-ms', '500'), 'tane run');
    step('tane run');
    const v100 = datasetRows(join(proj, '.tane/datasets/with-plugin'));
    expect(v100.length).toBeGreaterThan(0);
    for (const row of v100) expect(lineageOf(row)).toEqual([`${PLUGIN}@1.0.0`]);

    step('checked 1.0.0 rows');
    // 4. 1.1.0 (a new optional config key): the same range now installs it, and lineage says so.
    const src = join(plug, 'src/index.ts');
    writeFileSync(
      src,
      readFileSync(src, 'utf8').replace(
        "minChars: { type: 'integer',",
        "maxChars: { type: 'integer', minimum: 1, description: 'optional upper bound' },\n      minChars: { type: 'integer',",
      ),
    );
    ok(await sh('npm', ['version', 'minor', '--no-git-tag-version'], plug), 'npm version minor');
    ok(await sh('npm', ['publish'], plug), 'npm publish 1.1.0');
    await npmInstall(proj, `${PLUGIN}@^1.0.0`);
    await replay(proj, 'v110');
    step('replay on 1.1.0');
    const v110 = datasetRows(join(proj, '.tane/datasets/with-plugin.v110'));
    expect(v110.map((r) => r.id)).toEqual(v100.map((r) => r.id));
    for (const row of v110) expect(lineageOf(row)).toEqual([`${PLUGIN}@1.1.0`]);

    step('checked 1.1.0 rows');
    // 5. 2.0.0 targets an engine API this engine does not implement: refused, naming both.
    writeFileSync(
      src,
      readFileSync(src, 'utf8').replace('engineApi: ENGINE_API,', 'engineApi: ENGINE_API + 1,'),
    );
    const pj = JSON.parse(readFileSync(join(plug, 'package.json'), 'utf8'));
    writeFileSync(
      join(plug, 'package.json'),
      JSON.stringify({ ...pj, version: '2.0.0', tane: { role: 'plugin', engineApi: 2 } }, null, 2),
    );
    ok(await sh('npm', ['publish'], plug), 'npm publish 2.0.0');
    await npmInstall(proj, `${PLUGIN}@2.0.0`);
    usePipeline('^2.0.0');
    const refused = await tane(proj, 'validate', 'with-plugin.yaml');
    expect(refused.code, refused.all).toBe(2);
    expect(refused.all).toContain('PLUGIN_API_MISMATCH');
    expect(refused.all).toContain(`${PLUGIN}@2.0.0 targets engine API 2, this engine implements API 1`);

    step('refused 2.0.0');
    // 6. Pin the older version and replay: the older dataset again, row for row.
    await npmInstall(proj, `${PLUGIN}@1.0.0`);
    usePipeline('1.0.0');
    await replay(proj, 'v100');
    expect(datasetRows(join(proj, '.tane/datasets/with-plugin.v100'))).toEqual(v100);
    step('replayed on 1.0.0');
  }, 300_000);
});
