// Where the console gets a case's file from: Telegram keeps it (the bot stores only its file id), the console
// streams it through to the staff member's browser — never a public address, never written to disk.
// The Telegram implementation is src/bot/telegram-file-source.ts.

/** Telegram's Bot API hands out files up to 20 MB; nothing larger is fetched. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * not_found: Telegram no longer has the file (or never had it); too_large: over MAX_FILE_BYTES;
 * failed: Telegram could not be reached or answered something else.
 */
export type FileSourceError = 'not_found' | 'too_large' | 'failed';

export interface FileSource {
  /** The file's bytes as a stream (cut off with an error past `maxBytes`), and its size when known. */
  open(
    fileId: string,
    maxBytes: number,
  ): Promise<
    | { ok: true; body: ReadableStream<Uint8Array>; size: number | null }
    | { ok: false; error: FileSourceError }
  >;
}
