import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/**
 * The README's S^3 Pareto plot: metric (log scale) against NFE, per model a panel, the best tuned
 * baseline (blue) and the searched schedule (red) on the holdout seeds with their 95% intervals,
 * the predictor-free search in grey. Drawn pixel by pixel (pngjs only; a 3x5 bitmap font for the
 * few labels), so the bench needs no plotting stack.
 */

interface Line {
  model: string; metric: string; nfe: number;
  baseline: { holdout: number; interval: [number, number] };
  searched: { holdout: number; interval: [number, number] };
  predictor_off: { searched: { holdout: number; interval: [number, number] } } | null;
}

const FONT: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001001001001', '8': '111101111101111', '9': '111101111001111',
  '.': '000000000000010', '-': '000000111000000', 'e': '000111111100111', ' ': '000000000000000',
  A: '010101111101101', B: '110101110101110', C: '111100100100111', D: '110101101101110', E: '111100111100111', F: '111100111100100',
  G: '111100101101111', I: '111010010010111', K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101',
  O: '111101101101111', P: '111101111100100', R: '110101110101101', S: '111100111001111', T: '111010010010010', U: '101101101101111',
  H: '101101111101101', W: '101101111111101', Y: '101101010010010', X: '101101010101101', V: '101101101101010', '/': '001001010100100',
};

type Rgb = [number, number, number];

class Canvas {
  readonly png: PNG;
  constructor(readonly width: number, readonly height: number) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }
  dot(x: number, y: number, c: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.png.data[i] = c[0]; this.png.data[i + 1] = c[1]; this.png.data[i + 2] = c[2]; this.png.data[i + 3] = 255;
  }
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, w = 1): void {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let k = 0; k <= n; k++) {
      const x = x0 + ((x1 - x0) * k) / n, y = y0 + ((y1 - y0) * k) / n;
      for (let dx = -(w >> 1); dx <= w >> 1; dx++) for (let dy = -(w >> 1); dy <= w >> 1; dy++) this.dot(x + dx, y + dy, c);
    }
  }
  disc(x: number, y: number, r: number, c: Rgb): void {
    for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) if (dx * dx + dy * dy <= r * r) this.dot(x + dx, y + dy, c);
  }
  text(x: number, y: number, s: string, c: Rgb, scale = 2): void {
    for (const ch of s.toUpperCase().replace(/E(?=[-\d])/g, 'e')) {
      const g = FONT[ch] ?? FONT[' '];
      for (let r = 0; r < 5; r++) for (let col = 0; col < 3; col++) {
        if (g[r * 3 + col] === '1') for (let a = 0; a < scale; a++) for (let b = 0; b < scale; b++) this.dot(x + col * scale + a, y + r * scale + b, c);
      }
      x += 4 * scale;
    }
  }
}

const BLUE: Rgb = [31, 90, 200], RED: Rgb = [210, 40, 40], GREY: Rgb = [140, 140, 140], INK: Rgb = [30, 30, 30], GRID: Rgb = [225, 225, 225];

export function writeS3Plot(lines: Line[], file: string): void {
  const models = [...new Set(lines.map((l) => l.model))];
  if (models.length === 0) return;
  const W = 520, H = 380, M = { l: 70, r: 20, t: 40, b: 50 };
  const canvas = new Canvas(W * models.length, H);
  models.forEach((model, mi) => {
    const ls = lines.filter((l) => l.model === model).sort((a, b) => a.nfe - b.nfe);
    const ox = mi * W;
    const nfes = ls.map((l) => l.nfe);
    const ys = ls.flatMap((l) => [l.baseline.interval, l.searched.interval, (l.predictor_off?.searched ?? l.searched).interval].flat()).filter((v) => v > 0);
    const lo = Math.log10(Math.min(...ys)) - 0.05, hi = Math.log10(Math.max(...ys)) + 0.05;
    const X = (n: number) => ox + M.l + ((n - Math.min(...nfes) + 0.5) / (Math.max(...nfes) - Math.min(...nfes) + 1)) * (W - M.l - M.r);
    const Y = (v: number) => M.t + (1 - (Math.log10(Math.max(v, 1e-12)) - lo) / (hi - lo)) * (H - M.t - M.b);
    for (let d = Math.ceil(lo * 4) / 4; d <= hi; d += 0.25) {
      canvas.line(ox + M.l, Y(10 ** d), ox + W - M.r, Y(10 ** d), GRID);
      canvas.text(ox + 4, Y(10 ** d) - 5, (10 ** d).toPrecision(2), INK, 2);
    }
    canvas.line(ox + M.l, M.t, ox + M.l, H - M.b, INK, 1);
    canvas.line(ox + M.l, H - M.b, ox + W - M.r, H - M.b, INK, 1);
    for (const n of nfes) canvas.text(X(n) - 4, H - M.b + 8, String(n), INK, 2);
    canvas.text(ox + W / 2 - 12, H - 18, 'NFE', INK, 2);
    canvas.text(ox + M.l, 10, `${model} ${ls[0]?.metric ?? ''}`.replace(/_/g, ' '), INK, 2);
    const series: Array<[Rgb, (l: Line) => { holdout: number; interval: [number, number] }, number]> = [
      [BLUE, (l) => l.baseline, -6], [GREY, (l) => l.predictor_off?.searched ?? l.searched, 0], [RED, (l) => l.searched, 6],
    ];
    for (const [color, pick, shift] of series) {
      ls.forEach((l, i) => {
        const p = pick(l);
        canvas.line(X(l.nfe) + shift, Y(p.interval[0]), X(l.nfe) + shift, Y(p.interval[1]), color, 1);
        canvas.disc(X(l.nfe) + shift, Y(p.holdout), 3, color);
        if (i > 0) canvas.line(X(ls[i - 1].nfe) + shift, Y(pick(ls[i - 1]).holdout), X(l.nfe) + shift, Y(p.holdout), color, 1);
      });
    }
    canvas.text(ox + W - 190, M.t, 'BASELINE', BLUE, 2);
    canvas.text(ox + W - 190, M.t + 14, 'S3 SEARCH', RED, 2);
    canvas.text(ox + W - 190, M.t + 28, 'NO PREDICTOR', GREY, 2);
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(canvas.png));
}
