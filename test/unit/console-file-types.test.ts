// What the console tells the browser a case's file is, and the name a document downloads under: only what
// Telegram said of the file when it is a plain type, never anything a resident typed.
import { describe, expect, it } from 'vitest';
import { telegramFileSource } from '../../src/bot/telegram-file-source.ts';
import { contentTypeOf, downloadName } from '../../src/http/console/case-extras.tsx';

describe('contentTypeOf', () => {
  it('a photo is always JPEG (Telegram re-encodes photos), whatever was stored', () => {
    expect(contentTypeOf('photo', null)).toBe('image/jpeg');
    expect(contentTypeOf('photo', 'text/html')).toBe('image/jpeg');
  });

  it('a voice message: its audio type, else OGG', () => {
    expect(contentTypeOf('voice', 'audio/ogg')).toBe('audio/ogg');
    expect(contentTypeOf('voice', 'AUDIO/MPEG')).toBe('audio/mpeg');
    expect(contentTypeOf('voice', null)).toBe('audio/ogg');
    expect(contentTypeOf('voice', 'text/html')).toBe('audio/ogg');
    expect(contentTypeOf('voice', 'audio/ogg; charset="x"\r\nSet-Cookie: a=b')).toBe('audio/ogg');
  });

  it('a document: a plain type as stored, anything odd as bytes', () => {
    expect(contentTypeOf('document', 'application/pdf')).toBe('application/pdf');
    expect(
      contentTypeOf('document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    ).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(contentTypeOf('document', null)).toBe('application/octet-stream');
    expect(contentTypeOf('document', '')).toBe('application/octet-stream');
    expect(contentTypeOf('document', 'text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
    expect(contentTypeOf('document', `application/${'x'.repeat(200)}`)).toBe('application/octet-stream');
  });
});

describe('downloadName', () => {
  it('the case number, the start of the file id, an extension from the type', () => {
    expect(downloadName('EDU-2026-000042', '3f2a9c1e-0000-4000-8000-000000000000', 'application/pdf')).toBe(
      'EDU-2026-000042-3f2a9c1e.pdf',
    );
    expect(downloadName('SUG-2026-000001', 'abcdef12-x', null)).toBe('SUG-2026-000001-abcdef12.bin');
  });

  it('nothing that could break the header: quotes, line breaks, non-ASCII are dropped', () => {
    const name = downloadName('SUG-2026-"1"\r\n', '"; evil=1\r\n', 'APPLICATION/PDF');
    expect(name).toMatch(/^[A-Za-z0-9-]+\.[a-z]+$/);
    expect(name).toBe('SUG-2026-1-evil1.pdf');
    expect(downloadName('编号-1', '文件', 'text/plain')).toBe('-1-.txt');
  });
});

describe('telegramFileSource', () => {
  const TOKEN = '1:unit-token';
  /** A fetch answering getFile with `info` and the download with `download` (recording the addresses). */
  function fakeFetch(info: unknown, download: () => Response) {
    const urls: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input);
      urls.push(url);
      if (url.endsWith('/getFile')) {
        const body = info as { ok: boolean; error_code?: number };
        return new Response(JSON.stringify(body), { status: body.ok ? 200 : (body.error_code ?? 500) });
      }
      return download();
    }) as typeof globalThis.fetch;
    return { fetch, urls };
  }
  const chunks = (n: number, size: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < n; i++) controller.enqueue(new Uint8Array(size));
        controller.close();
      },
    });

  it('streams the file from <root>/file/bot<token>/<path>, the path encoded', async () => {
    const f = fakeFetch(
      { ok: true, result: { file_path: 'photos/a b.jpg', file_size: 16 } },
      () => new Response(chunks(2, 8), { headers: { 'content-length': '16' } }),
    );
    const source = telegramFileSource({ token: TOKEN, apiRoot: 'http://tg.test/', fetch: f.fetch });
    const opened = await source.open('file-1', 100);
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.size).toBe(16);
    expect((await new Response(opened.body).arrayBuffer()).byteLength).toBe(16);
    expect(f.urls).toEqual([
      `http://tg.test/bot${TOKEN}/getFile`,
      `http://tg.test/file/bot${TOKEN}/photos/a%20b.jpg`,
    ]);
  });

  it('cuts a download off past the limit when Telegram gave no length', async () => {
    const f = fakeFetch({ ok: true, result: { file_path: 'x' } }, () => new Response(chunks(3, 8)));
    const opened = await telegramFileSource({ token: TOKEN, fetch: f.fetch }).open('file-1', 16);
    if (!opened.ok) throw new Error(opened.error);
    await expect(new Response(opened.body).arrayBuffer()).rejects.toThrow();
  });

  it('says what went wrong, never how: gone, too large, failed', async () => {
    const open = async (info: unknown, download: () => Response = () => new Response('x')) =>
      telegramFileSource({ token: TOKEN, fetch: fakeFetch(info, download).fetch }).open('f', 100);
    expect(await open({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await open({ ok: false, error_code: 502 })).toEqual({ ok: false, error: 'failed' });
    expect(await open({ ok: true, result: {} })).toEqual({ ok: false, error: 'too_large' });
    expect(await open({ ok: true, result: { file_path: 'x', file_size: 101 } })).toEqual({
      ok: false,
      error: 'too_large',
    });
    expect(
      await open(
        { ok: true, result: { file_path: 'x' } },
        () =>
          new Response('x'.repeat(10), {
            headers: { 'content-length': '101' },
          }),
      ),
    ).toEqual({ ok: false, error: 'too_large' });
    expect(
      await open({ ok: true, result: { file_path: 'x' } }, () => new Response('no', { status: 404 })),
    ).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(
      await open({ ok: true, result: { file_path: 'x' } }, () => new Response('no', { status: 500 })),
    ).toEqual({
      ok: false,
      error: 'failed',
    });
    const throwing = (async () => {
      throw new Error(`connect ECONNREFUSED bot${TOKEN}`);
    }) as typeof globalThis.fetch;
    expect(await telegramFileSource({ token: TOKEN, fetch: throwing }).open('f', 100)).toEqual({
      ok: false,
      error: 'failed',
    });
  });
});
