/**
 * Every row id is a Postgres uuid. Ids arrive from URLs and API calls, so a lookup checks the
 * shape first: anything else is simply not found, never a query Postgres refuses with an error.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID_RE.test(id);
