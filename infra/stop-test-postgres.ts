import { TEST_ENV } from '../tests/support/env';
import { stopPostgres } from './stack/postgres';

/** Stops the integration tests' Postgres cluster (STEPWISE_TEST_PG_DIR, default .data/test/pg); `npm test` runs it at exit. */
stopPostgres(TEST_ENV.pgDataDir);
console.log(`stopped the test Postgres cluster in ${TEST_ENV.pgDataDir} (if it was running)`);
