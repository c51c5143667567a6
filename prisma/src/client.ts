import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './generated/client';

export type Db = PrismaClient;
/** A client or an open interactive transaction: query functions accept either. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

/**
 * One Prisma client over a pg pool. `poolSize` bounds the connections this process opens:
 * an orchestrator worker with many concurrent DB activities wants more than a web server.
 */
export function createDb(databaseUrl = requireDatabaseUrl(), poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}

export function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: point it at the Stepwise Postgres database (npm run up prints it)');
  return url;
}
