// How large a file a resident may send: Telegram lets a bot download files of at most 20 MB, so a larger
// one could never be shown to staff. The form refuses it when it arrives, the use case again at submission.
// And how long a voice message may be: a question or an answer, not a recording of a meeting.

/** Telegram bots may download files of at most 20 MB; larger ones could never be shown to staff. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The longest voice message a resident or a staff member may send (5 minutes): long enough to tell what
 * happened, short enough that a busy clerk listens to it to the end.
 */
export const MAX_VOICE_SECONDS = 5 * 60;

/** Whether any of the files is over the limit (a file of unknown size is taken as small enough). */
export function anyFileTooLarge(files: readonly { sizeBytes?: number | null }[] | undefined): boolean {
  return (files ?? []).some((f) => (f.sizeBytes ?? 0) > MAX_FILE_BYTES);
}

/** Whether any voice message among the files is longer than MAX_VOICE_SECONDS. */
export function anyVoiceTooLong(
  files: readonly { kind: string; durationSeconds?: number | null }[] | undefined,
): boolean {
  return (files ?? []).some((f) => f.kind === 'voice' && (f.durationSeconds ?? 0) > MAX_VOICE_SECONDS);
}

/** A voice message's length as people read it on a phone: 0:12, 4:05. */
export function voiceDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
