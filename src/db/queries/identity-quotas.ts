import { asc, eq, sql, type Column, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { anyOfPlaceholder, preparedPerDatabase, sqlKeepingTables } from '../prepared.js';
import { identity, provider, quota } from '../atmosphere-schema.js';
import type { QuotaValues } from '../../model/quota-values.js';
import { pickQuotaValues, quotaValueColumns } from './quota-columns.js';

/** One of a user's identities (one per provider account) with the quota assigned to it now. */
export interface IdentityQuota {
  identityId: number;
  identityUuid: string;
  providerId: number;
  provider: string;
  quotaId: number;
  quota: QuotaValues;
}

/** An identity and its quota as one row carries it, by these names: IdentityQuota, flattened. */
export type IdentityQuotaRow = Omit<IdentityQuota, 'quota'> & QuotaValues;

/** The columns of an IdentityQuotaRow, for a select and for the JSON of identityQuotasJson alike. */
const identityQuotaColumns = {
  identityId: identity.id,
  identityUuid: identity.uuid,
  providerId: provider.id,
  provider: provider.location,
  quotaId: quota.id,
  ...quotaValueColumns,
};

/** An IdentityQuota out of a row with the identityQuotaColumns. */
function toIdentityQuota({ identityId, identityUuid, providerId, provider, quotaId, ...values }: IdentityQuotaRow): IdentityQuota {
  return { identityId, identityUuid, providerId, provider, quotaId, quota: pickQuotaValues(values) };
}

const quotasOfUsers = preparedPerDatabase((db) =>
  db
    .select({ userId: identity.createdById, ...identityQuotaColumns })
    .from(identity)
    .innerJoin(provider, eq(provider.id, identity.providerId))
    .innerJoin(quota, eq(quota.id, identity.quotaId))
    .where(anyOfPlaceholder(identity.createdById, 'userIds'))
    .orderBy(asc(provider.location), asc(identity.id))
    .prepare('atmobot_identity_quotas_of_users'),
);

/** Each user's identities (one per provider account) with the quota currently assigned. */
export async function listIdentityQuotas(db: Database, userIds: readonly number[]): Promise<Map<number, IdentityQuota[]>> {
  const result = new Map<number, IdentityQuota[]>();
  if (userIds.length === 0) return result;
  const rows = await quotasOfUsers(db).execute({ userIds: [...new Set(userIds)] });
  for (const { userId, ...row } of rows) {
    const list = result.get(userId) ?? [];
    list.push(toIdentityQuota(row));
    result.set(userId, list);
  }
  return result;
}

/** The pairs of `json_build_object` for an IdentityQuotaRow. */
const identityQuotaJsonFields = sql.join(
  Object.entries(identityQuotaColumns).map(([name, column]) => sql`${sql.raw(`'${name}'`)}, ${column}`),
  sql`, `,
);

/**
 * The identities of the user `userId` (a column or parameter of the outer statement) with their
 * quotas, as listIdentityQuotas reads them, in one JSON value: a scalar subquery to select beside
 * other things, read back with fromIdentityQuotasJson. Null when the user has none.
 */
export function identityQuotasJson(userId: SQL | Column | SQL.Aliased): SQL<IdentityQuotaRow[] | null> {
  return sql<IdentityQuotaRow[] | null>`${sqlKeepingTables(sql`(select json_agg(json_build_object(${identityQuotaJsonFields}) order by ${provider.location}, ${identity.id}) from ${identity} inner join ${provider} on ${provider.id} = ${identity.providerId} inner join ${quota} on ${quota.id} = ${identity.quotaId} where ${identity.createdById} = ${userId})`)}`;
}

/** What identityQuotasJson selected, as IdentityQuota rows. */
export function fromIdentityQuotasJson(list: readonly IdentityQuotaRow[] | null): IdentityQuota[] {
  return (list ?? []).map(toIdentityQuota);
}
