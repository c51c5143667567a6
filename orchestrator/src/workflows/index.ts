// Workflow entry point for the bundler: only workflow code and types may be reachable from here.
export { studyWorkflow, progressQuery, pauseSignal, resumeSignal } from './study-workflow';
export type { StudyWorkflowInput, StudyProgress, ScheduledStudyInput } from '@stepwise/core';
export { scheduledStudyWorkflow } from './scheduled-study-workflow';
export { sampleGridWorkflow } from './sample-grid-workflow';
export { describeModelWorkflow } from './describe-model-workflow';
