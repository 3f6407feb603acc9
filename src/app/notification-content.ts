// What a notification says, gathered at send time: the outbox row holds only references (the case, the
// event, a group post) and no personal data; the case's number and state and the staff's words (decrypted
// here) are read when it is sent, so a notification always shows the case as it is now.
import type { CaseHeading } from '../domain/case-status.ts';
import type { ClaimedNotification } from './jobs/notification-dispatcher.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export interface NotificationCase extends CaseHeading {
  dueAt: string;
  department: { code: string; nameZh: string; nameEn: string; telegramGroupId: bigint | null };
  assignee: string | null;
  rating: number | null;
}

/** Who joined with an admin's invite code (for the admin's "your code was used"), read at send time. */
export interface JoinedMember {
  displayName: string;
  role: 'staff' | 'worker';
  /** Their department or community; null if it is no longer in the reference data. */
  unit: { nameZh: string; nameEn: string } | null;
}

/** A staff member's voice message or photo, sent on to the resident as it is (a file id of this bot). */
export interface NotificationFile {
  kind: 'voice' | 'photo';
  fileId: string;
}

export interface PreparedNotification {
  kind: string;
  chatId: bigint;
  /** The recipient's stored choice and Telegram language (null for a group). */
  language: { locale: string | null; languageCode: string | null } | null;
  case: NotificationCase | null;
  /** The staff's words that go with it (a reply, a question, an answer, a reason), decrypted. */
  note: string | null;
  payload: Record<string, unknown>;
  /** A voice message or photo that goes with the staff's words: the resident gets it as such. */
  file?: NotificationFile | null;
  /** For a group post's refresh: the message to edit. */
  editMessageId: number | null;
  /** The staff member a notification is about (payload `staffId`: an invite used). */
  member?: JoinedMember | null;
}

export type PrepareOutcome =
  | { kind: 'ready'; notification: PreparedNotification }
  /** Nothing to send any more (the case or the post is gone, or the post was never sent). */
  | { kind: 'skip'; reason: string }
  /** Not yet: try again shortly (a group post's refresh while the post itself is still being sent). */
  | { kind: 'later'; reason: string }
  /** The recipient is known to have blocked the bot. */
  | { kind: 'unreachable' };

/** The case as a notification about it shows it, read at send time. */
export interface CaseSummary extends CaseHeading {
  dueAt: Date;
  assigneeId: string | null;
  anonymisedAt: Date | null;
  rating: number | null;
  department: NotificationCase['department'];
  assignee: { displayName: string } | null;
}

/** What a notification's content is read from (src/db/repositories/notifications.ts implements it). */
export interface NotificationContentStore {
  /** Language and reachability of a private-chat recipient (null for a group or someone never seen). */
  recipient(
    telegramId: bigint,
  ): Promise<{ locale: string | null; languageCode: string | null; unreachable: boolean } | null>;
  caseSummary(caseId: string): Promise<CaseSummary | null>;
  eventNote(caseId: string, eventId: bigint): Promise<{ kind: string; noteCipher: Uint8Array | null } | null>;
  /** The voice message or photo a staff member sent with the event (a reply, a question), if any. */
  eventFile(caseId: string, eventId: bigint): Promise<NotificationFile | null>;
  /** A group post (for its refresh): where it is, which message, and whether it was sent. */
  post(postId: bigint): Promise<{ chatId: bigint; messageId: number | null; status: string } | null>;
  /** A staff member or community worker, with the name of their department or community. */
  member(staffId: string): Promise<JoinedMember | null>;
}

export interface NotificationSourceDeps {
  store: NotificationContentStore;
  cipher: PiiCipher;
}

const isGroup = (chatId: bigint) => chatId < 0n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createNotificationSource(deps: NotificationSourceDeps) {
  const { store, cipher } = deps;
  return {
    async prepare(n: ClaimedNotification): Promise<PrepareOutcome> {
      let language: PreparedNotification['language'] = null;
      if (!isGroup(n.telegramId)) {
        const recipient = await store.recipient(n.telegramId);
        if (recipient?.unreachable) return { kind: 'unreachable' };
        language = recipient ? { locale: recipient.locale, languageCode: recipient.languageCode } : null;
      }
      let notificationCase: NotificationCase | null = null;
      if (n.caseId) {
        const c = await store.caseSummary(n.caseId);
        if (!c) return { kind: 'skip', reason: 'case gone' };
        if (c.anonymisedAt) return { kind: 'skip', reason: 'case anonymised' };
        notificationCase = {
          id: c.id,
          number: c.number,
          serviceCode: c.serviceCode,
          status: c.status,
          priority: c.priority,
          dueAt: c.dueAt.toISOString(),
          department: c.department,
          assignee: c.assignee?.displayName ?? null,
          rating: c.rating,
        };
      }
      let note: string | null = null;
      let file: NotificationFile | null = null;
      const eventId =
        typeof n.payload.eventId === 'string' && /^\d{1,19}$/.test(n.payload.eventId)
          ? BigInt(n.payload.eventId)
          : null;
      if (eventId !== null && n.caseId) {
        const event = await store.eventNote(n.caseId, eventId);
        note = event?.noteCipher ? cipher.decrypt(event.noteCipher, piiAt.caseEventNote(n.caseId)) : null;
        // Only what staff said to a resident goes out as a file (a resident's own voice stays on the card).
        if (n.kind.startsWith('resident.')) file = await store.eventFile(n.caseId, eventId);
      }
      let member: JoinedMember | null = null;
      if (typeof n.payload.staffId === 'string' && UUID.test(n.payload.staffId)) {
        member = await store.member(n.payload.staffId);
        if (!member) return { kind: 'skip', reason: 'staff member gone' };
      }
      let editMessageId: number | null = null;
      if (typeof n.payload.postId === 'string' && /^\d{1,19}$/.test(n.payload.postId)) {
        const post = await store.post(BigInt(n.payload.postId));
        // The post may be on its way right now, showing the case as it was: edit it once it is there.
        if (post?.status === 'pending') return { kind: 'later', reason: 'post not sent yet' };
        if (post?.status !== 'sent' || post.messageId === null) return { kind: 'skip', reason: 'no post' };
        editMessageId = post.messageId;
      }
      return {
        kind: 'ready',
        notification: {
          kind: n.kind,
          chatId: n.telegramId,
          language,
          case: notificationCase,
          note,
          file,
          payload: n.payload,
          editMessageId,
          member,
        },
      };
    },
  };
}

export type NotificationSource = ReturnType<typeof createNotificationSource>;
