// The console's FileSource over Telegram's Bot API: getFile gives the file's path, the file URL
// (<api root>/file/bot<token>/<path>) its bytes, streamed through as they come. The token is in both
// addresses, so neither is ever logged or shown: errors say only what kind of failure it was.
import type { FileSource, FileSourceError } from '../app/console/file-source.ts';

type Fetch = typeof globalThis.fetch;

interface GetFileAnswer {
  ok: boolean;
  error_code?: number;
  result?: { file_path?: string; file_size?: number };
}

/** Cuts the stream off with an error once more than `max` bytes have passed. */
function limited(body: ReadableStream<Uint8Array>, max: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(new Error('file larger than allowed'));
        else controller.enqueue(chunk);
      },
    }),
  );
}

export function telegramFileSource(opts: {
  token: string;
  apiRoot?: string;
  fetch?: Fetch;
  timeoutMs?: number;
}): FileSource {
  const root = (opts.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const failure = (error: FileSourceError) => ({ ok: false as const, error });

  return {
    async open(fileId, maxBytes) {
      let info: GetFileAnswer;
      try {
        const res = await doFetch(`${root}/bot${opts.token}/getFile`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ file_id: fileId }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        info = (await res.json()) as GetFileAnswer;
      } catch {
        return failure('failed');
      }
      // Telegram answers 400 "file not found" / "wrong file_id" for a file it no longer has.
      if (!info.ok)
        return failure(info.error_code === 400 || info.error_code === 404 ? 'not_found' : 'failed');
      const filePath = info.result?.file_path;
      if (!filePath) return failure('too_large'); // Telegram gives no path for a file over 20 MB
      if (info.result?.file_size !== undefined && info.result.file_size > maxBytes)
        return failure('too_large');
      let res: Response;
      try {
        const encoded = filePath.split('/').map(encodeURIComponent).join('/');
        // The whole download (up to 20 MB) may take longer than one API call.
        res = await doFetch(`${root}/file/bot${opts.token}/${encoded}`, {
          signal: AbortSignal.timeout(timeoutMs * 6),
        });
      } catch {
        return failure('failed');
      }
      if (res.status === 404) return failure('not_found');
      if (!res.ok || !res.body) return failure('failed');
      const length = Number(res.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(length) && length > maxBytes) {
        await res.body.cancel();
        return failure('too_large');
      }
      const size = Number.isFinite(length) ? length : (info.result?.file_size ?? null);
      return { ok: true, body: limited(res.body, maxBytes), size };
    },
  };
}
