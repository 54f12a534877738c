// Hand mapping of the Atmosphere tables Django owns, named and typed exactly as its migrations create
// them (fixtures/atmosphere-schema.sql), split by area under atmosphere-schema/; import the tables from
// here. It lives outside the drizzle-kit schema glob, so no migration ever touches these tables;
// `.references()` documents the foreign keys and produces no DDL.
//
// Django puts no DEFAULT in the database (only `nextval` on serial ids): every default is applied in
// Python. The `$defaultFn`s repeat the model defaults, so an insert from the bot writes what Django would.
// Secret tables (credential, provider_credential, tokens) are deliberately not mapped.

export { allocationSource, allocationSourceSnapshot, userAllocationSnapshot, userAllocationSource } from './atmosphere-schema/allocations.js';
export { identity, identityMembership, quota } from './atmosphere-schema/identities.js';
export {
  application,
  applicationVersion,
  instance,
  instanceSource,
  instanceStatus,
  instanceStatusHistory,
  project,
  providerMachine,
  volume,
  type InstanceStatusExtra,
} from './atmosphere-schema/instances-and-images.js';
export { maintenanceRecord, platformType, provider, providerType, size } from './atmosphere-schema/providers.js';
export { machineRequest, resourceRequest, statusType } from './atmosphere-schema/requests.js';
export { atmosphereUser, atmosphereUserGroups, authGroup, cloudAdministrator, group, groupMembers } from './atmosphere-schema/users-and-groups.js';
