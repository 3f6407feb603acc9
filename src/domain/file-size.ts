// How large a file a resident may send: Telegram lets a bot download files of at most 20 MB, so a larger
// one could never be shown to staff. The form refuses it when it arrives, the use case again at submission.

/** Telegram bots may download files of at most 20 MB; larger ones could never be shown to staff. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Whether any of the files is over the limit (a file of unknown size is taken as small enough). */
export function anyFileTooLarge(files: readonly { sizeBytes?: number | null }[] | undefined): boolean {
  return (files ?? []).some((f) => (f.sizeBytes ?? 0) > MAX_FILE_BYTES);
}
