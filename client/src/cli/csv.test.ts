import { describe, expect, it } from 'vitest';
import { csvField, trialCsvHeader, trialCsvRow, type CsvTrial } from './csv';

const trial: CsvTrial = {
  number: 7,
  status: 'completed',
  value: 0.39788735772973816,
  stderr: 0.0125,
  ciLow: 0.373,
  ciHigh: 0.4224,
  n: 32,
  params: { x1: 3.141592653589793, x2: 2.275, optimizer: 'adam, beta=0.9' },
  attempt: 1,
  worker: 'gpu-0',
  error: null,
  startedAt: new Date('2025-01-02T03:04:05.000Z'),
  finishedAt: new Date('2025-01-02T03:04:06.500Z'),
};

describe('trial CSV', () => {
  it('writes a header with prefixed parameter columns', () => {
    expect(trialCsvHeader(['x1', 'x2', 'optimizer'])).toBe(
      'number,status,value,stderr,ci_low,ci_high,n,param.x1,param.x2,param.optimizer,attempt,worker,started_at,finished_at,error\n',
    );
  });

  it('writes full-precision numbers, ISO timestamps, empty nulls and quoted text', () => {
    expect(trialCsvRow(trial, ['x1', 'x2', 'optimizer'])).toBe(
      '7,completed,0.39788735772973816,0.0125,0.373,0.4224,32,3.141592653589793,2.275,"adam, beta=0.9",1,gpu-0,2025-01-02T03:04:05.000Z,2025-01-02T03:04:06.500Z,\n',
    );
  });

  it('leaves missing values empty, in the header order', () => {
    const failed: CsvTrial = { ...trial, status: 'failed', value: null, stderr: null, ciLow: null, ciHigh: null, n: null, params: { x2: 1 }, error: 'OOM on "gpu-0"\nretrying', finishedAt: null };
    expect(trialCsvRow(failed, ['x1', 'x2'])).toBe('7,failed,,,,,,,1,1,gpu-0,2025-01-02T03:04:05.000Z,,"OOM on ""gpu-0""\nretrying"\n');
  });

  it('escapes per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(true)).toBe('true');
    expect(csvField(Number.NaN)).toBe('NaN');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(1e-12)).toBe('1e-12');
  });
  it('writes a schedule parameter as one quoted JSON column that parses back to the same schedule', () => {
    const schedule = { version: 1, noiseSchedule: 'vp-linear', timesteps: { spacing: 'explicit', values: [1, 0.5, 0.001] }, analyticFirstStep: false, steps: [{ order: 1 }, { order: 2, prediction: 'data' }] };
    const row = trialCsvRow({ ...trial, params: { schedule, nfe: 2 } }, ['schedule', 'nfe']);
    const quoted = /^7,completed,[^"]*,("(?:[^"]|"")*"),2,/.exec(row);
    expect(quoted).not.toBeNull();
    expect(JSON.parse(quoted![1].slice(1, -1).replace(/""/g, '"'))).toEqual(schedule);
  });
});
