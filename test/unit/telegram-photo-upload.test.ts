// The console's PhotoUploader over grammY's Api, against a fake Telegram over HTTP: the largest size's file id,
// the caption in the author's language, a blocked chat as 'unreachable', Telegram out of reach as 'failed'.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/bot/i18n.ts';
import { telegramPhotoUploader } from '../../src/bot/telegram-photo-upload.ts';
import { type FakeFileApi, startFakeFileApi } from '../support/fake-file-api.ts';
import { makePng } from '../support/png.ts';

const TOKEN = '424242:fake-token-for-the-photo-upload-test';
let api: FakeFileApi;
const translator = createTranslator();
const photo = { bytes: makePng(16, 16), type: 'png' as const };

beforeAll(async () => {
  api = await startFakeFileApi(TOKEN);
  api.blocked.add(7002);
});
afterAll(() => api.close());

describe('telegramPhotoUploader', () => {
  it('sends the bytes once with a caption in the author’s language and answers the largest size’s file id', async () => {
    const uploader = telegramPhotoUploader(new Api(TOKEN, { apiRoot: api.url }), translator);
    const zh = await uploader.upload(7001, 'zh-CN', photo);
    const en = await uploader.upload(7001, 'en', photo);
    expect(zh).toEqual({ ok: true, value: 'uploaded-photo-1' });
    expect(en).toEqual({ ok: true, value: 'uploaded-photo-2' });
    expect(api.photos.map((p) => p.caption)).toEqual([
      translator.t('zh-CN')('console:notice_photo.caption'),
      translator.t('en')('console:notice_photo.caption'),
    ]);
    expect(api.files.get('uploaded-photo-1')?.bytes.equals(photo.bytes)).toBe(true);
  });

  it('a chat that blocked the bot is unreachable; Telegram out of reach is a failure', async () => {
    const uploader = telegramPhotoUploader(new Api(TOKEN, { apiRoot: api.url }), translator);
    expect(await uploader.upload(7002, 'zh-CN', photo)).toEqual({ ok: false, error: 'unreachable' });
    // Port 1 on loopback: nothing listens there, the connection is refused.
    const nowhere = telegramPhotoUploader(new Api(TOKEN, { apiRoot: 'http://127.0.0.1:1' }), translator);
    expect(await nowhere.upload(7001, 'zh-CN', photo)).toEqual({ ok: false, error: 'failed' });
  });
});
