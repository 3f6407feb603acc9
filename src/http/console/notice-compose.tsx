// Composing a community notice (src/app/console/notice-compose.ts → src/app/notices.ts: the bot's /notice use
// case decides who may write to which community, validates and makes one notice per form key):
//   GET  /notices/new          the form (its key fixed here, carried to "send": a double submit makes one)
//   POST /notices/new          op=count: the form again with how many residents it reaches (htmx swaps
//                              only the audience part); op=preview: each language version exactly as
//                              residents get it (the bot's renderNotice), or the form with what is wrong;
//                              op=edit: back to the form from the preview, nothing lost
//   POST /notices/new/send     sends (or schedules) it, → /notices/new?done=…; the author's progress report
//                              comes in Telegram, as for /notice
// A picture (notice-photo.tsx): sent once to the author's own Telegram chat for its file id, then the notice
// carries that file id as one composed with /notice does.
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { Building, NoticeComposer } from '../../app/console/notice-compose.ts';
import type { NoticePhotos } from '../../app/console/notice-photo.ts';
import type { AudienceSize, CommunityRef } from '../../app/notices.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { Translator } from '../../bot/i18n.ts';
import { renderNotice } from '../../bot/notice-render.ts';
import type { Locale } from '../../config.ts';
import type { Catalogue } from '../../domain/catalogue/index.ts';
import {
  AUDIENCE_KINDS,
  type Audience,
  type AudienceKind,
  NOTICE_TEXT_MAX,
  type NoticeDraft,
  parseScheduleTime,
} from '../../domain/notice.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { refusalPages } from './figures.tsx';
import { NoticePicture, PhotoField, registerNoticePhoto, takePhoto } from './notice-photo.tsx';
import { Csrf, Layout, Notice, serviceName, type View } from './pages.tsx';

/** What the form holds, exactly as typed (shown again after any error: nothing is lost). */
interface Fields {
  key: string;
  community: string;
  textZh: string;
  textEn: string;
  audience: string;
  buildings: string[];
  service: string;
  important: boolean;
  when: string;
  time: string;
  /** The picture added (notice-photo.tsx), '' for none. */
  photoRef: string;
}

interface Choices {
  communities: CommunityRef[];
  community: CommunityRef;
  buildings: Building[];
  services: string[];
  /** Whether a picture may be added here. */
  photos: boolean;
}

const named = (v: View, n: { nameZh: string; nameEn: string }) =>
  v.locale === 'zh-CN' ? n.nameZh : n.nameEn;

const str = (x: unknown, max = 20_000) => (typeof x === 'string' ? x.slice(0, max) : '');

function fieldsOf(body: Record<string, unknown>): Fields {
  const raw = body['buildings[]'];
  const buildings = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((b): b is string => typeof b === 'string')
    .slice(0, 500)
    .map((b) => b.slice(0, 64));
  return {
    key: str(body.key, 64),
    community: str(body.community, 64),
    textZh: str(body.textZh),
    textEn: str(body.textEn),
    audience: str(body.audience, 32) || 'community',
    buildings,
    service: str(body.service, 64),
    important: body.important === 'yes',
    when: body.when === 'later' ? 'later' : 'now',
    time: str(body.time, 40),
    photoRef: str(body.photoRef, 400),
  };
}

const isKind = (k: string): k is AudienceKind => (AUDIENCE_KINDS as readonly string[]).includes(k);

function audienceOf(f: Fields): Audience | null {
  if (!isKind(f.audience)) return null;
  if (f.audience === 'buildings') return { kind: 'buildings', buildingIds: f.buildings };
  if (f.audience === 'open_case') return { kind: 'open_case', serviceCode: f.service };
  return { kind: f.audience };
}

/** The audience is complete enough to be counted (its buildings or its service chosen). */
const countable = (a: Audience | null): a is Audience =>
  a !== null &&
  !(a.kind === 'buildings' && a.buildingIds.length === 0) &&
  !(a.kind === 'open_case' && a.serviceCode === '');

interface Checked {
  draft: NoticeDraft | null;
  errors: string[];
  size: AudienceSize | null;
}

/** Everything wrong with the form, in the order a worker fixes it, in plain words; the draft when none. */
async function check(
  composer: NoticeComposer,
  v: View,
  me: number,
  f: Fields,
  community: string,
  now: Date,
  full: boolean,
  photoFileId: string | null = null,
): Promise<Checked> {
  const { t } = v;
  const errors: string[] = [];
  const audience = audienceOf(f);
  let size: AudienceSize | null = null;
  if (audience === null) errors.push(t('console:compose.errors.audience_invalid'));
  else if (audience.kind === 'buildings' && audience.buildingIds.length === 0)
    errors.push(t('console:compose.errors.no_buildings'));
  else if (audience.kind === 'open_case' && audience.serviceCode === '')
    errors.push(t('console:compose.errors.no_service'));
  if (countable(audience)) {
    const counted = await composer.count(me, community, audience);
    if (counted.ok) size = counted.value;
    else errors.push(t('console:compose.errors.audience_invalid'));
  }
  if (!full) return { draft: null, errors, size };
  let scheduledAt: Date | null = null;
  if (f.when === 'later') {
    const parsed = parseScheduleTime(f.time.replace('T', ' '), now);
    if (parsed.ok) scheduledAt = parsed.value;
    else errors.push(t(`console:compose.errors.time_${parsed.error}`));
  }
  const draft: NoticeDraft = {
    communityCode: community,
    textZh: f.textZh,
    textEn: f.textEn.trim() ? f.textEn : null,
    photoFileId,
    audience: audience ?? { kind: 'community' },
    important: f.important,
    scheduledAt,
  };
  const order = ['text_empty', 'text_too_long', 'caption_too_long'];
  const textProblems = composer.problems(draft).filter((p) => order.includes(p));
  errors.unshift(...textProblems.map((p) => t(`console:compose.errors.${p}`, { max: NOTICE_TEXT_MAX })));
  if (size && reached(size, f.important) === 0) errors.push(t('console:compose.errors.nobody'));
  return { draft: errors.length === 0 ? draft : null, errors, size };
}

const reached = (size: AudienceSize, important: boolean) =>
  important ? size.residents : size.residents - size.muted;

const Hidden: FC<{ f: Fields }> = ({ f }) => (
  <>
    <input type="hidden" name="key" value={f.key} />
    <input type="hidden" name="community" value={f.community} />
    <input type="hidden" name="textZh" value={f.textZh} />
    <input type="hidden" name="textEn" value={f.textEn} />
    <input type="hidden" name="audience" value={f.audience} />
    {f.buildings.map((b) => (
      <input type="hidden" name="buildings[]" value={b} />
    ))}
    <input type="hidden" name="service" value={f.service} />
    <input type="hidden" name="important" value={f.important ? 'yes' : 'no'} />
    <input type="hidden" name="when" value={f.when} />
    <input type="hidden" name="time" value={f.time} />
    <input type="hidden" name="photoRef" value={f.photoRef} />
  </>
);

/** How many residents the audience is, said in words (or why it cannot be counted). */
const CountLine: FC<{ v: View; size: AudienceSize | null; important: boolean }> = ({
  v,
  size,
  important,
}) => {
  const { t } = v;
  if (!size) return <span>{t('console:compose.count_unknown')}</span>;
  return (
    <span>
      {t('console:compose.count', { count: reached(size, important) })}
      {!important && size.muted > 0 ? ` ${t('console:compose.muted', { count: size.muted })}` : ''}
      {size.unreachable > 0 ? ` ${t('console:compose.unreachable', { count: size.unreachable })}` : ''}
    </span>
  );
};

/** Community, who gets it and the count: htmx posts it on every change and swaps only this part. */
const AudienceFields: FC<{ v: View; f: Fields; choices: Choices; size: AudienceSize | null }> = ({
  v,
  f,
  choices,
  size,
}) => {
  const { t } = v;
  const chosen = new Set(f.buildings);
  return (
    <fieldset
      id="audience"
      hx-post="/notices/new"
      hx-trigger="change"
      hx-vals='{"op":"count"}'
      hx-params="not photo,dropPhoto"
      hx-target="#audience"
      hx-select="#audience"
      hx-swap="outerHTML"
    >
      <legend>{t('console:compose.who')}</legend>
      {choices.communities.length > 1 ? (
        <p>
          <label for="community">{t('console:compose.community')}</label>{' '}
          <select id="community" name="community">
            {choices.communities.map((c) => (
              <option value={c.code} selected={c.code === choices.community.code}>
                {named(v, c)}
              </option>
            ))}
          </select>
        </p>
      ) : (
        <p>
          <input type="hidden" name="community" value={choices.community.code} />
          {t('console:compose.community_one', { community: named(v, choices.community) })}
        </p>
      )}
      {AUDIENCE_KINDS.map((k) => (
        <div class="choice">
          <input type="radio" id={`audience-${k}`} name="audience" value={k} checked={f.audience === k} />{' '}
          <label for={`audience-${k}`}>{t(`console:compose.audience.${k}`)}</label>
          {k === 'buildings' ? (
            <fieldset class="buildings">
              <legend>{t('console:compose.buildings')}</legend>
              {choices.buildings.length === 0 ? (
                <p class="muted">{t('console:compose.no_buildings_here')}</p>
              ) : (
                choices.buildings.map((b) => (
                  <span class="check">
                    <input
                      type="checkbox"
                      id={`building-${b.id}`}
                      name="buildings[]"
                      value={b.id}
                      checked={chosen.has(b.id)}
                    />{' '}
                    <label for={`building-${b.id}`}>{named(v, b)}</label>
                  </span>
                ))
              )}
            </fieldset>
          ) : null}
          {k === 'open_case' ? (
            <p class="sub">
              <label for="service">{t('console:compose.service')}</label>{' '}
              <select id="service" name="service">
                <option value="" selected={f.service === ''}>
                  {t('console:compose.service_none')}
                </option>
                {choices.services.map((s) => (
                  <option value={s} selected={f.service === s}>
                    {serviceName(t, s)}
                  </option>
                ))}
              </select>
            </p>
          ) : null}
        </div>
      ))}
      <p class="bar">
        <output id="count" aria-live="polite">
          <CountLine v={v} size={size} important={f.important} />
        </output>{' '}
        <button type="submit" name="op" value="count" id="count-button">
          {t('console:compose.count_button')}
        </button>
      </p>
    </fieldset>
  );
};

export const ComposePage: FC<{
  v: View;
  f: Fields;
  choices: Choices;
  size: AudienceSize | null;
  errors: string[];
  message: string | null;
}> = ({ v, f, choices, size, errors, message }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:compose.title')}>
      <p>
        <a href="/notices">{t('console:compose.back')}</a>
      </p>
      <h1>{t('console:compose.title')}</h1>
      <Notice text={message} />
      {errors.length > 0 ? (
        <div class="notice error" role="alert" id="errors">
          <p>{t('console:compose.errors.title')}</p>
          <ul>
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form
        method="post"
        action="/notices/new"
        class="compose"
        enctype="multipart/form-data"
        hx-encoding="multipart/form-data"
      >
        <Csrf v={v} />
        <input type="hidden" name="key" value={f.key} />
        <p>
          <label for="textZh">{t('console:compose.text')}</label>
          <br />
          <span class="muted" id="textZh-hint">
            {t('console:compose.text_hint', { max: NOTICE_TEXT_MAX })}
          </span>
          <br />
          <textarea id="textZh" name="textZh" rows={6} aria-describedby="textZh-hint">
            {f.textZh}
          </textarea>
        </p>
        <p>
          <label for="textEn">{t('console:compose.text_en')}</label>
          <br />
          <span class="muted" id="textEn-hint">
            {t('console:compose.text_en_hint')}
          </span>
          <br />
          <textarea id="textEn" name="textEn" rows={4} lang="en" aria-describedby="textEn-hint">
            {f.textEn}
          </textarea>
        </p>
        {choices.photos ? (
          <PhotoField v={v} photoRef={f.photoRef} />
        ) : (
          <p class="muted">{t('console:compose.photo_in_telegram')}</p>
        )}
        <AudienceFields v={v} f={f} choices={choices} size={size} />
        <fieldset>
          <legend>{t('console:compose.kind')}</legend>
          <div class="choice">
            <input type="radio" id="important-no" name="important" value="no" checked={!f.important} />{' '}
            <label for="important-no">{t('console:compose.important_no')}</label>
          </div>
          <div class="choice">
            <input type="radio" id="important-yes" name="important" value="yes" checked={f.important} />{' '}
            <label for="important-yes">{t('console:compose.important_yes')}</label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('console:compose.when')}</legend>
          <div class="choice">
            <input type="radio" id="when-now" name="when" value="now" checked={f.when !== 'later'} />{' '}
            <label for="when-now">{t('console:compose.when_now')}</label>
          </div>
          <div class="choice">
            <input type="radio" id="when-later" name="when" value="later" checked={f.when === 'later'} />{' '}
            <label for="when-later">{t('console:compose.when_later')}</label>{' '}
            <label for="time" class="sr-only">
              {t('console:compose.time')}
            </label>
            <input type="datetime-local" id="time" name="time" value={f.time} aria-describedby="time-hint" />{' '}
            <span class="muted" id="time-hint">
              {t('console:compose.time_hint')}
            </span>
          </div>
        </fieldset>
        <p class="bar">
          <button type="submit" name="op" value="preview" class="primary" id="preview">
            {t('console:compose.preview_button')}
          </button>
        </p>
      </form>
    </Layout>
  );
};

/** One language version, exactly as residents get it (the text the sender sends, and its button). */
interface Version {
  label: string;
  lang: Locale;
  text: string;
  button: string | null;
}

export const PreviewPage: FC<{
  v: View;
  f: Fields;
  versions: Version[];
  summary: [string, string][];
  notes: string[];
  send: string;
}> = ({ v, f, versions, summary, notes, send }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:compose.preview_title')}>
      <h1>{t('console:compose.preview_title')}</h1>
      {versions.map((x) => (
        <section class="preview" aria-label={x.label}>
          <h2>{x.label}</h2>
          <div class="telegram-message" lang={x.lang === 'en' ? 'en' : 'zh-CN'}>
            {f.photoRef ? <NoticePicture v={v} photoRef={f.photoRef} /> : null}
            <p class="notice-text">{x.text}</p>
            {x.button ? <p class="telegram-button">{x.button}</p> : null}
          </div>
        </section>
      ))}
      <h2>{t('console:compose.summary')}</h2>
      <dl class="facts">
        {summary.map(([k, value]) => (
          <>
            <dt>{k}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
      {notes.map((n) => (
        <p class="muted">{n}</p>
      ))}
      <form method="post" action="/notices/new/send" class="bar">
        <Csrf v={v} />
        <Hidden f={f} />
        <button type="submit" class="primary" id="send">
          {send}
        </button>
        <button type="submit" formaction="/notices/new" name="op" value="edit" id="edit">
          {t('console:compose.edit_button')}
        </button>
      </form>
    </Layout>
  );
};

export function registerNoticeCompose(
  kit: ConsoleRoutes,
  composer: NoticeComposer,
  catalogue: Catalogue,
  translator: Translator,
  photos?: NoticePhotos,
): void {
  const { app } = kit;
  const { notFound } = refusalPages(kit);
  const services = () => catalogue.list().map((s) => s.code);

  const forbidden = (c: Context<Env>) => {
    const v = c.get('v');
    return kit.page(
      c,
      <Layout v={v} title={v.t('console:errors.forbidden_title')}>
        <h1>{v.t('console:errors.forbidden_title')}</h1>
        <p>{v.t('console:compose.forbidden')}</p>
      </Layout>,
      403,
    );
  };

  const choicesFor = async (c: Context<Env>, community: string | null) => {
    const form = await composer.form(c.get('user').telegramId, community);
    return form.ok ? { ...form.value, services: services(), photos: photos !== undefined } : null;
  };

  const showForm = async (
    c: Context<Env>,
    f: Fields,
    choices: Choices,
    extra: { errors?: string[]; size?: AudienceSize | null; message?: string | null; status?: 200 | 422 },
  ) =>
    kit.page(
      c,
      <ComposePage
        v={c.get('v')}
        f={f}
        choices={choices}
        size={extra.size ?? null}
        errors={extra.errors ?? []}
        message={extra.message ?? null}
      />,
      extra.status ?? 200,
    );

  app.get('/notices/new', async (c) => {
    const choices = await choicesFor(c, null);
    if (!choices) return forbidden(c);
    const v = c.get('v');
    const done = c.req.query('done');
    const message =
      done === 'now' || done === 'later' || done === 'again' ? v.t(`console:compose.done.${done}`) : null;
    const f = fieldsOf({ key: crypto.randomUUID(), community: choices.community.code });
    const size = await composer.count(c.get('user').telegramId, choices.community.code, {
      kind: 'community',
    });
    return showForm(c, f, choices, { size: size.ok ? size.value : null, message });
  });

  app.post('/notices/new', async (c) => {
    const body = await c.req.parseBody();
    const f = fieldsOf(body);
    const choices = await choicesFor(c, f.community || null);
    if (!choices) return forbidden(c);
    if (!/^[0-9a-f-]{36}$/.test(f.key)) f.key = crypto.randomUUID();
    const v = c.get('v');
    const me = c.get('user').telegramId;
    const op = body.op;
    // A picture chosen goes to Telegram with whichever button was pressed (a page without JavaScript cannot
    // keep a chosen file across posts); htmx's count leaves the file out.
    const taken = photos ? await takePhoto(c, photos, body, f.photoRef) : null;
    if (taken) f.photoRef = taken.photoRef;
    if (taken?.error) {
      const counted = await check(composer, v, me, f, choices.community.code, kit.now(), false);
      return showForm(c, f, choices, { size: counted.size, errors: [taken.error], status: 422 });
    }
    if (op !== 'preview') {
      // Another community chosen: the buildings ticked in the one before are not this one's.
      const here = new Set(choices.buildings.map((b) => b.id));
      f.buildings = f.buildings.filter((b) => here.has(b));
      const counted = await check(composer, v, me, f, choices.community.code, kit.now(), false);
      // Counting: only what stops the count is said (the rest waits for the preview).
      return showForm(c, f, choices, { size: counted.size, errors: op === 'count' ? counted.errors : [] });
    }
    const checked = await checkWithPhoto(c, f, choices);
    if (!checked.draft || !checked.size)
      return showForm(c, f, choices, { size: checked.size, errors: checked.errors, status: 422 });
    return kit.page(c, preview(v, f, checked.draft, checked.size, choices));
  });

  app.post('/notices/new/send', async (c) => {
    const f = fieldsOf(await c.req.parseBody());
    const choices = await choicesFor(c, f.community || null);
    if (!choices) return forbidden(c);
    const v = c.get('v');
    const me = c.get('user').telegramId;
    const checked = await checkWithPhoto(c, f, choices);
    if (!checked.draft)
      return showForm(c, f, choices, { size: checked.size, errors: checked.errors, status: 422 });
    const sent = await composer.send({ telegramId: me, locale: v.locale }, checked.draft, f.key);
    if (sent.ok) {
      const done = !sent.value.created ? 'again' : sent.value.startsNow ? 'now' : 'later';
      return c.redirect(`/notices/new?done=${done}`, 303);
    }
    if (sent.error === 'not_allowed') return forbidden(c);
    const error = v.t(`console:compose.errors.${sent.error}`, { max: NOTICE_TEXT_MAX });
    return showForm(c, f, choices, { size: checked.size, errors: [error], status: 422 });
  });

  /** The whole check, with the picture's file id; a picture this author was not given is said plainly. */
  async function checkWithPhoto(c: Context<Env>, f: Fields, choices: Choices): Promise<Checked> {
    const v = c.get('v');
    const me = c.get('user').telegramId;
    const fileId = f.photoRef && photos ? photos.fileIdOf(me, f.photoRef) : null;
    const lost = f.photoRef !== '' && fileId === null;
    if (lost) f.photoRef = '';
    const checked = await check(composer, v, me, f, choices.community.code, kit.now(), true, fileId);
    if (!lost) return checked;
    return {
      ...checked,
      draft: null,
      errors: [v.t('console:notice_photo.errors.invalid'), ...checked.errors],
    };
  }

  if (photos) registerNoticePhoto(kit, photos);

  // Anything else under /notices/new is no page.
  app.get('/notices/new/send', (c) => notFound(c));

  function preview(v: View, f: Fields, draft: NoticeDraft, size: AudienceSize, choices: Choices) {
    const { t } = v;
    const content = {
      id: 'preview',
      textZh: draft.textZh.trim(),
      textEn: draft.textEn === null ? null : draft.textEn.trim(),
      photoFileId: draft.photoFileId,
      important: draft.important,
      community: { nameZh: choices.community.nameZh, nameEn: choices.community.nameEn },
    };
    const langs: Locale[] = draft.textEn === null ? ['zh-CN'] : ['zh-CN', 'en'];
    const versions = langs.map((lang) => {
      const rendered = renderNotice(translator.t(lang), lang, content, { preview: true });
      return {
        label:
          draft.textEn === null
            ? t('console:compose.version_all')
            : t(lang === 'en' ? 'console:compose.version_en' : 'console:compose.version_zh'),
        lang,
        text: rendered.text,
        button: rendered.replyMarkup?.inline_keyboard[0]?.[0]?.text ?? null,
      };
    });
    const audience = draft.audience;
    const audienceText =
      audience.kind === 'buildings'
        ? choices.buildings
            .filter((b) => audience.buildingIds.includes(b.id))
            .map((b) => named(v, b))
            .join(t('console:compose.list_separator'))
        : audience.kind === 'open_case'
          ? t('console:compose.audience_open_case', { service: serviceName(t, audience.serviceCode) })
          : t(`console:compose.audience.${audience.kind}`);
    const summary: [string, string][] = [
      [t('console:compose.community'), named(v, choices.community)],
      [t('console:compose.who'), audienceText],
      [
        t('console:compose.reaches'),
        t('console:compose.count_value', { count: reached(size, draft.important) }),
      ],
      [
        t('console:compose.kind'),
        t(draft.important ? 'console:compose.important_yes' : 'console:compose.important_no'),
      ],
      [
        t('console:compose.when'),
        draft.scheduledAt
          ? t('console:compose.at', { at: compactTime(draft.scheduledAt, t, kit.now()) })
          : t('console:compose.when_now'),
      ],
    ];
    const notes = [
      !draft.important && size.muted > 0 ? t('console:compose.muted', { count: size.muted }) : null,
      size.unreachable > 0 ? t('console:compose.unreachable', { count: size.unreachable }) : null,
      draft.photoFileId ? t('console:notice_photo.sent_to_you') : null,
      t('console:compose.progress_in_telegram'),
    ].filter((x): x is string => x !== null);
    const send = t(draft.scheduledAt ? 'console:compose.send_later' : 'console:compose.send_now');
    return <PreviewPage v={v} f={f} versions={versions} summary={summary} notes={notes} send={send} />;
  }
}
