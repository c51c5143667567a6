import { pathToFileURL } from 'node:url';
import { runCli } from './program';
import { streamWriter } from './io';

/** Process entry: real stdio, real environment, exit code on process.exitCode (output is flushed first). */
export async function main(argv: string[] = process.argv): Promise<number> {
  // `stepwise export ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return runCli(argv, {
    env: process.env,
    out: streamWriter(process.stdout),
    err: (s) => void process.stderr.write(s),
    progress: process.stderr,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
