// The staff's web console: a second adapter over the same use cases as the bot (src/app). It checks nothing
// itself that a use case checks: who may see or change a case, the audit rows and the resident's
// notifications all come from src/app/staff.ts, exactly as when staff act in Telegram. What is its own: the
// sign-in (src/app/console/auth.ts does the work), the session cookie, the form token, the security headers.
//   GET  /login/:token          "sign in as …?" (changes nothing: link scanners only GET)
//   POST /login/:token          uses the link once, opens a session, → /
//   POST /logout                ends the session
//   POST /lang                  switches the language (the bot's setting too), → back where it was
//   GET  /                      department staff → /queue; others: what the console has for them
//   GET  /queue                 the department's open cases: ?filter=open|unassigned|mine|waiting,
//                               &urgent=1, &overdue=1, &service=<code>, &page=<n>
//   POST /queue/next            takes the next case (urgent first, then the earliest due), → its page
//   POST /queue/bulk            takes or transfers the ticked cases, → the queue with a count (case-extras.tsx)
//   GET  /cases/:id             the case: facts, resident (masked), answers, history, the forms to act
//   POST /cases/:id/<action>    take, reply, ask, note, resolve, reject, transfer, release, → the case
//   GET  /help                  the keyboard shortcuts
//   /search, /households/:id, /audit   search, one household's file, the audit log (search.tsx,
//                               household.tsx, audit.tsx)
//   /figures, /export           figures as charts and the CSV export (figures.tsx)
//   /notices                    following up important notices (notices.tsx)
//   /notices/new                composing a notice (notice-compose.tsx)
//   /labour                     households with labour but nobody employed (labour.tsx)
//   /residents/new, /tell       registering a resident at the window; what residents without Telegram
//                               must be told (walk-in.tsx, tell.tsx)
//   GET  /assets/*              console.css, console.js, htmx.min.js (from node_modules, never a CDN)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { AuditLogView } from '../../app/console/audit-log.ts';
import type { ConsoleAuth, ConsoleUser } from '../../app/console/auth.ts';
import { SESSION_MAX_MS } from '../../app/console/auth.ts';
import type { FiguresService } from '../../app/console/figures.ts';
import type { FileSource } from '../../app/console/file-source.ts';
import type { NoticeComposer } from '../../app/console/notice-compose.ts';
import type { NoticeFollowUp } from '../../app/console/notice-followup.ts';
import type { NoticePhotos } from '../../app/console/notice-photo.ts';
import type { ConsoleLookup } from '../../app/console/search.ts';
import type { FilingService } from '../../app/filing.ts';
import type { LabourService } from '../../app/labour.ts';
import type { TellService } from '../../app/resident-tell.ts';
import type { StaffCard, StaffError, StaffService } from '../../app/staff.ts';
import type { WalkInService } from '../../app/walk-in.ts';
import { resolveLocale, type Translator } from '../../bot/i18n.ts';
import type { Locale } from '../../config.ts';
import type { Catalogue } from '../../domain/catalogue/index.ts';
import type { Logger } from '../../logger.ts';
import { registerAudit } from './audit.tsx';
import { BulkForm, bulkError, bulkNotice, registerCaseExtras } from './case-extras.tsx';
import { registerFigureRoutes } from './figures.tsx';
import { registerFiling } from './filing.tsx';
import { registerHousehold } from './household.tsx';
import { registerLabour } from './labour.tsx';
import { registerNoticeCompose } from './notice-compose.tsx';
import { PHOTO_FORM_MAX_BYTES } from './notice-photo.tsx';
import { registerNoticeRoutes } from './notices.tsx';
import {
  type CaseForms,
  CasePage,
  ConfirmSignInPage,
  ErrorPage,
  HelpPage,
  HomePage,
  LinkRefusedPage,
  QueuePageView,
  SignInPage,
  type View,
} from './pages.tsx';
import { registerSearch } from './search.tsx';
import { registerTell } from './tell.tsx';
import { registerWalkIn } from './walk-in.tsx';

export interface ConsoleAppOptions {
  auth: ConsoleAuth;
  staff: StaffService;
  /** Search and household files (src/app/console/search.ts); unset: no such pages. */
  lookup?: ConsoleLookup;
  /** The audit log for admins (src/app/console/audit-log.ts); unset: no such page. */
  auditLog?: AuditLogView;
  catalogue: Catalogue;
  /** Community names for a worker's home page. */
  communities: () => Promise<{ code: string; nameZh: string; nameEn: string }[]>;
  translator: Translator;
  defaultLocale: Locale;
  /** The console is served over https (CONSOLE_URL): the cookie is marked Secure. */
  secure: boolean;
  /** The origin of CONSOLE_URL (forms posted from any other origin are refused). */
  publicOrigin?: string;
  /** A hint to this process's notification dispatcher that the resident has a message waiting. */
  wakeDispatcher?: () => void;
  logger: Logger;
  now?: () => Date;
  /** Figures and the export (figures.tsx); without it, no such pages. */
  figures?: FiguresService;
  /** Following up important notices (notices.tsx); without it, no such pages. */
  noticeFollowUp?: NoticeFollowUp;
  /** Composing community notices (notice-compose.tsx); without it, no such pages. */
  noticeComposer?: NoticeComposer;
  /** A picture for a composed notice (notice-photo.tsx); without it, notices are text only here. */
  noticePhotos?: NoticePhotos;
  /** A case's files from Telegram (case-extras.tsx); without it, the case page only counts them. */
  files?: FileSource;
  /** Households with labour but nobody employed (labour.tsx, src/app/labour.ts); without it, no such page. */
  labour?: LabourService;
  /** Filing a request for a resident at the window or by proxy (filing.tsx); without it, no such pages. */
  filing?: FilingService;
  /** Registering residents at the window, without Telegram (walk-in.tsx); without it, no such page. */
  walkIn?: WalkInService;
  /** What residents without Telegram must be told (tell.tsx); without it, no such list. */
  tells?: TellService;
}

export type Env = { Variables: { v: View; user: ConsoleUser; secret: string } };
type PageStatus = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 502;

/** What a page file of the console (search.tsx …) registers its signed-in routes with. */
export interface ConsoleRoutes {
  app: Hono<Env>;
  page(c: Context, node: unknown, status?: PageStatus): Promise<Response>;
  /** "Not found" (also: not yours to see; the use case audited it). */
  notFound(c: Context<Env>): Promise<Response>;
  /** A page that is not for this person (the use case audited it). */
  forbidden(c: Context<Env>): Promise<Response>;
  /** The clock of the use cases (a test may set it). */
  now(): Date;
  /** More parts of the case page (its files …), each rendered below the answers. */
  caseSections: CaseSection[];
}

/** A part of the case page a page file adds (case-extras.tsx), given the card the page shows. */
export type CaseSection = (c: Context<Env>, card: StaffCard) => Promise<Child>;

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const require = createRequire(import.meta.url);

/** Every response: nothing from elsewhere, no framing, no referrer (a sign-in link must not leak). */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** The actions a case page's forms post, and the use case each calls. */
const ACTIONS = ['take', 'reply', 'ask', 'note', 'resolve', 'reject', 'transfer', 'release'] as const;
type CaseAction = (typeof ACTIONS)[number];
const isAction = (a: string): a is CaseAction => (ACTIONS as readonly string[]).includes(a);
/** The actions that tell the resident something (a "to tell" item when they have no Telegram). */
const TOLD_ACTIONS: ReadonlySet<CaseAction> = new Set(['reply', 'ask', 'resolve', 'reject', 'transfer']);

/** Only a path of this console may be gone back to (never another site: `//evil`, `/\evil`). */
const safeBack = (back: unknown) =>
  typeof back === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(back) && back.length <= 500 ? back : '/';

export function createConsoleApp(opts: ConsoleAppOptions) {
  const { auth, staff, translator, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const cookieName = opts.secure ? '__Host-bm_session' : 'bm_session';
  const assets: Record<string, { body: string; type: string }> = {
    'console.css': { body: readFileSync(path.join(ASSETS_DIR, 'console.css'), 'utf8'), type: 'text/css' },
    'console.js': {
      body: readFileSync(path.join(ASSETS_DIR, 'console.js'), 'utf8'),
      type: 'text/javascript',
    },
    'htmx.min.js': {
      body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
      type: 'text/javascript',
    },
  };

  /** Whether a POST's Origin is this console: the address staff type (CONSOLE_URL) or the one asked for. */
  const sameSite = (origin: string, c: Context) => {
    const own = [new URL(c.req.url).origin, opts.publicOrigin].filter(Boolean);
    const host = c.req.header('host');
    if (host) own.push(`${new URL(c.req.url).protocol}//${host}`);
    return own.includes(origin);
  };

  // A signed-in person: the language they chose (in the bot or here), else the deployment's. Before sign-in
  // the browser's first language, when it is one of ours.
  const localeOf = (user: ConsoleUser | null, acceptLanguage: string | undefined): Locale => {
    if (user) return resolveLocale(user.language.locale, opts.defaultLocale);
    const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
    if (first.startsWith('zh')) return 'zh-CN';
    if (first.startsWith('en')) return 'en';
    return opts.defaultLocale;
  };

  const viewFor = (c: Context, user: ConsoleUser | null, secret: string | null): View => {
    const locale = localeOf(user, c.req.header('accept-language'));
    const url = new URL(c.req.url);
    return {
      t: translator.t(locale),
      locale,
      user,
      csrf: secret ? auth.csrfToken(secret) : null,
      path: `${url.pathname}${url.search}`,
    };
  };

  const page = async (c: Context, node: unknown, status: PageStatus = 200) =>
    c.html(`<!DOCTYPE html>${await String(node)}`, status);

  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    if (!c.req.path.startsWith('/assets/')) c.header('Cache-Control', 'no-store');
  });
  // Too much sent (a pasted book): said in the reader's words, before anything else reads the body.
  const tooLarge = (what: 'errors.too_large' | 'notice_photo.body_too_large') => (c: Context) => {
    const v = viewFor(c, null, null);
    return page(
      c,
      <ErrorPage v={v} title={v.t(`console:${what}_title`)} text={v.t(`console:${what}`)} />,
      413,
    );
  };
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: tooLarge('errors.too_large') });
  // The notice form may carry a photo (notice-photo.tsx).
  const photoLimit = bodyLimit({
    maxSize: PHOTO_FORM_MAX_BYTES,
    onError: tooLarge('notice_photo.body_too_large'),
  });
  app.use('*', async (c, next) => {
    // The photo's limit only for someone signed in: nobody else can make the console hold a photo-sized body
    // (the session is looked up again below, as for every page).
    if (opts.noticePhotos && c.req.method === 'POST' && c.req.path === '/notices/new') {
      if ((await auth.session(getCookie(c, cookieName))).ok) return photoLimit(c, next);
    }
    return formLimit(c, next);
  });
  // A form posted from another site is refused before anything else, sign-in included: nobody can be signed
  // in to someone else's session by a page elsewhere. Browsers say where a request came from in
  // Sec-Fetch-Site (and Origin, which is "null" on this console's own forms: its Referrer-Policy is no-referrer).
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const foreign =
      (site !== undefined && site !== 'same-origin' && site !== 'none') ||
      (origin !== undefined && origin !== 'null' && !sameSite(origin, c));
    if (!foreign) return next();
    await auth.refusedRequest('console_form', 'cross_origin');
    const v = viewFor(c, null, null);
    return page(
      c,
      <ErrorPage v={v} title={v.t('console:errors.csrf_title')} text={v.t('console:errors.csrf')} />,
      403,
    );
  });

  app.onError(async (err, c) => {
    // Never the error's text or stack on the page; the log has the error (without request bodies).
    logger.error({ err, path: c.req.path }, 'console request failed');
    const v = viewFor(c, null, null);
    return page(
      c,
      <ErrorPage v={v} title={v.t('console:errors.failed_title')} text={v.t('console:errors.failed')} />,
      500,
    );
  });

  app.get('/assets/:name', (c) => {
    const asset = assets[c.req.param('name')];
    if (!asset) return c.notFound();
    c.header('Content-Type', `${asset.type}; charset=utf-8`);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body);
  });

  app.get('/help', async (c) => {
    const who = await auth.session(getCookie(c, cookieName));
    const secret = who.ok ? (getCookie(c, cookieName) ?? null) : null;
    return page(c, <HelpPage v={viewFor(c, who.ok ? who.value : null, secret)} />);
  });

  app.get('/login/:token', async (c) => {
    const preview = await auth.previewLink(c.req.param('token'));
    if (!preview.ok) {
      return page(c, <LinkRefusedPage v={viewFor(c, null, null)} reason={preview.error} />, 400);
    }
    const v = viewFor(c, null, null);
    // The page is in the person's language (they are not signed in yet, but the link says who they are).
    const local = { ...v, ...langOf(preview.value.user) };
    const name = preview.value.displayName ?? local.t('console:roles.admin');
    return page(c, <ConfirmSignInPage v={local} name={name} token={c.req.param('token')} />);
  });

  const langOf = (user: ConsoleUser) => {
    const locale = localeOf(user, undefined);
    return { locale, t: translator.t(locale) };
  };

  app.post('/login/:token', async (c) => {
    const signed = await auth.signIn(c.req.param('token'));
    if (!signed.ok) {
      return page(c, <LinkRefusedPage v={viewFor(c, null, null)} reason={signed.error} />, 400);
    }
    setCookie(c, cookieName, signed.value.session, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: opts.secure,
      path: '/',
      maxAge: Math.floor(SESSION_MAX_MS / 1000),
    });
    return c.redirect('/', 303);
  });

  // Everything below needs a session. Without one: the sign-in instructions (and why the last one ended).
  app.use('*', async (c, next) => {
    const secret = getCookie(c, cookieName);
    const who = await auth.session(secret);
    if (!who.ok) {
      if (secret !== undefined) deleteCookie(c, cookieName, { path: '/', secure: opts.secure });
      const ended = who.error === 'none' ? null : who.error;
      return page(c, <SignInPage v={viewFor(c, null, null)} ended={ended} />, 401);
    }
    c.set('user', who.value);
    c.set('secret', secret as string);
    c.set('v', viewFor(c, who.value, secret as string));
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      const sent = typeof body._csrf === 'string' ? body._csrf : undefined;
      if (!(await auth.checkCsrf(secret as string, who.value.telegramId, sent))) {
        const v = c.get('v');
        return page(
          c,
          <ErrorPage v={v} title={v.t('console:errors.csrf_title')} text={v.t('console:errors.csrf')} />,
          403,
        );
      }
    }
    await next();
  });

  app.post('/logout', async (c) => {
    await auth.signOut(c.get('secret'), c.get('user').telegramId);
    deleteCookie(c, cookieName, { path: '/', secure: opts.secure });
    const v = viewFor(c, null, null);
    return page(c, <SignInPage v={{ ...v, ...langOf(c.get('user')) }} ended="signed_out" />);
  });

  app.post('/lang', async (c) => {
    const body = await c.req.parseBody();
    const locale = body.locale === 'en' ? 'en' : body.locale === 'zh-CN' ? 'zh-CN' : null;
    if (locale) await auth.setLanguage(c.get('user').telegramId, locale);
    return c.redirect(safeBack(body.back), 303);
  });

  app.get('/', async (c) => {
    const user = c.get('user');
    if (user.roles.department) return c.redirect('/queue', 303);
    const code = user.roles.community;
    const community = code ? (await opts.communities()).find((x) => x.code === code) : undefined;
    const v = c.get('v');
    const name = community ? (v.locale === 'zh-CN' ? community.nameZh : community.nameEn) : null;
    return page(c, <HomePage v={v} communityName={name} />);
  });

  /** A refused staff action's page: not found (also: not yours to see; the use case audited it). */
  const notFound = (c: Context<Env>) => {
    const v = c.get('v');
    return page(
      c,
      <ErrorPage
        v={v}
        title={v.t('console:errors.not_found_title')}
        text={v.t('console:errors.not_found')}
      />,
      404,
    );
  };

  app.get('/queue', async (c) => {
    const user = c.get('user');
    const q = c.req.query();
    const pageNo = Number.parseInt(q.page ?? '1', 10);
    const result = await staff.queue(
      user.telegramId,
      q.filter ?? 'open',
      Number.isFinite(pageNo) ? pageNo - 1 : 0,
      { urgent: q.urgent === '1', overdue: q.overdue === '1', serviceCode: q.service || undefined },
      20,
    );
    if (!result.ok) return forbidden(c);
    const v = c.get('v');
    const notice = q.notice === 'empty' ? v.t('console:queue.none_left') : bulkNotice(v, q);
    const targets = await staff.bulkTransferTargets(user.telegramId);
    return page(
      c,
      <QueuePageView
        v={v}
        page={result.value}
        services={opts.catalogue.list()}
        notice={notice}
        now={now()}
        error={bulkError(v, q)}
        bulk={<BulkForm v={v} targets={targets.ok ? targets.value : []} />}
      />,
    );
  });

  /** A page that is only for department staff, asked for by someone who is not (audited by the use case). */
  const forbidden = (c: Context<Env>) => {
    const v = c.get('v');
    return page(
      c,
      <ErrorPage
        v={v}
        title={v.t('console:errors.forbidden_title')}
        text={v.t('console:errors.forbidden')}
      />,
      403,
    );
  };

  app.post('/queue/next', async (c) => {
    const taken = await staff.next(c.get('user').telegramId);
    if (!taken.ok) return forbidden(c);
    if (!taken.value) return c.redirect('/queue?notice=empty', 303);
    opts.wakeDispatcher?.();
    return c.redirect(`/cases/${taken.value.caseId}?notice=take`, 303);
  });

  const caseSections: CaseSection[] = [];

  async function showCase(
    c: Context<Env>,
    caseId: string,
    extra: {
      notice?: string | null;
      /** The action just done (its notice). */
      action?: CaseAction;
      error?: string | null;
      draft?: CaseForms['draft'];
      status?: 200 | 409 | 422;
    } = {},
  ) {
    const user = c.get('user');
    const card = await staff.card(user.telegramId, caseId);
    if (!card.ok) return notFound(c);
    const v = c.get('v');
    const extras = await Promise.all(caseSections.map((section) => section(c, card.value)));
    // The resident has no Telegram: what the action would have sent them is on the "to tell" list (tell.tsx).
    const told = extra.action && card.value.resident?.noTelegram && TOLD_ACTIONS.has(extra.action);
    const notice = told ? v.t('console:tell.done_action') : (extra.notice ?? null);
    const targets =
      card.value.can.act && card.value.department.code
        ? await staff.transferTargets(user.telegramId, caseId)
        : null;
    return page(
      c,
      <CasePage
        v={v}
        card={card.value}
        forms={{ targets: targets?.ok ? targets.value : [], draft: extra.draft ?? null }}
        notice={notice}
        error={extra.error ?? null}
        extras={caseSections.length > 0 ? extras : null}
      />,
      extra.status ?? 200,
    );
  }

  app.get('/cases/:id', async (c) => {
    const notice = c.req.query('notice');
    const v = c.get('v');
    const action = notice && isAction(notice) ? notice : undefined;
    const text = action ? v.t(`console:case.done.${action}`) : null;
    return showCase(c, c.req.param('id'), { notice: text, action });
  });

  app.post('/cases/:id/:action', async (c) => {
    const action = c.req.param('action');
    const caseId = c.req.param('id');
    if (!isAction(action)) return c.notFound();
    const me = c.get('user').telegramId;
    const body = await c.req.parseBody();
    const text = typeof body.text === 'string' ? body.text : '';
    const department = typeof body.department === 'string' ? body.department : '';
    const result = await run(action, me, caseId, text, department);
    if (result.ok) {
      opts.wakeDispatcher?.();
      return c.redirect(`/cases/${caseId}?notice=${action}`, 303);
    }
    if (result.error === 'not_found') return notFound(c);
    const v = c.get('v');
    const draft = action === 'take' || action === 'release' ? null : { action, text: text.slice(0, 4000) };
    return showCase(c, caseId, {
      error: v.t(`console:errors.${result.error}`),
      draft,
      status: result.error === 'invalid' ? 422 : 409,
    });
  });

  function run(action: CaseAction, me: number, caseId: string, text: string, department: string) {
    const calls: Record<CaseAction, () => Promise<{ ok: true } | { ok: false; error: StaffError }>> = {
      take: () => staff.take(me, caseId, 'console'),
      reply: () => staff.reply(me, caseId, text),
      ask: () => staff.askInfo(me, caseId, text),
      note: () => staff.note(me, caseId, text),
      resolve: () => staff.resolve(me, caseId, text),
      reject: () => staff.reject(me, caseId, text),
      transfer: () => staff.transfer(me, caseId, department, text),
      release: () => staff.release(me, caseId),
    };
    return calls[action]();
  }

  const routes: ConsoleRoutes = { app, page, notFound, forbidden, now, caseSections };
  if (opts.lookup) registerSearch(routes, opts.lookup, opts.filing);
  if (opts.lookup) registerHousehold(routes, opts.lookup, opts.filing);
  if (opts.filing) registerFiling(routes, opts.filing, opts.wakeDispatcher);
  if (opts.auditLog) registerAudit(routes, opts.auditLog);
  if (opts.figures) registerFigureRoutes(routes, opts.figures);
  if (opts.noticeComposer)
    registerNoticeCompose(routes, opts.noticeComposer, opts.catalogue, translator, opts.noticePhotos);
  if (opts.noticeFollowUp) registerNoticeRoutes(routes, opts.noticeFollowUp);
  if (opts.labour) registerLabour(routes, opts.labour, opts.communities);
  registerCaseExtras(routes, { staff, files: opts.files });
  if (opts.walkIn) registerWalkIn(routes, opts.walkIn);
  if (opts.tells) registerTell(routes, opts.tells);

  app.notFound(async (c) => {
    const v = viewFor(c, null, null);
    return page(
      c,
      <ErrorPage v={v} title={v.t('console:errors.not_found_title')} text={v.t('console:errors.no_page')} />,
      404,
    );
  });

  return app;
}

export type ConsoleApp = ReturnType<typeof createConsoleApp>;
