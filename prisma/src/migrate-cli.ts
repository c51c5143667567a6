import { migrate } from './migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set: point it at the Postgres database to migrate');
  process.exit(2);
}
const result = await migrate(url);
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already in place`);
