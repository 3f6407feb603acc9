// /notice: a community worker (or an admin) writes a notice — text, an optional English version and photo —
// picks who gets it (and sees how many residents that is), important or not, now or at a time; sees it
// exactly as residents will; confirms. One engine form (../forms/engine.ts): the buildings are a
// multi-choice step, the preview and the confirmation are the form's own summary. Every figure and the
// final "send" go through the use case, which checks the worker's right to the community again. The request
// key is fixed when the form starts, so a double-tapped "send" (or a replayed update) makes one notice.
import type { AudienceSize, CommunityRef } from '../../app/notices.ts';
import type { Locale } from '../../config.ts';
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
import { compactTime } from '../format-time.ts';
import {
  type AfterResult,
  type Answer,
  type Answers,
  declareForm,
  type FormStep,
  runWholeForm,
  type SummaryHook,
  type SummaryView,
  type TextResult,
} from '../forms/engine.ts';
import { LANGUAGES, type TFunction } from '../i18n.ts';
import { renderNotice } from '../notice-render.ts';
import { conversationLocale } from './locale.ts';

export const NOTICE = 'notice';
const BUILDINGS_PER_PAGE = 40;

interface Env {
  conversation: BotConversation;
  ctx: FormContext;
  t: TFunction;
  locale: Locale;
  me: number;
  chatId: number;
  communities: CommunityRef[];
  /** The texts of each language, for the preview of each version. */
  tOf: Record<Locale, TFunction>;
  requestKey: string;
}

const answerValue = (a: Answers, id: string) => a[id]?.value ?? null;

/** The community being written to: chosen first when the worker may reach several. */
const communityOf = (a: Answers, env: Env) => answerValue(a, 'community') ?? env.communities[0]?.code ?? '';

/** The audience kind, then the buildings or the service that kind asks for. */
function audienceOf(a: Answers): Audience {
  const kind = answerValue(a, 'audience');
  if (kind === 'buildings') return { kind, buildingIds: a.buildings?.values ?? [] };
  if (kind === 'open_case') return { kind, serviceCode: answerValue(a, 'service') ?? '' };
  return kind === 'school_children' || kind === 'job_seekers' || kind === 'no_one_employed'
    ? { kind }
    : { kind: 'community' };
}

function audienceLabel(a: Answers, t: TFunction): string {
  const kind = answerValue(a, 'audience');
  if (kind === 'buildings') return a.buildings?.label ?? '';
  if (kind === 'open_case') return t('notices:audience_label.open_case', { service: a.service?.label ?? '' });
  return t(`notices:audience_label.${audienceOf(a).kind}`);
}

function draftOf(a: Answers, env: Env): NoticeDraft {
  const time = answerValue(a, 'when') === 'later' ? answerValue(a, 'time') : null;
  const textEn = answerValue(a, 'textEn');
  return {
    communityCode: communityOf(a, env),
    textZh: answerValue(a, 'text') ?? '',
    textEn: textEn?.trim() ? textEn : null,
    photoFileId: a.photo?.files?.[0]?.fileId ?? null,
    audience: audienceOf(a),
    important: answerValue(a, 'important') === 'yes',
    scheduledAt: time ? new Date(time) : null,
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

/**
 * Once the audience is complete (its kind, then the buildings or the service that kind asks for), says how
 * many residents that is. None, or no figure: "who gets it" is asked again.
 */
async function settleAudience(env: Env, a: Answers, answer: Answer, stepId: string): Promise<AfterResult> {
  const { ctx, t } = env;
  const answers = { ...a, [stepId]: answer };
  const kind = answerValue(answers, 'audience');
  if (stepId === 'audience' && (kind === 'buildings' || kind === 'open_case')) return answer;
  const size = await audienceSize(env, communityOf(answers, env), audienceOf(answers));
  const again = stepId === 'audience' ? null : { redo: 'audience' };
  if (!size.ok) {
    await ctx.reply(t(`notices:compose.failed.${size.error}`));
    return again;
  }
  if (size.value.residents === 0) {
    await ctx.reply(t('notices:compose.size_zero'));
    return again;
  }
  await ctx.reply(t('notices:compose.size', { count: size.value.residents }));
  return answer;
}

function noticeSteps(env: Env): FormStep[] {
  const { t, communities, me } = env;
  const isAudience = (kind: string) => (a: Answers) => answerValue(a, 'audience') === kind;
  return [
    {
      id: 'community',
      when: () => communities.length > 1,
      prompt: (tt) => tt('notices:ask.community'),
      choices: (_ctx, _a, locale) =>
        communities.map((c) => ({ value: c.code, label: localeName(locale, c) })),
      // A new community means new buildings: who gets it is asked again too.
      resets: ['audience', 'buildings', 'service'],
    },
    { id: 'text', prompt: (tt) => tt('notices:ask.text'), text: noticeText },
    { id: 'textEn', prompt: (tt) => tt('notices:ask.textEn'), text: noticeText, optional: () => true },
    { id: 'photo', prompt: (tt) => tt('notices:ask.photo'), files: { max: 1 }, optional: () => true },
    {
      id: 'audience',
      prompt: (tt) => tt('notices:ask.audience'),
      choices: () => AUDIENCE_KINDS.map((k) => ({ value: k, label: t(`notices:audience.${k}`) })),
      after: (answer, a) => settleAudience(env, a, answer, 'audience'),
      resets: ['buildings', 'service'],
    },
    {
      id: 'buildings',
      when: isAudience('buildings'),
      editable: false,
      prompt: (tt) => tt('notices:ask.buildings'),
      choices: async (outer, a, locale) => {
        const r = await outer.deps.notices.buildings(me, communityOf(a, env));
        return r.ok ? r.value.map((b) => ({ value: b.id, label: localeName(locale, b) })) : [];
      },
      columns: 4,
      multi: {
        min: 1,
        perPage: BUILDINGS_PER_PAGE,
        chosen: (tt, answer) =>
          tt('notices:buildings.chosen', { count: answer.values?.length ?? 0, list: answer.label }),
      },
      after: (answer, a) => settleAudience(env, a, answer, 'buildings'),
    },
    {
      id: 'service',
      when: isAudience('open_case'),
      editable: false,
      prompt: (tt) => tt('notices:ask.service'),
      choices: (outer) =>
        outer.deps.catalogue.list().map((s) => ({ value: s.code, label: t(`services:${s.code}.name`) })),
      after: (answer, a) => settleAudience(env, a, answer, 'service'),
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
      resets: ['time'],
    },
    {
      id: 'time',
      when: (a) => answerValue(a, 'when') === 'later',
      editable: false,
      prompt: (tt) => tt('notices:ask.time'),
      text: (input, _a, today) => {
        const r = parseScheduleTime(input, today);
        if (!r.ok) return { ok: false, error: r.error };
        const label = t('notices:when_label.at', { at: compactTime(r.value, t, today) });
        return { ok: true, value: r.value.toISOString(), label };
      },
    },
  ];
}

/** The residents' message(s), exactly as sent: one per language version. */
async function showPreview(env: Env, c: FormContext, draft: NoticeDraft): Promise<void> {
  const { t, communities } = env;
  const community = communities.find((x) => x.code === draft.communityCode) ?? {
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
    await c.reply(
      draft.textEn === null
        ? t('notices:preview.title')
        : t('notices:preview.title_lang', {
            language: t(version === 'en' ? 'notices:preview.language_en' : 'notices:preview.language_zh'),
          }),
    );
    const m = renderNotice(env.tOf[version], version, content, { preview: true });
    if (m.photoFileId)
      await c.replyWithPhoto(m.photoFileId, { caption: m.text, reply_markup: m.replyMarkup });
    else await c.reply(m.text, { reply_markup: m.replyMarkup, link_preview_options: { is_disabled: true } });
  }
}

/** The confirmation: figures, problems if any; "send" only when there are none. */
function confirmation(
  env: Env,
  a: Answers,
  draft: NoticeDraft,
  size: AudienceSize,
  problems: NoticeProblem[],
): SummaryView {
  const { t, locale, communities } = env;
  const count = draft.important ? size.residents : size.residents - size.muted;
  const community = communities.find((c) => c.code === draft.communityCode);
  const lines = [
    t('notices:confirm.summary', {
      community: community ? localeName(locale, community) : draft.communityCode,
      audience: audienceLabel(a, t),
      count,
      kind: t(draft.important ? 'notices:kind.important' : 'notices:kind.normal'),
      when: draft.scheduledAt ? (a.time?.label ?? '') : t('notices:when_label.now'),
    }),
  ];
  if (!draft.important && size.muted > 0) lines.push(t('notices:confirm.muted_note', { count: size.muted }));
  if (size.unreachable > 0) lines.push(t('notices:confirm.unreachable_note', { count: size.unreachable }));
  for (const p of problems) lines.push(`⚠️ ${t(`notices:problems.${p}`)}`);
  if (count === 0) lines.push(`⚠️ ${t('notices:confirm.nobody')}`);
  const blocked = problems.length > 0 || count === 0;
  return {
    text: lines.join('\n'),
    confirm: blocked ? null : t(draft.scheduledAt ? 'notices:confirm.schedule' : 'notices:confirm.send_now'),
    change: t('notices:confirm.change'),
    cancel: t('notices:confirm.cancel'),
    which: t('notices:confirm.which'),
  };
}

/** The form's own summary: the preview and the confirmation; "send" creates the notice. */
function noticeSummary(env: Env): SummaryHook {
  const { conversation, t, locale } = env;
  return {
    async render(c, a) {
      // The form takes photos and documents alike; a notice carries a photo only.
      if (a.photo?.files?.some((f) => f.kind !== 'photo')) {
        await c.reply(t('notices:compose.only_photo'));
        return { ask: 'photo' };
      }
      const draft = draftOf(a, env);
      const size = await audienceSize(env, draft.communityCode, draft.audience);
      if (!size.ok) {
        await c.reply(t(`notices:compose.failed.${size.error}`));
        return { end: true };
      }
      const problems = await conversation.external((outer: BotContext) => outer.deps.notices.problems(draft));
      await showPreview(env, c, draft);
      return confirmation(env, a, draft, size.value, problems);
    },
    async confirm(c, a) {
      const draft = draftOf(a, env);
      const author = { telegramId: env.me, chatId: env.chatId, locale };
      const { requestKey } = env;
      const created = await conversation.external((outer: BotContext) =>
        outer.deps.notices.create(author, draft, requestKey),
      );
      if (created.ok) {
        const { startsNow, scheduledAt } = created.value;
        await c.reply(
          startsNow
            ? t('notices:created.now')
            : t('notices:created.scheduled', { at: compactTime(scheduledAt, t) }),
        );
        return 'done';
      }
      if (created.error === 'not_allowed' || created.error === 'invalid' || created.error === 'not_found') {
        await c.reply(t(`notices:compose.failed.${created.error}`));
        return 'done';
      }
      // A problem that appeared meanwhile (the chosen time has passed): show it and let them change it.
      await c.reply(`⚠️ ${t(`notices:problems.${created.error}`)}`);
      return 'again';
    },
  };
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
    chatId: who.chatId,
    communities,
    tOf: Object.fromEntries(LANGUAGES.map((l) => [l, deps.translator.t(l)])) as Record<Locale, TFunction>,
    requestKey: `notice:${who.chatId}:${startedAt}`,
  };
  declareForm(conversation, {
    form: NOTICE,
    args: [],
    name: t('aside:forms.notice'),
    wayBack: '/notice',
    keepDraft: false,
  });
  await ctx.reply(t('notices:compose.intro'));
  const form = await runWholeForm(
    conversation,
    ctx,
    { keys: 'notices:', steps: noticeSteps(env), summary: noticeSummary(env) },
    t,
    locale,
  );
  // Done: the summary's "send" has said what came of it; ended: the summary has said why.
  if (form.status === 'cancelled' && !form.ended) await ctx.reply(t('notices:compose.cancelled'));
}
