import type { CatalogueCopy } from '../../db/queries/images.js';

/** A version that application_sync_providers.py would copy: current, with no machine on the replica. */
export interface MissingVersion {
  applicationId: number;
  applicationName: string;
  versionId: string;
  versionName: string;
}

/** A record on the replica for a version the master holds: the copy whose Glance image is to be checked. */
export interface ReplicaCopy extends MissingVersion {
  providerMachineId: number;
  identifier: string;
}

export interface ReplicaFindings {
  replicaId: number;
  missing: MissingVersion[];
  copies: ReplicaCopy[];
}

/**
 * The script's own rule, from the catalogue rows: an application is replicated when one of its
 * current versions has a current machine on the master; it is complete on a replica when every
 * current version has some machine there (`_app_complete_on_provider` looks at all machines).
 */
export function findReplicaGaps(rows: readonly CatalogueCopy[], masterId: number, replicaIds: readonly number[]): ReplicaFindings[] {
  const versions = new Map<string, { version: MissingVersion; machines: CatalogueCopy[] }>();
  const onMaster = new Set<number>();
  for (const row of rows) {
    const entry = versions.get(row.versionId) ?? {
      version: { applicationId: row.applicationId, applicationName: row.applicationName, versionId: row.versionId, versionName: row.versionName },
      machines: [],
    };
    versions.set(row.versionId, entry);
    if (row.providerMachineId !== null) entry.machines.push(row);
    if (row.providerId === masterId && row.current) onMaster.add(row.applicationId);
  }
  const masterVersions = new Set(rows.filter((row) => row.providerId === masterId && row.current).map((row) => row.versionId));
  return replicaIds.map((replicaId) => {
    const missing: MissingVersion[] = [];
    const copies: ReplicaCopy[] = [];
    for (const { version, machines } of versions.values()) {
      if (!onMaster.has(version.applicationId)) continue;
      const here = machines.filter((machine) => machine.providerId === replicaId);
      if (here.length === 0) missing.push(version);
      else if (masterVersions.has(version.versionId)) {
        for (const machine of here) copies.push({ ...version, providerMachineId: machine.providerMachineId!, identifier: machine.identifier! });
      }
    }
    return { replicaId, missing, copies };
  });
}
