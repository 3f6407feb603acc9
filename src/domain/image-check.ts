// What a picture uploaded for a notice is, read from its first bytes (never from its name or the type the
// browser claims), and whether Telegram would take it as a photo: JPEG, PNG or WebP, at most 10 MB, width
// and height together at most 10,000 pixels, one side at most 20 times the other (Bot API, sendPhoto).

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_SIDES = 10_000;
export const MAX_PHOTO_RATIO = 20;

export type ImageType = 'jpeg' | 'png' | 'webp';
export type ImageProblem = 'empty' | 'not_image' | 'too_large' | 'bad_size';

export interface ImageFacts {
  type: ImageType;
  width: number;
  height: number;
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, at: number, len: number) =>
  b.length >= at + len ? String.fromCharCode(...b.subarray(at, at + len)) : '';
const u16be = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u16le = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, at: number) => u16le(b, at) | ((b[at + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, at: number) => u16be(b, at) * 65_536 + u16be(b, at + 2);

/** PNG: the signature, then the IHDR chunk with width and height. */
function png(b: Uint8Array): ImageFacts | null {
  const signed = startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!signed || ascii(b, 12, 4) !== 'IHDR' || b.length < 24) return null;
  return { type: 'png', width: u32be(b, 16), height: u32be(b, 20) };
}

/** JPEG: SOI, then segments up to a start-of-frame marker, which holds the height and width. */
function jpeg(b: Uint8Array): ImageFacts | null {
  if (!startsWith(b, [0xff, 0xd8, 0xff])) return null;
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { type: 'jpeg', height: u16be(b, at + 5), width: u16be(b, at + 7) };
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame
    at += 2 + u16be(b, at + 2);
  }
  return null;
}

/** WebP: RIFF….WEBP, then a lossy (VP8), lossless (VP8L) or extended (VP8X) header. */
function webp(b: Uint8Array): ImageFacts | null {
  if (ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && startsWith(b, [0x9d, 0x01, 0x2a], 23) && b.length >= 30)
    return { type: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L' && b[20] === 0x2f && b.length >= 25) {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30)
    return { type: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/** The picture's type and size in pixels from its first bytes; null when it is none of the three. */
export function imageFacts(head: Uint8Array): ImageFacts | null {
  return png(head) ?? jpeg(head) ?? webp(head);
}

/** Whether Telegram would take these bytes as a photo; what is wrong otherwise. */
export function checkPhoto(
  bytes: Uint8Array,
): { ok: true; value: ImageFacts } | { ok: false; error: ImageProblem } {
  if (bytes.length === 0) return { ok: false, error: 'empty' };
  if (bytes.length > MAX_PHOTO_BYTES) return { ok: false, error: 'too_large' };
  const facts = imageFacts(bytes);
  if (!facts) return { ok: false, error: 'not_image' };
  const { width, height } = facts;
  if (
    width < 1 ||
    height < 1 ||
    width + height > MAX_PHOTO_SIDES ||
    Math.max(width, height) > MAX_PHOTO_RATIO * Math.min(width, height)
  )
    return { ok: false, error: 'bad_size' };
  return { ok: true, value: facts };
}

/** The Content-Type a browser is told, for each type. */
export const IMAGE_MIME: Record<ImageType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};
