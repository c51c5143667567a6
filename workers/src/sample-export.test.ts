import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { encodeNpy, sampleToFile } from './sample-export';

describe('sample export', () => {
  it('writes a valid .npy header whose total length is a multiple of 64', () => {
    const buf = encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const headerLen = buf.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(buf.subarray(10, 10 + headerLen).toString('latin1')).toContain("'shape': (3, 2)");
    expect(new Float32Array(Uint8Array.from(buf.subarray(10 + headerLen)).buffer)).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
  });

  it('samples a 2-D testbed to .npy and .png', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-'));
    const npy = await sampleToFile({ model: 'gmm-2d', preset: 'dpmpp-2m', nfe: 10, count: 64, seed: 0, out: join(dir, 's.npy'), modelDir: dir });
    expect(npy.shape).toEqual([64, 2]);
    expect(npy.nfe).toBe(10);
    expect(readFileSync(join(dir, 's.npy')).length).toBeGreaterThan(64 * 2 * 4);
    await sampleToFile({ model: 'gmm-2d', preset: 'dpmpp-2m', nfe: 10, count: 256, seed: 0, out: join(dir, 's.png'), modelDir: dir });
    const png = PNG.sync.read(readFileSync(join(dir, 's.png')));
    expect(png.width).toBe(256);
    await expect(sampleToFile({ model: 'gmm-2d', preset: 'ddim', nfe: 5, count: 4, seed: 0, out: join(dir, 's.txt'), modelDir: dir })).rejects.toThrow(/--out/);
  }, 60_000);

  it('samples with the statistics-based presets, computing their statistics once in the model directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-'));
    for (const preset of ['dpm-solver-v3', 'dc-solver'] as const) {
      const out = await sampleToFile({ model: 'gmm-2d', preset, nfe: 6, count: 64, seed: 0, out: join(dir, `${preset}.npy`), modelDir: dir });
      expect([out.shape, out.nfe]).toEqual([[64, 2], 6]);
      const buf = readFileSync(join(dir, `${preset}.npy`));
      const data = new Float32Array(Uint8Array.from(buf.subarray(10 + buf.readUInt16LE(8))).buffer);
      expect(data.length === 128 && data.every(Number.isFinite)).toBe(true);
    }
    expect(readdirSync(join(dir, 'stats')).length).toBe(1); // one model checksum: EMS and ratios beside each other
  }, 120_000);

  it('draws a 64-D mixture as samples over data on its two main mean directions, not as 8x8 tiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-'));
    await sampleToFile({ model: 'gmm-64d', preset: 'unipc-bh2', nfe: 10, count: 512, seed: 0, out: join(dir, 'p.png'), modelDir: dir });
    const png = PNG.sync.read(readFileSync(join(dir, 'p.png')));
    expect([png.width, png.height]).toEqual([256, 256]);
    // Both layers are there: grey (data only) and blue (samples on top) pixels.
    let grey = 0, blue = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
      if (r === g && g === b && r < 250) grey++;
      if (b > r + 40) blue++;
    }
    expect(grey).toBeGreaterThan(50);
    expect(blue).toBeGreaterThan(50);
  }, 120_000);
});
