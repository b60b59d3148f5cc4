import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const CHUNK_BYTES = 1 << 20;

async function fsyncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Some platforms (Windows) cannot open a
  // directory for fsync; the rename is still atomic there.
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported on this platform
  } finally {
    await handle?.close();
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/**
 * Writes a file so that readers see either the old or the new content, never
 * a part: write a temporary file in the same folder, fsync it, rename it over
 * the target, fsync the folder.
 *
 * @example
 * ```ts
 * await writeFileAtomic('dataset/shards/email-reply/part-00000.jsonl', lines.join(''));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const writer = await AtomicFileWriter.open(path);
  try {
    await writer.write(data);
    await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/**
 * A large file written in pieces and published atomically on `commit`
 * (exports of a million rows are never held in memory as one string).
 */
export class AtomicFileWriter {
  private buffered: string[] = [];
  private bufferedBytes = 0;

  private constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly handle: Awaited<ReturnType<typeof open>>,
  ) {}

  static async open(path: string): Promise<AtomicFileWriter> {
    const tempPath = tempPathFor(path);
    const handle = await open(tempPath, 'w');
    return new AtomicFileWriter(path, tempPath, handle);
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data !== 'string') {
      await this.drain();
      await this.handle.write(data);
      return;
    }
    this.buffered.push(data);
    this.bufferedBytes += data.length * 3;
    if (this.bufferedBytes >= CHUNK_BYTES) await this.drain();
  }

  /** fsyncs and renames the file into place. */
  async commit(): Promise<void> {
    await this.drain();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dirname(this.path));
  }

  /** Drops the temporary file. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.tempPath, { force: true });
  }

  private async drain(): Promise<void> {
    if (this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedBytes = 0;
    await this.handle.write(text);
  }
}

/** Whether a file name is a leftover temporary file of {@link writeFileAtomic}. */
export function isAtomicTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
