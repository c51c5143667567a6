import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowlistError, EMPTY_ALLOWLIST, expandArgv, loadAllowlist, loadAllowlistFromEnv, parseAllowlist } from './allowlist';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

let dir: string;
let outside: string;
beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-allowlist-')));
  outside = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-outside-')));
  await fs.mkdir(path.join(dir, 'jobs'));
  await fs.writeFile(path.join(dir, 'a-file'), '');
  await fs.symlink(outside, path.join(dir, 'escape'));
  await fs.symlink(path.join(dir, 'jobs'), path.join(dir, 'inside-link'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

const entry = (over: Record<string, unknown> = {}) => ({ argv: ['python3', 'run.py', '--seed', '{seed}'], cwd: '.', ...over });
const parse = (json: unknown) => parseAllowlist(json, { baseDir: dir, file: path.join(dir, 'commands.json') });
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AllowlistError);
    return (err as Error).message;
  }
  throw new Error('expected an AllowlistError');
}

describe('command allowlist', () => {
  it('loads the example allowlist, resolving cwd to the file folder and applying defaults', async () => {
    const list = loadAllowlist(path.join(EXAMPLES, 'commands.json'));
    expect(list.file).toBe(path.join(EXAMPLES, 'commands.json'));
    const p = list.programs.get('train-tiny')!;
    expect(p.argv).toEqual(['python3', 'train_tiny.py', '--seed', '{seed}']);
    expect(p.cwd).toBe(await fs.realpath(EXAMPLES));
    expect(p.timeoutSeconds).toBeGreaterThan(0);

    const minimal = parse({ programs: { job: { argv: ['./job'] } } });
    expect(minimal.programs.get('job')).toMatchObject({ name: 'job', cwd: dir, timeoutSeconds: 600, env: {} });
  });

  it('resolves cwd inside the folder, symlinks included', async () => {
    const list = parse({ programs: { a: entry({ cwd: 'jobs' }), b: entry({ cwd: 'inside-link' }), c: entry({ cwd: './jobs/' }) } });
    expect(list.programs.get('a')!.cwd).toBe(path.join(dir, 'jobs'));
    expect(list.programs.get('b')!.cwd).toBe(path.join(dir, 'jobs'));
    expect(list.programs.get('c')!.cwd).toBe(path.join(dir, 'jobs'));
  });

  it('rejects placeholders other than {seed} and {trial}, naming the entry and field', async () => {
    const msg = errorOf(() => parse({ programs: { 'train-x': entry({ argv: ['python3', 'run.py', '--lr', '{lr}'] }) } }));
    expect(msg).toContain('programs.train-x.argv[3]');
    expect(msg).toContain('"{lr}"');
    expect(msg).toContain('only {seed} and {trial}');
    expect(errorOf(() => parse({ programs: { x: entry({ argv: ['run', '--p={params}'] }) } }))).toContain('programs.x.argv[1]');
    expect(errorOf(() => parse({ programs: { x: entry({ argv: ['run', '{seed'] }) } }))).toMatch(/argv\[1\]: unbalanced/);
    expect(errorOf(() => parse({ programs: { x: entry({ argv: ['{seed}.sh'] }) } }))).toMatch(/argv\[0\]: the executable \(argv\[0\]\) cannot contain a placeholder/);
    expect(errorOf(() => parse({ programs: { x: entry({ argv: [] }) } }))).toMatch(/programs\.x\.argv: argv needs at least the executable/);
    expect(parse({ programs: { x: entry({ argv: ['run', '--seed={seed}', '--trial', 'T{trial}-{seed}'] }) } }).programs.size).toBe(1);
  });

  it('rejects a cwd that leaves the allowlist folder', async () => {
    expect(errorOf(() => parse({ programs: { up: entry({ cwd: '../' }) } }))).toMatch(/programs\.up\.cwd: "\.\.\/" must not contain "\.\."/);
    expect(errorOf(() => parse({ programs: { up: entry({ cwd: 'jobs/../..' }) } }))).toContain('programs.up.cwd');
    expect(errorOf(() => parse({ programs: { abs: entry({ cwd: '/etc' }) } }))).toMatch(/programs\.abs\.cwd: "\/etc" must be relative/);
    expect(errorOf(() => parse({ programs: { link: entry({ cwd: 'escape' }) } }))).toMatch(/programs\.link\.cwd: "escape" resolves to .* outside/);
    expect(errorOf(() => parse({ programs: { gone: entry({ cwd: 'missing' }) } }))).toMatch(/programs\.gone\.cwd: "missing" does not exist/);
    expect(errorOf(() => parse({ programs: { file: entry({ cwd: 'a-file' }) } }))).toMatch(/programs\.file\.cwd: "a-file" is not a directory/);
  });

  it('rejects unknown fields, bad names, bad timeouts and reserved env', async () => {
    expect(errorOf(() => parse({ programs: { x: entry({ shell: true }) } }))).toMatch(/programs\.x: .*shell/i);
    expect(errorOf(() => parse({ programs: {}, extra: 1 }))).toMatch(/\(file\): .*extra/i);
    expect(errorOf(() => parse({ programs: { 'Bad Name': entry() } }))).toContain('program names are lowercase');
    expect(errorOf(() => parse({ programs: { x: entry({ timeoutSeconds: 0 }) } }))).toContain('programs.x.timeoutSeconds');
    expect(errorOf(() => parse({ programs: { x: entry({ env: { STEPWISE_SEED: '1' } }) } }))).toMatch(/programs\.x\.env\.STEPWISE_SEED: .*set by the worker/);
    expect(errorOf(() => parse({ programs: { x: entry({ env: { 'A=B': '1' } }) } }))).toContain('environment variable names');
    expect(errorOf(() => parse({ programs: { x: entry({ env: { A: 1 } }) } }))).toContain('programs.x.env.A');
    expect(errorOf(() => parse({}))).toContain('programs');
    // The file is named in every error.
    expect(errorOf(() => parse({}))).toContain(path.join(dir, 'commands.json'));
  });

  it('reports unreadable and non-JSON files with their path', async () => {
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, '{ "programs": ');
    expect(errorOf(() => loadAllowlist(bad))).toMatch(/bad\.json is not valid JSON/);
    expect(errorOf(() => loadAllowlist(path.join(dir, 'nope.json')))).toMatch(/cannot read command allowlist .*nope\.json .*ENOENT/);
  });

  it('allows nothing when STEPWISE_COMMANDS_FILE is unset', async () => {
    expect(loadAllowlistFromEnv({})).toBe(EMPTY_ALLOWLIST);
    expect(loadAllowlistFromEnv({ STEPWISE_COMMANDS_FILE: '  ' })).toBe(EMPTY_ALLOWLIST);
    expect(EMPTY_ALLOWLIST.programs.size).toBe(0);
    const list = loadAllowlistFromEnv({ STEPWISE_COMMANDS_FILE: path.join(EXAMPLES, 'commands.json') });
    expect([...list.programs.keys()]).toEqual(['train-tiny', 'train-tiny-steps']);
  });

  it('expands {seed} and {trial} as integers only', () => {
    expect(expandArgv(['run', '{seed}', 't{trial}s{seed}'], { seed: 42, trial: 7 })).toEqual(['run', '42', 't7s42']);
    expect(() => expandArgv(['run'], { seed: 1.5, trial: 0 })).toThrow(/\{seed\} must be an integer/);
    expect(() => expandArgv(['run'], { seed: 1, trial: Number.NaN })).toThrow(/\{trial\} must be an integer/);
  });
});
