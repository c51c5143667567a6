import type { TParamValue, TSpace } from '../config/space';

export interface ParallelAxisOut {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: number | null;
  high: number | null;
  log: boolean;
  choices: TParamValue[] | null;
}

export function parallelAxes(space: TSpace): ParallelAxisOut[] {
  return space.map((p) =>
    p.type === 'categorical'
      ? { name: p.name, type: p.type, low: null, high: null, log: false, choices: [...p.choices] }
      : { name: p.name, type: p.type, low: p.low, high: p.high, log: p.log, choices: null },
  );
}
