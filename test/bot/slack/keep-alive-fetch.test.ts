import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { createKeepAliveFetch, type KeepAliveFetch } from '../../../src/bot/slack/keep-alive-fetch.js';
import { postToResponseUrl } from '../../../src/bot/slack/post-to-response-url.js';
import { IntegrationError } from '../../../src/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** A local HTTP server; `answer` decides each response from what came. */
async function startServer(answer: (seen: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), socket: req.socket };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const okJson = (res: http.ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('the kept-alive fetch for Slack calls', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const setUp = async (answer: (seen: Seen, res: http.ServerResponse) => void, fallback?: typeof fetch): Promise<{ server: Awaited<ReturnType<typeof startServer>>; http: KeepAliveFetch }> => {
    const server = await startServer(answer);
    const keepAlive = createKeepAliveFetch(fallback ? { fallback } : {});
    cleanups.push(() => server.close(), () => keepAlive.close());
    return { server, http: keepAlive };
  };

  it('carries the WebClient\'s calls (form body, bearer token, JSON answer) over one kept-alive connection', async () => {
    // The Web API takes a form-encoded body with complex arguments as JSON strings and answers JSON
    // with `ok` (https://docs.slack.dev/apis/web-api/#basics).
    const { server, http: keepAlive } = await setUp((seen, res) => okJson(res, { ok: true, channel: 'C1', ts: '1700000000.000100', echoed: seen.url }));
    const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: `${server.url}/api/`, fetch: keepAlive.fetch, retryConfig: { retries: 0 } });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Request #12 approved & done' } }];
    for (let i = 0; i < 3; i += 1) {
      const result = await client.chat.update({ channel: 'C1', ts: '1700000000.000100', text: 'updated', blocks });
      expect(result).toMatchObject({ ok: true, ts: '1700000000.000100', echoed: '/api/chat.update' });
    }
    expect(server.seen).toHaveLength(3);
    const first = server.seen[0]!;
    expect(first.method).toBe('POST');
    expect(first.headers['authorization']).toBe('Bearer xoxb-test-token');
    expect(first.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(first.body);
    expect(form.get('channel')).toBe('C1');
    expect(JSON.parse(form.get('blocks')!)).toEqual(blocks);
    // One connection for all three: the point of keeping it alive.
    expect(new Set(server.seen.map((seen) => seen.socket)).size).toBe(1);
  });

  it('hands the WebClient Slack\'s rate limit with its Retry-After', async () => {
    const { server, http: keepAlive } = await setUp((_seen, res) => okJson(res, { ok: false, error: 'ratelimited' }, 429, { 'retry-after': '7' }));
    const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: `${server.url}/api/`, fetch: keepAlive.fetch, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  it('posts a response_url message as JSON and refuses to follow a redirect', async () => {
    const { server, http: keepAlive } = await setUp((seen, res) => {
      if (seen.url === '/moved') {
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const trusted = () => true;
    await postToResponseUrl(`${server.url}/actions/T1/1/abc`, { text: 'Approved request #12', replace_original: false }, trusted, keepAlive.fetch);
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ text: 'Approved request #12', replace_original: false });

    const refused = postToResponseUrl(`${server.url}/moved`, { text: 'x' }, trusted, keepAlive.fetch);
    await expect(refused).rejects.toBeInstanceOf(IntegrationError);
    await expect(refused).rejects.toThrow(/could not reach Slack/);
    // Only the first answer and the redirect were asked for: the redirect's target never was.
    expect(server.seen.map((seen) => seen.url)).toEqual(['/actions/T1/1/abc', '/moved']);
  });

  it('sends a call once more on a new connection when a kept-alive one was reset under it', async () => {
    let answered = 0;
    const { server, http: keepAlive } = await setUp((seen, res) => {
      // The second request on the first connection finds it dropped, as a server that closed an
      // idle connection at the moment it was reused would.
      if (seen.socket === server.seen[0]?.socket && server.seen.filter((s) => s.socket === seen.socket).length === 2) {
        seen.socket.destroy();
        return;
      }
      answered += 1;
      okJson(res, { ok: true, n: answered });
    });
    const call = () => keepAlive.fetch(`${server.url}/api/auth.test`, { method: 'POST', body: 'token=x' }).then((r) => r.json());
    expect(await call()).toEqual({ ok: true, n: 1 });
    expect(await call()).toEqual({ ok: true, n: 2 });
    expect(server.seen).toHaveLength(3);
    expect(new Set(server.seen.map((seen) => seen.socket)).size).toBe(2);
  });

  it('fails a call on a new connection that is reset, without sending it again', async () => {
    const { server, http: keepAlive } = await setUp((seen) => seen.socket.destroy());
    await expect(keepAlive.fetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'text=hi' })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(server.seen).toHaveLength(1);
  });

  it.each([['plain', false], ['compressed', true]])('fails a call whose %s answer is cut off before its whole body came', async (_kind, compressed) => {
    const { server, http: keepAlive } = await setUp((seen, res) => {
      const body = compressed ? zlib.gzipSync(JSON.stringify({ ok: true, padding: 'x'.repeat(5000) })) : Buffer.from('{"ok":true,"padding":"xxxxxxxx"}');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), ...(compressed ? { 'content-encoding': 'gzip' } : {}) });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => seen.socket.destroy(), 20);
    });
    await expect(keepAlive.fetch(`${server.url}/api/chat.update`, { method: 'POST', body: 'a=1' })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('gives up at the signal\'s timeout when the server never answers', async () => {
    const { server, http: keepAlive } = await setUp(() => {});
    const started = Date.now();
    await expect(keepAlive.fetch(`${server.url}/api/views.open`, { method: 'POST', body: 'x=1', signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('decodes an answer compressed although it asked for none', async () => {
    const { server, http: keepAlive } = await setUp((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ ok: true, compressed: true })));
    });
    const response = await keepAlive.fetch(`${server.url}/api/users.info`, { method: 'POST', body: 'user=U1' });
    expect(await response.json()).toEqual({ ok: true, compressed: true });
    expect(server.seen[0]!.headers['accept-encoding']).toBeUndefined();
  });

  it('leaves a body it does not carry (a file upload\'s form) to the fallback', async () => {
    const fallbackCalls: string[] = [];
    const fallback: typeof fetch = async (input, init) => {
      fallbackCalls.push(String(input));
      return fetch(input, init);
    };
    const { server, http: keepAlive } = await setUp((_seen, res) => okJson(res, { ok: true }), fallback);
    const form = new FormData();
    form.append('file', new Blob(['report']), 'report.txt');
    const response = await keepAlive.fetch(`${server.url}/upload/abc`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(fallbackCalls).toEqual([`${server.url}/upload/abc`]);
    expect(server.seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    await keepAlive.fetch(`${server.url}/api/x`, { method: 'POST', body: 'a=1' });
    expect(fallbackCalls).toHaveLength(1);
  });
});
