import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStepwiseClient, errorCode, errorIssues } from '@stepwise/client';
import type { ManagedProcess } from '../infra/stack/processes';
import { TEST_ENV } from './support/env';
import { startTestWeb } from './support/web';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * The HTTP API as scripts and the CLI see it: the real Next.js server with an API token
 * configured, the typed tRPC client, and the `stepwise` CLI as a subprocess.
 */
const w = testWorkerEnv('api');
const procs: ManagedProcess[] = [];
const TOKEN = 'test-token-4f1c9a';
const port = TEST_ENV.webPort + 1;
const url = `http://127.0.0.1:${port}`;

beforeAll(async () => {
  procs.push(...(await Promise.all([startOrchestrator(w), startCompute(w)])));
  procs.push(await startTestWeb(w, port, { STEPWISE_API_TOKEN: TOKEN }));
}, 600_000);

afterAll(async () => {
  for (const p of procs.reverse()) await stopProcess(p);
});

function cli(args: string[], token: string | null = TOKEN) {
  const r = spawnSync(process.execPath, ['client/bin/stepwise.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, STEPWISE_URL: url, STEPWISE_API_TOKEN: token ?? '' },
    timeout: 180_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('API with a token configured', () => {
  it('refuses calls without the token or with a wrong one, for queries and mutations alike', async () => {
    for (const token of [null, 'wrong-token']) {
      const client = createStepwiseClient({ url, token });
      const list = await client.studies.list.query({ limit: 5 }).catch((e) => e);
      expect(errorCode(list)).toBe('UNAUTHORIZED');
      const launch = await client.studies.launch
        .mutate({ config: { name: 'x', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 1 } } })
        .catch((e) => e);
      expect(errorCode(launch)).toBe('UNAUTHORIZED');
    }
    const raw = await fetch(`${url}/api/trpc/studies.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 1 } }))}`);
    expect(raw.status).toBe(401);
  });

  it('accepts the token; invalid configs come back with field-level issues', async () => {
    const client = createStepwiseClient({ url, token: TOKEN });
    const bad = await client.studies.launch
      .mutate({ config: { name: 'bad', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 10, parallel: 0 } } })
      .catch((e) => e);
    expect(errorCode(bad)).toBe('BAD_REQUEST');
    expect(errorIssues(bad).map((i) => i.field)).toContain('budget.parallel');
    const page = await client.studies.list.query({ limit: 5 });
    expect(Array.isArray(page.items)).toBe(true);
  });

  it('the CLI launches, watches, lists and exports a study', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
    const cfg = join(dir, 'study.yaml');
    writeFileSync(cfg, 'name: cli study\nkind: random\nobjective: { type: function, function: hartmann3 }\nbudget: { trials: 30, parallel: 6 }\nseed: 2\n');
    const launched = cli(['launch', cfg, '--watch']);
    expect(launched.code).toBe(0);
    expect(launched.out + launched.err).toMatch(/30\/30 trials.*completed/);
    const ls = cli(['ls', '--json']);
    expect(ls.code).toBe(0);
    const studies = JSON.parse(ls.out) as Array<{ id: string; name: string; status: string }>;
    const study = studies.find((s) => s.name === 'cli study');
    expect(study?.status).toBe('completed');
    const csv = cli(['export', study!.id, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.out.trim().split('\n');
    expect(lines).toHaveLength(31); // header + 30 trials
    const denied = cli(['ls'], 'nope');
    expect(denied.code).not.toBe(0);
    expect(denied.err.toLowerCase()).toContain('token');
  });
});
