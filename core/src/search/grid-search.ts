import { hasConditions, isParamActive, type TParam, type TParams, type TParamValue, type TSpace } from '../config/space';

/**
 * Grid search as a mixed-radix counter: trial n is decoded directly, so no grid is ever
 * materialised and a 10^6-point grid costs nothing up front.
 *
 * With conditional parameters the grid is a tree: an inactive parameter takes no value, so a
 * branch where `momentum` is inactive holds one point where the others hold one per momentum
 * level. Trial n is still decoded directly, from the number of completions below each choice of
 * the parameters that others depend on (memoised on those choices only, so the work grows with
 * the number of distinct parent settings, not with the grid).
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

/**
 * Counts of the points of a (possibly conditional) product of per-parameter level lists, and
 * direct decoding of point n in counter order (the last parameter varies fastest). Shared by the
 * grid and by BO's count of an all-discrete space.
 */
export class LevelTree {
  private readonly parents: Set<string>;
  private readonly memo = new Map<string, number>();
  /** For suffix i: names of parameters before i that some parameter from i on depends on. */
  private readonly needed: string[][];

  constructor(readonly space: TSpace, readonly levels: TParamValue[][]) {
    this.parents = new Set(space.flatMap((p) => (p.when ? [p.when.param] : [])));
    this.needed = space.map((_, i) => {
      const later = new Set(space.slice(i).flatMap((p) => (p.when ? [p.when.param] : [])));
      return space.slice(0, i).map((p) => p.name).filter((n) => later.has(n));
    });
  }

  /** Number of points of the whole space. */
  get size(): number {
    return this.count(0, {});
  }

  /** Number of completions of params (the values of parameters 0..i-1) over parameters i.. */
  private count(i: number, params: TParams): number {
    const { space } = this;
    if (i >= space.length) return 1;
    const key = `${i}|${this.needed[i].map((n) => (n in params ? JSON.stringify(params[n]) : '-')).join('|')}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const p = space[i];
    let total: number;
    if (!isParamActive(space, p, params)) total = this.count(i + 1, params);
    else if (!this.parents.has(p.name)) total = this.levels[i].length * this.count(i + 1, params);
    else {
      total = 0;
      for (const v of this.levels[i]) total += this.count(i + 1, { ...params, [p.name]: v });
    }
    this.memo.set(key, total);
    return total;
  }

  /** Point n, 0 <= n < size. */
  point(n: number): TParams {
    const { space } = this;
    const out: TParams = {};
    let rest = n;
    for (let i = 0; i < space.length; i++) {
      const p = space[i];
      if (!isParamActive(space, p, out)) continue;
      const levels = this.levels[i];
      if (!this.parents.has(p.name)) {
        const below = this.count(i + 1, out);
        const idx = Math.floor(rest / below);
        out[p.name] = levels[idx];
        rest -= idx * below;
        continue;
      }
      for (const v of levels) {
        const below = this.count(i + 1, { ...out, [p.name]: v });
        if (rest < below) {
          out[p.name] = v;
          break;
        }
        rest -= below;
      }
    }
    return out;
  }
}

export function gridSize(space: TSpace): number {
  if (hasConditions(space)) return new LevelTree(space, space.map(gridLevels)).size;
  return space.reduce((n, p) => n * gridLevels(p).length, 1);
}

/** Trial n of the grid; the last parameter varies fastest. */
export function gridTrialParams(space: TSpace, trialNumber: number): TParams {
  const levels = space.map(gridLevels);
  const tree = hasConditions(space) ? new LevelTree(space, levels) : null;
  const total = tree ? tree.size : levels.reduce((n, l) => n * l.length, 1);
  if (!Number.isInteger(trialNumber) || trialNumber < 0 || trialNumber >= total) {
    throw new RangeError(`grid trial ${trialNumber} is outside the grid of ${total} points`);
  }
  if (tree) return tree.point(trialNumber);
  const out: TParams = {};
  let rest = trialNumber;
  for (let i = space.length - 1; i >= 0; i--) {
    const l = levels[i];
    out[space[i].name] = l[rest % l.length];
    rest = Math.floor(rest / l.length);
  }
  return out;
}
