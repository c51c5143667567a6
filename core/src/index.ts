export * from './rng';
export * from './config/space';
export * from './config/study';
export * from './functions/test-functions';
export * from './search/grid-search';
export * from './search/random-search';
export * from './search/plan';
export * from './contracts/compute';
