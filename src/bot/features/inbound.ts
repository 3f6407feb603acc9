// Whatever a resident sends outside a form, and the buttons nobody else handled (issue 11, point 4).
// - A text, voice message, photo or document goes to the open case a staff member recently wrote to them
//   about (src/app/inbound.ts, src/domain/inbound.ts): the resident is told which case, with "not this
//   one" (another open case of theirs, or a suggestion instead) and "see this case". An album is one
//   addition, acknowledged once.
// - Otherwise plain words ("上学", "看病", "低保", "意见", and their English) start that service at once, and
//   anything else gets a choice: file it as a suggestion (the form starts with their words or voice), one
//   of the services, the main menu. The offer replies to the resident's message, so that its button finds
//   the words again in the press (Telegram sends the replied-to message with it): nothing is stored.
// - A button nobody handled is stale.
import { Composer, InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import type { CaseLabel } from '../../app/inbound.ts';
import { MAX_FILE_BYTES } from '../../domain/file-size.ts';
import { matchServiceWords, wordList } from '../../domain/inbound.ts';
import {
  householdButtons,
  inboundButtons,
  mainMenuButton,
  myCaseButtons,
  onButton,
  registerButton,
  serviceButtons,
} from '../buttons.ts';
import type { BotContext } from '../context.ts';
import { SERVICE_REQUEST, type ServicePrefill } from '../conversations/service-request.ts';
import { fileOf } from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { showMainMenu } from './main-menu.ts';
import { clearButtons } from './shared.ts';

/** The longest text that goes to a case in one message (as an answer to the staff). */
const NOTE_MAX = 2000;
const SUGGESTION = 'suggestion';

/** Each service's plain words, in every language the bot speaks (a resident may type either). */
function serviceWords(ctx: BotContext): Record<string, string[]> {
  const words: Record<string, string[]> = {};
  for (const s of ctx.deps.catalogue.list()) {
    const list = (['zh-CN', 'en'] as const).flatMap((locale) => {
      const key = `inbound:words.${s.code}`;
      const t = ctx.deps.translator.t(locale);
      const text = t(key);
      return text === key || text === `words.${s.code}` ? [] : wordList(text);
    });
    if (list.length > 0) words[s.code] = list;
  }
  return words;
}

const caseVars = (t: TFunction, c: CaseLabel) => ({
  number: c.number,
  service: t(`services:${c.serviceCode}.name`),
});

/** The main menu as buttons: services, my cases, my household. */
export function mainMenu(t: TFunction): InlineKeyboard {
  return new InlineKeyboard()
    .text(t('start.services_button'), serviceButtons.menu.pack({}))
    .row()
    .text(t('start.mycases_button'), myCaseButtons.page.pack({ page: 0 }))
    .row()
    .text(t('start.household_button'), householdButtons.show.pack({}));
}

/** What a message could be filed with as a suggestion: its words, or its voice message. */
function prefillOf(msg: Pick<Message, 'text' | 'caption' | 'voice'> | undefined): ServicePrefill | undefined {
  if (!msg) return undefined;
  const text = msg.text ?? msg.caption;
  if (text?.trim()) return { text: text.trim() };
  if (msg.voice)
    return {
      voice: {
        kind: 'voice',
        fileId: msg.voice.file_id,
        fileUniqueId: msg.voice.file_unique_id,
        mimeType: msg.voice.mime_type,
        sizeBytes: msg.voice.file_size,
        durationSeconds: msg.voice.duration,
      },
    };
  return undefined;
}

/** The offer when the message goes to no case: a suggestion with these words, a service, the main menu. */
function offerKeyboard(ctx: BotContext, withSuggestion: boolean): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (withSuggestion) kb.text(ctx.t('inbound:buttons.suggest'), inboundButtons.suggest.pack({})).row();
  for (const s of ctx.deps.catalogue.list()) {
    if (withSuggestion && s.code === SUGGESTION) continue;
    kb.text(ctx.t(`services:${s.code}.name`), serviceButtons.service.pack({ service: s.code })).row();
  }
  return kb.text(ctx.t('aside:menu.back'), mainMenuButton.pack({}));
}

const addedKeyboard = (t: TFunction, eventId: string, caseId: string) =>
  new InlineKeyboard()
    .text(t('inbound:buttons.not_this'), inboundButtons.notThis.pack({ eventId }))
    .row()
    .text(t('inbound:buttons.open_case'), myCaseButtons.open.pack({ caseId }));

export function inboundFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  // "File it as a suggestion" on the offer: the words are those of the message the offer replied to.
  onButton(priv, inboundButtons.suggest, async (ctx) => {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    const original = ctx.callbackQuery.message?.reply_to_message;
    const prefill = original?.from?.id === ctx.from.id ? prefillOf(original) : undefined;
    await ctx.conversation.enter(SERVICE_REQUEST, SUGGESTION, null, prefill);
  });

  // "Not this one": the other open cases the addition may go to, or a suggestion instead.
  onButton(priv, inboundButtons.notThis, async (ctx, { eventId }) => {
    const others = await ctx.deps.inbound.otherCases(ctx.from.id, eventId);
    if (!others.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('inbound:not_movable'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const kb = new InlineKeyboard();
    for (const c of others.value.slice(0, 8)) {
      kb.text(
        ctx.t('inbound:case_button', caseVars(ctx.t, c)),
        inboundButtons.moveTo.pack({ eventId, caseId: c.caseId }),
      ).row();
    }
    kb.text(ctx.t('inbound:buttons.suggest_instead'), inboundButtons.suggestInstead.pack({ eventId }));
    await ctx.reply(ctx.t(others.value.length > 0 ? 'inbound:pick_other' : 'inbound:no_other'), {
      reply_markup: kb,
    });
  });

  onButton(priv, inboundButtons.moveTo, async (ctx, { eventId, caseId }) => {
    const moved = await ctx.deps.inbound.moveAddition(ctx.from.id, eventId, caseId);
    if (!moved.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('inbound:not_movable'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(ctx.t('inbound:moved', caseVars(ctx.t, moved.value)), {
      reply_markup: new InlineKeyboard().text(
        ctx.t('inbound:buttons.open_case'),
        myCaseButtons.open.pack({ caseId: moved.value.caseId }),
      ),
    });
  });

  onButton(priv, inboundButtons.suggestInstead, async (ctx, { eventId }) => {
    const taken = await ctx.deps.inbound.takeBack(ctx.from.id, eventId);
    if (!taken.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('inbound:not_movable'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.conversation.enter(SERVICE_REQUEST, SUGGESTION, null, {
      text: taken.value.text,
      voice: taken.value.voice,
    } satisfies ServicePrefill);
  });

  priv.on('message', async (ctx) => {
    const msg = ctx.message;
    if (!ctx.registered) {
      // Staff write to the bot too: they get their commands, not an invitation to register a household.
      if ((await ctx.deps.staff.whoami(ctx.from.id)) !== null) {
        await ctx.reply(ctx.t('staff:help'));
        return;
      }
      await ctx.reply(ctx.t('inbound:unregistered'), {
        reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
      });
      return;
    }
    const file = fileOf(msg);
    if (file && (file.sizeBytes ?? 0) > MAX_FILE_BYTES) {
      await ctx.reply(ctx.t('form:file_too_big'));
      return;
    }
    const text = msg.text ?? msg.caption ?? null;
    // A command nobody knows is not words for a case.
    if (msg.text?.startsWith('/')) {
      await ctx.reply(ctx.t('inbound:unknown_command'), { reply_markup: mainMenu(ctx.t) });
      return;
    }
    const hasContent = file !== null || (text !== null && text.trim() !== '');
    if (!hasContent) {
      // A sticker, a location, a contact …: nothing to pass on or to read.
      await ctx.reply(ctx.t('inbound:offer_media'), { reply_markup: offerKeyboard(ctx, false) });
      return;
    }
    if (text !== null && text.trim().length > NOTE_MAX) {
      await ctx.reply(ctx.t('inbound:too_long', { max: NOTE_MAX }));
      return;
    }
    const target = await ctx.deps.inbound.target(ctx.from.id);
    if (target) {
      const added = await ctx.deps.inbound.addMessage(ctx.from.id, target.caseId, {
        text,
        files: file ? [file] : [],
        mediaGroupId: msg.media_group_id ?? null,
      });
      if (added.ok) {
        // An album's later parts joined its first: that one was acknowledged.
        if (added.value.joined) return;
        await ctx.reply(ctx.t('inbound:added', caseVars(ctx.t, added.value)), {
          reply_markup: addedKeyboard(ctx.t, added.value.eventId, added.value.caseId),
        });
        return;
      }
      if (added.error === 'invalid') {
        await ctx.reply(ctx.t('inbound:failed'));
        return;
      }
      // The case closed meanwhile: the message is treated as if there were none.
    }
    if (msg.text) {
      const code = matchServiceWords(msg.text, serviceWords(ctx));
      if (code && ctx.deps.catalogue.offered(code)) {
        await ctx.conversation.enter(SERVICE_REQUEST, code);
        return;
      }
    }
    const canSuggest = prefillOf(msg) !== undefined;
    await ctx.reply(ctx.t(canSuggest ? 'inbound:offer' : 'inbound:offer_photo'), {
      reply_markup: offerKeyboard(ctx, canSuggest),
      reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true },
    });
  });

  // A button that really is stale (a form's question long gone, a forged press): an alert that stays until
  // dismissed, and the main menu to go on from.
  composer.on('callback_query', async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t('aside:stale_alert_outside'), show_alert: true });
    await showMainMenu(ctx);
  });
  return composer;
}
