export * from './client';
export * from './migrate';
export * from './studies';
export * from './trials';
export * from './schedules';
export * from './insights';
export type { StudyKind, StudySource, StudyStatus, TrialStatus } from './generated/enums';
export * from './s3';
export * from './intermediates';
