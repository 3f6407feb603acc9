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

export function loadServiceDir(dir: string): ServiceDefinition[] {
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
      { detail: err instanceof Error ? err.message : String(err) },
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
    const def = parseServiceFile(file, text);
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

/**
 * The texts of the definitions in a folder, read as they are (a broken file is left out here: loading the
 * catalogue reports it). The locale resources start with them, so every translator knows the shipped
 * services' words.
 */
export function readServiceTexts(dir: string): { code: string; texts: Record<string, unknown> }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const raw = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
        code?: unknown;
        texts?: unknown;
      };
      return typeof raw.code === 'string' && typeof raw.texts === 'object' && raw.texts !== null
        ? [{ code: raw.code, texts: raw.texts as Record<string, unknown> }]
        : [];
    } catch {
      return [];
    }
  });
}
