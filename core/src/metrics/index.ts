/** Metrics as mergeable sufficient statistics (DESIGN section 6). Pure code: no I/O. */
export { assertKind, meanAndStderr, type MergeableStat } from './stat';
export { symmetricEigen, psdSqrt, matMul, type SymmetricEigen } from './symmetric-eigen';
export { rmseStat, type RmseState, type RmseBatch, type RmseResult } from './rmse';
export { gmmNllStat, type GmmNllState, type GmmNllBatch, type GmmNllResult } from './gmm-nll';
export { gaussianFitStat, packedSize, type GaussianFitState, type GaussianFit } from './gaussian-fit';
export { frechetDistance, frechetStat, gmmMoments, type FrechetState, type FrechetBatch, type FrechetResult } from './frechet';
export { mmdStat, mmd2Unbiased, medianBandwidth, type MmdState, type MmdBatch, type MmdResult } from './mmd';
