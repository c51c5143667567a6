import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigFileError } from './config-file';

/**
 * `schedule: fast.json` in a study config: the CLI reads the file (a path relative to the config
 * file, JSON or YAML) and inlines the schedule before the config is sent, so the API only ever
 * sees whole schedules and never reads a file. Places a schedule may be given: each evaluate
 * candidate's `schedule`, the objective's `schedule`, and the choices of a `schedule` parameter.
 * Everything else passes through untouched; the server validates the inlined schedules.
 */

type Read = (path: string) => Promise<string>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function loadSchedule(ref: string, field: string, configPath: string, read: Read): Promise<unknown> {
  const file = isAbsolute(ref) ? ref : resolve(dirname(configPath), ref);
  let text: string;
  try {
    text = await read(file);
  } catch (e) {
    throw new ConfigFileError(`${configPath}: ${field}: cannot read schedule file ${ref} (${file}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigFileError(`${configPath}: ${field}: ${ref} is not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(value)) throw new ConfigFileError(`${configPath}: ${field}: ${ref} must hold one solver schedule (a mapping with noiseSchedule, timesteps and steps)`);
  return value;
}

/** A copy of `config` with every schedule file reference replaced by the schedule it holds. */
export async function inlineScheduleFiles(config: unknown, configPath: string, read: Read = (p) => readFile(p, 'utf8')): Promise<unknown> {
  if (!isObj(config)) return config;
  const out: Record<string, unknown> = { ...config };
  const inline = async (v: unknown, field: string) => (typeof v === 'string' ? loadSchedule(v, field, configPath, read) : v);
  if (isObj(out.objective) && 'schedule' in out.objective) {
    out.objective = { ...out.objective, schedule: await inline(out.objective.schedule, 'objective.schedule') };
  }
  if (Array.isArray(out.candidates)) {
    out.candidates = await Promise.all(
      out.candidates.map(async (c, i) => (isObj(c) && 'schedule' in c ? { ...c, schedule: await inline(c.schedule, `candidates.${i}.schedule`) } : c)),
    );
  }
  if (Array.isArray(out.space)) {
    out.space = await Promise.all(
      out.space.map(async (p, i) =>
        isObj(p) && p.name === 'schedule' && Array.isArray(p.choices)
          ? { ...p, choices: await Promise.all(p.choices.map((c, j) => inline(c, `space.${i}.choices.${j}`))) }
          : p,
      ),
    );
  }
  return out;
}
