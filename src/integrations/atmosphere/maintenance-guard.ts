import type { Database } from '../../db/client.js';
import { UserError } from '../../errors.js';
import { listActiveAtmosphereMaintenance } from '../../db/queries/maintenance.js';
import type { AtmosphereGateway } from './gateway.js';

/**
 * Wraps a gateway so that, while a global Atmosphere maintenance record is active, every write is
 * refused up front with the maintenance's own title and message and what to do, instead of a bare 503
 * from the API (which the REST gateway still maps, should a record appear between check and call).
 * Reads of the database are not affected; only the gateway's writes are.
 *
 * Atmosphere lets the users in its MAINTENANCE_EXEMPT_USERNAMES setting through during maintenance.
 * When the operator says the bot's API user is one of them (`exempt`, ATMOSPHERE_API_MAINTENANCE_EXEMPT),
 * nothing is refused here: the API's own answer decides, and a 503 is still reported as maintenance.
 */
export function withMaintenanceGuard(gateway: AtmosphereGateway, db: Database, now: () => Date, options: { exempt?: boolean } = {}): AtmosphereGateway {
  async function check(): Promise<void> {
    if (options.exempt) return;
    const active = await listActiveAtmosphereMaintenance(db, now());
    if (active.length === 0) return;
    const records = active.map((record) => `"${record.title}": ${record.message}`).join(' | ');
    throw new UserError(
      'maintenance',
      `Atmosphere is in maintenance (${records}), so its API refuses changes and nothing was done. ` +
        'Try again after /atmo maintenance stop. To keep approving through the bot during maintenance, an Atmosphere admin adds the ' +
        "bot's API user (the owner of ATMOSPHERE_API_TOKEN) to MAINTENANCE_EXEMPT_USERNAMES in Atmosphere's settings, and the bot is " +
        'started with ATMOSPHERE_API_MAINTENANCE_EXEMPT=true.',
    );
  }
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await check();
      return call(...args);
    };
  return {
    kind: gateway.kind,
    checkWritable: async () => {
      await check();
      await gateway.checkWritable();
    },
    findOrCreateQuota: guard((values) => gateway.findOrCreateQuota(values)),
    assignQuota: guard((input) => gateway.assignQuota(input)),
    setAllocationComputeAllowed: guard((input) => gateway.setAllocationComputeAllowed(input)),
    setResourceRequestStatus: guard((input) => gateway.setResourceRequestStatus(input)),
    setMachineRequestStatus: guard((input) => gateway.setMachineRequestStatus(input)),
    // A read: during maintenance the API answers it with a 503 the REST gateway maps.
    listInstanceActions: (input) => gateway.listInstanceActions(input),
    instanceAction: guard((input) => gateway.instanceAction(input)),
    moveImageVersion: guard((input) => gateway.moveImageVersion(input)),
    setApplicationPublic: guard((input) => gateway.setApplicationPublic(input)),
  };
}
