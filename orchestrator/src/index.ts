export * from './config';
export * from './service-types';
export { createService, createServiceFromConfig, parseStudyConfig } from './service-impl';
export { createDbActivities, type DbActivities } from './activities/db-activities';
