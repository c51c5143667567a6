import { randomUUID } from 'node:crypto';
import type { SampleGridInput } from '@stepwise/core';
import type { ServiceDeps } from './context';

export type SampleGridRequest = SampleGridInput;

export interface SampleGrid {
  /** data:image/png;base64,... */
  dataUrl: string;
  shape: number[];
  nfe: number;
}

/**
 * Draws samples on a compute worker (through a short workflow) and returns them as a PNG. Most
 * grids take a second; the first dpm-solver-v3 grid on a model waits for its statistics (minutes
 * on a small CPU), hence the workflow's 20-minute bound.
 */
export function renderSamples({ temporal, queues }: ServiceDeps) {
  return async (input: SampleGridRequest): Promise<SampleGrid> => {
    const workflowId = `samples-${randomUUID()}`;
    const out = await temporal.workflow.execute('sampleGridWorkflow', {
      taskQueue: queues.taskQueue,
      workflowId,
      workflowExecutionTimeout: '20m',
      args: [{ ...input, computeQueue: queues.computeQueue }],
    });
    const result = out as { pngBase64: string; shape: number[]; nfe: number };
    return { dataUrl: `data:image/png;base64,${result.pngBase64}`, shape: result.shape, nfe: result.nfe };
  };
}
