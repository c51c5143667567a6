export * from './rng';
export * from './config/space';
export * from './config/study';
export * from './functions/test-functions';
