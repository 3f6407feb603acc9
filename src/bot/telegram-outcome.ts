// What a failed Bot API call means, for every worker that sends on its own (the notification outbox, the
// community notices' sender and its author reports): one reading of grammY's GrammyError / HttpError.
// - 429: wait `retry_after` (at least a second);
// - 403 (blocked, deactivated, kicked from a group, can't initiate) and 400 "chat not found" and its kin:
//   the chat cannot be reached, so nothing more is sent to it until it writes again;
// - 5xx and a connection that failed: try again later;
// - a request grammY gave up waiting for: see `OnTimeout`;
// - anything else: a failure for that one message, with Telegram's words kept as the reason.
// Every reason is stored, so the bot token (part of every Bot API URL) is cut out of it first.
import { GrammyError, HttpError } from 'grammy';

export type TelegramOutcome =
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'transient'; reason: string }
  /** The request went out and no answer came (a timeout): resending could show it twice. */
  | { kind: 'uncertain'; reason: string }
  | { kind: 'failed'; reason: string };

/**
 * What a time-out means to the caller. Telegram may have shown a message whose answer never came, and it has
 * no idempotency key:
 * - 'uncertain' (a community notice): the sender records it and does not send it blindly again — one notice
 *   to thousands of residents must not reach anyone twice;
 * - 'retry' (a case notification): it is tried again as a transient failure — a missed notice about one's own
 *   case is worse than seeing it twice.
 */
export type OnTimeout = 'uncertain' | 'retry';

const UNREACHABLE_400 = /chat not found|user not found|peer_id_invalid|chat_id is empty|bot was kicked/i;
const TIMED_OUT = /timed out after/i;
const NOT_MODIFIED = /message is not modified/i;
const EDIT_TARGET_GONE = /message to edit not found|message can't be edited/i;

/** A bot token as BotFather writes it, alone or inside a Bot API URL (`…/bot<token>/sendMessage`). */
const BOT_TOKEN = /\bbot\d+:[^/\s'"]+|\b\d{5,}:[A-Za-z0-9_-]{30,}/g;

/** A reason fit to store: without the bot token, at most 300 characters. */
export function redactReason(text: string): string {
  return text.replace(BOT_TOKEN, (m) => (m.startsWith('bot') ? 'bot<token>' : '<token>')).slice(0, 300);
}

export function classifyTelegramError(err: unknown, onTimeout: 'uncertain'): TelegramOutcome;
export function classifyTelegramError(
  err: unknown,
  onTimeout: 'retry',
): Exclude<TelegramOutcome, { kind: 'uncertain' }>;
export function classifyTelegramError(err: unknown, onTimeout: OnTimeout): TelegramOutcome;
export function classifyTelegramError(err: unknown, onTimeout: OnTimeout): TelegramOutcome {
  if (err instanceof GrammyError) {
    const reason = redactReason(`${err.error_code} ${err.description}`);
    if (err.error_code === 429)
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, err.parameters.retry_after ?? 1) };
    // 403: "bot was blocked by the user", "user is deactivated", "bot was kicked from the group chat",
    // "bot can't initiate conversation with a user".
    if (err.error_code === 403) return { kind: 'unreachable', reason };
    if (err.error_code === 400 && UNREACHABLE_400.test(err.description))
      return { kind: 'unreachable', reason };
    if (err.error_code >= 500) return { kind: 'transient', reason };
    return { kind: 'failed', reason };
  }
  if (err instanceof HttpError) {
    const cause = err.error instanceof Error ? err.error.message : String(err.error);
    const reason = redactReason(`network: ${cause}`);
    if (onTimeout === 'uncertain' && TIMED_OUT.test(cause)) return { kind: 'uncertain', reason };
    return { kind: 'transient', reason };
  }
  return { kind: 'failed', reason: redactReason(err instanceof Error ? err.message : String(err)) };
}

const telegramSays = (err: unknown, pattern: RegExp) =>
  err instanceof GrammyError && err.error_code === 400 && pattern.test(err.description);

/** The chat cannot be reached (blocked, deactivated, kicked, not found), whatever a time-out would mean. */
export const isUnreachable = (err: unknown) => classifyTelegramError(err, 'retry').kind === 'unreachable';

/** An edit that changed nothing: the message already reads so — as good as done. */
export const isNotModified = (err: unknown) => telegramSays(err, NOT_MODIFIED);

/** An edit of a message that is gone (deleted) or can no longer be edited. */
export const isEditTargetGone = (err: unknown) => telegramSays(err, EDIT_TARGET_GONE);
