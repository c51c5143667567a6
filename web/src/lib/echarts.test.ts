import { describe, expect, it } from 'vitest';
import { withSeriesIds } from './echarts';

describe('withSeriesIds', () => {
  it('gives each series a stable id so replaceMerge updates it in place', () => {
    const make = (n: number) => ({ series: [{ type: 'scatter', name: 'v', data: Array(n) }, { type: 'line', name: 'v', data: [] }, { type: 'line', name: 'v' }, { type: 'line', id: 'mine' }] });
    const a = withSeriesIds(make(1)).series as Array<{ id: string }>;
    const b = withSeriesIds(make(5)).series as Array<{ id: string }>;
    expect(a.map((s) => s.id)).toEqual(['scatter:v:0', 'line:v:0', 'line:v:1', 'mine']);
    expect(b.map((s) => s.id)).toEqual(a.map((s) => s.id));
  });
  it('leaves an option without series alone', () => {
    const o = { xAxis: {} };
    expect(withSeriesIds(o)).toBe(o);
  });
});
