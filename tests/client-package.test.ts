import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import { handleTrpcRequest } from '../web/src/server/handler';
import { openApiDocument } from '../web/src/server/openapi';
import { appRouter } from '../web/src/server/router';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * The client as a script author outside this repository gets it: client/build-lib.mjs builds
 * client/lib, which is installed into a fresh temporary directory (no monorepo, no tsx) and used
 * from an ES module, from CommonJS and from type-checked TypeScript, against the real API (the
 * router over HTTP on the real service, Postgres and Temporal, with real workers).
 */
const run = promisify(execFile);
const w = testWorkerEnv('clientpkg');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let close: () => Promise<void>;
let server: Server;
let url: string;
let dir: string;

beforeAll(async () => {
  await run(process.execPath, ['client/build-lib.mjs'], { cwd: resolve('.') });
  dir = mkdtempSync(join(tmpdir(), 'stepwise-client-'));
  mkdirSync(join(dir, 'node_modules/@stepwise'), { recursive: true });
  cpSync(resolve('client/lib'), join(dir, 'node_modules/@stepwise/client'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "script", "private": true }\n');

  live.push(...(await Promise.all([startOrchestrator(w, 'clientpkg-orch'), startCompute(w, 'clientpkg-compute')])));
  ({ service, close } = await connectService(w));
  server = createServer(async (req, res) => {
    if (req.url === '/api/openapi.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(openApiDocument()));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []));
    const r = await handleTrpcRequest(
      new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks) }),
      () => service,
    );
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  server?.close();
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const node = (file: string) => run(process.execPath, [file], { cwd: dir, env: { ...process.env, STEPWISE_URL: url, NODE_PATH: '' } });

// The same script in both module systems: a refused launch (field errors), then launch, watch, read trials.
const body = `
const client = createStepwiseClient({ url: process.env.STEPWISE_URL });
const out = {};
try {
  await client.studies.launch.mutate({ config: { name: 'pkg typo', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 3, paralel: 2 } } });
} catch (err) {
  out.refused = { code: errorCode(err), issues: errorIssues(err), isClientError: err instanceof TRPCClientError };
}
const study = await client.studies.launch.mutate({ config: { name: 'pkg ok', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 3, parallel: 3 }, seed: 5 } });
let s = study;
while (!['completed', 'failed', 'cancelled'].includes(s.status)) {
  await new Promise((r) => setTimeout(r, 250));
  s = await client.studies.get.query({ id: study.id.slice(0, 8) });
}
const trials = await client.trials.list.query({ studyId: study.id, limit: 10 });
out.final = { status: s.status, createdAtIsDate: s.createdAt instanceof Date, best: s.bestValue, trials: trials.items.map((t) => t.status) };
out.endpoint = trpcEndpoint('http://x:1/');
console.log(JSON.stringify(out));
`;

function check(stdout: string) {
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(out.refused).toEqual({ code: 'BAD_REQUEST', isClientError: true, issues: [{ field: 'budget.paralel', message: 'unknown key "paralel"; did you mean "parallel"?' }] });
  expect(out.final.status).toBe('completed');
  expect(out.final.createdAtIsDate).toBe(true);
  expect(typeof out.final.best).toBe('number');
  expect(out.final.trials).toEqual(['completed', 'completed', 'completed']);
  expect(out.endpoint).toBe('http://x:1/api/trpc');
}

describe('@stepwise/client from a clean directory', () => {
  it('works as an ES module', async () => {
    writeFileSync(join(dir, 'esm.mjs'), `import { createStepwiseClient, errorCode, errorIssues, trpcEndpoint, TRPCClientError } from '@stepwise/client';\n${body}`);
    check((await node('esm.mjs')).stdout);
  }, 180_000);

  it('works from CommonJS (require)', async () => {
    writeFileSync(join(dir, 'cjs.cjs'), `const { createStepwiseClient, errorCode, errorIssues, trpcEndpoint, TRPCClientError } = require('@stepwise/client');\n(async () => {\n${body}\n})();`);
    check((await node('cjs.cjs')).stdout);
  }, 180_000);

  it('types every procedure: a correct script type-checks, a wrong field does not', async () => {
    const good = `import { createStepwiseClient, type StepwiseOutputs } from '@stepwise/client';
const client = createStepwiseClient({ url: 'http://localhost:3000' });
export async function best(id: string): Promise<number | null> {
  const s: StepwiseOutputs['studies']['get'] = await client.studies.get.query({ id });
  const page = await client.trials.list.query({ studyId: id, limit: 5 });
  return page.items.length ? s.bestValue : null;
}
`;
    const bad = `import { createStepwiseClient } from '@stepwise/client';
const client = createStepwiseClient();
export async function wrong(): Promise<number> {
  const n: number = (await client.studies.get.query({ id: 'x' })).name;
  return n + (await client.studies.get.mutate({ id: 'x' }));
}
`;
    writeFileSync(join(dir, 'good.ts'), good);
    writeFileSync(join(dir, 'bad.ts'), bad);
    const tsc = resolve('node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false'];
    await run(process.execPath, [tsc, ...flags, 'good.ts'], { cwd: dir });
    const failed = await run(process.execPath, [tsc, ...flags, 'bad.ts'], { cwd: dir }).then(() => null, (e: { stdout: string }) => e.stdout);
    expect(failed).toMatch(/bad\.ts\(4,9\): error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(failed).toMatch(/Property 'mutate' does not exist/);
  }, 120_000);

  it('the OpenAPI document describes every procedure from its zod schemas', async () => {
    const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
    expect(doc.openapi).toBe('3.0.3');
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);
    for (const [path, p] of procedures) expect(Object.keys(doc.paths[`/api/trpc/${path}`] ?? {}), path).toEqual([p._def.type === 'query' ? 'get' : 'post']);
    const launch = doc.paths['/api/trpc/studies.launch'].post.requestBody.content['application/json'].schema;
    expect(launch.properties.json.properties.config).toEqual({ $ref: '#/components/schemas/StudyConfig' });
    expect(doc.components.schemas.StudyConfig.required).toEqual(expect.arrayContaining(['name', 'kind', 'objective', 'budget']));
    const get = doc.paths['/api/trpc/studies.get'].get.responses[200].content['application/json'].schema;
    expect(get.properties.result.properties.data.properties.json.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });
  });

  it('the Python example (standard library only) launches, watches and reads trials, and prints field errors', async () => {
    const { stdout, stderr } = await run('python3', [resolve('examples/python/stepwise_api.py')], { cwd: dir, env: { ...process.env, STEPWISE_URL: url } });
    expect(stderr).toContain('refused (BAD_REQUEST):\n  budget.paralel: unknown key "paralel"; did you mean "parallel"?');
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out).toMatchObject({ status: 'completed', trials: 6 });
    expect(out.best.value).toBeGreaterThanOrEqual(0.397);
    expect(Object.keys(out.best.params)).toEqual(['x1', 'x2']);
  }, 180_000);
});
