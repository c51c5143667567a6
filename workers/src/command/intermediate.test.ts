import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IntermediateReporter, MAX_POINTS_PER_SEND, parseIntermediateLine, type StepPoint } from './intermediate';
import { runProgram } from './run-program';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

describe('parseIntermediateLine', () => {
  it('reads a step and the metric', () => {
    expect(parseIntermediateLine('{"step": 3, "val_loss": 0.41, "val_acc": 0.8}', 'val_loss')).toEqual({ step: 3, value: 0.41 });
    expect(parseIntermediateLine('  {"step":0,"loss":-1e-3}  ', 'loss')).toEqual({ step: 0, value: -0.001 });
  });

  it('is null for anything that is not a per-step value of the metric', () => {
    for (const line of [
      'epoch 3/9 val_loss=0.4',
      '{"val_loss": 0.4}',
      '{"step": 3}',
      '{"step": 3, "loss": 0.4}',
      '{"step": 1.5, "val_loss": 0.4}',
      '{"step": -1, "val_loss": 0.4}',
      '{"step": "3", "val_loss": 0.4}',
      '{"step": 3, "val_loss": "0.4"}',
      '{"step": 3, "val_loss": NaN}',
      '{"step": 3, "val_loss": null}',
      '[3, 0.4]',
      '{"step": 3, "val_loss": 0.4',
      `{"step": 3, "val_loss": 0.4, "pad": "${'x'.repeat(5000)}"}`,
    ]) expect(parseIntermediateLine(line, 'val_loss'), line).toBeNull();
  });
});

describe('IntermediateReporter', () => {
  it('batches points, and close sends what is left in order', async () => {
    const sent: StepPoint[][] = [];
    const r = new IntermediateReporter({ everyMs: 60_000, send: async (p) => void sent.push(p) });
    for (let s = 1; s <= MAX_POINTS_PER_SEND + 5; s++) r.add({ step: s, value: 1 / s });
    await r.close();
    // The first batch went out at once; the rest waited for the period, then close sent them.
    expect(sent.map((b) => b.length)).toEqual([MAX_POINTS_PER_SEND, 5]);
    expect(sent.flat().map((p) => p.step)).toEqual(Array.from({ length: MAX_POINTS_PER_SEND + 5 }, (_, i) => i + 1));
    r.add({ step: 999, value: 0 });
    expect(sent.flat()).toHaveLength(MAX_POINTS_PER_SEND + 5);
  });

  it('keeps a batch whose send failed for the next send', async () => {
    const sent: StepPoint[][] = [];
    let fail = true;
    const r = new IntermediateReporter({
      everyMs: 60_000,
      send: async (p) => {
        if (fail) {
          fail = false;
          throw new Error('unavailable');
        }
        sent.push(p);
      },
    });
    r.add({ step: 1, value: 2 });
    r.add({ step: 2, value: 1 });
    await r.close();
    expect(sent.flat()).toEqual([{ step: 1, value: 2 }, { step: 2, value: 1 }]);
  });

  it('discard drops what is pending', async () => {
    const sent: StepPoint[][] = [];
    const r = new IntermediateReporter({ everyMs: 60_000, send: async (p) => void sent.push(p) });
    r.discard();
    r.add({ step: 1, value: 1 });
    await r.close();
    expect(sent).toEqual([]);
  });
});

describe('train_tiny.py --report-steps', () => {
  it('prints one value per epoch that the parser reads, and its last line stays the final metrics', async () => {
    const points: StepPoint[] = [];
    const result = await runProgram({
      program: { name: 'train-tiny', argv: ['python3', 'train_tiny.py', '--seed', '{seed}', '--report-steps'], cwd: EXAMPLES, timeoutSeconds: 60, env: {} },
      params: { lr: 0.3, hidden: 4, epochs: 6 },
      metric: 'val_loss',
      trialNumber: 0,
      seed: 1,
      onLine: (line) => {
        const p = parseIntermediateLine(line, 'val_loss');
        if (p) points.push(p);
      },
    });
    expect(result.status).toBe('completed');
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // The last epoch's validation loss is the final value.
    expect(points.at(-1)!.value).toBeCloseTo(result.value!, 5);
    expect(Object.keys(result.metrics)).toContain('val_acc');
  });
});
