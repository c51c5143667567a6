import type { ComputeActivities } from '@stepwise/core';
import type { ComputeWorkerConfig } from '../config';
import { loadAllowlistFromEnv } from '../command/allowlist';
import { createRunCommandTrial } from './command-trial';
import { evaluateFunctionBatch } from './function-batch';
import { createEvaluateSamplerBlock } from './sampler-block';
import { createRenderSampleGrid } from './sample-grid';
import { createDescribeModel } from './describe-model';

/** All compute activities a worker registers. The caps default as in computeWorkerConfigFromEnv. */
export function createComputeActivities(
  config: Pick<ComputeWorkerConfig, 'identity' | 'modelDir' | 'device'> & Partial<Pick<ComputeWorkerConfig, 'maxSamplesPerActivity' | 'referenceCacheBytes'>>,
): ComputeActivities {
  const { identity, modelDir, device, maxSamplesPerActivity, referenceCacheBytes } = config;
  return {
    describeModel: createDescribeModel({ identity, modelDir, device }),
    evaluateFunctionBatch: (input) => evaluateFunctionBatch(input, identity),
    evaluateSamplerBlock: createEvaluateSamplerBlock({ identity, modelDir, device, maxSamplesPerActivity, referenceCacheBytes }),
    runCommandTrial: createRunCommandTrial({ allowlist: loadAllowlistFromEnv(), identity }),
    renderSampleGrid: createRenderSampleGrid({ modelDir, device, maxSamplesPerActivity }),
  };
}
