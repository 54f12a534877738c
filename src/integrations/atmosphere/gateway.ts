/**
 * Writes to Atmosphere that have side effects (e-mails, OpenStack quotas, the imaging chain).
 * Production uses the REST API; embedded mode applies the same state changes to its own database.
 * With a real database but no API configured, `createReadOnlyGateway` refuses every write.
 */

import type { CompleteQuota } from '../../model/quota-values.js';

export { QUOTA_KEYS, type CompleteQuota, type QuotaValues } from '../../model/quota-values.js';

export type ResourceRequestStatus = 'approved' | 'denied' | 'closed';
export type MachineRequestStatus = 'approved' | 'denied' | 'pending' | 'closed';

/** An instance action the bot may run: `POST /api/v2/instances/<provider_alias>/actions`. */
export type InstanceActionRequest = { action: 'redeploy' } | { action: 'reboot'; rebootType: 'SOFT' | 'HARD' };

/**
 * The keys `GET /api/v2/instances/<provider_alias>/actions` lists (`InstanceAction.key`, e.g.
 * `Redeploy`, `Reboot`, `Hard Reboot`, `Terminate`): what Atmosphere allows for the instance now.
 */
export type InstanceActionKey = string;

export interface AtmosphereGateway {
  readonly kind: 'rest' | 'embedded' | 'read-only';
  /**
   * Refuses up front (a UserError saying why and what to do) when no write could reach Atmosphere
   * now: no API configured, or a global maintenance the bot's API user is not exempt from. Called
   * before a form opens, before a request is queued and before the queue job approves, so nothing
   * is asked for, queued or half-done that can only be refused later.
   */
  checkWritable(): Promise<void>;
  /**
   * The bot itself has just started or ended a maintenance: forget any remembered answer of whether
   * Atmosphere is in maintenance (withMaintenanceGuard), so the next check reads it afresh.
   */
  maintenanceChanged?(): void;
  /**
   * Finds the quota row with exactly these values or creates one; quota rows are never edited. Every
   * column is a number: the API's serializer refuses `null` and values below 1.
   */
  findOrCreateQuota(values: CompleteQuota): Promise<{ id: number; created: boolean }>;
  /** Points an identity at a quota; in production this also sets the OpenStack quota. */
  assignQuota(input: { identityUuid: string; username: string; quotaId: number }): Promise<void>;
  /**
   * Sets an allocation source's allowance in AU, as Troposphere's admin page does: the API records an
   * `allocation_source_compute_allowed_changed` event, whose hook changes the source. Sending the same
   * value again changes nothing more, so a repeat is safe.
   */
  setAllocationComputeAllowed(input: { uuid: string; name: string; computeAllowed: number }): Promise<void>;
  /** Staff decision on a resource request; Atmosphere e-mails the user with `adminMessage`. */
  setResourceRequestStatus(input: { id: number; status: ResourceRequestStatus; adminMessage: string }): Promise<void>;
  /** Staff decision on an imaging request; `approved` starts the imaging chain, `pending` re-submits. */
  setMachineRequestStatus(input: { id: number; status: MachineRequestStatus }): Promise<void>;
  /** The actions Atmosphere allows on an instance now, addressed by its `provider_alias`. */
  listInstanceActions(input: { uuid: string }): Promise<InstanceActionKey[]>;
  /** Runs a redeploy or a reboot on an instance (addressed by its `provider_alias`) as Troposphere's buttons do. */
  instanceAction(input: { uuid: string } & InstanceActionRequest): Promise<void>;
  /**
   * Makes an application version part of another application under `name`
   * (`PATCH /image_versions/<uuid>` with `image` and `name`, ImageVersionSerializer).
   */
  moveImageVersion(input: { versionId: string; applicationId: number; name: string }): Promise<void>;
  /** Clears an application's `private` flag (`PATCH /images/<id>` with `is_public: true`, ImageSerializer). */
  setApplicationPublic(input: { applicationId: number }): Promise<void>;
}
