// Signing in to the web console without a password: a staff member, community worker or admin sends
// /console to the bot and gets a one-time link; opening it asks "sign in as …?", and only the POST that
// answers it uses the link (link scanners and previews only GET). The link and the session cookie are
// bearer secrets: 32 random bytes each, only their keyed hash (HMAC under the personal-data key ring's hash
// subkey, with a purpose prefix) is stored. Sessions end after 30 idle minutes, 12 hours in all, on sign-out,
// and at the next request after the person stops being staff, worker or admin. Every sign-in, refused
// sign-in and sign-out is written to the audit log.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { NewAudit } from '../case-store.ts';
import type { PiiCipher } from '../pii-cipher.ts';
import type { StaffStore } from '../staff/ports.ts';
import type { ConsoleStore } from './ports.ts';

export const LINK_VALID_MS = 5 * 60_000;
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3600_000;
/** A session's last request is written at most this often (not on every page). */
const TOUCH_EVERY_MS = 60_000;
const HOUR_MS = 3600_000;
/** Links and sessions are deleted a day after they ended (kept that long only to tell "used" from "unknown"). */
const KEEP_ENDED_MS = 24 * HOUR_MS;

const SECRET = /^[A-Za-z0-9_-]{43}$/;
/**
 * Refusals of nobody known (made-up links, forms from elsewhere) are written at most this often an hour, all
 * together: anyone who can reach the console can send them, and the refusal stands without its row.
 */
export const MAX_ANONYMOUS_REFUSAL_ROWS_PER_HOUR = 300;

export interface ConsoleRoles {
  /** Department staff: the department's queue and cases. */
  department: { code: string; staffId: string } | null;
  /** Community worker: the community's code. */
  community: string | null;
  admin: boolean;
  /** May see the households below the red line (/labour): human-resources staff, workers, admins. */
  labour: boolean;
}

export interface ConsoleUser {
  telegramId: number;
  /** The name staff know them by (their staff record's); null for an admin who is not also staff. */
  displayName: string | null;
  roles: ConsoleRoles;
  language: { locale: string | null; languageCode: string | null };
}

export type SignInRefusal = 'unknown' | 'expired' | 'used' | 'not_staff';
export type SessionEnd = 'none' | 'idle' | 'expired' | 'removed';

export interface ConsoleAuthDeps {
  store: ConsoleStore;
  staff: Pick<StaffStore, 'activeMemberships' | 'audit' | 'countAudit'>;
  adminTelegramIds: readonly number[];
  cipher: Pick<PiiCipher, 'hash'>;
  now: () => Date;
  /** Whether department staff may list the red line (src/app/labour.ts); workers and admins always may. */
  labour?: { mayList(telegramId: number): Promise<boolean> };
}

export function createConsoleAuth(deps: ConsoleAuthDeps) {
  const { store, staff, cipher, now } = deps;
  const keyed = (purpose: string, secret: string) => cipher.hash(`bianmin/console/${purpose}:${secret}`);

  async function rolesOf(telegramId: number): Promise<{ roles: ConsoleRoles; name: string | null } | null> {
    const memberships = await staff.activeMemberships(telegramId);
    const dept = memberships.find((m) => m.role === 'staff' && m.departmentCode !== null);
    const worker = memberships.find((m) => m.role === 'worker' && m.communityCode !== null);
    const admin = deps.adminTelegramIds.includes(telegramId);
    if (!dept && !worker && !admin) return null;
    return {
      roles: {
        department: dept?.departmentCode ? { code: dept.departmentCode, staffId: dept.id } : null,
        community: worker?.communityCode ?? null,
        admin,
        labour: admin || worker !== undefined || ((await deps.labour?.mayList(telegramId)) ?? false),
      },
      name: dept?.displayName ?? worker?.displayName ?? null,
    };
  }

  /** A refusal's audit row, within the per-sender limit of refusal rows an hour (as the bot's refusals). */
  async function refuse(telegramId: number | null, attempted: string, reason: string): Promise<void> {
    const audit: NewAudit = {
      actorTelegramId: telegramId,
      action: 'access.denied',
      detail: { attempted, reason },
    };
    const at = now();
    const since = new Date(at.getTime() - HOUR_MS);
    if (telegramId !== null) {
      const recent = await staff.countAudit(telegramId, 'access.denied', since);
      if (recent >= MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) return;
    } else if ((await store.anonymousRefusals(since, at)) >= MAX_ANONYMOUS_REFUSAL_ROWS_PER_HOUR) return;
    await staff.audit(null, audit);
  }

  const newSecret = () => randomBytes(32).toString('base64url');

  return {
    /** Whether the person may sign in to the console (staff, worker or admin); a refusal is audited. */
    async canSignIn(telegramId: number): Promise<boolean> {
      if (await rolesOf(telegramId)) return true;
      await refuse(telegramId, 'console_link', 'not_staff');
      return false;
    },

    /** A one-time sign-in link's secret for the sender of /console, or 'not_staff' (audited). */
    async issueLink(telegramId: number): Promise<Result<{ token: string; expiresAt: Date }, 'not_staff'>> {
      if (!(await rolesOf(telegramId))) {
        await refuse(telegramId, 'console_link', 'not_staff');
        return fail('not_staff');
      }
      const at = now();
      await store.prune(new Date(at.getTime() - KEEP_ENDED_MS));
      const token = newSecret();
      const expiresAt = new Date(at.getTime() + LINK_VALID_MS);
      await store.addLink({ tokenHash: keyed('link', token), telegramId, createdAt: at, expiresAt });
      await staff.audit(null, { actorTelegramId: telegramId, action: 'console.link', detail: {} });
      return ok({ token, expiresAt });
    },

    /**
     * What the link's page shows before the sign-in ("sign in as …?"). Opening the page changes nothing:
     * a refusal here is audited when the POST is tried.
     */
    async previewLink(
      token: string,
    ): Promise<Result<{ displayName: string | null; user: ConsoleUser }, SignInRefusal>> {
      const link = SECRET.test(token) ? await store.findLink(keyed('link', token)) : null;
      if (!link) return fail('unknown');
      if (link.usedAt) return fail('used');
      if (link.expiresAt.getTime() <= now().getTime()) return fail('expired');
      const telegramId = Number(link.telegramId);
      const who = await rolesOf(telegramId);
      if (!who) return fail('not_staff');
      const language = (await store.language(telegramId)) ?? { locale: null, languageCode: null };
      return ok({
        displayName: who.name,
        user: { telegramId, displayName: who.name, roles: who.roles, language },
      });
    },

    /**
     * Uses the link (once) and opens a session: the cookie's secret, or a refusal (audited with its reason;
     * an unknown link is audited without a person).
     */
    async signIn(token: string): Promise<Result<{ session: string; expiresAt: Date }, SignInRefusal>> {
      const at = now();
      const hash = SECRET.test(token) ? keyed('link', token) : null;
      const used = hash ? await store.useLink(hash, at) : null;
      if (used === null) {
        const link = hash ? await store.findLink(hash) : null;
        const reason: SignInRefusal = !link ? 'unknown' : link.usedAt ? 'used' : 'expired';
        await refuse(link ? Number(link.telegramId) : null, 'console_sign_in', reason);
        return fail(reason);
      }
      const telegramId = Number(used);
      const who = await rolesOf(telegramId);
      if (!who) {
        await refuse(telegramId, 'console_sign_in', 'not_staff');
        return fail('not_staff');
      }
      const session = newSecret();
      const expiresAt = new Date(at.getTime() + SESSION_MAX_MS);
      await store.addSession({ idHash: keyed('session', session), telegramId, createdAt: at, expiresAt });
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'console.sign_in',
        detail: { roles: roleNames(who.roles) },
      });
      return ok({ session, expiresAt });
    },

    /**
     * The person behind a session cookie, looked up again on every request: a session past its idle or
     * absolute time-out, or of someone no longer staff, worker or admin, is ended (the last one audited).
     */
    async session(secret: string | undefined): Promise<Result<ConsoleUser, SessionEnd>> {
      if (!secret || !SECRET.test(secret)) return fail('none');
      const idHash = keyed('session', secret);
      const row = await store.findSession(idHash);
      if (!row) return fail('none');
      const at = now().getTime();
      const end: SessionEnd | null =
        row.expiresAt.getTime() <= at
          ? 'expired'
          : row.lastSeenAt.getTime() + SESSION_IDLE_MS <= at
            ? 'idle'
            : null;
      if (end) {
        await store.deleteSession(idHash);
        return fail(end);
      }
      const telegramId = Number(row.telegramId);
      const who = await rolesOf(telegramId);
      if (!who) {
        await store.deleteSession(idHash);
        await refuse(telegramId, 'console_session', 'not_staff');
        return fail('removed');
      }
      if (at - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await store.touchSession(idHash, now());
      const language = (await store.language(telegramId)) ?? { locale: null, languageCode: null };
      return ok({ telegramId, displayName: who.name, roles: who.roles, language });
    },

    async signOut(secret: string, telegramId: number): Promise<void> {
      if (!SECRET.test(secret)) return;
      if (await store.deleteSession(keyed('session', secret))) {
        await staff.audit(null, { actorTelegramId: telegramId, action: 'console.sign_out', detail: {} });
      }
    },

    /** The session's form token (derived from its secret: nothing more to store). */
    csrfToken(secret: string): string {
      return keyed('csrf', secret).toString('base64url');
    },

    /** Whether a form's token is the session's; a refusal is audited. */
    async checkCsrf(secret: string, telegramId: number, sent: string | undefined): Promise<boolean> {
      const expected = Buffer.from(keyed('csrf', secret).toString('base64url'));
      const got = Buffer.from(typeof sent === 'string' ? sent : '');
      if (got.length === expected.length && timingSafeEqual(got, expected)) return true;
      await refuse(telegramId, 'console_form', 'csrf');
      return false;
    },

    /** A refused request of nobody known (a form posted from another site): audited without a person. */
    refusedRequest: (attempted: string, reason: string) => refuse(null, attempted, reason),

    setLanguage: (telegramId: number, locale: string) => store.setLanguage(telegramId, locale),
  };
}

function roleNames(roles: ConsoleRoles): string[] {
  return [
    roles.department ? 'staff' : null,
    roles.community ? 'worker' : null,
    roles.admin ? 'admin' : null,
  ].filter((x): x is string => x !== null);
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;
