import { createWriteStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Write } from './export-trials';

/** A backpressure-aware writer over a Node stream. */
export function streamWriter(stream: NodeJS.WritableStream): Write {
  return async (chunk) => {
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
}

export interface OutputFile {
  write: Write;
  close: () => Promise<void>;
}

export function openOutputFile(path: string): OutputFile {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | null = null;
  stream.on('error', (e) => {
    failure = e;
  });
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
    },
    async close() {
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    },
  };
}

/** Writes a whole binary file, atomically (a reader never sees half a PNG). */
export async function writeBinaryFile(path: string, bytes: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export const readBinaryFile = (path: string): Promise<Buffer> => readFile(path);
