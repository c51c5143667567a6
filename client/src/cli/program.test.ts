import { describe, expect, it } from 'vitest';
import { InMemoryStepwiseService, handleTrpcRequest } from '@stepwise/web/testing';
import { createStepwiseClient } from '../index';
import { runCli, type CliIO } from './program';

const BRANIN_YAML = `
name: branin-cli
kind: random
objective:
  type: function
  function: branin
budget:
  trials: 12
  parallel: 4
seed: 3
`;

/** The CLI against the real router and an in-memory service, through real HTTP serialization (no port). */
function harness(opts: { files?: Record<string, string>; requiredToken?: string; env?: Record<string, string>; failureRate?: number } = {}) {
  const now = { t: Date.UTC(2025, 0, 1) };
  const service = new InMemoryStepwiseService({ clock: () => now.t, trialDurationMs: 100, queueDelayMs: 0, failureRate: opts.failureRate });
  const out: string[] = [];
  const err: string[] = [];
  const files: Record<string, string> = {};
  const sentHeaders: Array<string | null> = [];
  const before = process.env.STEPWISE_API_TOKEN;
  const io: CliIO = {
    env: opts.env ?? {},
    out: async (s) => void out.push(s),
    err: (s) => void err.push(s),
    readFile: async (p) => {
      if (opts.files && p in opts.files) return opts.files[p];
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    },
    openOut: (p) => {
      files[p] = '';
      return { write: async (c) => void (files[p] += c), close: async () => {} };
    },
    // Each poll advances the simulated clock, so --watch terminates deterministically.
    sleep: async () => void (now.t += 100),
    createClient: (conn) =>
      createStepwiseClient({
        ...conn,
        fetch: async (input, init) => {
          const req = new Request(input as string, init as RequestInit);
          sentHeaders.push(req.headers.get('authorization'));
          if (opts.requiredToken) process.env.STEPWISE_API_TOKEN = opts.requiredToken;
          try {
            return await handleTrpcRequest(req, () => service);
          } finally {
            if (before === undefined) delete process.env.STEPWISE_API_TOKEN;
            else process.env.STEPWISE_API_TOKEN = before;
          }
        },
      }),
  };
  const run = async (...args: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runCli(['node', 'stepwise', ...args], io);
    return { code, out: out.join(''), err: err.join('') };
  };
  return { run, service, now, files, sentHeaders };
}

describe('stepwise CLI', () => {
  it('--watch on a study that did not complete prints why, and exits 1', async () => {
    const h = harness({ files: { 'b.yaml': BRANIN_YAML }, failureRate: 1 });
    const r = await h.run('launch', 'b.yaml', '--watch');
    expect(r.code).toBe(1);
    expect(r.out).toBe('failed: no completed trial; 0 completed, 12 failed of 12\n  why: every trial failed\n');
  });

  it('launches from YAML, watches to completion and prints the best value', async () => {
    const h = harness({ files: { 'b.yaml': BRANIN_YAML } });
    const r = await h.run('launch', 'b.yaml', '--watch');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^completed: best value = [\d.]+ \(trial #\d+\); 12 completed, 0 failed of 12\n$/);
    const launched = h.service.calls.find((c) => c.method === 'launchStudy')!.args[0] as { source: string };
    expect(launched.source).toBe('client');
  });

  it('prints a line for each improvement of the best value when stderr is not a terminal', async () => {
    const h = harness({ files: { 'b.yaml': BRANIN_YAML } });
    const r = await h.run('launch', 'b.yaml', '--watch');
    expect(r.code).toBe(0);
    const lines = r.err.split('\n').filter((l) => l.startsWith('new best '));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^new best -?[\d.e+-]+ at trial \d+$/);
    const values = lines.map((l) => Number(l.split(' ')[2]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const id = [...h.service.studies.keys()][0];
    const final = await h.service.getStudy(id);
    expect(lines.at(-1)).toBe(`new best ${Number(final.bestValue!.toPrecision(6))} at trial ${final.bestTrialNumber}`);
    // --json keeps stderr free of them.
    const json = await h.run('launch', 'b.yaml', '--watch', '--json');
    expect(json.err).not.toContain('new best');
  });

  it('shows the best value of a noisy study with its interval and n', async () => {
    const h = harness({ files: { 'n.yaml': BRANIN_YAML.replace('function: branin', 'function: branin\n  noiseStd: 0.5') } });
    const watched = await h.run('launch', 'n.yaml', '--watch');
    expect(watched.out).toMatch(/^completed: best value = [\d.]+ ± [\d.]+ \(CI \[[\d.-]+, [\d.]+\], n = 32\) \(trial #\d+\);/);
    expect(watched.err).toMatch(/new best [\d.]+ at trial \d+ \(± [\d.]+, n = 32\)/);
    const id = [...h.service.studies.keys()][0];
    const shown = (await h.run('show', id)).out;
    expect(shown).toMatch(/\nbest\s+[\d.]+ ± [\d.]+ \(CI \[[\d.-]+, [\d.]+\], n = 32\) \(trial #\d+\)\n/);
    expect(shown).toMatch(/\n  stderr\s+[\d.]+\n/);
    expect(shown).toMatch(/\n  params\s+x1=[\d.-]+ x2=[\d.-]+\n/);
  });

  it('prints field-level errors and exits 1 for an invalid config', async () => {
    const h = harness({ files: { 'bad.yaml': BRANIN_YAML.replace('parallel: 4', 'parallel: 5000').replace('trials: 12', 'trials: 0') } });
    const r = await h.run('launch', 'bad.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: invalid input');
    expect(r.err).toContain('  budget.parallel: Too big: expected number to be <=1024');
    expect(r.err).toContain('  budget.trials: ');
    // Refused by the service (which validates every entry point): nothing was created.
    expect((await h.run('ls')).out).toBe('no studies\n');
  });

  it('reports an unreadable or malformed file without calling the server', async () => {
    const h = harness({ files: { 'x.json': '{ "name": ' } });
    expect((await h.run('launch', 'missing.yaml')).err).toContain('cannot read missing.yaml: ENOENT');
    const r = await h.run('launch', 'x.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('x.json: not valid JSON');
    expect(h.service.calls).toHaveLength(0);
  });

  it('lists, shows and cancels studies', async () => {
    const h = harness({ files: { 'b.yaml': BRANIN_YAML } });
    await h.run('launch', 'b.yaml');
    const id = [...h.service.studies.keys()][0];
    const ls = await h.run('ls');
    expect(ls.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+STATUS\s+PROGRESS\s+BEST\s+SOURCE\s+CREATED$/);
    expect(ls.out).toContain('branin-cli');
    const json = JSON.parse((await h.run('ls', '--json')).out) as Array<{ id: string; createdAt: string }>;
    expect(json[0].id).toBe(id);
    expect(json[0].createdAt).toBe('2025-01-01T00:00:00.000Z');
    expect((await h.run('show', id)).out).toMatch(/^id\s+st_/);
    expect((await h.run('cancel', id)).out).toBe(`${id}  cancelled\n`);
    const missing = await h.run('show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('study nope not found');
  });

  it('exports every trial as CSV across pages, and as JSON to a file', async () => {
    const h = harness({ files: { 'b.yaml': BRANIN_YAML.replace('trials: 12', 'trials: 1203').replace('parallel: 4', 'parallel: 1024') } });
    await h.run('launch', 'b.yaml');
    h.now.t += 1000;
    const id = [...h.service.studies.keys()][0];
    const csv = await h.run('export', id, '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.out.trimEnd().split('\n');
    expect(lines[0]).toBe('number,status,value,stderr,ci_low,ci_high,n,param.x1,param.x2,attempt,worker,started_at,finished_at,error');
    expect(lines).toHaveLength(1 + 1203);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: 1203 }, (_, i) => i));
    const pages = h.service.calls.filter((c) => c.method === 'listTrials');
    expect(pages).toHaveLength(3);

    const r = await h.run('export', id, '--format', 'json', '--out', 'trials.json');
    expect(r.err).toBe('exported 1203 trials to trials.json\n');
    const rows = JSON.parse(h.files['trials.json']) as Array<{ number: number; finishedAt: string }>;
    expect(rows).toHaveLength(1203);
    expect(rows[5].number).toBe(5);
    expect(typeof rows[5].finishedAt).toBe('string');
  });

  it('creates and manages schedules', async () => {
    const h = harness({ files: { 't.yaml': BRANIN_YAML } });
    const both = await h.run('schedule', 'create', '--name', 'n', '--cron', '0 3 * * *', '--every', '1h', '--template', 't.yaml');
    expect(both.code).toBe(1);
    expect(both.err).toContain('give either --cron or --every, not both');
    const bad = await h.run('schedule', 'create', '--name', 'n', '--every', 'soon', '--template', 't.yaml');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("option '--every <interval>' argument 'soon' is invalid");

    const created = await h.run('schedule', 'create', '--name', 'nightly', '--every', '1h', '--template', 't.yaml');
    expect(created.code).toBe(0);
    const id = [...h.service.schedules.keys()][0];
    expect(created.out).toBe(`created schedule ${id}  nightly  (every 3600s)\n`);
    expect((await h.run('schedule', 'pause', id)).out).toBe(`${id}  paused\n`);
    expect((await h.run('schedule', 'unpause', id)).out).toBe(`${id}  active\n`);
    expect((await h.run('schedule', 'trigger', id)).out).toContain('triggered (1 studies so far)');
    expect((await h.run('schedule', 'ls')).out).toContain('every 3600s');
    expect((await h.run('schedule', 'rm', id)).out).toBe(`deleted ${id}\n`);
    expect((await h.run('schedule', 'ls')).out).toBe('no schedules\n');
  });

  it('sends STEPWISE_API_TOKEN as a Bearer header and explains UNAUTHORIZED', async () => {
    const denied = harness({ requiredToken: 'tok' });
    const r = await denied.run('ls');
    expect(r.code).toBe(1);
    expect(r.err).toContain('STEPWISE_API_TOKEN');
    const allowed = harness({ requiredToken: 'tok', env: { STEPWISE_API_TOKEN: 'tok' } });
    expect((await allowed.run('ls')).code).toBe(0);
    expect(allowed.sentHeaders).toContain('Bearer tok');
  });

  it('exits 1 on unknown commands and 0 for --help', async () => {
    const h = harness();
    expect((await h.run('frobnicate')).code).toBe(1);
    const help = await h.run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('launch [options] <file>');
  });
});
