import type { TParam, TParams, TParamValue, TSpace } from '../config/space';

/**
 * Grid search as a mixed-radix counter: trial n is decoded directly, so no grid is ever
 * materialised and a 10^6-point grid costs nothing up front.
 */

/** The values one parameter takes on the grid. */
export function gridLevels(p: TParam): TParamValue[] {
  switch (p.type) {
    case 'float': {
      const k = p.gridPoints;
      if (k === 1) return [p.log ? Math.sqrt(p.low * p.high) : (p.low + p.high) / 2];
      return Array.from({ length: k }, (_, i) => {
        const f = i / (k - 1);
        return p.log ? Math.exp(Math.log(p.low) + f * (Math.log(p.high) - Math.log(p.low))) : p.low + f * (p.high - p.low);
      });
    }
    case 'int':
      return Array.from({ length: p.high - p.low + 1 }, (_, i) => p.low + i);
    case 'categorical':
      return [...p.choices];
  }
}

export function gridSize(space: TSpace): number {
  return space.reduce((n, p) => n * gridLevels(p).length, 1);
}

/** Trial n of the grid; the last parameter varies fastest. */
export function gridTrialParams(space: TSpace, trialNumber: number): TParams {
  const levels = space.map(gridLevels);
  const total = levels.reduce((n, l) => n * l.length, 1);
  if (!Number.isInteger(trialNumber) || trialNumber < 0 || trialNumber >= total) {
    throw new RangeError(`grid trial ${trialNumber} is outside the grid of ${total} points`);
  }
  const out: TParams = {};
  let rest = trialNumber;
  for (let i = space.length - 1; i >= 0; i--) {
    const l = levels[i];
    out[space[i].name] = l[rest % l.length];
    rest = Math.floor(rest / l.length);
  }
  return out;
}
