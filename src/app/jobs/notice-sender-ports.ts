// The ports of the notice sender (./notice-sender.ts): what it needs from Telegram (NoticeTransport,
// NoticeReporter, implemented in src/bot/notice-transport.ts) and from storage (SenderStore, implemented in
// src/db/repositories/notice-deliveries.ts), and the rows they exchange.
import type { DeliveryCounts } from '../../domain/notice.ts';

export interface DeliveryRow {
  noticeId: string;
  telegramId: bigint;
  chatId: bigint;
  locale: string;
  /** Requests made so far (before this one). */
  attempts: number;
}

export interface NoticeContent {
  id: string;
  textZh: string;
  textEn: string | null;
  photoFileId: string | null;
  important: boolean;
  community: { nameZh: string; nameEn: string };
}

export type SendOutcome =
  | { kind: 'delivered'; messageId?: number }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'transient'; reason: string }
  /** The request went out and no answer came (a timeout): resending could show it twice. */
  | { kind: 'uncertain'; reason: string }
  | { kind: 'failed'; reason: string };

/** Sends one notice to one chat and says what happened; never throws. */
export interface NoticeTransport {
  send(chatId: bigint, locale: string, notice: NoticeContent): Promise<SendOutcome>;
}

export interface ReportState {
  id: string;
  status: 'scheduled' | 'sending' | 'done' | 'cancelled';
  authorChatId: bigint;
  authorLocale: string;
  textZh: string;
  important: boolean;
  recipientCount: number;
  readCount: number;
  reportedReadCount: number;
  progressMessageId: number | null;
  /** 0: the author could not be reached; the report is given up. */
  reportMessageId: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  counts: DeliveryCounts;
}

/**
 * The author's messages. Each returns the message id, 0 when the author cannot be reached (nothing more
 * is tried), and throws on a passing failure (tried again a few seconds later).
 */
export interface NoticeReporter {
  progress(state: ReportState, finish: Date): Promise<number>;
  final(state: ReportState): Promise<number>;
  reads(state: ReportState): Promise<number>;
}

export interface SenderStore {
  /**
   * Starts the notices that are due (their recipients fixed). A notice whose author is no longer allowed to
   * send to its community — neither one of `admins` nor an active community worker of it — is cancelled
   * instead (recorded in the audit log), never sent.
   */
  startDue(
    now: Date,
    today: string,
    admins: readonly number[],
  ): Promise<{ started: string[]; cancelled: string[] }>;
  recoverExpired(): Promise<{ requeued: number; uncertain: number }>;
  claim(token: string, limit: number, leaseMs: number): Promise<DeliveryRow[]>;
  markSending(row: DeliveryRow, token: string, leaseMs: number): Promise<boolean>;
  finish(
    row: DeliveryRow,
    token: string,
    outcome: {
      status: 'delivered' | 'unreachable' | 'failed' | 'uncertain';
      messageId?: number;
      error?: string;
    },
  ): Promise<boolean>;
  retryLater(
    row: DeliveryRow,
    token: string,
    delayMs: number,
    opts: { refundAttempt: boolean; error?: string },
  ): Promise<boolean>;
  release(rows: DeliveryRow[], token: string, delayMs: number): Promise<number>;
  /** Reserves `count` send times `intervalMs` apart; resolves to the wait until the first. */
  reserveSlots(count: number, intervalMs: number): Promise<number>;
  pauseAll(ms: number): Promise<void>;
  content(noticeId: string): Promise<NoticeContent | null>;
  markUserUnreachable(telegramId: bigint): Promise<void>;
  finishIfComplete(noticeId: string, now: Date): Promise<boolean>;
  reportCandidates(): Promise<string[]>;
  takeReportTurn(noticeId: string, everyMs: number, holdMs: number): Promise<ReportState | null>;
  saveReport(
    noticeId: string,
    patch: { progressMessageId?: number; reportMessageId?: number; reportedReadCount?: number },
  ): Promise<void>;
}
