import type { ComputeActivities } from '@stepwise/core';
import type { ComputeWorkerConfig } from '../config';
import { loadAllowlistFromEnv } from '../command/allowlist';
import { createRunCommandTrial } from './command-trial';
import { evaluateFunctionBatch } from './function-batch';
import { createEvaluateSamplerBlock } from './sampler-block';
import { createRenderSampleGrid } from './sample-grid';

/** All compute activities a worker registers. */
export function createComputeActivities(config: Pick<ComputeWorkerConfig, 'identity' | 'modelDir' | 'device'>): ComputeActivities {
  return {
    evaluateFunctionBatch: (input) => evaluateFunctionBatch(input, config.identity),
    evaluateSamplerBlock: createEvaluateSamplerBlock({ identity: config.identity, modelDir: config.modelDir, device: config.device }),
    runCommandTrial: createRunCommandTrial({ allowlist: loadAllowlistFromEnv(), identity: config.identity }),
    renderSampleGrid: createRenderSampleGrid({ modelDir: config.modelDir }),
  };
}
