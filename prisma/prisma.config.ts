import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate; migrate deploy where the schema engine is available).
// The project's own runner (src/migrate.ts) applies the same SQL without the engine.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://stepwise@127.0.0.1:54329/stepwise' },
});
