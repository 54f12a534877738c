import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createGitHubReleases } from '../../../src/integrations/github/github-releases.js';

const TOKEN = 'ghp_timeoutTokenThatMustNeverBeLogged0123';

describe('GitHub calls with GITHUB_TIMEOUT_MS', () => {
  let server: Server;
  let url: string;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    // A GitHub that takes the request and never answers, as a hung proxy would.
    server = createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a hung GitHub and reports it as not reached, without the token', async () => {
    const memory = createMemoryLogger('debug');
    const releases = createGitHubReleases({ token: TOKEN, baseUrl: url, branch: 'master', throttle: false, retry: { retries: 0 }, timeoutMs: 1_000, log: memory.log });
    const error: unknown = await releases.latestTag('cyverse/atmosphere').then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).service).toBe('github');
    expect((error as IntegrationError).status).toBeUndefined();
    expect((error as IntegrationError).message).toMatch(/^could not reach GitHub at http:\/\/127\.0\.0\.1:\d+ while/);
    expect((error as IntegrationError).detail).toBe('The operation was aborted due to timeout');
    expect(held.length).toBeGreaterThan(0);
    expect(JSON.stringify(memory.lines)).not.toContain(TOKEN);
  });
});
