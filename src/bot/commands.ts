// The command menu (setMyCommands), per language and per role. Failing to set it (the emulator does not
// know the method, Telegram is unreachable for a moment) is logged and never stops the bot.
import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { Locale } from '../config.ts';
import type { BotDeps } from './context.ts';
import { LANGUAGES } from './i18n.ts';

/**
 * What a resident's command menu shows: six at most, the everyday ones (the main menu's buttons do the rest).
 * Every other command keeps working when typed (/help lists them), /deleteme among them.
 */
export const RESIDENT_COMMANDS = ['start', 'services', 'mycases', 'household', 'language', 'cancel'] as const;
/** Admins' menus list every resident command, then their own. */
const ALL_RESIDENT_COMMANDS = [...RESIDENT_COMMANDS, 'help', 'mydata', 'deleteme', 'notices'] as const;
/** Community notices (src/bot/features/notices.ts): for community workers and admins. */
export const NOTICE_COMMANDS = ['notice'] as const;
/** The households below the red line (src/bot/features/labour.ts): HR staff, community workers, admins. */
export const LABOUR_COMMANDS = ['labour'] as const;
/** A community worker's menu: a resident's, writing and listing notices, and the red line. */
const WORKER_COMMANDS = [...NOTICE_COMMANDS, 'notices', ...LABOUR_COMMANDS] as const;
const ADMIN_COMMANDS = [...ALL_RESIDENT_COMMANDS, 'reload', ...NOTICE_COMMANDS, ...LABOUR_COMMANDS] as const;
/** Department staff's work (src/bot/features/staff.ts): added to a staff member's own chat menu. */
export const STAFF_COMMANDS = ['queue', 'next', 'open', 'duty', 'console'] as const;
/** Administration (src/bot/features/manage.ts, conflicts.ts): added to admins' menus. */
export const MANAGE_COMMANDS = ['invite', 'staff', 'canned', 'stats', 'export', 'conflicts'] as const;

export interface MenuRoles {
  staff?: boolean;
  /** A community worker: /notice, /notices, /labour. */
  worker?: boolean;
  /** May list the households below the red line (human-resources staff): /labour with the staff commands. */
  labour?: boolean;
}

function menu(
  deps: Pick<BotDeps, 'translator'>,
  locale: Locale,
  admin: boolean,
  roles: MenuRoles = {},
): BotCommand[] {
  const t = deps.translator.t(locale);
  const commands: string[] = [
    ...(admin ? ADMIN_COMMANDS : RESIDENT_COMMANDS),
    ...(roles.staff ? STAFF_COMMANDS : []),
    ...(roles.staff && roles.labour && !admin && !roles.worker ? LABOUR_COMMANDS : []),
    ...(roles.worker && !admin ? WORKER_COMMANDS : []),
    ...(admin ? MANAGE_COMMANDS : []),
  ];
  return commands.map((command) => ({
    command,
    description: t(`common:commands.${command}`),
  }));
}

const telegramLanguage = (locale: Locale) => (locale === 'zh-CN' ? 'zh' : 'en');

async function attempt(
  deps: Pick<BotDeps, 'logger'>,
  what: string,
  call: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    deps.logger.warn(
      { err: err instanceof Error ? err.message : String(err), what },
      'could not set the command menu',
    );
    return false;
  }
}

/**
 * Sets the menus at start: residents per language (and a default), admins per chat, and each active staff
 * member's chat (in their language) with the staff commands.
 */
/** Where the staff's command menus are read from at start (the staff repository implements it). */
export interface StaffChatSource {
  /** Every active department staff member's chat and language; `labour`: staff of a human-resources window. */
  activeStaffChats(): Promise<
    { telegramId: bigint; locale: string | null; languageCode: string | null; labour: boolean }[]
  >;
}

export async function setCommandMenus(
  api: Api,
  deps: Pick<BotDeps, 'translator' | 'logger' | 'adminTelegramIds' | 'defaultLocale'>,
  staffChats: readonly { chatId: number; locale: Locale; labour?: boolean }[] = [],
): Promise<boolean> {
  let ok = await attempt(deps, 'default', () => api.setMyCommands(menu(deps, deps.defaultLocale, false)));
  for (const locale of LANGUAGES) {
    ok =
      (await attempt(deps, `resident ${locale}`, () =>
        api.setMyCommands(menu(deps, locale, false), { language_code: telegramLanguage(locale) }),
      )) && ok;
  }
  for (const chatId of deps.adminTelegramIds) {
    ok =
      (await attempt(deps, 'admin', () =>
        api.setMyCommands(
          menu(deps, deps.defaultLocale, true, { staff: staffChats.some((s) => s.chatId === chatId) }),
          {
            scope: { type: 'chat', chat_id: chatId },
          },
        ),
      )) && ok;
  }
  for (const { chatId, locale, labour } of staffChats) {
    if (deps.adminTelegramIds.includes(chatId)) continue;
    ok =
      (await attempt(deps, 'staff', () =>
        api.setMyCommands(menu(deps, locale, false, { staff: true, labour }), {
          scope: { type: 'chat', chat_id: chatId },
        }),
      )) && ok;
  }
  return ok;
}

/** After /language, /join or a removal: this chat's menu in the chosen language, for the person's roles. */
export async function setChatCommandMenu(
  api: Api,
  chatId: number,
  locale: Locale,
  admin: boolean,
  deps: Pick<BotDeps, 'translator' | 'logger'>,
  roles: MenuRoles = {},
): Promise<boolean> {
  return attempt(deps, 'chat', () =>
    api.setMyCommands(menu(deps, locale, admin, roles), { scope: { type: 'chat', chat_id: chatId } }),
  );
}
