import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { portOpen, runChecked, waitFor } from './processes';

/**
 * A project-local Postgres cluster run from the Debian server binaries. Postgres refuses to run
 * as root, so when we are root the cluster belongs to the `postgres` system user and every
 * server command goes through `runuser`.
 */

export interface PostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  user?: string;
  /** Faster, not crash-safe: only for throwaway test clusters. */
  unsafeFast?: boolean;
}

export function findPgBin(): string {
  const fromEnv = process.env.STEPWISE_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0], 'bin');
  }
  throw new Error('no Postgres server binaries found: install the Debian "postgresql" package (infra/install.sh does) or set STEPWISE_PG_BIN');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function asOwner(bin: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function pgRun(bin: string, args: string[]): string {
  const [cmd, full] = asOwner(bin, args);
  return runChecked(cmd, full);
}

export function databaseUrl(opts: PostgresOptions): string {
  return `postgresql://${opts.user ?? 'stepwise'}@127.0.0.1:${opts.port}/${opts.database}`;
}

/** Starts the cluster (initialising it on first use) and makes sure the database exists. Idempotent. */
export async function startPostgres(opts: PostgresOptions): Promise<string> {
  const bin = findPgBin();
  const dataDir = resolve(opts.dataDir);
  const user = opts.user ?? 'stepwise';
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    if (isRoot) {
      const ids = runChecked('id', ['-u', 'postgres']).trim();
      const gid = runChecked('id', ['-g', 'postgres']).trim();
      chownSync(dataDir, Number(ids), Number(gid));
    }
    pgRun(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-locale']);
  }
  if (!(await portOpen(opts.port))) {
    const settings = [
      `-p ${opts.port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dataDir}'`,
      '-c max_connections=200',
      '-c shared_buffers=256MB',
    ];
    if (opts.unsafeFast) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
    pgRun(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
  }
  const adminUrl = `postgresql://${user}@127.0.0.1:${opts.port}/postgres`;
  await waitFor(`Postgres on port ${opts.port}`, async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.end();
    return true;
  });
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(opts);
}

export function stopPostgres(dataDir: string): void {
  const abs = resolve(dataDir);
  if (!existsSync(join(abs, 'postmaster.pid'))) return;
  const bin = findPgBin();
  const [cmd, args] = asOwner(join(bin, 'pg_ctl'), ['-D', abs, '-m', 'fast', '-w', 'stop']);
  spawnSync(cmd, args, { stdio: 'ignore' });
}

/** Drops and recreates a database: tests start from a clean schema. */
export async function recreateDatabase(opts: PostgresOptions): Promise<string> {
  const user = opts.user ?? 'stepwise';
  const admin = new pg.Client({ connectionString: `postgresql://${user}@127.0.0.1:${opts.port}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${opts.database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${opts.database}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(opts);
}
