import { z } from 'zod';
import { IntegrationError } from '../../errors.js';
import { isDockerHubImageName } from '../../model/docker-image-name.js';

/**
 * Docker Hub's tag API, read-only: does `namespace/repository:tag` exist, and when was it pushed.
 * `GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}` (Docker Hub API reference,
 * "Read repository tag"): 200 with the tag and its per-platform images, 404 when there is no such
 * tag. Public repositories need no token; a token, when given, goes as a bearer header.
 */

export interface ImageTag {
  image: string;
  tag: string;
  /** When the tag was last pushed, as Docker Hub reports it. */
  pushedAt: Date | null;
  /** `linux/amd64` and the like, of the images that are active. */
  platforms: string[];
}

export interface ImageRegistry {
  /** The tag, or null when the registry has no such tag (yet). */
  findTag(image: string, tag: string): Promise<ImageTag | null>;
}

const tagBody = z.object({
  name: z.string(),
  tag_last_pushed: z.string().nullish(),
  last_updated: z.string().nullish(),
  tag_status: z.string().nullish(),
  images: z
    .array(z.object({ architecture: z.string().nullish(), os: z.string().nullish(), variant: z.string().nullish(), status: z.string().nullish() }))
    .nullish(),
});

export interface ImageRegistryOptions {
  /** `https://hub.docker.com` in production. */
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createImageRegistry(options: ImageRegistryOptions): ImageRegistry {
  const send = options.fetch ?? fetch;
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const scrub = (text: string) => (options.token ? text.split(options.token).join('[redacted]') : text).slice(0, 200);

  return {
    async findTag(image, tag) {
      if (!isDockerHubImageName(image)) throw new IntegrationError('dockerhub', `"${image}" is not a Docker Hub image name (namespace/repository)`);
      const [namespace, repository] = image.split('/') as [string, string];
      const path = `v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}/tags/${encodeURIComponent(tag)}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let response: Response;
      try {
        response = await send(new URL(path, base), { headers, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
      } catch (error) {
        throw new IntegrationError('dockerhub', `Docker Hub could not be asked for ${image}:${tag}`, { operation: `GET ${path}`, code: 'unreachable', cause: error });
      }
      const text = await response.text().catch(() => '');
      if (response.status === 404) return null;
      if (!response.ok) {
        const said = (() => {
          try {
            const body = JSON.parse(text) as { message?: unknown };
            return typeof body.message === 'string' ? scrub(body.message) : undefined;
          } catch {
            return undefined;
          }
        })();
        throw new IntegrationError('dockerhub', `Docker Hub answered HTTP ${response.status} for ${image}:${tag}`, { operation: `GET ${path}`, status: response.status, detail: said });
      }
      let parsed: z.infer<typeof tagBody>;
      try {
        parsed = tagBody.parse(JSON.parse(text));
      } catch (error) {
        throw new IntegrationError('dockerhub', `Docker Hub answered ${image}:${tag} with a body the bot does not understand`, { operation: `GET ${path}`, code: 'malformed', status: response.status, detail: 'unexpected answer', cause: error });
      }
      // An inactive tag (Docker Hub marks tags not pulled or pushed for a long time) still exists.
      const pushed = parsed.tag_last_pushed ?? parsed.last_updated ?? null;
      const platforms = (parsed.images ?? [])
        .filter((one) => one.status !== 'inactive' && one.architecture && one.architecture !== 'unknown')
        .map((one) => [one.os ?? 'linux', one.architecture, one.variant].filter(Boolean).join('/'));
      return { image, tag: parsed.name, pushedAt: pushed && !Number.isNaN(Date.parse(pushed)) ? new Date(pushed) : null, platforms };
    },
  };
}
