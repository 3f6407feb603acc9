// /notice: a community worker (or an admin) writes a notice — text, an optional English version and photo —
// picks who gets it (and sees how many residents that is), important or not, now or at a time; sees it
// exactly as residents will; confirms. Every figure and the final "send" go through the use case, which
// checks the worker's right to the community again. The request key is fixed when the form starts, so a
// double-tapped "send" (or a replayed update) makes one notice.
import type { AudienceSize, CommunityRef } from '../../app/notices.ts';
import type { Locale } from '../../config.ts';
import { beijingMinute } from '../../domain/beijing-time.ts';
import {
  AUDIENCE_KINDS,
  type Audience,
  type NoticeDraft,
  type NoticeProblem,
  noticeTitle,
  parseScheduleTime,
  textLimit,
} from '../../domain/notice.ts';
import {
  type BotContext,
  type BotConversation,
  type BotDeps,
  type FormContext,
  localeName,
} from '../context.ts';
import {
  type Answer,
  type Answers,
  type FormStep,
  runForm,
  runWholeForm,
  type TextResult,
} from '../forms/engine.ts';
import { LANGUAGES, type TFunction } from '../i18n.ts';
import { audienceLabel, renderNotice } from '../notice-render.ts';
import { conversationLocale } from './locale.ts';

export const NOTICE = 'notice';
const BUILDINGS_PER_PAGE = 40;

type Building = { id: string; code: string; nameZh: string; nameEn: string };

interface Env {
  conversation: BotConversation;
  ctx: FormContext;
  t: TFunction;
  locale: Locale;
  me: number;
  communities: CommunityRef[];
  /** The community being written to (chosen first when the worker may reach several). */
  community: string;
  /** The texts of each language, for the preview of each version. */
  tOf: Record<Locale, TFunction>;
}

const answerValue = (a: Answers, id: string) => a[id]?.value ?? null;

/** Answers keep the audience as text: `community`, `buildings:<id>,<id>`, `open_case:<service>`. */
function audienceOf(value: string | null): Audience {
  if (value?.startsWith('buildings:'))
    return { kind: 'buildings', buildingIds: value.slice('buildings:'.length).split(',').filter(Boolean) };
  if (value?.startsWith('open_case:'))
    return { kind: 'open_case', serviceCode: value.slice('open_case:'.length) };
  return value === 'school_children' ? { kind: 'school_children' } : { kind: 'community' };
}

function draftOf(a: Answers, env: Env): NoticeDraft {
  const when = answerValue(a, 'when');
  const textEn = answerValue(a, 'textEn');
  return {
    communityCode: env.community,
    textZh: answerValue(a, 'text') ?? '',
    textEn: textEn?.trim() ? textEn : null,
    photoFileId: a.photo?.files?.[0]?.fileId ?? null,
    audience: audienceOf(answerValue(a, 'audience')),
    important: answerValue(a, 'important') === 'yes',
    scheduledAt: when && when !== 'now' ? new Date(when) : null,
  };
}

/** A notice's text: with a photo already chosen (when it is changed later) it must fit in a caption. */
function noticeText(input: string, a: Answers): TextResult {
  const text = input.trim();
  if (!text) return { ok: false, error: 'empty' };
  const max = textLimit(Boolean(a.photo?.files?.length));
  if (text.length > max) return { ok: false, error: 'too_long', params: { max: String(max) } };
  return { ok: true, value: text, label: noticeTitle(text, 40) };
}

async function audienceSize(env: Env, community: string, audience: Audience) {
  const { me } = env;
  return env.conversation.external((outer: BotContext) =>
    outer.deps.notices.audienceSize(me, community, audience),
  );
}

/** Toggle buttons, a page at a time; resolves to the chosen buildings (at least one). */
async function pickBuildings(env: Env, buildings: Building[]): Promise<string[]> {
  const { conversation, ctx, t, locale } = env;
  const chosen = new Set<string>();
  const seq = 1000 + Math.floor((await conversation.random()) * 90_000);
  let page = 0;
  const pages = Math.max(1, Math.ceil(buildings.length / BUILDINGS_PER_PAGE));
  const keyboard = () => {
    const start = page * BUILDINGS_PER_PAGE;
    const rows: { text: string; callback_data: string }[][] = [];
    buildings.slice(start, start + BUILDINGS_PER_PAGE).forEach((b, i) => {
      if (i % 4 === 0) rows.push([]);
      rows.at(-1)?.push({
        text: `${chosen.has(b.id) ? '✅ ' : ''}${localeName(locale, b)}`,
        callback_data: `nb:${seq}:${start + i}`,
      });
    });
    const nav = [];
    if (page > 0) nav.push({ text: t('form:previous_page'), callback_data: `nb:${seq}:p${page - 1}` });
    if (page < pages - 1) nav.push({ text: t('form:more'), callback_data: `nb:${seq}:p${page + 1}` });
    if (nav.length) rows.push(nav);
    rows.push([{ text: t('notices:buildings.done_button'), callback_data: `nb:${seq}:ok` }]);
    return { inline_keyboard: rows };
  };
  const names = () =>
    buildings
      .filter((b) => chosen.has(b.id))
      .map((b) => localeName(locale, b))
      .join('、');
  await ctx.reply(t('notices:ask.buildings'), { reply_markup: keyboard() });
  for (;;) {
    const u = await conversation.wait();
    const data = u.callbackQuery?.data;
    if (!u.callbackQuery) {
      if (u.message) await u.reply(t('form:use_buttons'));
      continue;
    }
    const m = /^nb:(\d+):(ok|p\d{1,3}|\d{1,4})$/.exec(data ?? '');
    if (!m || Number(m[1]) !== seq) {
      await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      continue;
    }
    const action = m[2] as string;
    if (action === 'ok') {
      if (chosen.size === 0) {
        await u.answerCallbackQuery({ text: t('notices:buildings.none_chosen'), show_alert: true });
        continue;
      }
      await u.answerCallbackQuery();
      await u
        .editMessageText(t('notices:buildings.chosen', { count: chosen.size, list: names() }))
        .catch(() => undefined);
      return buildings.filter((b) => chosen.has(b.id)).map((b) => b.id);
    }
    if (action.startsWith('p')) {
      page = Math.min(pages - 1, Number(action.slice(1)));
    } else {
      const b = buildings[Number(action)];
      if (!b) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        continue;
      }
      if (chosen.has(b.id)) chosen.delete(b.id);
      else chosen.add(b.id);
    }
    await u.answerCallbackQuery();
    await u.editMessageReplyMarkup({ reply_markup: keyboard() }).catch(() => undefined);
  }
}

/** After the audience kind: the buildings or the service, then the count (none: choose again). */
async function settleAudience(env: Env, answer: Answer): Promise<Answer | null> {
  const { conversation, ctx, t, locale, me } = env;
  const community = env.community;
  let value = answer.value ?? 'community';
  let label =
    value === 'community' || value === 'school_children'
      ? t(`notices:audience_label.${value}`)
      : answer.label;
  if (value === 'buildings') {
    const list = await conversation.external(async (outer: BotContext) => {
      const r = await outer.deps.notices.buildings(me, community);
      return r.ok ? r.value : [];
    });
    const ids = await pickBuildings(env, list);
    value = `buildings:${ids.join(',')}`;
    label = ids
      .map((id) => localeName(locale, list.find((b) => b.id === id) ?? { nameZh: '', nameEn: '' }))
      .join('、');
  } else if (value === 'open_case') {
    const services = await conversation.external((outer: BotContext) =>
      outer.deps.catalogue.list().map((s) => s.code),
    );
    const picked = await runForm(
      conversation,
      ctx,
      {
        keys: 'notices:',
        summary: false,
        steps: [
          {
            id: 'service',
            prompt: (tt) => tt('notices:ask.service'),
            choices: () => services.map((code) => ({ value: code, label: t(`services:${code}.name`) })),
          },
        ],
      },
      t,
      locale,
    );
    const service = picked.status === 'done' ? picked.answers.service : undefined;
    if (!service?.value) return null;
    value = `open_case:${service.value}`;
    label = t('notices:audience_label.open_case', { service: service.label });
  }
  const size = await audienceSize(env, community, audienceOf(value));
  if (!size.ok) {
    await ctx.reply(t(`notices:compose.failed.${size.error}`));
    return null;
  }
  if (size.value.residents === 0) {
    await ctx.reply(t('notices:compose.size_zero'));
    return null;
  }
  await ctx.reply(t('notices:compose.size', { count: size.value.residents }));
  return { value, label };
}

async function askTime(env: Env): Promise<Answer | null> {
  const { conversation, ctx, t, locale } = env;
  const form = await runForm(
    conversation,
    ctx,
    {
      keys: 'notices:',
      summary: false,
      steps: [
        {
          id: 'time',
          prompt: (tt) => tt('notices:ask.time'),
          text: (input, _a, today) => {
            const r = parseScheduleTime(input, today);
            return r.ok
              ? {
                  ok: true,
                  value: r.value.toISOString(),
                  label: t('notices:when_label.at', { at: beijingMinute(r.value) }),
                }
              : { ok: false, error: r.error };
          },
        },
      ],
    },
    t,
    locale,
  );
  const time = form.status === 'done' ? form.answers.time : undefined;
  return time?.value ? { value: time.value, label: time.label } : null;
}

async function pickCommunity(env: Env): Promise<boolean> {
  const { conversation, ctx, t, locale, communities } = env;
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: 'notices:',
      summary: false,
      steps: [
        {
          id: 'community',
          prompt: (tt) => tt('notices:ask.community'),
          choices: () => communities.map((c) => ({ value: c.code, label: localeName(locale, c) })),
        },
      ],
    },
    t,
    locale,
  );
  const chosen = form.status === 'done' ? form.answers.community?.value : undefined;
  if (!chosen) return false;
  env.community = chosen;
  return true;
}

function noticeSteps(env: Env): FormStep[] {
  const { t } = env;
  return [
    { id: 'text', prompt: (tt) => tt('notices:ask.text'), text: noticeText },
    { id: 'textEn', prompt: (tt) => tt('notices:ask.textEn'), text: noticeText, optional: () => true },
    {
      id: 'photo',
      prompt: (tt) => tt('notices:ask.photo'),
      files: { max: 1 },
      optional: () => true,
    },
    {
      id: 'audience',
      prompt: (tt) => tt('notices:ask.audience'),
      choices: () => AUDIENCE_KINDS.map((k) => ({ value: k, label: t(`notices:audience.${k}`) })),
      after: (answer) => settleAudience(env, answer),
    },
    {
      id: 'important',
      prompt: (tt) => tt('notices:ask.important'),
      choices: () => [
        { value: 'no', label: t('notices:important.no') },
        { value: 'yes', label: t('notices:important.yes') },
      ],
    },
    {
      id: 'when',
      prompt: (tt) => tt('notices:ask.when'),
      choices: () => [
        { value: 'now', label: t('notices:when.now') },
        { value: 'later', label: t('notices:when.later') },
      ],
      after: async (answer) => (answer.value === 'later' ? askTime(env) : answer),
    },
  ];
}

/** The residents' message(s), exactly as sent: one per language version. */
async function showPreview(env: Env, draft: NoticeDraft): Promise<void> {
  const { ctx, t, communities } = env;
  const community = communities.find((c) => c.code === draft.communityCode) ?? {
    code: draft.communityCode,
    nameZh: draft.communityCode,
    nameEn: draft.communityCode,
  };
  const content = {
    id: 'preview',
    textZh: draft.textZh,
    textEn: draft.textEn,
    photoFileId: draft.photoFileId,
    important: draft.important,
    community: { nameZh: community.nameZh, nameEn: community.nameEn },
  };
  const versions: Locale[] = draft.textEn === null ? ['zh-CN'] : ['zh-CN', 'en'];
  for (const version of versions) {
    await ctx.reply(
      draft.textEn === null
        ? t('notices:preview.title')
        : t('notices:preview.title_lang', {
            language: t(version === 'en' ? 'notices:preview.language_en' : 'notices:preview.language_zh'),
          }),
    );
    const m = renderNotice(env.tOf[version], version, content, { preview: true });
    if (m.photoFileId)
      await ctx.replyWithPhoto(m.photoFileId, { caption: m.text, reply_markup: m.replyMarkup });
    else
      await ctx.reply(m.text, { reply_markup: m.replyMarkup, link_preview_options: { is_disabled: true } });
  }
}

type Decision = { kind: 'send' } | { kind: 'cancel' } | { kind: 'change'; stepId: string };

/** The confirmation: figures, problems if any, and send / change / cancel. */
async function confirm(
  env: Env,
  draft: NoticeDraft,
  size: AudienceSize,
  problems: NoticeProblem[],
  labels: { audience: string; when: string },
  steps: FormStep[],
): Promise<Decision> {
  const { conversation, ctx, t, locale, communities } = env;
  const seq = 1000 + Math.floor((await conversation.random()) * 90_000);
  const count = draft.important ? size.residents : size.residents - size.muted;
  const community = communities.find((c) => c.code === draft.communityCode);
  const lines = [
    t('notices:confirm.summary', {
      community: community ? localeName(locale, community) : draft.communityCode,
      audience: labels.audience,
      count,
      kind: t(draft.important ? 'notices:kind.important' : 'notices:kind.normal'),
      when: labels.when,
    }),
  ];
  if (!draft.important && size.muted > 0) lines.push(t('notices:confirm.muted_note', { count: size.muted }));
  if (size.unreachable > 0) lines.push(t('notices:confirm.unreachable_note', { count: size.unreachable }));
  const blocked = problems.length > 0 || count === 0;
  for (const p of problems) lines.push(`⚠️ ${t(`notices:problems.${p}`)}`);
  if (count === 0) lines.push(`⚠️ ${t('notices:confirm.nobody')}`);
  const buttons: { text: string; callback_data: string }[][] = [];
  if (!blocked)
    buttons.push([
      {
        text: t(draft.scheduledAt ? 'notices:confirm.schedule' : 'notices:confirm.send_now'),
        callback_data: `nk:${seq}:send`,
      },
    ]);
  buttons.push([
    { text: t('notices:confirm.change'), callback_data: `nk:${seq}:change` },
    { text: t('notices:confirm.cancel'), callback_data: `nk:${seq}:cancel` },
  ]);
  await ctx.reply(lines.join('\n'), { reply_markup: { inline_keyboard: buttons } });
  let choosing = false;
  for (;;) {
    const u = await conversation.wait();
    if (!u.callbackQuery) {
      if (u.message) await u.reply(t('form:use_buttons'));
      continue;
    }
    const m = /^nk:(\d+):(send|change|cancel|f:[a-zA-Z]{1,20})$/.exec(u.callbackQuery.data ?? '');
    const action = m && Number(m[1]) === seq ? (m[2] as string) : null;
    if (action === 'send' && !blocked && !choosing) {
      await u.answerCallbackQuery();
      await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
      return { kind: 'send' };
    }
    if (action === 'cancel' && !choosing) {
      await u.answerCallbackQuery();
      await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
      return { kind: 'cancel' };
    }
    if (action === 'change' && !choosing) {
      await u.answerCallbackQuery();
      choosing = true;
      const editable = [...(communities.length > 1 ? ['community'] : []), ...steps.map((s) => s.id)];
      const rows = [];
      for (let i = 0; i < editable.length; i += 2)
        rows.push(
          editable.slice(i, i + 2).map((id) => ({
            text: t(`notices:fields.${id}`),
            callback_data: `nk:${seq}:f:${id}`,
          })),
        );
      await u.reply(t('notices:confirm.which'), { reply_markup: { inline_keyboard: rows } });
      continue;
    }
    const field = action?.startsWith('f:') ? action.slice(2) : null;
    if (
      choosing &&
      field &&
      (steps.some((s) => s.id === field) || (field === 'community' && communities.length > 1))
    ) {
      await u.answerCallbackQuery();
      return { kind: 'change', stepId: field };
    }
    await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
  }
}

export async function noticeConversation(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  const startedAt = await conversation.now();
  const who = await conversation.external((outer: BotContext) => ({
    id: outer.from?.id ?? 0,
    chatId: outer.chat?.id ?? 0,
  }));
  const communities = await conversation.external((outer: BotContext) =>
    outer.deps.notices.communitiesFor(who.id),
  );
  if (communities.length === 0) {
    await ctx.reply(t('notices:compose.not_allowed'));
    return;
  }
  const env: Env = {
    conversation,
    ctx,
    t,
    locale,
    me: who.id,
    communities,
    community: communities[0]?.code ?? '',
    tOf: Object.fromEntries(LANGUAGES.map((l) => [l, deps.translator.t(l)])) as Record<Locale, TFunction>,
  };
  const requestKey = `notice:${who.chatId}:${startedAt}`;
  await ctx.reply(t('notices:compose.intro'));
  if (communities.length > 1 && !(await pickCommunity(env))) {
    await ctx.reply(t('notices:compose.cancelled'));
    return;
  }
  const steps = noticeSteps(env);
  const first = await runWholeForm(conversation, ctx, { keys: 'notices:', steps, summary: false }, t, locale);
  if (first.status !== 'done') {
    await ctx.reply(t('notices:compose.cancelled'));
    return;
  }
  let answers: Answers = first.answers;

  for (;;) {
    // The form takes photos and documents alike; a notice carries a photo only.
    while (answers.photo?.files?.some((f) => f.kind !== 'photo')) {
      await ctx.reply(t('notices:compose.only_photo'));
      const again = await runWholeForm(
        conversation,
        ctx,
        { keys: 'notices:', steps: steps.filter((s) => s.id === 'photo'), initial: answers, summary: false },
        t,
        locale,
      );
      answers = again.status === 'done' ? again.answers : { ...answers, photo: undefined };
    }
    const draft = draftOf(answers, env);
    const size = await audienceSize(env, draft.communityCode, draft.audience);
    if (!size.ok) {
      await ctx.reply(t(`notices:compose.failed.${size.error}`));
      return;
    }
    const problems = await conversation.external((outer: BotContext) => outer.deps.notices.problems(draft));
    await showPreview(env, draft);
    const decision = await confirm(
      env,
      draft,
      size.value,
      problems,
      {
        audience: answers.audience?.label ?? audienceLabel(t, draft.audience, () => []),
        when: draft.scheduledAt ? (answers.when?.label ?? '') : t('notices:when_label.now'),
      },
      steps,
    );
    if (decision.kind === 'cancel') {
      await ctx.reply(t('notices:compose.cancelled'));
      return;
    }
    if (decision.kind === 'change') {
      // A new community means new buildings: who gets it is asked again too.
      if (decision.stepId === 'community' && !(await pickCommunity(env))) continue;
      const stepId = decision.stepId === 'community' ? 'audience' : decision.stepId;
      const chosen = steps.filter((s) => s.id === stepId);
      const changed = await runWholeForm(
        conversation,
        ctx,
        { keys: 'notices:', steps: chosen, initial: answers, summary: false },
        t,
        locale,
      );
      if (changed.status === 'done') answers = changed.answers;
      continue;
    }
    const author = { telegramId: who.id, chatId: who.chatId, locale };
    const created = await conversation.external((outer: BotContext) =>
      outer.deps.notices.create(author, draft, requestKey),
    );
    if (created.ok) {
      await ctx.reply(
        created.value.startsNow
          ? t('notices:created.now')
          : t('notices:created.scheduled', { at: beijingMinute(new Date(created.value.scheduledAt)) }),
      );
      return;
    }
    if (created.error === 'not_allowed' || created.error === 'invalid' || created.error === 'not_found') {
      await ctx.reply(t(`notices:compose.failed.${created.error}`));
      return;
    }
    // A problem that appeared meanwhile (the chosen time has passed): show it and let them change it.
    await ctx.reply(`⚠️ ${t(`notices:problems.${created.error}`)}`);
  }
}
