// More of the case page (the rest is in pages.tsx, its routes in app.tsx):
//   the resident's other cases (number, service, department, status, date; a link only to those of the
//   reader's department; nothing for an anonymous suggestion)
//   the case's files, shown where they are: photos as pictures, voice messages playable, documents to download
//   the queue's bulk form (its checkboxes are in the queue's rows, pages.tsx), and
//   POST /queue/bulk                take or transfer the ticked cases, each through the one-case use case
//                                   (audited, the resident told), → /queue with "3 taken, 1 already taken …"
//   GET  /cases/:id/files/:fileId   one file, streamed from Telegram through this server (FileSource): never a
//                                   public address, never kept on disk; the same access check and audit row
//                                   (pii.view, "attachments") as the bot's "files" button
import type { FC } from 'hono/jsx';
import { type FileSource, MAX_FILE_BYTES } from '../../app/console/file-source.ts';
import type { BulkError, OtherCase, StaffCard, StaffService } from '../../app/staff.ts';
import { compactTime } from '../../bot/format-time.ts';
import { STAFF_TEXT_MAX } from '../../domain/staff-work.ts';
import type { ConsoleRoutes } from './app.tsx';
import { Csrf, ErrorPage, serviceName, type View } from './pages.tsx';

/** A type Telegram told us is safe to name in Content-Type (anything else is sent as bytes). */
const PLAIN_MIME = /^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,80}$/;

/** What the browser is told a file is. Photos are JPEG on Telegram; voice messages OGG/Opus. */
export function contentTypeOf(kind: 'photo' | 'voice' | 'document', mimeType: string | null): string {
  const mime = mimeType?.toLowerCase() ?? '';
  if (kind === 'photo') return 'image/jpeg';
  if (kind === 'voice') return mime.startsWith('audio/') && PLAIN_MIME.test(mime) ? mime : 'audio/ogg';
  return PLAIN_MIME.test(mime) ? mime : 'application/octet-stream';
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/plain': 'txt',
};

/** A document's download name: the case number and the start of the file's id (ASCII only, nothing typed). */
export function downloadName(number: string, attachmentId: string, mimeType: string | null): string {
  const ext = EXTENSIONS[mimeType?.toLowerCase() ?? ''] ?? 'bin';
  const tag = attachmentId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return `${number.replace(/[^A-Za-z0-9-]/g, '')}-${tag}.${ext}`;
}

const fileHref = (caseId: string, fileId: string) => `/cases/${caseId}/files/${fileId}`;

/** The case's files: photos shown, voice messages playable, documents to download (htmx leaves these links be). */
export const CaseFiles: FC<{ v: View; card: StaffCard }> = ({ v, card }) => {
  const { t } = v;
  if (card.files.length === 0) return null;
  let photos = 0;
  let voices = 0;
  let documents = 0;
  return (
    <section class="files" aria-labelledby="files-title" hx-boost="false">
      <h2 id="files-title">{t('console:case_extras.files.title', { count: card.files.length })}</h2>
      <ul class="files">
        {card.files.map((f) => {
          const href = fileHref(card.id, f.id);
          if (f.kind === 'photo') {
            photos += 1;
            const name = t('console:case_extras.files.photo', { n: photos });
            return (
              <li class="photo">
                <a href={href} target="_blank" rel="noopener">
                  <img src={href} alt={name} loading="lazy" />
                </a>
                <span class="muted">{name}</span>
              </li>
            );
          }
          if (f.kind === 'voice') {
            voices += 1;
            const name = t('console:case_extras.files.voice', { n: voices });
            return (
              <li class="voice">
                <span>{name}</span>
                {/* biome-ignore lint/a11y/useMediaCaption: a resident's voice message comes without a transcript */}
                <audio controls preload="none" src={href} aria-label={name}>
                  <a href={href}>{t('console:case_extras.files.download')}</a>
                </audio>
              </li>
            );
          }
          documents += 1;
          return (
            <li class="document">
              <a href={href} download>
                {t('console:case_extras.files.document', { n: documents })}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
};

/** The resident's other cases, beside the case. */
export const OtherCases: FC<{ v: View; cases: OtherCase[] }> = ({ v, cases }) => {
  const { t } = v;
  return (
    <section class="others" aria-labelledby="others-title">
      <h2 id="others-title">{t('console:case_extras.others.title')}</h2>
      {cases.length === 0 ? (
        <p class="muted">{t('console:case_extras.others.none')}</p>
      ) : (
        <table class="others">
          <caption class="sr-only">{t('console:case_extras.others.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:queue.col.number')}</th>
              <th scope="col">{t('console:queue.col.service')}</th>
              <th scope="col">{t('console:case.department')}</th>
              <th scope="col">{t('console:queue.col.status')}</th>
              <th scope="col">{t('console:case.submitted')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((o) => (
              <tr>
                <td>{o.open ? <a href={`/cases/${o.id}`}>{o.number}</a> : o.number}</td>
                <td>{serviceName(t, o.serviceCode)}</td>
                <td>{v.locale === 'zh-CN' ? o.department.nameZh : o.department.nameEn}</td>
                <td>{t(`staff:status.${o.status}`)}</td>
                <td>{compactTime(o.submittedAt, t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};

/** The bulk form below the queue: take the ticked cases, or transfer them (with a department and a reason). */
export const BulkForm: FC<{ v: View; targets: { code: string; nameZh: string; nameEn: string }[] }> = ({
  v,
  targets,
}) => {
  const { t } = v;
  return (
    <form method="post" action="/queue/bulk" id="bulk" class="bulk">
      <Csrf v={v} />
      <fieldset>
        <legend>{t('console:case_extras.bulk.legend')}</legend>
        <p class="muted">{t('console:case_extras.bulk.hint')}</p>
        <button type="submit" name="do" value="take">
          {t('console:case_extras.bulk.take')}
        </button>
        {targets.length > 0 ? (
          <div class="bulk-transfer">
            <label for="bulk-department">{t('console:case_extras.bulk.department')}</label>
            <select id="bulk-department" name="department">
              <option value="">{t('console:case_extras.bulk.choose')}</option>
              {targets.map((d) => (
                <option value={d.code}>{v.locale === 'zh-CN' ? d.nameZh : d.nameEn}</option>
              ))}
            </select>
            <label for="bulk-reason">{t('console:case_extras.bulk.reason')}</label>
            <textarea id="bulk-reason" name="reason" rows={2} maxlength={STAFF_TEXT_MAX} />
            <button type="submit" name="do" value="transfer">
              {t('console:case_extras.bulk.transfer')}
            </button>
          </div>
        ) : null}
      </fieldset>
    </form>
  );
};

const count = (raw: string | undefined) => {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(n) && n > 0 && n <= 1000 ? n : 0;
};

/** The queue's line after a bulk action ("3 taken, 1 already taken by someone else"), from its address. */
export function bulkNotice(v: View, q: Record<string, string>): string | null {
  const action = q.bulk === 'take' || q.bulk === 'transfer' ? q.bulk : null;
  if (!action) return null;
  const { t } = v;
  const parts = [t(`console:case_extras.bulk.done.${action}`, { count: count(q.done) })];
  if (count(q.conflict) > 0)
    parts.push(t(`console:case_extras.bulk.conflict.${action}`, { count: count(q.conflict) }));
  if (count(q.not_allowed) > 0)
    parts.push(t(`console:case_extras.bulk.not_allowed.${action}`, { count: count(q.not_allowed) }));
  if (count(q.not_found) > 0)
    parts.push(t('console:case_extras.bulk.not_found', { count: count(q.not_found) }));
  return `${parts.join(t('console:case_extras.bulk.comma'))}${t('console:case_extras.bulk.stop')}`;
}

const BULK_ERRORS: readonly string[] = ['none_selected', 'too_many', 'bad_department', 'bad_reason'];

/** A refused bulk action's words (nothing was done), from the queue's address. */
export function bulkError(v: View, q: Record<string, string>): string | null {
  return q.bulk_error && BULK_ERRORS.includes(q.bulk_error)
    ? v.t(`console:case_extras.bulk.errors.${q.bulk_error}`)
    : null;
}

export function registerCaseExtras(
  routes: ConsoleRoutes,
  deps: { staff: StaffService; files: FileSource | undefined },
): void {
  const { app, page, notFound, forbidden } = routes;
  const { staff, files } = deps;

  app.post('/queue/bulk', async (c) => {
    const body = await c.req.parseBody({ all: true });
    const action = body.do === 'take' || body.do === 'transfer' ? body.do : null;
    if (!action) return c.redirect('/queue?bulk_error=none_selected', 303);
    const picked = body.case === undefined ? [] : Array.isArray(body.case) ? body.case : [body.case];
    const ids = picked.filter((x): x is string => typeof x === 'string');
    const text = (x: unknown) => (typeof x === 'string' ? x : '');
    const result = await staff.bulk(c.get('user').telegramId, action, ids, {
      departmentCode: text(body.department),
      reason: text(body.reason),
    });
    if (!result.ok) {
      if (result.error === 'not_found') return forbidden(c);
      return c.redirect(`/queue?bulk_error=${result.error satisfies BulkError}`, 303);
    }
    const r = result.value;
    const q = new URLSearchParams({ bulk: action, done: String(r.done) });
    if (r.conflict) q.set('conflict', String(r.conflict));
    if (r.notAllowed) q.set('not_allowed', String(r.notAllowed));
    if (r.notFound) q.set('not_found', String(r.notFound));
    return c.redirect(`/queue?${q.toString()}`, 303);
  });

  routes.caseSections.push(async (c, card) => {
    const v = c.get('v');
    if (!files) {
      return card.attachments > 0 ? (
        <p class="muted">{v.t('console:case.attachments', { count: card.attachments })}</p>
      ) : null;
    }
    return <CaseFiles v={v} card={card} />;
  });

  routes.caseSections.push(async (c, card) => {
    if (card.anonymous || !card.resident) return null;
    const others = await staff.otherCases(c.get('user').telegramId, card.id);
    return others.ok ? <OtherCases v={c.get('v')} cases={others.value} /> : null;
  });

  if (!files) return;

  app.get('/cases/:id/files/:fileId', async (c) => {
    const user = c.get('user');
    const caseId = c.req.param('id');
    const found = await staff.attachment(user.telegramId, caseId, c.req.param('fileId'));
    if (!found.ok) return notFound(c);
    const file = found.value;
    const v = c.get('v');
    const refuse = (why: 'gone' | 'too_large' | 'failed', status: 404 | 413 | 502) =>
      page(
        c,
        <ErrorPage
          v={v}
          title={v.t(`console:case_extras.files.${why}_title`)}
          text={v.t(`console:case_extras.files.${why}`)}
        />,
        status,
      );
    if (file.sizeBytes !== null && file.sizeBytes > MAX_FILE_BYTES) return refuse('too_large', 413);
    const opened = await files.open(file.fileId, MAX_FILE_BYTES);
    if (!opened.ok) {
      if (opened.error === 'not_found') return refuse('gone', 404);
      if (opened.error === 'too_large') return refuse('too_large', 413);
      return refuse('failed', 502);
    }
    const type = contentTypeOf(file.kind, file.mimeType);
    c.header('Content-Type', type);
    if (opened.size !== null) c.header('Content-Length', String(opened.size));
    if (file.kind === 'document') {
      const name = downloadName(file.number, c.req.param('fileId'), file.mimeType);
      c.header('Content-Disposition', `attachment; filename="${name}"`);
    } else {
      c.header('Content-Disposition', 'inline');
    }
    c.header('Cache-Control', 'private, no-store');
    return c.body(opened.body);
  });
}
