import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { InMemoryStepwiseService, handleTrpcRequest } from '@stepwise/web/testing';
import { createStepwiseClient } from '../index';
import { runCli, type CliIO } from './program';
import { parseSampleOut, resolveModelDir, scaleFor, type SampleRequest } from './sample';
import { pngSize, scalePng } from './png-scale';

/** A w x h RGBA PNG whose pixel (x, y) is (x, y, x + y) — what a compute worker would send. */
function testPng(w: number, h: number): Buffer {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) png.data.set([x, y, x + y, 255], (y * w + x) * 4);
  return PNG.sync.write(png);
}

/** The demo service with a picture where a compute worker would draw one (the CLI's side is under test). */
class PictureService extends InMemoryStepwiseService {
  grids: unknown[] = [];
  override async renderSamples(...args: unknown[]): Promise<never> {
    this.grids.push(args[0]);
    return { dataUrl: `data:image/png;base64,${testPng(82, 82).toString('base64')}`, shape: [64, 64], nfe: 10 } as never;
  }
}

function harness(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: SampleRequest[] = [];
  const files = new Map<string, Buffer>();
  let loads = 0;
  const now = { t: Date.UTC(2025, 0, 1) };
  const service = new PictureService({ clock: () => now.t, trialDurationMs: 100, queueDelayMs: 0 });
  const io: CliIO = {
    env,
    writeBinary: async (path, bytes) => void files.set(path, bytes),
    readBinary: async (path) => files.get(path) ?? Promise.reject(new Error(`no file ${path}`)),
    out: async (s) => void out.push(s),
    err: (s) => void err.push(s),
    loadSampler: async () => {
      loads++;
      return async (req) => {
        requests.push(req);
        if (req.out.toLowerCase().endsWith('.png')) files.set(req.out, testPng(100, 50));
        return { path: req.out, shape: [req.count, 2], nfe: req.nfe };
      };
    },
    createClient: (conn) => createStepwiseClient({ ...conn, fetch: async (input, init) => handleTrpcRequest(new Request(input as string, init as RequestInit), () => service) }),
  };
  const run = async (...args: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runCli(['node', 'stepwise', ...args], io);
    return { code, out: out.join(''), err: err.join('') };
  };
  return { run, requests, files, loads: () => loads, service, now };
}

describe('stepwise sample', () => {
  it('passes the parsed arguments to the sampler, with defaults for count, seed and the model directory', async () => {
    const h = harness();
    const r = await h.run('sample', '--model', 'gmm-2d', '--preset', 'ddim', '--nfe', '10', '--out', 'samples.npy');
    expect(r.code).toBe(0);
    expect(h.requests).toEqual([{ model: 'gmm-2d', preset: 'ddim', nfe: 10, count: 64, seed: 0, out: 'samples.npy', modelDir: '.data/models' }]);
    expect(r.out).toBe('wrote samples.npy  (64x2 samples of gmm-2d, ddim at 10 NFE, seed 0)\n');
  });

  it('draws a .png through the API (no local sampler), enlarged to be readable or by --scale', async () => {
    const h = harness();
    const r = await h.run('sample', '--model', 'digits', '--preset', 'ddim', '--nfe', '10', '--label', '3', '--out', 'grid.png');
    expect(r.code, r.err).toBe(0);
    expect(h.loads()).toBe(0);
    expect(h.service.grids).toEqual([{ model: 'digits', preset: 'ddim', nfe: 10, label: 3, count: 64, seed: 0 }]);
    // 82 px across becomes 7 x 82 = 574 px (at least 512).
    expect(pngSize(h.files.get('grid.png')!)).toEqual({ width: 574, height: 574 });
    expect(r.out).toBe('wrote grid.png  (64x64 samples of digits, ddim at 10 NFE, seed 0, scale 7)\n');
    await h.run('sample', '--model', 'digits', '--preset', 'ddim', '--nfe', '10', '--out', 'big.png', '--scale', '2');
    expect(pngSize(h.files.get('big.png')!)).toEqual({ width: 164, height: 164 });
    const bad = await h.run('sample', '--model', 'digits', '--preset', 'ddim', '--nfe', '10', '--out', 'x.png', '--scale', '0');
    expect(bad.err).toMatch(/--scale.*whole number from 1 to 64/);
  });

  it('scales PNG pixels by nearest neighbour, every pixel kept', () => {
    const scaled = PNG.sync.read(scalePng(testPng(5, 3), 3));
    expect([scaled.width, scaled.height]).toEqual([15, 9]);
    for (const [x, y] of [[0, 0], [14, 8], [7, 4], [3, 2]]) {
      const p = (y * 15 + x) * 4;
      const [sx, sy] = [Math.floor(x / 3), Math.floor(y / 3)];
      expect(Array.from(scaled.data.subarray(p, p + 4))).toEqual([sx, sy, sx + sy, 255]);
    }
    expect(scaleFor(82)).toBe(7);
    expect(scaleFor(1000)).toBe(1);
    expect(scaleFor(82, 3)).toBe(3);
  });

  it('reads every option, and STEPWISE_MODEL_DIR when --model-dir is not given (--local)', async () => {
    const h = harness({ STEPWISE_MODEL_DIR: '/models' });
    await h.run('sample', '--model', 'm.onnx', '--preset', 'dpmpp-2m', '--nfe', '6', '--spacing', 'karras', '--count', '16', '--seed', '7', '--out', 'grid.PNG', '--local');
    expect(h.requests[0]).toEqual({ model: 'm.onnx', preset: 'dpmpp-2m', nfe: 6, spacing: 'karras', count: 16, seed: 7, out: 'grid.PNG', modelDir: '/models' });
    await h.run('sample', '--model', 'm.onnx', '--preset', 'ddim', '--nfe', '6', '--out', 'a.npy', '--model-dir', 'here');
    expect(h.requests[1].modelDir).toBe('here');
  });

  it('refuses an --out that is not .npy or .png, naming --out, before loading the sampler', async () => {
    const h = harness();
    for (const out of ['samples.jpg', 'samples', '.npy', 'dir/.png']) {
      const r = await h.run('sample', '--model', 'gmm-2d', '--preset', 'ddim', '--nfe', '10', '--out', out);
      expect(r.code, out).toBe(1);
      expect(r.err, out).toMatch(/--out/);
      expect(r.err, out).toMatch(/\.npy or \.png/);
    }
    expect(h.loads()).toBe(0);
    expect(h.requests).toEqual([]);
  });

  it('refuses bad presets, spacings, NFE, counts and seeds, and missing required options', async () => {
    const h = harness();
    const base = ['sample', '--model', 'gmm-2d', '--out', 's.npy'];
    const cases: Array<[string[], RegExp]> = [
      [['--preset', 'euler', '--nfe', '10'], /--preset.*expected one of ddim/],
      [['--preset', 'ddim', '--nfe', '0'], /--nfe.*positive whole number/],
      [['--preset', 'ddim', '--nfe', '10', '--spacing', 'linear'], /--spacing.*expected one of logSNR/],
      [['--preset', 'ddim', '--nfe', '10', '--count', '-1'], /--count/],
      [['--preset', 'ddim', '--nfe', '10', '--seed', '1.5'], /--seed.*whole number >= 0/],
      [['--nfe', '10'], /give --preset and --nfe, or a whole schedule with --schedule/],
    ];
    for (const [args, message] of cases) {
      const r = await h.run(...base, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const noOut = await h.run('sample', '--model', 'gmm-2d', '--preset', 'ddim', '--nfe', '10');
    expect(noOut.err).toMatch(/required option '--out <file>' not specified/);
    expect(h.requests).toEqual([]);
  });

  it('reports a sampler failure as an error line', async () => {
    const h = harness();
    const io = { loadSampler: async () => async () => Promise.reject(new Error('model nope.onnx not found in .data/models')) };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['node', 'stepwise', 'sample', '--model', 'nope.onnx', '--preset', 'ddim', '--nfe', '4', '--out', 'x.npy'], {
      env: {},
      out: async (s) => void out.push(s),
      err: (s) => void err.push(s),
      ...io,
    });
    expect(code).toBe(1);
    expect(err.join('')).toBe('error: model nope.onnx not found in .data/models\n');
    expect(h.requests).toEqual([]);
  });

  it('parses --out and the model directory as pure functions', () => {
    expect(parseSampleOut('a/b.npy')).toBe('a/b.npy');
    expect(() => parseSampleOut('a.npz')).toThrow(/--out must be a file ending in \.npy or \.png, got "a\.npz"/);
    expect(resolveModelDir(undefined, {})).toBe('.data/models');
    expect(resolveModelDir(undefined, { STEPWISE_MODEL_DIR: '/m' })).toBe('/m');
    expect(resolveModelDir('x', { STEPWISE_MODEL_DIR: '/m' })).toBe('x');
  });
});

describe('stepwise show (evaluate study)', () => {
  const config = `
name: race
kind: evaluate
objective:
  type: sampler
  model: gmm-2d
  estimation: { minSamples: 32, maxSamples: 512, blockSize: 32 }
candidates:
  - { preset: ddim, nfe: 4 }
  - { preset: dpmpp-2m, nfe: 10 }
  - { preset: dpmpp-2m, nfe: 40 }
holdout: { start: 10000, size: 128 }
budget: { trials: 3, parallel: 3 }
seed: 2
`;

  it('prints the race while it runs and the ranking table once it has finished', async () => {
    const h = harness();
    const launchOut: string[] = [];
    const io = { readFile: async () => config };
    const launch = await runCli(['node', 'stepwise', 'launch', 'race.yaml', '--json'], {
      env: {},
      out: async (s) => void launchOut.push(s),
      err: () => {},
      ...io,
      createClient: (conn) => createStepwiseClient({ ...conn, fetch: async (input, init) => handleTrpcRequest(new Request(input as string, init as RequestInit), () => h.service) }),
    });
    expect(launch).toBe(0);
    const id = JSON.parse(launchOut.join('')).id as string;

    h.now.t += 150;
    const running = await h.run('show', id);
    expect(running.out).toMatch(/\nrace: look 1, [123] of 3 candidates alive, 32 seeds each, 96 evaluations\n/);
    expect(running.out).toMatch(/\n\s+#\d+\s+preset=\S+ nfe=\d+\s+[\d.]+\s+32\s+leader\n/);

    h.now.t += 100 * 100;
    const done = await h.run('show', id);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/^status\s+completed$/m);
    expect(done.out).toMatch(/\nranking \(minimize rmse; numbers from holdout seeds \(never seen by the race\); race outcome [a-z-]+, \d+ race evaluations\)\n/);
    const table = done.out.slice(done.out.indexOf('RANK'));
    const rows = table.trimEnd().split('\n').slice(1, 4).map((l) => l.trim().split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(rows[0].slice(6, 9)).toEqual(['-', '-', 'best']);
    for (const r of rows) {
      expect(r[4]).toMatch(/^\[[\d.e-]+, [\d.e-]+\]$/);
      expect(r[5]).toBe('128');
      expect(r[9]).toMatch(/^\d+$/);
      expect(r[10]).toMatch(/^(survived|eliminated at look \d+)$/);
    }
    // nfe 4 is far worse than nfe 40 on the synthetic model: its paired interval excludes 0.
    expect(rows.find((r) => r[2] === 'preset=ddim nfe=4')?.[8]).toBe('significantly worse');
  });
});
