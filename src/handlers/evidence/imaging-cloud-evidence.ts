import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import type { GlanceImage } from '../../integrations/openstack/glance-client.js';
import { formatTimestamp } from '../format-time.js';
import { describeNovaState } from './compare-with-nova.js';
import { keys } from '../../integrations/kv/keys.js';
import { readNovaEvidence } from './nova-evidence.js';
import { readCached } from './read-cached.js';

/** "processing - <glance id>": the new image Atmosphere is registering (summarize-old-status.ts). */
const PROCESSING_IMAGE = /processing - ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** What a Glance status says about an imaging request's new image (Image API v2 image statuses). */
const GLANCE_MEANINGS: Record<string, string> = {
  queued: 'the image record exists but no data was uploaded: the upload never started',
  saving: 'the upload is still under way, or stopped half-way',
  uploading: 'the upload is still under way, or stopped half-way',
  importing: 'Glance is still importing the data',
  active: 'the image was uploaded whole: the failure came after the upload',
  killed: 'the upload failed in Glance: the image data is unusable',
  deleted: 'the image was deleted',
  pending_delete: 'the image is being deleted',
  deactivated: 'the image was deactivated by an admin',
};

/**
 * For an imaging request in error, what the guide asks to check that the cloud's APIs can tell: the
 * imaged instance's server in Nova (imaging needs it whole, so it must not be deleted) and, once the
 * request reached "processing - <image id>", that image's status in Glance. Null lines when the
 * provider has no OpenStack configuration.
 */
export async function imagingCloudLines(
  deps: Pick<Deps, 'openstack' | 'kv' | 'log' | 'now'>,
  request: { provider: { id: number }; instance: { providerAlias: string }; oldStatus: string | null },
): Promise<string[] | null> {
  const providerId = request.provider.id;
  if (!deps.openstack?.nova(providerId)) return null;
  const imageId = PROCESSING_IMAGE.exec(request.oldStatus ?? '')?.[1] ?? null;
  const [nova, image] = await Promise.all([readNovaEvidence(deps, { providerId, uuid: request.instance.providerAlias }), imageId ? readImage(deps, providerId, imageId) : Promise.resolve(null)]);
  const lines: string[] = [`(OpenStack of provider ${providerId}, read ${formatTimestamp(deps.now())})`];
  if (nova.kind === 'server') lines.push(`Imaged instance's server (Nova): ${describeNovaState(nova.server)}`);
  else if (nova.kind === 'gone') lines.push(`Nova has no server ${request.instance.providerAlias}: the instance being imaged was deleted on the cloud, so the request cannot complete.`);
  else if (nova.kind === 'failed') lines.push(`Could not ask Nova: ${nova.reason}`);
  if (imageId && image) {
    if ('failed' in image) lines.push(`Could not ask Glance about the new image ${imageId}: ${image.failed}`);
    else if (image.image === null) lines.push(`Glance has no image ${imageId}: the new image was never created there, or was deleted.`);
    else lines.push(`New image ${imageId} (Glance): ${image.image.status}: ${GLANCE_MEANINGS[image.image.status] ?? 'a status the guide does not describe'}.`);
  }
  return lines;
}

/** `GET /v2/images/{id}` on the request's provider, reused for EVIDENCE_TTL_MS (an answer, not a failure). */
async function readImage(deps: Pick<Deps, 'openstack' | 'kv' | 'log'>, providerId: number, id: string): Promise<{ image: GlanceImage | null } | { failed: string }> {
  const glance = deps.openstack?.glance(providerId);
  if (!glance) return { failed: `no Glance is configured for provider ${providerId}` };
  return readCached(
    deps.kv,
    keys.evidence('glance', `${providerId}:${id}`),
    deps.log,
    async (): Promise<{ image: GlanceImage | null } | { failed: string }> => {
      try {
        return { image: await glance.getImage(id) };
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        deps.log.warn({ err: error, providerId }, 'Glance evidence not read');
        return { failed: integrationReason(error) };
      }
    },
    (answer) => !('failed' in answer),
  );
}
