/**
 * Read-only views for the dashboard, as pure functions: a trial's estimate block by block, the
 * GP surrogate of a study on a 2-D slice, evenly thinned samples and parallel-coordinate axes.
 * The queries that feed them live in `@stepwise/db` (insights.ts); the in-memory dashboard
 * service uses them without loading a database client.
 */
export * from './blocks';
export * from './sampling';
export * from './surrogate';
export * from './parallel';
export * from './noise-aware-best';
export * from './importance';
export * from './edf';
