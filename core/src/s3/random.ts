import { CounterRng } from '../rng';
import type { TPointRef, TSolverSchedule } from '../sampling/schedule';
import { R_MARGIN, finishDraft, lambdaEnds, type Draft, type DraftStage, type DraftStep } from './draft';
import { orderCap, type S3Space } from './space';

/**
 * Random members of the space with exactly space.nfe evaluations: a random split of the
 * evaluations into steps and intermediate points, a free monotone grid from tStart to tEnd
 * (explicit spacing), and random decisions per step. The rng is a seeded CounterRng, so a
 * (seed, stream) pair always gives the same schedules.
 */

export function pick<T>(rng: CounterRng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** A random increasing grid: a warped uniform grid with jitter, or sorted uniforms. */
export function randomLambdas(space: S3Space, steps: number, rng: CounterRng): number[] {
  const [l0, l1] = lambdaEnds(space);
  const u: number[] = [];
  if (rng.uniform() < 0.25) {
    for (let k = 1; k < steps; k++) u.push(rng.uniform());
    u.sort((a, b) => a - b);
  } else {
    // Warp exponent in [1/2.5, 2.5]: grids denser at either end, like the preset families.
    const p = Math.exp((2 * rng.uniform() - 1) * Math.log(2.5));
    const jitter = 0.3 * rng.uniform();
    for (let k = 1; k < steps; k++) u.push(Math.min(1, Math.max(0, ((k + jitter * (rng.uniform() - 0.5)) / steps) ** p)));
  }
  return [l0, ...u.map((x) => l0 + (l1 - l0) * x), l1];
}

/** Random derivative points for an update of `order` with prevAvail earlier steps and midAvail mids. */
export function randomPoints(rng: CounterRng, order: number, prevAvail: number, midAvail: number): TPointRef[] {
  const pool: TPointRef[] = [];
  for (let j = midAvail - 1; j >= 0; j--) pool.push({ mid: j });
  for (let k = 1; k <= Math.min(prevAvail, 4); k++) pool.push({ prev: k });
  const want = Math.min(pool.length, order - 1 + (rng.uniform() < 0.2 ? 1 : 0));
  // Mostly the newest points (what the published methods use); sometimes a random subset.
  if (rng.uniform() < 0.7) return pool.slice(0, want);
  const out: TPointRef[] = [];
  const rest = [...pool];
  while (out.length < want) out.push(rest.splice(rng.int(rest.length), 1)[0]);
  return out;
}

export function randomStage(rng: CounterRng, space: S3Space, i: number, j: number, r: number): DraftStage {
  const order = 1 + rng.int(Math.min(orderCap(space), 1 + i + j));
  return { r, order, points: randomPoints(rng, order, i, j) };
}

export function randomStep(rng: CounterRng, space: S3Space, i: number, mids: number, isLast: boolean): DraftStep {
  const rs = Array.from({ length: mids }, () => R_MARGIN + (1 - 2 * R_MARGIN) * rng.uniform()).sort((a, b) => a - b);
  const intermediate = rs.map((r, j) => randomStage(rng, space, i, j, r));
  const order = 1 + rng.int(Math.min(orderCap(space), 1 + i + mids));
  return {
    prediction: pick(rng, space.predictions),
    order,
    points: randomPoints(rng, order, i, mids),
    intermediate,
    interpolation: rng.uniform() < 0.85 ? space.interpolations[0] : pick(rng, space.interpolations),
    relaxation: pick(rng, space.relaxations),
    corrector: space.corrector && !isLast && rng.uniform() < 0.5,
  };
}

/** Split `total` intermediate points over `steps` steps, at most `cap` each. */
function spread(rng: CounterRng, total: number, steps: number, cap: number): number[] {
  const counts = new Array<number>(steps).fill(0);
  for (let m = 0; m < total; m++) {
    const open = counts.map((c, k) => (c < cap ? k : -1)).filter((k) => k >= 0);
    counts[pick(rng, open)]++;
  }
  return counts;
}

export function randomDraft(space: S3Space, rng: CounterRng): Draft {
  const afs = space.analyticFirstStep && rng.uniform() < 0.5;
  const evals = space.nfe + (afs ? 1 : 0);
  // Intermediate points: none half of the time (multistep), else a random share of the budget.
  const maxMids = space.maxIntermediate === 0 ? 0 : Math.floor((evals * space.maxIntermediate) / (space.maxIntermediate + 1));
  const mids = maxMids === 0 || rng.uniform() < 0.5 ? 0 : 1 + rng.int(maxMids);
  const steps = evals - mids;
  const counts = spread(rng, mids, steps, space.maxIntermediate);
  return {
    lambdas: randomLambdas(space, steps, rng),
    afs,
    steps: counts.map((m, i) => randomStep(rng, space, i, m, i === steps - 1)),
  };
}

/** A random valid schedule with exactly space.nfe evaluations. */
export function randomSchedule(space: S3Space, rng: CounterRng): TSolverSchedule {
  return finishDraft(randomDraft(space, rng), space);
}
