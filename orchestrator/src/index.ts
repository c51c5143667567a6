export * from './config';
export { createDbActivities, type DbActivities } from './activities/db-activities';
