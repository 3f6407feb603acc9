// What the console tells the browser a case's file is, and the name a document downloads under: only what
// Telegram said of the file when it is a plain type, never anything a resident typed.
import { describe, expect, it } from 'vitest';
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
