// The Bot API's HTTP client over node:http: a JSON POST and its answer, a non-2xx status read as fetch reads
// it, an aborted call, a refused connection, an answer cut off half-way, and connections kept alive.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/bot/http-fetch.ts';

let server: Server;
let base: string;
const seen: { method: string; url: string; type: string; body: string; socket: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'] ?? '',
        body,
        socket: req.socket,
      });
      if (req.url?.endsWith('/slow')) return; // never answers
      if (req.url?.endsWith('/cut')) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"ok":');
        setTimeout(() => res.destroy(), 10);
        return;
      }
      const status = req.url?.endsWith('/limited') ? 429 : 200;
      const answer = JSON.stringify(
        status === 429
          ? { ok: false, error_code: 429, parameters: { retry_after: 3 } }
          : { ok: true, result: { echo: JSON.parse(body || 'null') } },
      );
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpFetch', () => {
  it('posts JSON and reads the answer, keeping the connection for the next call', async () => {
    const call = () =>
      httpFetch(`${base}/bot1/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'keep-alive' },
        body: JSON.stringify({ chat_id: 5, text: '您好' }),
      });
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.ok).toBe(true);
    expect(await first.json()).toEqual({ ok: true, result: { echo: { chat_id: 5, text: '您好' } } });
    await call();
    const [a, b] = seen.slice(-2);
    expect(a).toMatchObject({ method: 'POST', url: '/bot1/sendMessage', type: 'application/json' });
    expect(a?.socket).toBe(b?.socket);
  });

  it('gives a non-2xx answer to the caller as it is', async () => {
    const res = await httpFetch(`${base}/bot1/limited`, { method: 'POST', body: Buffer.from('{}') });
    expect(res.status).toBe(429);
    expect(res.ok).toBe(false);
    expect(JSON.parse(await res.text())).toMatchObject({ parameters: { retry_after: 3 } });
  });

  it('stops a call when its signal aborts, and fails on a refused connection or a cut answer', async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${base}/bot1/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('timed out')), 20);
    await expect(pending).rejects.toThrow();
    await expect(
      httpFetch('http://127.0.0.1:1/bot1/getMe', { method: 'POST', body: '{}' }),
    ).rejects.toThrow();
    await expect(httpFetch(`${base}/bot1/cut`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('refuses a streamed body (the retrying wrapper hands it a buffer)', async () => {
    const stream = new ReadableStream();
    await expect(
      httpFetch(`${base}/bot1/sendDocument`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    ).rejects.toThrow(/string or a buffer/);
  });
});
