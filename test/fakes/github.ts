import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A GitHub REST API on 127.0.0.1 holding just what release tagging uses: tags (with Link-header
 * pagination), file contents, git refs, pull requests, releases. It keeps state like GitHub does
 * (commits with file trees, branches, tags), checks the token and request bodies, and answers with
 * GitHub's status codes and messages, so the real Octokit client runs end to end.
 */

export interface FakeRepoSeed {
  defaultBranch?: string;
  /** Tags, all pointing at the initial commit. */
  tags?: string[];
  /** Files of the initial commit on the default branch. */
  files?: Record<string, string>;
}

export interface FakeCommit {
  sha: string;
  parents: string[];
  message: string;
  files: Record<string, string>;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  state: 'open' | 'closed';
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface FakeRelease {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
}

export interface FakeRepo {
  fullName: string;
  defaultBranch: string;
  commits: Map<string, FakeCommit>;
  branches: Map<string, string>;
  tags: Map<string, string>;
  /**
   * Annotated tags: the tag object's sha of a tag name. Its ref points at the tag object, which points
   * at the commit in `tags` (GitHub "Get a reference" answers `object.type: "tag"`, and "Get a tag"
   * peels it: https://docs.github.com/rest/git/tags).
   */
  tagObjects: Map<string, string>;
  pulls: FakePull[];
  releases: FakeRelease[];
  /** Every request on this repository fails with this status while set. */
  brokenWith: number | null;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path, e.g. /repos/cyverse/atmosphere/git/ref/heads/master. */
  path: string;
  /** The path exactly as sent, e.g. .../git/ref/heads%2Fmaster. */
  rawPath: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

interface Failure {
  method?: string;
  path: RegExp;
  status: number;
  message?: string;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

let counter = 0;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** Git's blob id, so a file's sha changes exactly when its content does. */
const blobSha = (content: string) => sha1(`blob ${Buffer.byteLength(content)}\0${content}`);

export async function startFakeGitHub(options: { token: string; repos: Record<string, FakeRepoSeed> }) {
  const repos = new Map<string, FakeRepo>();
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];
  const failuresAfterApplying: Failure[] = [];
  let nextPull = 100;
  let nextRelease = 1;

  function commit(repo: FakeRepo, parents: string[], message: string, files: Record<string, string>): string {
    const sha = sha1(`${repo.fullName}:${(counter += 1)}:${message}:${parents.join(',')}`);
    repo.commits.set(sha, { sha, parents, message, files });
    return sha;
  }

  for (const [fullName, seed] of Object.entries(options.repos)) {
    const repo: FakeRepo = {
      fullName,
      defaultBranch: seed.defaultBranch ?? 'master',
      commits: new Map(),
      branches: new Map(),
      tags: new Map(),
      tagObjects: new Map(),
      pulls: [],
      releases: [],
      brokenWith: null,
    };
    const root = commit(repo, [], 'Initial commit', { ...seed.files });
    repo.branches.set(repo.defaultBranch, root);
    for (const tag of seed.tags ?? []) repo.tags.set(tag, root);
    repos.set(fullName, repo);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake GitHub bug: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length === 0) return undefined;
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpFailure(400, 'Problems parsing JSON');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', url);
    const segments = parsed.pathname.split('/').slice(1).map(decodeURIComponent);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: `/${segments.join('/')}`,
      rawPath: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      authorization: req.headers.authorization,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      record.body = await readBody(req);
      if (req.headers.authorization !== `token ${options.token}`) throw new HttpFailure(401, 'Bad credentials');
      const failure = failures.findIndex(
        (item) => (!item.method || item.method === record.method) && item.path.test(record.path),
      );
      if (failure !== -1) {
        const [item] = failures.splice(failure, 1);
        throw new HttpFailure(item!.status, item!.message ?? 'Injected failure');
      }
      if (segments[0] !== 'repos' || segments.length < 4) throw new HttpFailure(404, 'Not Found');
      const repo = repos.get(`${segments[1]}/${segments[2]}`);
      if (!repo) throw new HttpFailure(404, 'Not Found');
      if (repo.brokenWith !== null) throw new HttpFailure(repo.brokenWith, 'Server Error');
      const [status, body, headers] = route(repo, record.method, segments.slice(3), record.query, record.body);
      const lost = failuresAfterApplying.findIndex(
        (item) => (!item.method || item.method === record.method) && item.path.test(record.path),
      );
      if (lost !== -1) {
        // The change stands; only the answer is an error, as when a proxy in front of GitHub times out.
        const [item] = failuresAfterApplying.splice(lost, 1);
        throw new HttpFailure(item!.status, item!.message ?? 'Server Error');
      }
      send(status, body, headers);
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      send(error.status, {
        message: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
        documentation_url: 'https://docs.github.com/rest',
        status: String(error.status),
      });
    }
  }

  type Answer = [number, unknown, Record<string, string>?];

  function route(repo: FakeRepo, method: string, rest: string[], query: Record<string, string>, body: unknown): Answer {
    const [first, second, ...more] = rest;
    if (method === 'GET' && first === 'tags' && rest.length === 1) return listTags(repo, query);
    if (first === 'contents' && rest.length > 1) {
      const path = rest.slice(1).join('/');
      if (method === 'GET') return getContent(repo, path, query.ref);
      if (method === 'PUT') return putContent(repo, path, object(body));
    }
    if (first === 'git' && second === 'ref' && method === 'GET' && more.length > 0) return getRef(repo, more.join('/'));
    if (first === 'git' && second === 'tags' && method === 'GET' && more.length === 1) return getTagObject(repo, more[0]!);
    if (first === 'git' && second === 'refs' && method === 'POST' && more.length === 0) return createRef(repo, object(body));
    if (first === 'pulls' && rest.length === 1 && method === 'GET') return listPulls(repo, query);
    if (first === 'pulls' && rest.length === 1 && method === 'POST') return createPull(repo, object(body));
    if (first === 'pulls' && rest.length === 2 && method === 'GET') return [200, pullJson(repo, findPull(repo, Number(second)))];
    if (first === 'releases' && rest.length === 1 && method === 'GET') {
      return [200, [...repo.releases].reverse().map((release) => releaseJson(repo, release))];
    }
    if (first === 'releases' && rest.length === 1 && method === 'POST') return createRelease(repo, object(body));
    if (first === 'releases' && second === 'tags' && more.length === 1 && method === 'GET') {
      const release = repo.releases.find((item) => item.tagName === more[0]);
      if (!release) throw new HttpFailure(404, 'Not Found');
      return [200, releaseJson(repo, release)];
    }
    throw new HttpFailure(404, 'Not Found');
  }

  function object(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpFailure(400, 'Problems parsing JSON');
    return body as Record<string, unknown>;
  }

  function requiredString(body: Record<string, unknown>, field: string): string {
    const value = body[field];
    if (typeof value !== 'string' || value === '') {
      throw new HttpFailure(422, 'Invalid request.', [{ resource: 'Request', field, code: 'missing_field' }]);
    }
    return value;
  }

  /** A branch name, tag name or commit sha, as GitHub accepts for `ref` and `target_commitish`. */
  function resolve(repo: FakeRepo, ref: string): FakeCommit | undefined {
    const sha = repo.branches.get(ref) ?? repo.tags.get(ref) ?? ref;
    return repo.commits.get(sha);
  }

  function listTags(repo: FakeRepo, query: Record<string, string>): Answer {
    const perPage = Math.min(Number(query.per_page ?? 30), 100);
    const page = Number(query.page ?? 1);
    // GitHub sorts tags by name, newest-looking first, as text: v37-10 lands after v37-5.
    const names = [...repo.tags.keys()].sort().reverse();
    const last = Math.max(1, Math.ceil(names.length / perPage));
    const pageUrl = (n: number) => `<${url}/repos/${repo.fullName}/tags?per_page=${perPage}&page=${n}>`;
    const links: string[] = [];
    if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
    if (page > 1) links.push(`${pageUrl(page - 1)}; rel="prev"`, `${pageUrl(1)}; rel="first"`);
    const items = names.slice((page - 1) * perPage, page * perPage).map((name) => ({
      name,
      commit: { sha: repo.tags.get(name), url: `${url}/repos/${repo.fullName}/commits/${repo.tags.get(name)}` },
      zipball_url: `${url}/repos/${repo.fullName}/zipball/refs/tags/${name}`,
      tarball_url: `${url}/repos/${repo.fullName}/tarball/refs/tags/${name}`,
      node_id: `REF_${name}`,
    }));
    return [200, items, links.length > 0 ? { link: links.join(', ') } : {}];
  }

  function getContent(repo: FakeRepo, path: string, ref: string | undefined): Answer {
    const found = resolve(repo, ref ?? repo.defaultBranch);
    if (!found) throw new HttpFailure(404, `No commit found for the ref ${ref}`);
    const content = found.files[path];
    if (content === undefined) throw new HttpFailure(404, 'Not Found');
    // GitHub wraps the base64 at 60 characters; clients must not assume one line.
    const encoded = (Buffer.from(content, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).join('\n');
    return [
      200,
      { type: 'file', encoding: 'base64', size: Buffer.byteLength(content), name: path.split('/').pop(), path, content: encoded, sha: blobSha(content) },
    ];
  }

  function putContent(repo: FakeRepo, path: string, body: Record<string, unknown>): Answer {
    const message = requiredString(body, 'message');
    const encoded = requiredString(body, 'content');
    const branch = typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
    const decoded = Buffer.from(encoded, 'base64');
    if (decoded.toString('base64') !== encoded) throw new HttpFailure(422, 'content is not valid Base64');
    const head = repo.branches.get(branch);
    if (!head) throw new HttpFailure(404, `Branch ${branch} not found`);
    const tree = repo.commits.get(head)!.files;
    const existing = tree[path];
    if (existing !== undefined && body.sha === undefined) throw new HttpFailure(422, `Invalid request.\n\n"sha" wasn't supplied.`);
    if (existing !== undefined && body.sha !== blobSha(existing)) throw new HttpFailure(409, `${path} does not match ${String(body.sha)}`);
    const content = decoded.toString('utf8');
    const sha = commit(repo, [head], message, { ...tree, [path]: content });
    repo.branches.set(branch, sha);
    return [existing === undefined ? 201 : 200, { content: { name: path.split('/').pop(), path, sha: blobSha(content) }, commit: { sha, message } }];
  }

  function refJson(repo: FakeRepo, ref: string, sha: string) {
    return { ref, node_id: `REF_${ref}`, url: `${url}/repos/${repo.fullName}/git/${ref}`, object: { sha, type: 'commit', url: `${url}/repos/${repo.fullName}/git/commits/${sha}` } };
  }

  function getRef(repo: FakeRepo, ref: string): Answer {
    const [kind, ...name] = ref.split('/');
    const map = kind === 'heads' ? repo.branches : kind === 'tags' ? repo.tags : undefined;
    const sha = map?.get(name.join('/'));
    if (!sha) throw new HttpFailure(404, 'Not Found');
    const tagObject = kind === 'tags' ? repo.tagObjects.get(name.join('/')) : undefined;
    if (tagObject) {
      return [200, { ref: `refs/${ref}`, node_id: `REF_${ref}`, url: `${url}/repos/${repo.fullName}/git/refs/${ref}`, object: { sha: tagObject, type: 'tag', url: `${url}/repos/${repo.fullName}/git/tags/${tagObject}` } }];
    }
    return [200, refJson(repo, `refs/${ref}`, sha)];
  }

  /** "Get a tag": the annotated tag object, naming the commit it points at. */
  function getTagObject(repo: FakeRepo, sha: string): Answer {
    const name = [...repo.tagObjects].find(([, objectSha]) => objectSha === sha)?.[0];
    if (!name) throw new HttpFailure(404, 'Not Found');
    const commitSha = repo.tags.get(name)!;
    return [
      200,
      {
        node_id: `TAG_${sha}`,
        tag: name,
        sha,
        url: `${url}/repos/${repo.fullName}/git/tags/${sha}`,
        message: `Release ${name}\n`,
        tagger: { name: 'Release Driver', email: 'driver@example.org', date: '2022-03-01T17:00:00Z' },
        object: { type: 'commit', sha: commitSha, url: `${url}/repos/${repo.fullName}/git/commits/${commitSha}` },
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
      },
    ];
  }

  function createRef(repo: FakeRepo, body: Record<string, unknown>): Answer {
    const ref = requiredString(body, 'ref');
    const sha = requiredString(body, 'sha');
    const match = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
    if (!match) throw new HttpFailure(422, `Reference name must start with 'refs/' and name a branch or tag, e.g. refs/heads/<branch>`);
    if (!repo.commits.has(sha)) throw new HttpFailure(422, 'Object does not exist');
    const map = match[1] === 'heads' ? repo.branches : repo.tags;
    if (map.has(match[2]!)) throw new HttpFailure(422, 'Reference already exists');
    map.set(match[2]!, sha);
    return [201, refJson(repo, ref, sha)];
  }

  function findPull(repo: FakeRepo, number: number): FakePull {
    const pull = repo.pulls.find((item) => item.number === number);
    if (!pull) throw new HttpFailure(404, 'Not Found');
    return pull;
  }

  function pullJson(repo: FakeRepo, pull: FakePull) {
    const owner = repo.fullName.split('/')[0];
    return {
      number: pull.number,
      url: `${url}/repos/${repo.fullName}/pulls/${pull.number}`,
      html_url: `https://github.com/${repo.fullName}/pull/${pull.number}`,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      draft: false,
      merged: pull.mergedAt !== null,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      head: { ref: pull.head, label: `${owner}:${pull.head}`, sha: repo.branches.get(pull.head) ?? pull.headSha },
      base: { ref: pull.base, label: `${owner}:${pull.base}`, sha: repo.branches.get(pull.base) },
    };
  }

  function listPulls(repo: FakeRepo, query: Record<string, string>): Answer {
    const state = query.state ?? 'open';
    const owner = repo.fullName.split('/')[0];
    const pulls = repo.pulls.filter(
      (pull) =>
        (state === 'all' || pull.state === state) &&
        (!query.head || query.head === `${owner}:${pull.head}`) &&
        (!query.base || query.base === pull.base),
    );
    return [200, [...pulls].reverse().map((pull) => pullJson(repo, pull))];
  }

  function createPull(repo: FakeRepo, body: Record<string, unknown>): Answer {
    const title = requiredString(body, 'title');
    const head = requiredString(body, 'head');
    const base = requiredString(body, 'base');
    const headSha = repo.branches.get(head);
    if (!headSha) throw new HttpFailure(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (!repo.branches.has(base)) throw new HttpFailure(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    if (repo.pulls.some((pull) => pull.state === 'open' && pull.head === head && pull.base === base)) {
      const owner = repo.fullName.split('/')[0];
      throw new HttpFailure(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }]);
    }
    if (ancestors(repo, repo.branches.get(base)!).has(headSha)) {
      throw new HttpFailure(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }]);
    }
    const pull: FakePull = {
      number: (nextPull += 1),
      title,
      body: typeof body.body === 'string' ? body.body : '',
      head,
      base,
      headSha,
      state: 'open',
      mergedAt: null,
      mergeCommitSha: null,
    };
    repo.pulls.push(pull);
    return [201, pullJson(repo, pull)];
  }

  function releaseJson(repo: FakeRepo, release: FakeRelease) {
    return {
      id: release.id,
      tag_name: release.tagName,
      target_commitish: release.targetCommitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      url: `${url}/repos/${repo.fullName}/releases/${release.id}`,
      html_url: `https://github.com/${repo.fullName}/releases/tag/${release.tagName}`,
    };
  }

  function createRelease(repo: FakeRepo, body: Record<string, unknown>): Answer {
    const tagName = requiredString(body, 'tag_name');
    const target = typeof body.target_commitish === 'string' ? body.target_commitish : repo.defaultBranch;
    if (repo.releases.some((release) => release.tagName === tagName)) {
      throw new HttpFailure(422, 'Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
    }
    if (!repo.tags.has(tagName)) {
      // GitHub creates the missing tag from target_commitish.
      const found = resolve(repo, target);
      if (!found) throw new HttpFailure(422, 'Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
      repo.tags.set(tagName, found.sha);
    }
    const release: FakeRelease = {
      id: (nextRelease += 1),
      tagName,
      targetCommitish: target,
      name: typeof body.name === 'string' ? body.name : tagName,
      body: typeof body.body === 'string' ? body.body : '',
      draft: body.draft === true,
      prerelease: body.prerelease === true,
    };
    repo.releases.push(release);
    return [201, releaseJson(repo, release)];
  }

  function ancestors(repo: FakeRepo, sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(repo.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  function repoOf(fullName: string): FakeRepo {
    const repo = repos.get(fullName);
    if (!repo) throw new Error(`fake GitHub has no repository ${fullName}`);
    return repo;
  }

  return {
    url,
    state: { repos },
    requests,
    /** The next request matching gets `status` instead of its answer (once). */
    failNext(failure: Failure): void {
      failures.push(failure);
    },
    /** The next request matching is applied, then answered with `status` instead of its answer (once). */
    failAfterApplying(failure: Failure): void {
      failuresAfterApplying.push(failure);
    },
    /** Every request on `fullName` fails with `status` until `repairRepo`. */
    breakRepo(fullName: string, status: number): void {
      repoOf(fullName).brokenWith = status;
    },
    repairRepo(fullName: string): void {
      repoOf(fullName).brokenWith = null;
    },
    /** A file as it stands on a branch, tag or commit. */
    file(fullName: string, ref: string, path: string): string | undefined {
      const repo = repoOf(fullName);
      return resolve(repo, ref)?.files[path];
    },
    /** An annotated tag on `commitSha`, as `git tag -a` and a push make it: its ref names the tag object. */
    annotateTag(fullName: string, tag: string, commitSha: string): string {
      const repo = repoOf(fullName);
      const objectSha = createHash('sha1').update(`tag ${tag} ${commitSha}`).digest('hex');
      repo.tags.set(tag, commitSha);
      repo.tagObjects.set(tag, objectSha);
      return objectSha;
    },
    /** Commits straight to a branch, as someone pushing to it would. */
    push(fullName: string, branch: string, files: Record<string, string>, message = 'Direct push'): string {
      const repo = repoOf(fullName);
      const head = repo.branches.get(branch);
      if (!head) throw new Error(`no branch ${branch}`);
      const sha = commit(repo, [head], message, { ...repo.commits.get(head)!.files, ...files });
      repo.branches.set(branch, sha);
      return sha;
    },
    /** Merges a pull request as the merge button does: the head's changes land on the base. */
    mergePullRequest(fullName: string, number: number, mergedAt = '2022-03-01T17:00:00Z'): string {
      const repo = repoOf(fullName);
      const pull = findPull(repo, number);
      if (pull.state !== 'open') throw new Error(`pull request #${number} is not open`);
      const baseSha = repo.branches.get(pull.base)!;
      const headSha = repo.branches.get(pull.head)!;
      const baseHistory = ancestors(repo, baseSha);
      let forkPoint = headSha;
      while (!baseHistory.has(forkPoint)) forkPoint = repo.commits.get(forkPoint)!.parents[0]!;
      const headFiles = repo.commits.get(headSha)!.files;
      const forkFiles = repo.commits.get(forkPoint)!.files;
      const changed = Object.fromEntries(Object.entries(headFiles).filter(([path, content]) => forkFiles[path] !== content));
      const sha = commit(repo, [baseSha, headSha], `Merge pull request #${number} from ${pull.head}`, {
        ...repo.commits.get(baseSha)!.files,
        ...changed,
      });
      repo.branches.set(pull.base, sha);
      Object.assign(pull, { state: 'closed', mergedAt, mergeCommitSha: sha } satisfies Partial<FakePull>);
      return sha;
    },
    closePullRequest(fullName: string, number: number): void {
      findPull(repoOf(fullName), number).state = 'closed';
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;
