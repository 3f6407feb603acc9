// The picture of a notice composed in the console (src/app/console/notice-photo.ts does the work):
//   the form's picture part: a file input (the form is multipart; with htmx too, hx-encoding), and once a
//                            picture is added, the picture itself with "remove" (its reference travels in a
//                            hidden field: the file is sent to Telegram once, not at every post)
//   takePhoto                the picture of one POST: checked by its bytes and sent to the author's own chat;
//                            what is wrong in plain words (nothing typed is lost: the form comes back)
//   GET /notices/new/photo?ref=…   the author's own picture, streamed from Telegram through this server
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { NoticePhotos } from '../../app/console/notice-photo.ts';
import { IMAGE_MIME, imageFacts, MAX_PHOTO_BYTES } from '../../domain/image-check.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import type { View } from './pages.tsx';

/** The whole multipart form may be this large (a photo over 10 MB still gets a plain answer, text kept). */
export const PHOTO_FORM_MAX_BYTES = 3 * MAX_PHOTO_BYTES;

export const photoHref = (ref: string) => `/notices/new/photo?ref=${encodeURIComponent(ref)}`;

/** The picture as residents will see it (the preview, and the form once it is added). */
export const NoticePicture: FC<{ v: View; photoRef: string }> = ({ v, photoRef }) => (
  <img class="notice-photo" src={photoHref(photoRef)} alt={v.t('console:notice_photo.alt')} />
);

/** The form's picture part: the one added (kept, or removed with the box), and a file to add or replace it. */
export const PhotoField: FC<{ v: View; photoRef: string }> = ({ v, photoRef }) => {
  const { t } = v;
  return (
    <fieldset class="photo">
      <legend>{t('console:notice_photo.label')}</legend>
      {photoRef ? (
        <>
          <input type="hidden" name="photoRef" value={photoRef} />
          <p>{t('console:notice_photo.attached')}</p>
          <NoticePicture v={v} photoRef={photoRef} />
          <p class="check">
            <input type="checkbox" id="dropPhoto" name="dropPhoto" value="yes" />{' '}
            <label for="dropPhoto">{t('console:notice_photo.remove')}</label>
          </p>
        </>
      ) : null}
      <p>
        <label for="photo" class="sr-only">
          {t('console:notice_photo.label')}
        </label>
        <input
          type="file"
          id="photo"
          name="photo"
          accept="image/jpeg,image/png,image/webp"
          aria-describedby="photo-hint"
        />
        <br />
        <span class="muted" id="photo-hint">
          {t('console:notice_photo.hint')}
          {photoRef ? ` ${t('console:notice_photo.replace_hint')}` : ''}
        </span>
      </p>
    </fieldset>
  );
};

/**
 * The picture part of one POST: "remove" drops the one added; a new file is checked and sent to the author's
 * chat once, and replaces it. Returns the reference to keep ('' for none) and what went wrong, in words.
 */
export async function takePhoto(
  c: Context<Env>,
  photos: NoticePhotos,
  body: Record<string, unknown>,
  current: string,
): Promise<{ photoRef: string; error: string | null }> {
  const { t, locale } = c.get('v');
  const kept = body.dropPhoto === 'yes' ? '' : current;
  const file = body.photo;
  // A file input left empty still sends a part: no name, no bytes.
  if (!(file instanceof File) || (file.size === 0 && file.name === ''))
    return { photoRef: kept, error: null };
  if (file.size > MAX_PHOTO_BYTES)
    return { photoRef: kept, error: t('console:notice_photo.errors.too_large') };
  const attached = await photos.attach(
    { telegramId: c.get('user').telegramId, locale },
    new Uint8Array(await file.arrayBuffer()),
  );
  if (!attached.ok) return { photoRef: kept, error: t(`console:notice_photo.errors.${attached.error}`) };
  return { photoRef: attached.value, error: null };
}

/** The picture's type from its first chunk, and the whole stream again (that chunk put back in front). */
async function typed(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const first = await reader.read();
  const head = first.done ? new Uint8Array(0) : first.value;
  const facts = imageFacts(head);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length > 0) controller.enqueue(head);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { type: facts ? IMAGE_MIME[facts.type] : 'image/jpeg', body };
}

export function registerNoticePhoto(kit: ConsoleRoutes, photos: NoticePhotos): void {
  kit.app.get('/notices/new/photo', async (c) => {
    const opened = await photos.open(c.get('user').telegramId, c.req.query('ref') ?? '');
    if (!opened.ok) return opened.error === 'not_found' ? kit.notFound(c) : c.body(null, 502);
    // Telegram keeps photos as JPEG; the first bytes say so (or what else it is), not a guess.
    const { type, body } = await typed(opened.body);
    c.header('Content-Type', type);
    if (opened.size !== null) c.header('Content-Length', String(opened.size));
    c.header('Content-Disposition', 'inline');
    c.header('Cache-Control', 'private, no-store');
    return c.body(body);
  });
}
