// The two Bot API addresses the console's file streaming uses, served over HTTP like Telegram does:
// POST /bot<token>/getFile answers the file's path (or 400 "invalid file_id"), GET /file/bot<token>/<path>
// serves its bytes (or 404). Files can be added and dropped while a test runs; every request is recorded.
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
  close(): Promise<void>;
}

export async function startFakeFileApi(token: string): Promise<FakeFileApi> {
  const files = new Map<string, FakeFile>();
  const requests: { method: string; path: string }[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(req.url ?? '');
      requests.push({ method: req.method ?? '', path });
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
