import { describe, expect, it } from 'vitest';
import { parseEverySeconds, parseFormat, parsePositiveInt, resolveConnection, scheduleSpec } from './args';
import { trpcEndpoint } from '../index';

describe('CLI argument parsers', () => {
  it('reads intervals in seconds or with a unit', () => {
    expect(parseEverySeconds('3600')).toBe(3600);
    expect(parseEverySeconds('90s')).toBe(90);
    expect(parseEverySeconds('15m')).toBe(900);
    expect(parseEverySeconds('2h')).toBe(7200);
    expect(parseEverySeconds('1D')).toBe(86400);
    for (const bad of ['0', '-5', '1.5', 'soon', '10w', '']) expect(() => parseEverySeconds(bad), bad).toThrow();
  });

  it('accepts csv, json and jsonl export formats only', () => {
    expect(parseFormat('CSV')).toBe('csv');
    expect(parseFormat('jsonl')).toBe('jsonl');
    expect(() => parseFormat('xlsx')).toThrow(/csv, json, jsonl/);
  });

  it('wants exactly one of --cron and --every', () => {
    expect(scheduleSpec({ cron: ' 0 3 * * * ' })).toEqual({ cron: '0 3 * * *' });
    expect(scheduleSpec({ every: 60 })).toEqual({ intervalSeconds: 60 });
    expect(() => scheduleSpec({ cron: '0 3 * * *', every: 60 })).toThrow(/not both/);
    expect(() => scheduleSpec({})).toThrow(/--cron/);
  });

  it('rejects non-positive limits', () => {
    expect(parsePositiveInt('10')).toBe(10);
    expect(() => parsePositiveInt('0')).toThrow();
    expect(() => parsePositiveInt('x')).toThrow();
  });

  it('takes the connection from flags, then the environment, then the default', () => {
    expect(resolveConnection({}, {})).toEqual({ url: 'http://localhost:3000', token: null });
    expect(resolveConnection({}, { STEPWISE_URL: 'http://h:4000', STEPWISE_API_TOKEN: 't' })).toEqual({ url: 'http://h:4000', token: 't' });
    expect(resolveConnection({ url: 'http://x', token: 'f' }, { STEPWISE_URL: 'http://h', STEPWISE_API_TOKEN: 't' })).toEqual({ url: 'http://x', token: 'f' });
  });

  it('derives the tRPC endpoint from the app URL', () => {
    expect(trpcEndpoint('http://localhost:3000')).toBe('http://localhost:3000/api/trpc');
    expect(trpcEndpoint('http://localhost:3000/')).toBe('http://localhost:3000/api/trpc');
    expect(trpcEndpoint('https://sw.example/api/trpc')).toBe('https://sw.example/api/trpc');
  });
});
