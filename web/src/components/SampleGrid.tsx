'use client';

import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { SampleGridInput } from '@stepwise/core';
import { useTRPC } from '../lib/trpc';

/** What to draw: the sample request minus how many and from which seed (chosen here). */
export type SampleGridConfig = Omit<SampleGridInput, 'count' | 'seed'>;

/**
 * Samples of one solver configuration, drawn on a compute worker on request (the web server never
 * loads models): an image grid for image models, a 2-D histogram for 2-D ones.
 */
export function SampleGrid({ config, title }: { config: SampleGridConfig; title: string }) {
  const trpc = useTRPC();
  const [count, setCount] = useState(64);
  const draw = useMutation(trpc.samples.grid.mutationOptions());
  const image = draw.data;
  return (
    <div className="panel" data-testid="sample-grid">
      <h2>Samples</h2>
      <div className="muted" style={{ marginBottom: 8 }}>
        {title}: {config.model}, {config.preset} at {config.nfe} NFE
        {config.spacing ? `, ${config.spacing}` : ''}
        {config.guidance ? `, guidance ${config.guidance}` : ''}
        {config.label !== undefined ? `, label ${config.label}` : ''}
      </div>
      <label>
        samples{' '}
        <select value={count} onChange={(e) => setCount(Number(e.target.value))}>
          {[16, 64, 256].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>{' '}
      <button data-testid="sample-grid-draw" disabled={draw.isPending} onClick={() => draw.mutate({ ...config, count, seed: 0 } as never)}>
        {draw.isPending ? 'drawing…' : 'Draw samples'}
      </button>
      {draw.isPending && config.schedule === undefined && (config.preset === 'dpm-solver-v3' || config.preset === 'dc-solver') && (
        <div className="muted" data-testid="sample-grid-statistics-note">
          The first {config.preset} grid on a model waits while the compute worker computes the model&apos;s statistics (up to a few minutes on a small CPU); later ones reuse them.
        </div>
      )}
      {draw.error && <div className="error">{draw.error.message}</div>}
      {image && (
        <div style={{ marginTop: 10 }}>
          <img data-testid="sample-grid-image" src={image.dataUrl} alt={`${image.shape[0]} samples`} style={{ imageRendering: 'pixelated', maxWidth: '100%', minWidth: 256 }} />
        </div>
      )}
    </div>
  );
}
