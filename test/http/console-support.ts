// What the console's route tests share: the console app over the harness's use cases (as main.ts wires it),
// signing in from the link /console sends in the harness's bot, and plain requests with the session cookie.
import { expect } from 'vitest';
import { type ConsoleAppOptions, createConsoleApp } from '../../src/http/console/app.tsx';
import { createLogger } from '../../src/logger.ts';
import type { Harness, SimUser } from '../support/bot-harness.ts';

/** The console's origin in the route tests (deps.consoleUrl: the bot's /console link points here). */
export const CONSOLE_BASE = 'http://console.test';

export type ConsoleApp = ReturnType<typeof createConsoleApp>;

/**
 * The console over the harness's use cases: its auth, staff desk, catalogue, communities and translator, in
 * Chinese by default, not secure (no __Host- cookie), silent; `extra` adds or replaces options.
 */
export function consoleAppOver(h: Harness, extra: Partial<ConsoleAppOptions> = {}): ConsoleApp {
  return createConsoleApp({
    auth: h.deps.console,
    staff: h.deps.staff,
    catalogue: h.deps.catalogue,
    communities: () => h.deps.reference.listCommunities(),
    translator: h.deps.translator,
    defaultLocale: 'zh-CN',
    secure: false,
    logger: createLogger('silent'),
    ...extra,
  });
}

/** Sends /console in `u`'s chat; the link's secret, the bot's message and its link preview options. */
export async function consoleLinkFor(
  u: SimUser,
  base = CONSOLE_BASE,
): Promise<{ token: string; text: string; options: unknown }> {
  const calls = await u.text('/console');
  const sent = calls.find((c) => c.method === 'sendMessage');
  const text = String(sent?.payload.text ?? '');
  const token = new RegExp(`${base}/login/([A-Za-z0-9_-]+)`).exec(text)?.[1];
  if (!token) throw new Error(`no link in: ${text}`);
  return { token, text, options: sent?.payload.link_preview_options };
}

/** A form's fields: an object, or name–value pairs (a name may repeat). */
export type FormFields = Record<string, string> | (readonly [string, string])[];

/**
 * Requests to the console app `app()` (read when called: the app is made in beforeAll): sign-in from the bot's
 * link, GET and form POST with the session cookie, the form token on a page.
 */
export function consoleRequests(app: () => ConsoleApp) {
  const get = (path: string, cookie?: string) => app().request(path, { headers: cookie ? { cookie } : {} });
  return {
    /** Signs `u` in from the link /console sent (POST /login/<secret>); the `bm_session=…` cookie header. */
    async signIn(u: SimUser): Promise<string> {
      const { token } = await consoleLinkFor(u);
      const res = await app().request(`/login/${token}`, { method: 'POST' });
      expect(res.status).toBe(303);
      const cookie = /bm_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      if (!cookie) throw new Error('no session cookie');
      return `bm_session=${cookie}`;
    },
    get,
    /** A form POST (urlencoded), with the cookie when given and any other `headers` (hx-request, say). */
    post(path: string, cookie: string | undefined, form: FormFields, headers: Record<string, string> = {}) {
      const fields = Array.isArray(form) ? form.map(([k, v]): [string, string] => [k, v]) : form;
      return app().request(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        body: new URLSearchParams(fields).toString(),
      });
    },
    /** The form token on the page at `path`. */
    async csrfOn(cookie: string, path = '/help'): Promise<string> {
      const html = await (await get(path, cookie)).text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (!token) throw new Error(`no form token on ${path}`);
      return token;
    },
  };
}
