import type { NextConfig } from 'next';

/**
 * Defence in depth for a plain `next start`, which binds every interface unless -H says otherwise:
 * an API that other machines can reach must require STEPWISE_API_TOKEN. infra/web-start.mjs (the
 * supported entry point: npm start, npm run up, the image) checks the same before Next starts.
 */
function refuseOpenBindWithoutToken(argv: string[], env: NodeJS.ProcessEnv): void {
  if (argv[0] !== 'start' || (env.STEPWISE_API_TOKEN ?? '').trim() !== '') return;
  let host = '0.0.0.0';
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-H' || argv[i] === '--hostname') host = argv[i + 1] ?? host;
    else if (argv[i].startsWith('--hostname=')) host = argv[i].slice('--hostname='.length);
  }
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h)) return;
  throw new Error(
    `refusing to serve the Stepwise API on ${host} without an API token: set STEPWISE_API_TOKEN, or listen on 127.0.0.1 (-H 127.0.0.1)`,
  );
}
refuseOpenBindWithoutToken(process.argv.slice(2), process.env);

// The port comes from the command line (`next start -p $STEPWISE_WEB_PORT`, see infra/); Next
// itself also honours PORT. Nothing here is port-specific.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources with extensionless imports.
  transpilePackages: ['@stepwise/core', '@stepwise/db', '@stepwise/service'],
  // Native / gRPC dependencies of the service stay plain Node requires.
  serverExternalPackages: [
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@grpc/grpc-js',
    'pg',
    '@prisma/client',
    '@prisma/adapter-pg',
  ],
};

export default config;
