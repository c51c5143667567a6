import type { NextConfig } from 'next';

// The port comes from the command line (`next start -p $STEPWISE_WEB_PORT`, see infra/); Next
// itself also honours PORT. Nothing here is port-specific.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources with extensionless imports.
  transpilePackages: ['@stepwise/core', '@stepwise/db', '@stepwise/orchestrator'],
  // Native / gRPC dependencies of the orchestrator service stay plain Node requires.
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
