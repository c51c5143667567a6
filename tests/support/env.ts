/** Ports and paths of the test services: distinct from the dev stack so both can run at once. */
export const TEST_ENV = {
  pgDataDir: process.env.STEPWISE_TEST_PG_DIR ?? '.data/test/pg',
  pgPort: Number(process.env.STEPWISE_TEST_PG_PORT ?? 54339),
  temporalPort: Number(process.env.STEPWISE_TEST_TEMPORAL_PORT ?? 7243),
  webPort: Number(process.env.STEPWISE_TEST_WEB_PORT ?? 3199),
};
