// The Bot API addresses the console's files use, served over HTTP like Telegram does:
// POST /bot<token>/getFile answers the file's path (or 400 "invalid file_id"), GET /file/bot<token>/<path>
// serves its bytes (or 404); POST /bot<token>/sendPhoto (multipart, the console's notice photo) keeps the
// uploaded bytes as a new file and answers a message with two sizes of it, the largest last (or 403 for a
// chat in `blocked`). Files can be added and dropped while a test runs; every request is recorded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  bytes: Buffer;
  /** Telegram's file_size in getFile (default: the bytes' length). */
  reportedSize?: number;
  /** getFile answers, but the download is gone (404). */
  downloadGone?: boolean;
}

export interface FakeFileApi {
  url: string;
  files: Map<string, FakeFile>;
  requests: { method: string; path: string }[];
  /** Every sendPhoto: to whom, its caption, the file id it got (null: refused). */
  photos: { chatId: number; caption: string; fileId: string | null }[];
  /** Chats that blocked the bot: sendPhoto to them answers 403. */
  blocked: Set<number>;
  close(): Promise<void>;
}

/** The parts of a multipart/form-data body by name, as bytes (grammY's uploads; binary-safe). */
function multipartParts(body: Buffer, contentType: string): Map<string, Buffer> {
  const parts = new Map<string, Buffer>();
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const name = /name="([^"]+)"/.exec(part.subarray(0, headEnd).toString('utf8'))?.[1];
      // The content runs to the CRLF before the next delimiter.
      if (name) parts.set(name, part.subarray(headEnd + 4, part.length - 2));
    }
    at = next;
  }
  return parts;
}

export async function startFakeFileApi(token: string): Promise<FakeFileApi> {
  const files = new Map<string, FakeFile>();
  const requests: { method: string; path: string }[] = [];
  const photos: FakeFileApi['photos'] = [];
  const blocked = new Set<number>();
  let uploads = 0;
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(req.url ?? '');
      requests.push({ method: req.method ?? '', path });
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (req.method === 'POST' && path === `/bot${token}/sendPhoto`) {
        const form = multipartParts(Buffer.concat(chunks), req.headers['content-type'] ?? '');
        const chatId = Number(form.get('chat_id')?.toString('utf8'));
        const caption = form.get('caption')?.toString('utf8') ?? '';
        if (blocked.has(chatId)) {
          photos.push({ chatId, caption, fileId: null });
          json(res, 403, {
            ok: false,
            error_code: 403,
            description: 'Forbidden: bot was blocked by the user',
          });
          return;
        }
        // grammY sends the file as its own part, named in the field: photo=attach://<part>.
        const field = form.get('photo')?.toString('utf8') ?? '';
        const part = form.get(field.startsWith('attach://') ? field.slice(9) : 'photo');
        if (!part) {
          json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: there is no photo' });
          return;
        }
        const fileId = `uploaded-photo-${++uploads}`;
        files.set(fileId, { bytes: part });
        photos.push({ chatId, caption, fileId });
        json(res, 200, {
          ok: true,
          result: {
            message_id: uploads,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: 'private' },
            photo: [
              { file_id: `${fileId}-small`, file_unique_id: `${fileId}-su`, width: 90, height: 90 },
              { file_id: fileId, file_unique_id: `${fileId}-u`, width: 800, height: 600 },
            ],
            caption,
          },
        });
        return;
      }
      if (req.method === 'POST' && path === `/bot${token}/getFile`) {
        const fileId = String(
          (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { file_id?: string }).file_id,
        );
        const file = files.get(fileId);
        if (!file) {
          json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
          return;
        }
        json(res, 200, {
          ok: true,
          result: {
            file_id: fileId,
            file_unique_id: `${fileId}-u`,
            file_size: file.reportedSize ?? file.bytes.length,
            file_path: `documents/${fileId}.bin`,
          },
        });
        return;
      }
      const prefix = `/file/bot${token}/documents/`;
      if (req.method === 'GET' && path.startsWith(prefix)) {
        const fileId = path.slice(prefix.length).replace(/\.bin$/, '');
        const file = files.get(fileId);
        if (!file || file.downloadGone) {
          res.writeHead(404).end('Not Found');
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': file.bytes.length,
        });
        res.end(file.bytes);
        return;
      }
      json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    requests,
    photos,
    blocked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
