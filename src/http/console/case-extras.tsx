// More of the case page (the rest is in pages.tsx, its routes in app.tsx):
//   the resident's other cases (number, service, department, status, date; a link only to those of the
//   reader's department; nothing for an anonymous suggestion)
//   the case's files, shown where they are: photos as pictures, voice messages playable, documents to download
//   GET  /cases/:id/files/:fileId   one file, streamed from Telegram through this server (FileSource): never a
//                                   public address, never kept on disk; the same access check and audit row
//                                   (pii.view, "attachments") as the bot's "files" button
import type { FC } from 'hono/jsx';
import { type FileSource, MAX_FILE_BYTES } from '../../app/console/file-source.ts';
import type { OtherCase, StaffCard, StaffService } from '../../app/staff.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes } from './app.tsx';
import { ErrorPage, serviceName, type View } from './pages.tsx';

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

export function registerCaseExtras(
  routes: ConsoleRoutes,
  deps: { staff: StaffService; files: FileSource | undefined },
): void {
  const { app, page, notFound } = routes;
  const { staff, files } = deps;

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
