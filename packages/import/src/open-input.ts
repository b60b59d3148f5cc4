import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** How a file is compressed, from its name (`.gz`, `.zst`) or else its first bytes. */
export type Compression = 'gzip' | 'zstd' | 'none';

export function compressionOf(file: string): Compression {
  if (/\.gz$/i.test(file)) return 'gzip';
  if (/\.zst$/i.test(file)) return 'zstd';
  try {
    const fd = Buffer.alloc(4);
    const h = openSync(file, 'r');
    readSync(h, fd, 0, 4, 0);
    closeSync(h);
    if (fd[0] === 0x1f && fd[1] === 0x8b) return 'gzip';
    if (fd[0] === 0x28 && fd[1] === 0xb5 && fd[2] === 0x2f && fd[3] === 0xfd) return 'zstd';
  } catch {
    // unreadable: the reader reports it
  }
  return 'none';
}

/** The file name without its compression suffix (`train.jsonl.zst` → `train.jsonl`). */
export function innerName(file: string): string {
  return file.replace(/\.(gz|zst)$/i, '');
}

/**
 * The decompressed bytes of a file as a stream, and a counter of the compressed bytes read
 * (for progress against the file size).
 */
export function openInput(file: string): { stream: Readable; bytesRead: () => number; size: number } {
  const size = statSync(file).size;
  let read = 0;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        read += chunk.length;
        done(null, chunk);
      },
    }),
  );
  const kind = /\.(gz|zst)$/i.test(file) ? compressionOf(file) : 'none';
  if (kind === 'gzip') return { stream: raw.pipe(createGunzip()), bytesRead: () => read, size };
  if (kind === 'zstd') return { stream: zstdStream(raw), bytesRead: () => read, size };
  return { stream: raw, bytesRead: () => read, size };
}

function zstdStream(raw: Readable): Readable {
  async function* run(): AsyncGenerator<Buffer> {
    const out: Buffer[] = [];
    const d = new Decompress((chunk) => {
      out.push(Buffer.from(chunk));
    });
    for await (const chunk of raw) {
      d.push(new Uint8Array(chunk as Buffer));
      while (out.length) yield out.shift() as Buffer;
    }
    d.push(new Uint8Array(0), true);
    while (out.length) yield out.shift() as Buffer;
  }
  return Readable.from(run());
}

/** SHA-256 of a file's bytes (as stored), 12 hex chars: the `name@hash` in each row's origin. */
export async function fileHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex').slice(0, 12);
}
