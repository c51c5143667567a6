import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllowlist, type AllowedProgram } from './allowlist';
import { parseMetricsLine, programEnv, runProgram } from './run-program';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');
const NODE = process.execPath;

let dir: string;
let scripts: string;
beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-run-')));
  scripts = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-scripts-')));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(scripts, { recursive: true, force: true });
});

/** An allowlisted `node -e <code> ...args` program running in the temp folder. */
function nodeProgram(code: string, over: Partial<AllowedProgram> = {}): AllowedProgram {
  return { name: 'test-prog', argv: [NODE, '-e', code], cwd: dir, timeoutSeconds: 30, env: {}, ...over };
}
const run = (program: AllowedProgram, extra: Partial<Parameters<typeof runProgram>[0]> = {}) =>
  runProgram({ program, params: {}, metric: 'loss', trialNumber: 3, seed: 11, ...extra });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runProgram', () => {
  it('runs examples/train_tiny.py: params on stdin, metrics from the last line', async () => {
    const list = loadAllowlist(path.join(EXAMPLES, 'commands.json'));
    const program = list.programs.get('train-tiny')!;
    const lines: string[] = [];
    const params = { lr: 0.3, hidden: 8, l2: 0.0001, epochs: 40 };
    const a = await runProgram({ program, params, metric: 'val_loss', trialNumber: 0, seed: 5, onLine: (l) => lines.push(l) });
    expect(a.error).toBeNull();
    expect(a.status).toBe('completed');
    expect(a.value).toBe(a.metrics.val_loss);
    expect(a.value!).toBeGreaterThan(0);
    expect(a.value!).toBeLessThan(0.7);
    expect(a.metrics.val_acc).toBeGreaterThan(0.5);
    expect(Object.keys(a.metrics)).toEqual(expect.arrayContaining(['val_loss', 'val_acc', 'train_loss', 'train_acc']));
    expect(a.exitCode).toBe(0);
    expect(lines[0]).toContain('seed=5');
    expect(lines.some((l) => l.startsWith('epoch 40/40'))).toBe(true);
    // Same params and seed: same result; the params really arrive (a different lr changes it).
    const b = await runProgram({ program, params, metric: 'val_loss', trialNumber: 1, seed: 5 });
    expect(b.value).toBe(a.value);
    const c = await runProgram({ program, params: { ...params, lr: 0.01 }, metric: 'val_loss', trialNumber: 2, seed: 5 });
    expect(c.status).toBe('completed');
    expect(c.value).not.toBe(a.value);
    // A parameter the program rejects fails the trial with its stderr.
    const d = await runProgram({ program, params: { momentum: 0.9 }, metric: 'val_loss', trialNumber: 3, seed: 5 });
    expect(d.status).toBe('failed');
    expect(d.error).toMatch(/exited with code 2[\s\S]*unknown parameter\(s\) momentum/);
  });

  it('passes params only on stdin: shell metacharacters are never interpreted', async () => {
    const params = { cmd: '"; rm -rf / #', sub: '$(touch pwned-sub)', tick: '`touch pwned-tick`', pipe: 'x | touch pwned-pipe && echo', glob: '*', nl: 'a\nb' };
    const echo = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log(JSON.stringify({stdin:s,argv:process.argv.slice(2)}));console.log(JSON.stringify({loss:1}))})`;
    // A script file, so that `--seed` is the script's argument and not node's.
    const script = path.join(scripts, 'echo.cjs');
    await fs.writeFile(script, echo);
    const program = nodeProgram(echo, { argv: [NODE, script, '--seed', '{seed}', '--trial', '{trial}'] });
    const lines: string[] = [];
    const r = await run(program, { params, onLine: (l) => lines.push(l) });
    expect(r.status).toBe('completed');
    const echoed = JSON.parse(lines[0]) as { stdin: string; argv: string[] };
    expect(JSON.parse(echoed.stdin)).toEqual(params);
    expect(echoed.stdin).toBe(`${JSON.stringify(params)}\n`);
    expect(echoed.argv).toEqual(['--seed', '11', '--trial', '3']);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('gives the child a minimal environment', async () => {
    const program = nodeProgram(`console.log(JSON.stringify({loss:0, env:process.env}))`, { env: { MY_SETTING: 'on' } });
    const lines: string[] = [];
    const r = await run(program, { baseEnv: { PATH: process.env.PATH, HOME: '/home/x', LANG: 'C.UTF-8', SECRET_TOKEN: 'nope' }, onLine: (l) => lines.push(l) });
    expect(r.status).toBe('completed');
    const env = (JSON.parse(lines[0]) as { env: Record<string, string> }).env;
    expect(env).toEqual({ PATH: process.env.PATH, HOME: '/home/x', LANG: 'C.UTF-8', MY_SETTING: 'on', STEPWISE_TRIAL: '3', STEPWISE_SEED: '11' });
    expect(programEnv(program, 1, 2, {}).PATH).toBeTruthy();
  });

  it('fails on a non-zero exit, with the stderr tail', async () => {
    const r = await run(nodeProgram(`console.error('x'.repeat(10000));console.error('Traceback: boom at line 3');console.log('{"loss": 1}');process.exit(1)`));
    expect(r.status).toBe('failed');
    expect(r.value).toBeNull();
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/test-prog exited with code 1\n--- stderr \(last 4 KiB\) ---\n/);
    expect(r.error).toContain('Traceback: boom at line 3');
    expect(r.stderrTail.length).toBeLessThanOrEqual(4096);
    expect(r.error!.length).toBeLessThan(4500);
  });

  it('fails on malformed or missing metrics', async () => {
    const bad = await run(nodeProgram(`console.log('{"loss": 0.5}');console.log('done, loss=0.5')`));
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/last stdout line is not JSON .*: done, loss=0\.5 \(stderr was empty\)/);

    const none = await run(nodeProgram(`console.error('warming up')`));
    expect(none.error).toMatch(/printed nothing on stdout[\s\S]*warming up/);

    const arr = await run(nodeProgram(`console.log('[1, 2]')`));
    expect(arr.error).toMatch(/must be a JSON object of metrics, got an array/);

    const missing = await run(nodeProgram(`console.log(JSON.stringify({acc: 0.9, note: 'hi'}))`));
    expect(missing.error).toMatch(/did not report metric "loss"; its last line has "acc", "note"/);
    expect(missing.metrics).toEqual({ acc: 0.9 });

    const nan = await run(nodeProgram(`console.log('{"loss": NaN, "acc": 0.5}')`));
    expect(nan.status).toBe('failed');
    expect(nan.error).toMatch(/reported metric "loss" as NaN, not a finite number/);
    expect(nan.metrics).toEqual({ acc: 0.5 });

    const str = await run(nodeProgram(`console.log('{"loss": "0.3"}')`));
    expect(str.error).toMatch(/as the string "0\.3", not a finite number/);

    // Trailing blank lines are fine; non-numeric values are dropped from metrics.
    const ok = await run(nodeProgram(`console.log('{"loss": 0.25, "tag": "a", "ok": true, "n": 3}\\n\\n  \\n')`));
    expect(ok).toMatchObject({ status: 'completed', value: 0.25, metrics: { loss: 0.25, n: 3 } });
  });

  it('keeps only the tail of a huge stdout', async () => {
    const r = await run(nodeProgram(`const line='y'.repeat(1023)+'\\n';for(let i=0;i<3072;i++)process.stdout.write(line);process.stdout.write(JSON.stringify({loss:2})+'\\n')`));
    expect(r).toMatchObject({ status: 'completed', value: 2 });
  });

  it('kills a program that runs past its timeout (SIGTERM, then SIGKILL) with its children', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const program = nodeProgram(
      `const {spawn}=require('child_process');const c=spawn('sleep',['60'],{stdio:'inherit'});require('fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));` +
        `process.on('SIGTERM',()=>console.error('ignoring SIGTERM'));console.error('started');setInterval(()=>{},1000)`,
      { timeoutSeconds: 1 },
    );
    const t0 = Date.now();
    const r = await run(program, { killGraceMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.status).toBe('failed');
    expect(r.timedOut).toBe(true);
    expect(r.error).toMatch(/timed out after 1 s[\s\S]*ignoring SIGTERM/);
    expect(r.exitSignal).toBe('SIGKILL');
    const grandchild = Number(await fs.readFile(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    expect(alive(grandchild)).toBe(false);
    await fs.rm(pidFile);
  });

  it('does not wait for a background process that keeps stdout open', async () => {
    const program = nodeProgram(`require('child_process').spawn('sleep',['60'],{stdio:'inherit',detached:false}).unref();console.log('{"loss":1}');process.exit(0)`);
    const t0 = Date.now();
    const r = await run(program);
    expect(r).toMatchObject({ status: 'completed', value: 1 });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('stops the program when the signal aborts', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const program = nodeProgram(`console.log('ready');setInterval(()=>{},1000)`);
    const r = await run(program, { signal: ac.signal, onLine: (l) => { lines.push(l); ac.abort(); } });
    expect(lines).toEqual(['ready']);
    expect(r).toMatchObject({ status: 'failed', cancelled: true, exitSignal: 'SIGTERM' });

    const pre = new AbortController();
    pre.abort();
    expect(await run(program, { signal: pre.signal })).toMatchObject({ status: 'failed', cancelled: true, exitCode: null });
  });

  it('reports a program that cannot be started', async () => {
    const r = await run({ name: 'ghost', argv: ['definitely-not-a-program-xyz'], cwd: dir, timeoutSeconds: 5, env: {} });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/could not start "definitely-not-a-program-xyz" .*ENOENT/);
  });
});

describe('parseMetricsLine', () => {
  it('reads the last non-empty line, accepting Python NaN/Infinity for the error message', () => {
    expect(parseMetricsLine('progress\n{"a": 1, "b": -Infinity}\n')).toEqual({ ok: true, raw: { a: 1, b: '-Infinity' }, metrics: { a: 1 } });
    expect(parseMetricsLine('')).toMatchObject({ ok: false });
    expect(parseMetricsLine('{"a": 1}\nnull')).toMatchObject({ ok: false, error: expect.stringContaining('got null') });
  });
});
