/**
 * Adaptive Monte Carlo estimation: pure, deterministic given its inputs (randomness only through
 * an injected UniformSource/NormalSource), no Node built-ins, safe to import from workflow code.
 * Every persisted state (running statistics, race, Thresholdout) is plain JSON.
 */
export { EstimationError, ThresholdoutBudgetExhaustedError, type EstimationErrorCode } from './errors';
export * from './random';
export * from './running-stats';
export * from './multivariate-stats';
export * from './distributions';
export * from './intervals';
export * from './stopping';
export * from './paired';
export * from './ratio';
export * from './racing';
export * from './control-variates';
export * from './sliced-wasserstein';
export * from './thresholdout';
export { rankCandidates, type RankInput, type RankingEntry, type EvaluationSummary } from './ranking';
