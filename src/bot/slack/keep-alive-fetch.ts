import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** A Slack answer is a few kilobytes; anything near this is not one, and is refused rather than buffered. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Statuses whose response has no body (a Response built with one throws). */
const NULL_BODY = new Set([101, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export interface KeepAliveFetch {
  /** Same contract as `fetch` for what the bot sends; other bodies and inputs go to `fallback`. */
  fetch: typeof globalThis.fetch;
  /** Closes the idle connections, and each one that a request still running frees from then on. */
  close(): void;
}

/**
 * A `fetch` for the bot's calls to Slack (the Web API through Bolt's WebClient, and response_url
 * posts) over node:http(s) with kept-alive connections. The global fetch (undici) spends several
 * times the CPU of a plain request on each call: measured here on a 14 KiB form post to a local
 * server, about 0.5 ms against 0.15 ms for both ends of the call, and a busy bot makes three such
 * calls per approval.
 *
 * It covers what those callers send: a string, Buffer, byte array or URLSearchParams body, headers
 * as a record, pairs or Headers, a timeout or abort signal. Anything else (the FormData of a file
 * upload, a stream, a Request object) is handed to `fallback`. Redirects are refused whatever
 * `redirect` says unless it is 'manual' (the WebClient asks for 'error'; a response_url that
 * redirects is not followed). It asks for no compression, and decompresses an answer compressed anyway. A call that finds a kept-alive
 * connection closed by the server before it could be read (ECONNRESET on a reused socket) is sent
 * once more on a new one: the server never saw it.
 */
export function createKeepAliveFetch(options: { maxSockets?: number; fallback?: typeof globalThis.fetch } = {}): KeepAliveFetch {
  const fallback = options.fallback ?? globalThis.fetch;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const fetchViaAgent = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = plainBody(init.body);
    if (input instanceof Request || body === undefined) return fallback(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fallback(input, init);
    const headers = headerRecord(init.headers);
    if (body.contentType && !('content-type' in headers)) headers['content-type'] = body.contentType;
    if (body.bytes !== null) headers['content-length'] = String(body.length);
    const method = (init.method ?? 'GET').toUpperCase();
    const signal = init.signal ?? undefined;
    const send = () => request(url, method, headers, body.bytes, agents[url.protocol as 'http:' | 'https:'], signal);
    let answer: Answer;
    try {
      answer = await send();
    } catch (error) {
      if (!(error instanceof StaleSocket)) throw error;
      answer = await send();
    }
    if (REDIRECT.has(answer.status) && init.redirect !== 'manual') {
      throw new TypeError('fetch failed', { cause: new Error(`refused to follow a redirect (HTTP ${answer.status}) from ${url.host}`) });
    }
    return new Response(NULL_BODY.has(answer.status) || method === 'HEAD' ? null : answer.body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  };

  return {
    fetch: fetchViaAgent as typeof globalThis.fetch,
    close() {
      for (const agent of Object.values(agents)) {
        for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
        // The agent's own listener has just put the socket among its free ones.
        agent.on('free', (socket: import('node:net').Socket) => socket.destroy());
      }
    },
  };
}

interface Answer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Buffer;
}

/** The request went out on a kept-alive connection the server had already closed: safe to send again. */
class StaleSocket extends Error {}

function request(
  url: URL,
  method: string,
  headers: Record<string, string>,
  bytes: string | Uint8Array | null,
  agent: http.Agent,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method, headers, agent });
    const onAbort = () => {
      req.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (error: NodeJS.ErrnoException) => {
      done();
      if (req.reusedSocket && error.code === 'ECONNRESET') reject(new StaleSocket());
      else reject(new TypeError('fetch failed', { cause: error }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = decoded(res);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy();
          done();
          reject(new TypeError('fetch failed', { cause: new Error(`the answer from ${url.host} passed ${MAX_RESPONSE_BYTES} bytes`) }));
          return;
        }
        chunks.push(chunk);
      });
      // Also a connection closed before the whole body came: the response emits an 'aborted' error.
      stream.on('error', (error) => {
        done();
        reject(new TypeError('fetch failed', { cause: error }));
      });

      stream.on('end', () => {
        done();
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: pairs, body: Buffer.concat(chunks) });
      });
    });
    req.end(bytes ?? undefined);
  });
}

/** The response body as sent before compression, as fetch gives it. */
function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) return res;
  // pipe() does not pass the response's own errors (a cut-off answer) on to the decoder.
  res.on('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

/** The body as bytes with the content type fetch would give it; undefined for bodies left to the fallback. */
function plainBody(body: RequestInit['body']): { bytes: string | Uint8Array | null; length: number; contentType?: string } | undefined {
  if (body === undefined || body === null) return { bytes: null, length: 0 };
  // A string is written as it is (UTF-8), not copied into a buffer first.
  if (typeof body === 'string') return { bytes: body, length: Buffer.byteLength(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    const text = body.toString();
    return { bytes: text, length: Buffer.byteLength(text), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (body instanceof Uint8Array) return { bytes: body, length: body.byteLength };
  return undefined;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (record[name] = value));
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) record[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) record[name.toLowerCase()] = String(value);
  }
  return record;
}
