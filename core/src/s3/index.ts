/** S^3 solver-schedule search: pure code (no I/O), shared by the workflow's activities and the bench. */
export { ZS3Space, S3_RELAXATIONS, parseS3Space, nfeOf, orderCap, type S3Space, type TS3SpaceInput } from './space';
export { repair, R_MARGIN } from './draft';
export { randomSchedule } from './random';
export { presetSeeds, SEED_SPACINGS, type PresetSeed } from './seeds';
export { mutateTimesteps, mutateDecision, moveNfe, crossoverSteps, crossoverDecisions, S3_OPERATORS, type S3Operator } from './operators';
export { encodeSchedule, encodeAll, encodingDim } from './encoding';
export { spearman, kendall, averageRanks } from './rank';
export { PREDICTOR_NAMES, fitPredictor, crossValidate, targets, type PredictorName, type FittedPredictor, type HeldOut, type CrossValidateOptions } from './predictor';
export { proposeS3Stage, DEFAULT_PREDICTOR, S3_SEARCH_DEFAULTS, MAX_TRAIN, type S3SearchTuning, type S3Evaluated, type ProposeS3StageInput, type ProposeS3StageResult, type S3PredictorReport } from './search';
export { scheduleKey, schedulesEqual } from './key';
