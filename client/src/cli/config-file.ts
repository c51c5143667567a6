import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';

export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** Parse a study config / template file's text: JSON for .json, YAML otherwise (YAML reads JSON too). */
export function parseConfigText(text: string, path: string): unknown {
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigFileError(`${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFileError(`${path}: expected a mapping (a study config) at the top level`);
  return value;
}

export async function loadConfigFile(path: string, read: (p: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<unknown> {
  let text: string;
  try {
    text = await read(path);
  } catch (e) {
    throw new ConfigFileError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfigText(text, path);
}
