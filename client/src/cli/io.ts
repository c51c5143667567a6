import { createWriteStream } from 'node:fs';
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
