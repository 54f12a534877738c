import { IntegrationError } from '../../errors.js';
import { createInFlight } from '../kv/in-flight.js';
import type { KeystoneSession, ServiceAnswer } from './keystone-session.js';

/** What the bot needs to know about a Glance image (Image API v2 `GET /v2/images/{id}`). */
export interface GlanceImage {
  id: string;
  /** `queued`, `saving`, `active`, `killed`, `deleted`, `pending_delete`, `deactivated`, `uploading`, `importing`. */
  status: string;
  /** `public`, `private`, `shared` or `community`. */
  visibility: string;
}

/** One provider's Glance, reached with that cloud's Keystone application credential. */
export interface GlanceClient {
  readonly providerId: number;
  /** The image, or null when Glance answers 404 (no such image, or deleted). */
  getImage(id: string): Promise<GlanceImage | null>;
  /** Sets the image's visibility, as `glance.images.update(id, visibility=…)` does in the guide. */
  setVisibility(id: string, visibility: 'public'): Promise<GlanceImage>;
}

// Glance's v2 PATCH only takes its JSON-patch media type; anything else is a 415
// (glance/api/v2/images.py RequestDeserializer.update, Image API reference "Update image").
const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

/**
 * Glance through the catalog's `image` endpoint of one provider's Keystone session. Both calls are
 * idempotent (a read, and setting one field to a value), so the session may repeat them after a 401.
 */
export function createGlanceClient(providerId: number, keystone: KeystoneSession): GlanceClient {
  const path = (id: string) => `/v2/images/${encodeURIComponent(id)}`;

  function failure(answer: ServiceAnswer, label: string): IntegrationError {
    return new IntegrationError('openstack', `Glance of ${keystone.where} refused ${label} (HTTP ${answer.status})${answer.said ? `: ${answer.said}` : ''}`, {
      operation: label,
      status: answer.status,
      ...(answer.status === 403 ? { hint: "making an image public needs the admin role in Glance's default policy" } : {}),
      detail: answer.said ?? `HTTP ${answer.status}`,
    });
  }

  // Reads of the same image under way at once share one call; the PATCH never does.
  const inFlight = createInFlight();
  return {
    providerId,
    getImage: (id) =>
      inFlight.share(id, async () => {
        const answer = await keystone.call('image', { method: 'GET', path: path(id) });
        if (answer.status === 404) return null;
        const image = toImage(answer.json);
        if (answer.status === 200 && image) return image;
        throw failure(answer, `GET /v2/images/${id}`);
      }),
    async setVisibility(id, visibility) {
      const answer = await keystone.call('image', {
        method: 'PATCH',
        path: path(id),
        headers: { 'Content-Type': JSON_PATCH },
        body: JSON.stringify([{ op: 'replace', path: '/visibility', value: visibility }]),
      });
      const image = toImage(answer.json);
      if (answer.status === 200 && image) return image;
      throw failure(answer, `PATCH /v2/images/${id}`);
    },
  };
}

function toImage(value: unknown): GlanceImage | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string' || typeof record.status !== 'string' || typeof record.visibility !== 'string') return null;
  return { id: record.id, status: record.status, visibility: record.visibility };
}
