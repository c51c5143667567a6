#!/usr/bin/env node
// Starts the dashboard/API (`next start`) after one check: a web app that other machines can reach
// must require STEPWISE_API_TOKEN. Without it anyone on the network could launch, pause or cancel
// studies. Loopback addresses need no token (the embedded one-machine stack).
//
//   node infra/web-start.mjs [-p PORT] [-H HOST] [next start options...]
//
// HOST comes from -H/--hostname, else STEPWISE_WEB_HOST, else 127.0.0.1 (note: plain `next start`
// would bind every interface). PORT from -p/--port, else PORT, else 3000. Runs Next in this
// process, so a supervisor's pid is the server's pid. Plain JavaScript: the production image runs it
// with no TypeScript loader.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True for addresses only this machine can reach. */
export function isLoopback(host) {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Splits our arguments into host, port and the rest (passed on to `next start`). */
export function parseWebArgs(argv, env = process.env) {
  let host = env.STEPWISE_WEB_HOST || '127.0.0.1';
  let port = env.PORT || '3000';
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (flag === '-H' || flag === '--hostname') host = inline ?? argv[++i] ?? '';
    else if (flag === '-p' || flag === '--port') port = inline ?? argv[++i] ?? '';
    else rest.push(a);
  }
  return { host, port, rest };
}

/** Why the server must not start, or null. */
export function bindRefusal(host, env = process.env) {
  if (!host) return 'no address to listen on: pass -H <address> or set STEPWISE_WEB_HOST';
  if (isLoopback(host)) return null;
  if (env.STEPWISE_API_TOKEN && env.STEPWISE_API_TOKEN.trim().length > 0) return null;
  return (
    `refusing to serve the Stepwise API on ${host} without an API token: anyone who can reach this address could launch, ` +
    'pause and cancel studies. Set STEPWISE_API_TOKEN (e.g. `export STEPWISE_API_TOKEN=$(openssl rand -hex 32)`), ' +
    'or listen on 127.0.0.1 only (-H 127.0.0.1 / STEPWISE_WEB_HOST=127.0.0.1).'
  );
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const { host, port, rest } = parseWebArgs(process.argv.slice(2));
  const refusal = bindRefusal(host);
  if (refusal) {
    console.error(`[stepwise] ${refusal}`);
    process.exit(2);
  }
  const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
  const require = createRequire(join(webDir, 'package.json'));
  const nextBin = require.resolve('next/dist/bin/next');
  process.chdir(webDir);
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  process.argv = [process.argv[0], nextBin, 'start', '-p', port, '-H', host, ...rest];
  require(nextBin);
}
