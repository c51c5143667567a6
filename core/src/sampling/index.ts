/**
 * Diffusion sampling engine (USF): pure TypeScript, no I/O and no Node built-ins, so Temporal
 * workflows, workers and browsers all import the same code. Named exports only, so that the
 * package index can re-export this module without clashing with other modules' helpers.
 */
export {
  NOISE_SCHEDULE_NAMES,
  getNoiseSchedule,
  logAlphaFromLambda,
  VpLinearSchedule,
  VpCosineSchedule,
  DdpmDiscreteSchedule,
  type NoiseSchedule,
  type NoiseScheduleName,
} from './noise-schedules';
export { SPACING_NAMES, makeTimesteps, validateTimesteps, timestepsProblem, type SpacingName, type SpacingOptions } from './spacings';
export {
  ZSolverSchedule,
  ZStepDecision,
  ZIntermediatePoint,
  ZPointRef,
  ZTimestepsSpec,
  PREDICTION_TYPES,
  RELAXATIONS,
  INTERPOLATIONS,
  MAX_ORDER,
  MAX_INTERMEDIATE,
  scheduleNfe,
  scheduleTimesteps,
  formatScheduleIssues,
  type TSolverSchedule,
  type TSolverScheduleInput,
  type TStepDecision,
  type TStepDecisionInput,
  type TIntermediatePoint,
  type TPointRef,
  type TTimestepsSpec,
  type TPrediction,
  type TRelaxation,
  type TInterpolation,
} from './schedule';
export { updateCoefficients, phiFunctions, relaxationFactor, SECOND_DERIVATIVE_FACTOR, type UpdateSpec, type UpdateCoefficients, type NodeInfo } from './coefficients';
export { asNoisePredictor, MODEL_PREDICTIONS, type Denoiser, type FloatArray, type ModelPrediction } from './denoiser';
export { sampleUsf, planUsf, type SampleUsfOptions, type SampleUsfResult, type UsfPlan, type PlannedStep, type PlannedUpdate } from './usf';
export {
  INTERMEDIATE_RULES, PRESET_NAMES, STATISTICAL_PRESET_NAMES, SAMPLER_PRESET_NAMES, buildPresetSchedule, isStatisticalPreset, presetOrder, singlestepFractions,
  type IntermediateRule, type PresetName, type PresetOptions, type SamplerPresetName, type StatisticalPresetName,
} from './presets';
export {
  isotropicGaussian,
  gaussianEps,
  gaussianDenoiser,
  gaussianFlowSolution,
  createGmm,
  evaluateGmm,
  gmmLogDensity,
  gmmScore,
  gmmEps,
  gmmDenoiser,
  sampleGmm,
  sampleGmmBatch,
  GMM_DATA_STREAM_OFFSET,
  type IsotropicGaussian,
  type IsotropicGmm,
  type GmmSpec,
  type GmmEvaluation,
} from './gaussian';
export { combineGuidance, classifierFreeGuidance } from './guidance';
export {
  computeEms,
  emsLambdas,
  emsToJson,
  emsFromJson,
  degenerateEms,
  type EmpiricalModelStatistics,
  type EmsJson,
  type EmsOptions,
  type ComputeEmsOptions,
} from './ems';
export { planDpmSolverV3, sampleDpmSolverV3, type DpmSolverV3Options, type DpmSolverV3Plan, type SampleDpmSolverV3Options } from './dpm-solver-v3';
export {
  sampleDcSolver,
  fitDcRatios,
  referenceTrajectory,
  fitCascadeRegression,
  predictDcRatios,
  DC_RATIO_RANGE,
  type DcSolverOptions,
  type SampleDcSolverOptions,
  type FitDcRatiosOptions,
  type CprFit,
} from './dc-solver';
export { gmmCifarRecipe } from './testbed-recipes';
