// What an uploaded picture is, read from its bytes, and whether Telegram would take it as a photo.
import { describe, expect, it } from 'vitest';
import { checkPhoto, imageFacts, MAX_PHOTO_BYTES } from '../../src/domain/image-check.ts';
import { makePng, pngHeader } from '../support/png.ts';

/** A JPEG's start: SOI, an APP0 (JFIF) segment, then a baseline frame header of that size. */
function jpegHead(width: number, height: number, frameMarker = 0xc0): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([
    0xff,
    frameMarker,
    0x00,
    0x11,
    0x08,
    0,
    0,
    0,
    0,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function riff(chunk: string, data: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(12 + data.length, 4);
  head.write('WEBP', 8, 'ascii');
  head.write(chunk, 12, 'ascii');
  head.writeUInt32LE(data.length, 16);
  return Buffer.concat([head, data]);
}

function webpLossy(width: number, height: number): Buffer {
  const data = Buffer.alloc(10);
  data.set([0x9d, 0x01, 0x2a], 3);
  data.writeUInt16LE(width, 6);
  data.writeUInt16LE(height, 8);
  return riff('VP8 ', data);
}

function webpLossless(width: number, height: number): Buffer {
  const data = Buffer.alloc(5);
  data[0] = 0x2f;
  data.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 1);
  return riff('VP8L', data);
}

function webpExtended(width: number, height: number): Buffer {
  const data = Buffer.alloc(10);
  data.writeUIntLE(width - 1, 4, 3);
  data.writeUIntLE(height - 1, 7, 3);
  return riff('VP8X', data);
}

describe('imageFacts', () => {
  it('reads the type and size of PNG, JPEG (baseline and progressive) and the three kinds of WebP', () => {
    expect(imageFacts(makePng(40, 30))).toEqual({ type: 'png', width: 40, height: 30 });
    expect(imageFacts(jpegHead(1280, 960))).toEqual({ type: 'jpeg', width: 1280, height: 960 });
    expect(imageFacts(jpegHead(640, 480, 0xc2))).toEqual({ type: 'jpeg', width: 640, height: 480 });
    expect(imageFacts(webpLossy(300, 200))).toEqual({ type: 'webp', width: 300, height: 200 });
    expect(imageFacts(webpLossless(1000, 16_000 / 2))).toEqual({ type: 'webp', width: 1000, height: 8000 });
    expect(imageFacts(webpExtended(4000, 3000))).toEqual({ type: 'webp', width: 4000, height: 3000 });
  });

  it('anything else is not a picture, whatever it is called', () => {
    for (const bytes of [
      Buffer.from('这不是照片'),
      Buffer.from('GIF89a\x01\x00\x01\x00'),
      Buffer.from('%PDF-1.4'),
      Buffer.from([0xff, 0xd8, 0xff]), // a JPEG cut off before its frame header
      Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0, 0, 0, 0, 0]), // scan data before any frame
      Buffer.from('RIFF\0\0\0\0WAVEfmt '),
      pngHeader(10, 10).subarray(0, 20),
    ])
      expect(imageFacts(bytes)).toBeNull();
  });
});

describe('checkPhoto: Telegram’s limits for a photo', () => {
  it('takes a picture within them', () => {
    expect(checkPhoto(makePng(8, 8))).toEqual({ ok: true, value: { type: 'png', width: 8, height: 8 } });
    expect(checkPhoto(jpegHead(5000, 5000)).ok).toBe(true);
    expect(checkPhoto(jpegHead(2000, 100)).ok).toBe(true);
  });

  it('refuses an empty file, a file over 10 MB, a non-picture, too many pixels, too long and narrow', () => {
    expect(checkPhoto(new Uint8Array(0))).toEqual({ ok: false, error: 'empty' });
    expect(checkPhoto(Buffer.concat([makePng(8, 8), Buffer.alloc(MAX_PHOTO_BYTES)]))).toEqual({
      ok: false,
      error: 'too_large',
    });
    expect(checkPhoto(Buffer.from('hello'))).toEqual({ ok: false, error: 'not_image' });
    expect(checkPhoto(pngHeader(6000, 5000))).toEqual({ ok: false, error: 'bad_size' });
    expect(checkPhoto(pngHeader(2100, 100))).toEqual({ ok: false, error: 'bad_size' });
    expect(checkPhoto(pngHeader(0, 100))).toEqual({ ok: false, error: 'bad_size' });
  });
});
