import { chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { portOpen, runChecked, startProcess, waitFor, type ManagedProcess } from './processes';
import { readyOrExit } from './supervisor';

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

/**
 * Run as root, the cluster belongs to the postgres user, which must be able to reach its
 * directory: a clone under a 0700 home (/root/stepwise) is closed to it, and initdb would only say
 * "Permission denied". Names the directory that blocks it and what to do instead.
 */
function checkReachableByPostgres(dataDir: string): void {
  const abs = resolve(dataDir);
  const canEnter = (dir: string) => spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { stdio: 'ignore' }).status === 0;
  const chain: string[] = [];
  for (let d = dirname(abs); ; d = dirname(d)) {
    chain.unshift(d);
    if (dirname(d) === d) break;
  }
  const blocked = chain.find((d) => !canEnter(d));
  if (!blocked) return;
  throw new Error(
    `the postgres user cannot reach ${abs}: ${blocked} is closed to other users (mode ${(statSync(blocked).mode & 0o777).toString(8)}). ` +
      `Running as root, Postgres runs as the postgres user. Either set STEPWISE_DATA_DIR to a directory it can reach ` +
      `(e.g. STEPWISE_DATA_DIR=/var/lib/stepwise npm run up), clone Stepwise outside ${blocked} (e.g. /opt/stepwise), ` +
      `or let other users pass through it: chmod o+x ${blocked}`,
  );
}

function initCluster(bin: string, dataDir: string, user: string): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
  if (isRoot) {
    checkReachableByPostgres(dataDir);
    const ids = runChecked('id', ['-u', 'postgres']).trim();
    const gid = runChecked('id', ['-g', 'postgres']).trim();
    chownSync(dataDir, Number(ids), Number(gid));
  }
  pgRun(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-locale']);
}

/** Server settings as `-c` pairs (the same for pg_ctl and for a foreground server). */
function serverSettings(opts: PostgresOptions, dataDir: string): string[] {
  const settings = [
    '-p', String(opts.port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${dataDir}`,
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
  ];
  if (opts.unsafeFast) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return settings;
}

async function ensureDatabase(opts: PostgresOptions, user: string): Promise<void> {
  const adminUrl = `postgresql://${user}@127.0.0.1:${opts.port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

async function accepting(port: number, user: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: `postgresql://${user}@127.0.0.1:${port}/postgres` });
  await c.connect();
  await c.end();
  return true;
}

/** Starts the cluster (initialising it on first use) and makes sure the database exists. Idempotent. */
export async function startPostgres(opts: PostgresOptions): Promise<string> {
  const bin = findPgBin();
  const dataDir = resolve(opts.dataDir);
  const user = opts.user ?? 'stepwise';
  initCluster(bin, dataDir, user);
  if (!(await portOpen(opts.port))) {
    const settings = serverSettings(opts, dataDir).map((a) => (a.startsWith('-') ? a : `'${a}'`)).join(' ');
    pgRun(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
  }
  await waitFor(`Postgres on port ${opts.port}`, () => accepting(opts.port, user));
  await ensureDatabase(opts, user);
  return databaseUrl(opts);
}

/**
 * The server as a child process in the foreground (`postgres -D ...`, no pg_ctl daemon), so a
 * supervisor sees it exit and can start it again. A server an earlier run left behind on this data
 * directory is stopped first; anything else on the port is an error. `spawned` gets the process at
 * once; the promise resolves when it accepts connections and the database exists.
 */
export async function startPostgresChild(
  opts: PostgresOptions,
  logFile: string,
  spawned: (p: ManagedProcess) => void = () => {},
): Promise<ManagedProcess> {
  const bin = findPgBin();
  const dataDir = resolve(opts.dataDir);
  const user = opts.user ?? 'stepwise';
  initCluster(bin, dataDir, user);
  if (existsSync(join(dataDir, 'postmaster.pid'))) stopPostgres(dataDir);
  if (await portOpen(opts.port)) throw new Error(`port ${opts.port} is taken by another program: set STEPWISE_PG_PORT to a free port`);
  const server = join(bin, 'postgres');
  const args = ['-D', dataDir, ...serverSettings(opts, dataDir)];
  // setpriv changes user and execs, so the pid we hold is the postmaster's own (runuser would fork).
  const [cmd, full] = isRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', server, ...args]] : [server, args];
  const proc = startProcess('postgres', cmd, full, { logFile, detached: true });
  spawned(proc);
  await readyOrExit(proc, `Postgres on port ${opts.port}`, () => accepting(opts.port, user), 60_000);
  await ensureDatabase(opts, user);
  return proc;
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
