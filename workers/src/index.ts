export * from './activities';
export * from './config';
