import { describe, expect, it } from 'vitest';
import { contourGrid, filterRows, parseBound } from './insight-views';

const x = { name: 'x', type: 'float' as const, low: 0, high: 1, log: false, choices: null };
const c = { name: 'c', type: 'categorical' as const, low: null, high: null, log: false, choices: ['a', 'b'] };
const rows = [
  { number: 0, params: { x: 0.1, c: 'a' }, value: 1 },
  { number: 1, params: { x: 0.15, c: 'a' }, value: 3 },
  { number: 2, params: { x: 0.9, c: 'b' }, value: 10 },
];

describe('contourGrid', () => {
  it('averages the trials of each cell, one row per categorical choice', () => {
    const g = contourGrid(rows, x, c, 4);
    expect(g.xEdges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(g.yEdges).toEqual([-0.5, 0.5, 1.5]);
    expect(g.mean[0][0]).toBe(2);
    expect(g.count[0][0]).toBe(2);
    expect(g.mean[1][3]).toBe(10);
    expect(g.mean[1][0]).toBeNull();
  });
});

describe('filterRows', () => {
  it('keeps rows inside every range and choice set', () => {
    expect(filterRows(rows, [x, c], { ranges: { x: { max: 0.5 } }, choices: {}, value: {} }).map((r) => r.number)).toEqual([0, 1]);
    expect(filterRows(rows, [x, c], { ranges: {}, choices: { c: ['b'] }, value: {} }).map((r) => r.number)).toEqual([2]);
    expect(filterRows(rows, [x, c], { ranges: {}, choices: {}, value: { min: 2, max: 5 } }).map((r) => r.number)).toEqual([1]);
  });
  it('parses bounds, an empty or bad box leaves the bound open', () => {
    expect(parseBound(' 0.5 ')).toBe(0.5);
    expect(parseBound('')).toBeUndefined();
    expect(parseBound('abc')).toBeUndefined();
  });
});
