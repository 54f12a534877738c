import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Docker Hub's tag API on 127.0.0.1, the one route the bot reads. Shapes from the Docker Hub API
 * reference ("Read repository tag", `GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}`):
 * 200 with the tag (`name`, `tag_status`, `tag_last_pushed`, `last_updated`, and `images`, one per
 * platform with `architecture`, `os`, `variant`, `status`, `digest`), and 404 `{"message": "not found"}`
 * for a tag or repository that does not exist. With a token set, a request without
 * `Authorization: Bearer <token>` gets 401 as Hub answers a private repository.
 */

export interface FakeDockerHub {
  url: string;
  /** Every request, `GET /v2/…` with its headers. */
  requests: { method: string; path: string; authorization: string | undefined }[];
  /** Publishes `image:tag` (pushed now unless given) for linux/amd64. */
  push(image: string, tag: string, pushedAt?: Date): void;
  /** The next `count` requests get this status and message. */
  failNext(status: number, message: string, count?: number): void;
  close(): Promise<void>;
}

export async function startFakeDockerHub(options: { token?: string } = {}): Promise<FakeDockerHub> {
  const tags = new Map<string, Date>();
  const requests: FakeDockerHub['requests'] = [];
  const failures: { status: number; message: string }[] = [];

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    const failure = failures.shift();
    if (failure) return send(res, failure.status, { message: failure.message, errinfo: null });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, { message: 'authentication required', errinfo: null });
    const match = /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags\/([^/]+)$/.exec(path);
    if (req.method !== 'GET' || !match) return send(res, 404, { message: 'page not found', errinfo: null });
    const [namespace, repository, tag] = match.slice(1).map((part) => decodeURIComponent(part)) as [string, string, string];
    const pushed = tags.get(`${namespace}/${repository}:${tag}`);
    if (!pushed) return send(res, 404, { message: 'not found', errinfo: null });
    return send(res, 200, {
      creator: 1234,
      id: 5678,
      images: [
        { architecture: 'amd64', features: '', variant: null, digest: 'sha256:' + '0'.repeat(64), os: 'linux', os_features: '', os_version: null, size: 423_000_000, status: 'active', last_pulled: null, last_pushed: pushed.toISOString() },
      ],
      last_updated: pushed.toISOString(),
      last_updater: 1234,
      last_updater_username: 'cyverse',
      name: tag,
      repository: 91011,
      full_size: 423_000_000,
      v2: true,
      tag_status: 'active',
      tag_last_pulled: null,
      tag_last_pushed: pushed.toISOString(),
      media_type: 'application/vnd.oci.image.index.v1+json',
      content_type: 'image',
      digest: 'sha256:' + '1'.repeat(64),
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (image, tag, pushedAt = new Date()) => void tags.set(`${image}:${tag}`, pushedAt),
    failNext: (status, message, count = 1) => {
      for (let i = 0; i < count; i += 1) failures.push({ status, message });
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
