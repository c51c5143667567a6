/**
 * Bayesian optimization engine: pure TypeScript, no I/O. The orchestrator calls proposeBatch;
 * benchmarks call runOptimizer; the pieces are exported for tests and experiments.
 */
export { proposeBatch, BO_METHODS } from './propose';
export type { BoMethod, BoObservation, BoProposal, BoState, ProposeBatchInput, ProposeBatchResult, ProposeOptions } from './propose';
export { runOptimizer } from './bench-harness';
export type { RunOptimizerInput, RunOptimizerResult } from './bench-harness';
export { createEncoding, encodeParams, decodePoint, snapPoint, paramsKey, discreteSize } from './encoding';
export type { SpaceEncoding, CoordinateKind } from './encoding';
export { SobolSequence, SOBOL_MAX_DIM, sobolDesign, randomDesign } from './sobol';
export { GpModel, GpObjective, fitGp, gpPrior } from './gp';
export type { GpData, GpFitOptions, PosteriorPoint } from './gp';
export { Matern52Kernel } from './kernel';
export type { Kernel, KernelKind, HyperPrior } from './kernel';
export { IbnnKernel } from './ibnn';
export type { IbnnOptions } from './ibnn';
export { StationaryIbnnKernel } from './ibnn-stationary';
export type { StationaryIbnnOptions } from './ibnn-stationary';
export { LogExpectedImprovement, UpperConfidenceBound, expectedImprovement } from './acquisition';
export type { Acquisition, AcquisitionGrad } from './acquisition';
export { AcquisitionOptimizer } from './optimize-acquisition';
export type { AcqOptimizeOptions, AcqCandidate } from './optimize-acquisition';
export { TpeSampler } from './tpe';
export { dominates, hypervolume, paretoFront } from './pareto';
export type { ObjectiveDirection } from './pareto';
export { chebyshevScalarize, proposeParEgo, simplexWeights } from './parego';
export type { MoObservation, ProposeParEgoInput } from './parego';
export { proposeMultiObjective } from './propose-multi';
export { hypervolumeCurve, hypervolumeReference, OBSERVED_REFERENCE_MARGIN } from './pareto-report';
export type { HypervolumePoint, HypervolumeReference } from './pareto-report';
export type { MultiProposal, ProposeMultiInput } from './propose-multi';
export { BRANIN_CURRIN, zdt1 } from '../functions/multi-objective';
export type { MultiObjectiveFunction } from '../functions/multi-objective';
export type { TpeOptions } from './tpe';
export { logH, erfc, erfcx, normCdf, normLogCdf, normPdf, normQuantile, log1mexp } from './special';
export { minimizeLbfgs } from '../optim/lbfgs';
export type { LbfgsOptions, LbfgsResult, ObjectiveWithGradient } from '../optim/lbfgs';
