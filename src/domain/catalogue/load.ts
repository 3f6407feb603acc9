// Reads the services folder (reference/services/*.json, one file per service, in file-name order: the
// menu's order) into checked definitions. Any mistake throws a DefinitionError naming the file, the
// service and the step; nothing is half-loaded.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionError, parseServiceFile } from './definition.ts';
import type { ServiceDefinition } from './types.ts';

export const DEFAULT_SERVICES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../reference/services',
);

export function loadServiceDir(
  dir: string,
  hasText?: (lang: string, key: string) => boolean,
): ServiceDefinition[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new DefinitionError(
      dir,
      null,
      null,
      `the services folder cannot be read (${err instanceof Error ? err.message : String(err)})`,
      'unreadable',
    );
  }
  const out: ServiceDefinition[] = [];
  const files = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new DefinitionError(
        file,
        null,
        null,
        `cannot be read (${err instanceof Error ? err.message : String(err)})`,
        'unreadable',
      );
    }
    const def = parseServiceFile(file, text, hasText);
    const other = files.get(def.code);
    if (other)
      throw new DefinitionError(file, def.code, null, `the same code as ${other}`, 'duplicate_code', {
        other,
      });
    files.set(def.code, file);
    out.push(def);
  }
  return out;
}
