// Where the keys for personal data come from, for the bot (main.ts) and the scripts (export, rotate-keys):
// PII_KEYS (a ring, the current key first), else PII_KEY (key id 1), else the embedded mode's
// DATA_DIR/pii.key (key id 1). Null when none is set and there is no pii.key: the bot then makes one, a
// script refuses to go on. A malformed value throws, with a message naming the setting.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_KEY_ID, type PiiKey, parseKeyring, parseMasterKey } from './app/pii-cipher.ts';

export interface KeySource {
  piiKeys?: string | undefined;
  piiKey?: string | undefined;
  dataDir: string;
}

/** The path of the embedded mode's generated key. */
export const keyFile = (dataDir: string) => path.join(dataDir, 'pii.key');

export async function readKeyring(source: KeySource): Promise<PiiKey[] | null> {
  if (source.piiKeys) return parseKeyring(source.piiKeys);
  if (source.piiKey) return [{ id: DEFAULT_KEY_ID, key: parseMasterKey(source.piiKey) }];
  let text: string;
  try {
    text = await readFile(keyFile(source.dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return [{ id: DEFAULT_KEY_ID, key: parseMasterKey(text.trim()) }];
}
