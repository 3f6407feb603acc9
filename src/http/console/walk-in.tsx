// Registering a resident at the window, without Telegram (src/app/walk-in.ts decides who may, checks,
// encrypts and audits):
//   GET  /residents/new     the form: community and building, unit, room, name, phone, ID number, and the
//                           consent text to read to the resident with the box the clerk ticks
//   POST /residents/new     registers, → its confirmation (303); or the form again with what is wrong
//                           (nothing typed is lost); an ID number already registered: a link to that file
//   GET  /residents/:id/registered   the confirmation: who was registered (masked), where, and the next step
//                           (file a request for them: /residents/:id/file)
import type { FC } from 'hono/jsx';
import type {
  FieldProblem,
  RegisteredResident,
  WalkInCommunity,
  WalkInInput,
  WalkInService,
} from '../../app/walk-in.ts';
import type { ConsoleRoutes } from './app.tsx';
import { Csrf, Layout, Notice, type View } from './pages.tsx';
import { addressText } from './search.tsx';

const named = (v: View, n: { nameZh: string; nameEn: string }) =>
  v.locale === 'zh-CN' ? n.nameZh : n.nameEn;

const str = (x: unknown, max = 200) => (typeof x === 'string' ? x.slice(0, max) : '');

/** The form as posted; the building select carries "community/building". */
function fieldsOf(body: Record<string, unknown>): WalkInInput & { place: string } {
  const place = str(body.place, 200);
  const [communityCode = '', buildingId = ''] = place.split('/');
  return {
    place,
    communityCode,
    buildingId,
    unit: str(body.unit, 8).trim(),
    room: str(body.room),
    name: str(body.name),
    phone: str(body.phone),
    idNumber: str(body.idNumber),
    consent: body.consent === 'yes',
  };
}

const EMPTY = fieldsOf({});

type Fields = ReturnType<typeof fieldsOf>;

const TextField: FC<{
  v: View;
  id: 'unit' | 'room' | 'name' | 'phone' | 'idNumber';
  value: string;
  problem: FieldProblem | undefined;
  inputmode?: 'numeric' | 'tel';
}> = ({ v, id, value, problem, inputmode }) => {
  const { t } = v;
  const label = id === 'unit' ? t('console:walk_in.unit') : t(`registration:fields.${id}`);
  return (
    <p>
      <label for={id}>{label}</label>
      <br />
      <input
        type="text"
        id={id}
        name={id}
        value={value}
        maxlength={id === 'unit' ? 2 : 60}
        autocomplete="off"
        inputmode={inputmode}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
        required
      />
      {problem ? (
        <span class="field-error" id={`${id}-error`}>
          {' '}
          {problem.field === 'unit'
            ? t('console:walk_in.errors.unit')
            : t(`registration:errors.${problem.field}.${problem.code}`)}
        </span>
      ) : null}
    </p>
  );
};

export const WalkInPage: FC<{
  v: View;
  communities: WalkInCommunity[];
  f: Fields;
  error: string | null;
  problems: FieldProblem[];
  existing?: { householdId: string | null } | null;
}> = ({ v, communities, f, error, problems, existing }) => {
  const { t } = v;
  const problem = (field: FieldProblem['field']) => problems.find((p) => p.field === field);
  return (
    <Layout v={v} title={t('console:walk_in.title')}>
      <p>
        <a href="/search">{t('console:household.back')}</a>
      </p>
      <h1>{t('console:walk_in.title')}</h1>
      <p>{t('console:walk_in.intro')}</p>
      <Notice text={error} kind="error" />
      {existing ? (
        <div class="notice error" role="alert">
          <p>{t('console:walk_in.already_registered')}</p>
          {existing.householdId ? (
            <p>
              <a href={`/households/${existing.householdId}`}>{t('console:walk_in.open_existing')}</a>
            </p>
          ) : null}
        </div>
      ) : null}
      <form method="post" action="/residents/new" class="walk-in">
        <Csrf v={v} />
        <p>
          <label for="place">{t('console:walk_in.place')}</label>
          <br />
          <select id="place" name="place" required>
            {communities.map((c) => (
              <optgroup label={named(v, c)}>
                {c.buildings.map((b) => {
                  const value = `${c.code}/${b.id}`;
                  return (
                    <option value={value} selected={value === f.place}>
                      {`${named(v, c)} · ${named(v, b)}`}
                    </option>
                  );
                })}
              </optgroup>
            ))}
          </select>
        </p>
        <TextField v={v} id="unit" value={f.unit} problem={problem('unit')} inputmode="numeric" />
        <TextField v={v} id="room" value={f.room} problem={problem('room')} />
        <TextField v={v} id="name" value={f.name} problem={problem('name')} />
        <TextField v={v} id="phone" value={f.phone} problem={problem('phone')} inputmode="tel" />
        <TextField v={v} id="idNumber" value={f.idNumber} problem={problem('idNumber')} />
        <fieldset>
          <legend>{t('console:walk_in.consent_title')}</legend>
          <p class="muted">{t('console:walk_in.consent_read')}</p>
          <blockquote class="consent-text">{t('registration:ask.consent')}</blockquote>
          <div class="choice">
            <input type="checkbox" id="consent" name="consent" value="yes" checked={f.consent} />{' '}
            <label for="consent">{t('console:walk_in.consent_box')}</label>
          </div>
        </fieldset>
        <p>
          <button type="submit" class="primary">
            {t('console:walk_in.submit')}
          </button>
        </p>
      </form>
    </Layout>
  );
};

export const RegisteredPage: FC<{ v: View; r: RegisteredResident }> = ({ v, r }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:walk_in.done_title')}>
      <h1>{t('console:walk_in.done_title')}</h1>
      <Notice text={t('console:walk_in.registered')} />
      <dl class="facts">
        <dt>{t('console:case.name')}</dt>
        <dd>{r.name}</dd>
        <dt>{t('console:case.id_number')}</dt>
        <dd class="number">{r.idNumberMasked}</dd>
        <dt>{t('console:case.phone')}</dt>
        <dd class="number">{r.phoneMasked}</dd>
        <dt>{t('console:case.address')}</dt>
        <dd>{addressText(v, r.address)}</dd>
      </dl>
      <p>
        <a href={`/residents/${r.residentId}/file`}>{t('console:walk_in.file_next')}</a>
      </p>
      <p>
        <a href={`/households/${r.householdId}`}>{t('console:household.from_case')}</a>
      </p>
      <p>
        <a href="/residents/new">{t('console:walk_in.another')}</a>
      </p>
    </Layout>
  );
};

/** "Delete this resident's data" (they asked, at the window): what it does, and the button; or that it is done. */
export const ErasePage: FC<{ v: View; residentId: string; done: { cases: number } | null }> = ({
  v,
  residentId,
  done,
}) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:walk_in.erase_title')}>
      <h1>{t('console:walk_in.erase_title')}</h1>
      {done ? (
        <>
          <Notice text={t('console:walk_in.erased', { count: done.cases })} />
          <p>
            <a href="/search">{t('console:household.back')}</a>
          </p>
        </>
      ) : (
        <>
          <p>{t('console:walk_in.erase_explain')}</p>
          <form method="post" action={`/residents/${residentId}/erase`}>
            <Csrf v={v} />
            <button type="submit">{t('console:walk_in.erase_button')}</button>
          </form>
          <p>
            <a href="/search">{t('console:household.back')}</a>
          </p>
        </>
      )}
    </Layout>
  );
};

export function registerWalkIn(routes: ConsoleRoutes, walkIn: WalkInService) {
  const { app, page } = routes;

  app.get('/residents/:id/erase', async (c) => {
    // Only someone who may erase them sees the button (the same check as the view; audited if refused).
    const r = await walkIn.registered(c.get('user').telegramId, c.req.param('id'));
    if (!r.ok || r.value.onTelegram) return routes.notFound(c);
    return page(c, <ErasePage v={c.get('v')} residentId={r.value.residentId} done={null} />);
  });

  app.post('/residents/:id/erase', async (c) => {
    const done = await walkIn.erase(c.get('user').telegramId, c.req.param('id'));
    if (!done.ok) return routes.notFound(c);
    return page(c, <ErasePage v={c.get('v')} residentId="" done={done.value} />);
  });

  app.get('/residents/:id/registered', async (c) => {
    const r = await walkIn.registered(c.get('user').telegramId, c.req.param('id'));
    if (!r.ok) return routes.notFound(c);
    return page(c, <RegisteredPage v={c.get('v')} r={r.value} />);
  });

  app.get('/residents/new', async (c) => {
    const form = await walkIn.form(c.get('user').telegramId);
    if (!form.ok) return routes.forbidden(c);
    return page(
      c,
      <WalkInPage v={c.get('v')} communities={form.value} f={EMPTY} error={null} problems={[]} />,
    );
  });

  app.post('/residents/new', async (c) => {
    const me = c.get('user').telegramId;
    const f = fieldsOf(await c.req.parseBody());
    const { place: _place, ...input } = f;
    const done = await walkIn.register(me, input);
    if (done.ok && done.value.kind === 'registered')
      return c.redirect(`/residents/${done.value.residentId}/registered`, 303);
    const form = await walkIn.form(me);
    if (!form.ok || (!done.ok && done.error === 'not_allowed')) return routes.forbidden(c);
    const v = c.get('v');
    if (done.ok) {
      const existing = {
        householdId: done.value.kind === 'already_registered' ? done.value.householdId : null,
      };
      return page(
        c,
        <WalkInPage v={v} communities={form.value} f={f} error={null} problems={[]} existing={existing} />,
        409,
      );
    }
    return page(
      c,
      <WalkInPage
        v={v}
        communities={form.value}
        f={f}
        error={t(v, done.error)}
        problems={done.problems ?? []}
      />,
      422,
    );
  });
}

const t = (v: View, error: string) => v.t(`console:walk_in.errors.${error}`);
