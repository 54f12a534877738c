import { UserError } from '../../errors.js';
import type { AtmosphereGateway } from './gateway.js';

/**
 * The gateway for a real Atmosphere database without API access. Writing these changes in SQL would
 * skip what only the API does (e-mail the user, set the OpenStack quota, start the imaging chain),
 * so every write is refused with the configuration that would allow it.
 */
export function createReadOnlyGateway(): AtmosphereGateway {
  const refuse = (action: string): never => {
    throw new UserError(
      'unavailable',
      `I can't ${action}: the bot reads Atmosphere's database but has no access to its API. ` +
        'Only the API sends the e-mails, sets the OpenStack quota, starts imaging and reaches the instances, so these changes need ' +
        'ATMOSPHERE_API_URL (the API base ending in /api/v2) and ATMOSPHERE_API_TOKEN (a staff token) to be configured.',
    );
  };
  return {
    kind: 'read-only',
    checkWritable: async () => refuse('approve, deny or re-submit requests or act on instances'),
    findOrCreateQuota: async () => refuse('create or look up a quota'),
    assignQuota: async ({ username }) => refuse(`change the quota of ${username}`),
    setAllocationComputeAllowed: async ({ name }) => refuse(`change the allocation ${name}`),
    setResourceRequestStatus: async ({ id, status }) => refuse(`mark resource request ${id} as ${status}`),
    setMachineRequestStatus: async ({ id, status }) => refuse(`mark imaging request ${id} as ${status}`),
    listInstanceActions: async ({ uuid }) => refuse(`ask Atmosphere which actions instance ${uuid} allows`),
    instanceAction: async ({ uuid, action }) => refuse(`${action} instance ${uuid}`),
    moveImageVersion: async ({ versionId }) => refuse(`move image version ${versionId}`),
    setApplicationPublic: async ({ applicationId }) => refuse(`make application ${applicationId} public`),
  };
}
