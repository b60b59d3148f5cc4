/**
 * Fills a local registry with the third-party packages tane needs, taken from this repository's
 * own install, so the publishing test installs everything from 127.0.0.1 and nothing from npm's
 * public registry.
 *
 * The set is the dependency closure (dependencies, optional dependencies and peers) of every
 * workspace package plus `extraRoots`, resolved the way Node resolves them through the
 * repository's `package-lock.json`. Each package is packed from its installed folder (without
 * nested `node_modules`) and published with the registry's publish call, versions in ascending
 * order, so the highest is `latest`. Packages in the lock file that are not on disk (optional
 * builds for other platforms) are left out; npm skips optional dependencies it cannot fetch.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface SeededPackage {
  name: string;
  version: string;
  /** The installed folder, relative to the repository root. */
  location: string;
}

const nameAt = (location: string) => location.slice(location.lastIndexOf('node_modules/') + 13);

/** Where a package installed at `location` finds `name`, as Node would, or undefined. */
function resolveFrom(lock: Record<string, LockEntry>, location: string, name: string): string | undefined {
  let at = location;
  for (;;) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (at === '') return undefined;
    const i = at.lastIndexOf('/node_modules/');
    at = i >= 0 ? at.slice(0, i) : '';
  }
}

/** The third-party packages the workspace packages and `extraRoots` need, one per name@version. */
export function dependencyClosure(root: string, extraRoots: Record<string, string> = {}): SeededPackage[] {
  const lock = (
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;
  const queue: [string, Record<string, string>][] = Object.entries(lock)
    .filter(([k, e]) => /^(packages|plugins)\/[^/]+$/.test(k) && !e.link)
    .map(([k, e]) => [k, { ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies }]);
  queue.push(['', extraRoots]);
  const seen = new Map<string, SeededPackage>();
  const visited = new Set<string>();
  while (queue.length > 0) {
    const [from, deps] = queue.pop()!;
    for (const dep of Object.keys(deps)) {
      const location = resolveFrom(lock, from, dep);
      if (!location || visited.has(location)) continue;
      visited.add(location);
      const entry = lock[location]!;
      if (entry.link || !entry.version || !existsSync(join(root, location, 'package.json'))) continue;
      const name = entry.name ?? nameAt(location);
      seen.set(`${name}@${entry.version}`, { name, version: entry.version, location });
      queue.push([
        location,
        { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies },
      ]);
    }
  }
  return [...seen.values()];
}

const numeric = (v: string) => v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
function compareVersions(a: string, b: string): number {
  const x = numeric(a);
  const y = numeric(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? -1;
    const q = y[i] ?? -1;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

/**
 * Packs one installed folder as `package/…`, leaving out nested node_modules and, for a native
 * addon (one with a `binding.gyp`), its compiled `build` folder.
 */
async function pack(root: string, location: string): Promise<Buffer> {
  const native = existsSync(join(root, location, 'binding.gyp'));
  const { stdout } = await run(
    'tar',
    [
      '-cz',
      '--exclude=./node_modules',
      ...(native ? ['--exclude=./build'] : []),
      '--transform=s,^\\.,package,',
      '-C',
      join(root, location),
      '.',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  return stdout;
}

/**
 * Publishes `packages` to the registry at `registry` (ending in `/`) with `token`, `concurrency`
 * at a time; returns how many were published.
 */
export async function seedRegistry(
  root: string,
  registry: string,
  token: string,
  packages: SeededPackage[],
  concurrency = 4,
): Promise<number> {
  const byName = new Map<string, SeededPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const names = [...byName.keys()];
  const publishOne = async (p: SeededPackage) => {
    const tarball = await pack(root, p.location);
    const manifest = JSON.parse(readFileSync(join(root, p.location, 'package.json'), 'utf8'));
    const file = `${p.name}-${p.version}.tgz`;
    const base = p.name.includes('/') ? p.name.split('/')[1] : p.name;
    const version = {
      ...manifest,
      name: p.name,
      version: p.version,
      _id: `${p.name}@${p.version}`,
      dist: {
        tarball: `${registry}${p.name}/-/${base}-${p.version}.tgz`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
      },
    };
    const res = await fetch(`${registry}${p.name.replace('/', '%2f')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        _id: p.name,
        name: p.name,
        'dist-tags': { latest: p.version },
        versions: { [p.version]: version },
        _attachments: {
          [file]: {
            content_type: 'application/octet-stream',
            data: tarball.toString('base64'),
            length: tarball.length,
          },
        },
      }),
    });
    if (!res.ok) throw new Error(`seeding ${p.name}@${p.version}: ${res.status} ${await res.text()}`);
  };
  let published = 0;
  const worker = async () => {
    for (let name = names.pop(); name !== undefined; name = names.pop()) {
      // Ascending versions of one name, one after another: the last (highest) becomes `latest`.
      for (const p of byName.get(name)!.sort((a, b) => compareVersions(a.version, b.version))) {
        await publishOne(p);
        published++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return published;
}
