// The HTTP client under the bot's Bot API calls: the part of `fetch` grammY uses (a POST with a string or
// buffer body, then `res.json()`), on node:http / node:https with kept-alive connections.
//
// Why not Node's global fetch (undici): measured on this machine against a local server, 20 calls at a time,
// a sendMessage-sized JSON call costs the one Node thread about 440–900 µs of CPU through fetch (WHATWG
// streams, Headers and Response objects for every call) and 90–150 µs through node:http. A form step makes
// two to three Bot API calls, so fetch alone cost more than a millisecond of the bot's CPU per update.
import http from 'node:http';
import https from 'node:https';

/** The slice of a fetch Response that grammY and the retrying wrapper read. */
export interface LightResponse {
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  body: { cancel(): Promise<void> };
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function headersOf(init: RequestInit | undefined, body: string | Uint8Array | undefined) {
  const out: Record<string, string> = {};
  const given = init?.headers;
  if (given instanceof Headers) {
    for (const [k, v] of given) out[k] = v;
  } else if (Array.isArray(given)) for (const [k = '', v] of given) out[k.toLowerCase()] = String(v);
  else if (given) for (const [k, v] of Object.entries(given)) out[k.toLowerCase()] = String(v);
  delete out.connection; // the agent keeps connections alive
  if (body !== undefined) out['content-length'] = String(Buffer.byteLength(body));
  return out;
}

/** A fetch for the Bot API over node:http(s). Bodies must be strings or buffers (retryingFetch makes them so). */
export const httpFetch = ((input: string | URL | Request, init?: RequestInit): Promise<LightResponse> => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const raw = init?.body;
  if (raw !== undefined && raw !== null && typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    return Promise.reject(new TypeError('httpFetch takes a string or a buffer as the body'));
  }
  const body = raw ?? undefined;
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise<LightResponse>((resolve, reject) => {
    const req = request(
      url,
      {
        method: init?.method ?? 'GET',
        headers: headersOf(init, body),
        agent: agents[secure ? 'https:' : 'http:'],
        signal: init?.signal ?? undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the Bot API connection closed before the answer ended'));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers,
            text: () => Promise.resolve(text),
            json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
            body: { cancel: () => Promise.resolve() },
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}) as unknown as typeof globalThis.fetch;
