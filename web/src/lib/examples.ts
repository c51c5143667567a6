import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A study example shipped in examples/, offered as a template by the launch page's editor. */
export interface ExampleTemplate {
  file: string;
  text: string;
}

/**
 * Every examples/*.yaml study config (schedules excluded: they are not launchable studies), read
 * on the server from the repository's examples folder (the web app runs from web/ or the root).
 * Only that folder is read, and only names listed in it.
 */
export function readExampleTemplates(): ExampleTemplate[] {
  const dir = [resolve(process.cwd(), '..', 'examples'), resolve(process.cwd(), 'examples')].find((d) => existsSync(join(d, 'branin-random.yaml')));
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('schedule'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}
