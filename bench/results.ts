import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * Result recording without the service stack: benches that need no database (bo) import this
 * file directly, so they run on a fresh clone where the Prisma client is not generated.
 */

/** Figures are printed as one JSON line each and saved together under bench/results/<name>.json. */
export class Results {
  private readonly figures: Array<Record<string, unknown>> = [];
  constructor(private readonly name: string) {}

  add(figure: Record<string, unknown>): void {
    const line = { bench: this.name, ...figure };
    this.figures.push(line);
    console.log(JSON.stringify(line));
  }

  /** The figures recorded so far (for a plot drawn from them). */
  lines(): ReadonlyArray<Record<string, unknown>> {
    return this.figures;
  }

  save(meta: Record<string, unknown> = {}): void {
    mkdirSync('bench/results', { recursive: true });
    const machine = { cpus: availableParallelism(), node: process.version };
    writeFileSync(join('bench/results', `${this.name}.json`), JSON.stringify({ name: this.name, date: new Date().toISOString(), machine, ...meta, figures: this.figures }, null, 2) + '\n');
  }
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
