import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROGRAM_NAME_RE } from '@stepwise/core';

/**
 * The compute worker's allowlist of external programs (STEPWISE_COMMANDS_FILE). A study names a
 * program; only the operator's file says what that name runs. Nothing from the API ever becomes
 * part of a command line or a path: argv is fixed here except for the integer placeholders
 * `{seed}` and `{trial}`, the working directory is resolved (symlinks included) inside the
 * allowlist file's folder, and trial parameters reach the program only as JSON on stdin.
 *
 *   { "programs": { "train-tiny": { "argv": ["python3", "train_tiny.py", "--seed", "{seed}"],
 *                                   "cwd": ".", "timeoutSeconds": 600, "env": { "KEY": "value" } } } }
 */

export const COMMANDS_FILE_ENV = 'STEPWISE_COMMANDS_FILE';

/** The only argv placeholders; both expand to integers. */
export const ARGV_PLACEHOLDERS = ['seed', 'trial'] as const;
export type ArgvPlaceholder = (typeof ARGV_PLACEHOLDERS)[number];

/** Variables the worker sets itself; the allowlist may not override them. */
const RESERVED_ENV = ['STEPWISE_TRIAL', 'STEPWISE_SEED'];

/** Same rule as ZCommandObjective.program, so every study-visible name can be allowlisted. */
// The API's rule for program names (core), applied to the allowlist file too.
const PROGRAM_NAME = PROGRAM_NAME_RE;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TIMEOUT_SECONDS = 600;

const noNul = (s: string) => !s.includes('\0');

const ZArgvItem = z
  .string()
  .max(4096)
  .refine(noNul, 'must not contain NUL characters')
  .superRefine((arg, ctx) => {
    const rest = arg.replace(/\{(seed|trial)\}/g, '');
    if (rest.includes('{') || rest.includes('}')) {
      const bad = arg.match(/\{[^{}]*\}/g)?.filter((m) => m !== '{seed}' && m !== '{trial}');
      ctx.addIssue({
        code: 'custom',
        message: bad?.length
          ? `placeholder ${bad.map((b) => JSON.stringify(b)).join(', ')} is not allowed; only {seed} and {trial} (trial parameters go to the program as JSON on stdin, never in argv)`
          : `unbalanced "{" or "}" in "${arg}"; braces are reserved for the placeholders {seed} and {trial}`,
      });
    }
  });

const ZProgram = z
  .object({
    argv: z
      .array(ZArgvItem)
      .min(1, 'argv needs at least the executable')
      .max(256)
      .superRefine((argv, ctx) => {
        const exe = argv[0];
        if (exe === undefined) return;
        if (exe.trim() === '') ctx.addIssue({ code: 'custom', path: [0], message: 'the executable (argv[0]) is empty' });
        if (/\{(seed|trial)\}/.test(exe)) ctx.addIssue({ code: 'custom', path: [0], message: 'the executable (argv[0]) cannot contain a placeholder' });
      }),
    /** Relative to the allowlist file's folder; must resolve inside it. */
    cwd: z.string().min(1).max(1024).refine(noNul, 'must not contain NUL characters').default('.'),
    timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).default(DEFAULT_TIMEOUT_SECONDS),
    env: z
      .record(z.string(), z.string().max(32_768).refine(noNul, 'must not contain NUL characters'))
      .default({})
      .superRefine((env, ctx) => {
        for (const key of Object.keys(env)) {
          if (!ENV_NAME.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'environment variable names are letters, digits and _, not starting with a digit' });
          else if (RESERVED_ENV.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is set by the worker for every trial and cannot be configured` });
        }
      }),
  })
  .strict();

const ZAllowlistFile = z
  .object({
    programs: z.record(z.string(), ZProgram).superRefine((programs, ctx) => {
      for (const name of Object.keys(programs)) {
        if (!PROGRAM_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'program names are lowercase letters, digits, _ and - (at most 64, starting with a letter or digit)' });
        }
      }
    }),
  })
  .strict();

export interface AllowedProgram {
  name: string;
  /** Template; expand with expandArgv. */
  argv: readonly string[];
  /** Absolute real path, inside the allowlist file's folder. */
  cwd: string;
  timeoutSeconds: number;
  env: Readonly<Record<string, string>>;
}

export interface CommandAllowlist {
  /** The file it was loaded from (absolute), or null when STEPWISE_COMMANDS_FILE is unset. */
  file: string | null;
  programs: ReadonlyMap<string, AllowedProgram>;
}

export class AllowlistError extends Error {
  override name = 'AllowlistError';
}

/** No file: no programs allowed. */
export const EMPTY_ALLOWLIST: CommandAllowlist = Object.freeze({ file: null, programs: new Map<string, AllowedProgram>() });

function issuePath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(file)';
  return p
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const s = String(seg);
      const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s);
      return plain ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    })
    .join('');
}

/**
 * Validate parsed allowlist JSON. `baseDir` is the folder every `cwd` is relative to and must stay
 * inside (the allowlist file's folder); `file` names it in error messages.
 */
export function parseAllowlist(json: unknown, options: { baseDir: string; file?: string | null }): CommandAllowlist {
  const { baseDir } = options;
  const file = options.file ?? null;
  const source = file ?? '(inline)';
  const parsed = ZAllowlistFile.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issuePath(issue.path)}: ${issue.message}`);
    throw new AllowlistError(`invalid command allowlist ${source}:\n${lines.join('\n')}`);
  }
  let root: string;
  try {
    root = fs.realpathSync(baseDir);
  } catch {
    throw new AllowlistError(`invalid command allowlist ${source}: its folder ${baseDir} does not exist`);
  }
  const programs = new Map<string, AllowedProgram>();
  const errors: string[] = [];
  for (const [name, entry] of Object.entries(parsed.data.programs)) {
    try {
      const cwd = resolveCwd(root, entry.cwd);
      programs.set(name, Object.freeze({ name, argv: Object.freeze([...entry.argv]), cwd, timeoutSeconds: entry.timeoutSeconds, env: Object.freeze({ ...entry.env }) }));
    } catch (err) {
      errors.push(`  ${issuePath(['programs', name, 'cwd'])}: ${(err as Error).message}`);
    }
  }
  if (errors.length) throw new AllowlistError(`invalid command allowlist ${source}:\n${errors.join('\n')}`);
  return { file, programs };
}

/** The real directory `cwd` names inside `root` (already a real path); rejects escapes, symlinks included. */
function resolveCwd(root: string, cwd: string): string {
  if (path.isAbsolute(cwd) || path.win32.isAbsolute(cwd)) throw new Error(`"${cwd}" must be relative to the allowlist file's folder ${root}, not absolute`);
  if (cwd.split(/[\\/]/).includes('..')) throw new Error(`"${cwd}" must not contain "..": programs run inside ${root}`);
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(root, cwd));
  } catch {
    throw new Error(`"${cwd}" does not exist in ${root}`);
  }
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`"${cwd}" resolves to ${real}, outside ${root} (symlinks must stay inside)`);
  if (!fs.statSync(real).isDirectory()) throw new Error(`"${cwd}" is not a directory`);
  return real;
}

/** Read and validate an allowlist file (synchronously: it is read once, at worker start). */
export function loadAllowlist(file: string): CommandAllowlist {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new AllowlistError(`cannot read command allowlist ${abs} (${COMMANDS_FILE_ENV}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AllowlistError(`command allowlist ${abs} is not valid JSON: ${(err as Error).message}`);
  }
  return parseAllowlist(json, { baseDir: path.dirname(abs), file: abs });
}

/** The allowlist named by STEPWISE_COMMANDS_FILE; unset or empty means no programs are allowed. */
export function loadAllowlistFromEnv(env: NodeJS.ProcessEnv = process.env): CommandAllowlist {
  const file = env[COMMANDS_FILE_ENV]?.trim();
  return file ? loadAllowlist(file) : EMPTY_ALLOWLIST;
}

/** argv with {seed} and {trial} replaced; both must be safe integers. */
export function expandArgv(argv: readonly string[], vars: { seed: number; trial: number }): string[] {
  for (const key of ARGV_PLACEHOLDERS) {
    if (!Number.isSafeInteger(vars[key])) throw new AllowlistError(`{${key}} must be an integer, got ${String(vars[key])}`);
  }
  return argv.map((arg) => arg.replace(/\{(seed|trial)\}/g, (_m, key: ArgvPlaceholder) => String(vars[key])));
}
