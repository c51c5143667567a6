/**
 * Settings of the embedded stack (`npm run up`), each overridable by environment variable.
 * The same variables configure the distributed topology (docker-compose.yml).
 */
export function devStackSettings(env = process.env) {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isInteger(v) || v <= 0 || v > 65535) throw new Error(`${name} must be a port number, got "${env[name]}"`);
    return v;
  };
  const pgPort = num('STEPWISE_PG_PORT', 54329);
  const temporalPort = num('STEPWISE_TEMPORAL_PORT', 7233);
  return {
    dataDir: env.STEPWISE_DATA_DIR ?? '.data',
    pgPort,
    temporalPort,
    temporalUiPort: num('STEPWISE_TEMPORAL_UI_PORT', 8233),
    webPort: num('STEPWISE_WEB_PORT', 3000),
    databaseUrl: env.DATABASE_URL ?? `postgresql://stepwise@127.0.0.1:${pgPort}/stepwise`,
    temporalAddress: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`,
  };
}
