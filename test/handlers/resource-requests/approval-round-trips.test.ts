import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { commandDefinitions, actionDefinitions } from '../../../src/handlers/index.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { MAINTENANCE_RECHECK_MS, withMaintenanceGuard } from '../../../src/integrations/atmosphere/maintenance-guard.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { findDecision } from '../../../src/db/queries/decisions.js';
import { listRequestEvents } from '../../../src/db/queries/request-events.js';
import type { Deps } from '../../../src/deps.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { dbKinds } from '../../support/databases.js';
import { countingDatabase } from '../../support/counting-database.js';
import { actionEvent, createTestContext, recordingIO, type TestContext } from '../../support/test-deps.js';
import { startMirroredAtmosphereApi } from '../../e2e/mirrored-atmosphere-api.js';
import { requestIdOf } from '../../e2e/e2e-support.js';
import type { FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';

/** A Slack staff member; the directory gives the e-mail that matches kpatel. */
const KPATEL = { platform: 'slack' as const, id: 'UKPATEL' };

/** What each statement the bot sends is, by the table it reads or writes, so a count says which went. */
function kindOf(statement: string): string {
  const kinds: [RegExp, string][] = [
    [/^(begin|commit|rollback)$/, 'transaction'],
    // Before 'request by id': it reads the request inside the statement that marks the claim.
    [/^with record as \(select \(select "status_type"\."name" from "resource_request"[\s\S]*update "atmobot"\."decision" set "sent_at"/, 'mark sent if still pending'],
    // Before 'account by id': it selects from the account row too.
    [/^select \(select json_agg\(json_build_object\('identityId'[\s\S]*"user_allocation_source"/, 'quotas and allocation sources'],
    [/from "atmosphere_user" where "atmosphere_user"\."id" = /, 'account by id'],
    [/from "resource_request" inner join "status_type".* left join "atmobot"\."decision" .* where "resource_request"\."id" = /, 'request and decision'],
    [/from "resource_request" inner join "status_type".* where "resource_request"\."id" = /, 'request by id'],
    [/^select .* from "atmobot"\."decision" where/, 'decision'],
    [/^insert into "atmobot"\."decision"/, 'claim'],
    [/^update "atmobot"\."decision" set "sent_at"/, 'mark sent'],
    [/from "maintenance_record"/, 'maintenance check'],
    [/^\s*with done as \(update "atmobot"\."decision"/, 'complete with history'],
    [/^select .* from \(select .* from "resource_request" where .* order by "resource_request"\."id" asc limit/, 'pending page'],
    [/from "identity" inner join "provider"/, 'quotas'],
    [/from "user_allocation_source"/, 'allocation sources'],
    [/^insert into "atmobot"\."audit_log"/, 'audit'],
  ];
  return kinds.find(([pattern]) => pattern.test(statement.trim()))?.[1] ?? `other: ${statement.slice(0, 80)}`;
}

function tally(statements: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const statement of statements) counts[kindOf(statement)] = (counts[kindOf(statement)] ?? 0) + 1;
  return counts;
}

/**
 * One approval from the pending list as production runs it: the REST gateway behind the maintenance
 * guard, against a fake Atmosphere API that mirrors its writes into the database, every SQL statement
 * of the bot counted (test/support/counting-database.ts). The numbers are pinned so that a change
 * adding a round trip to the decision path has to say so here.
 */
describe.each(dbKinds())('the round trips of one approval on %s', (kind) => {
  let t: TestContext;
  let api: FakeAtmosphereApi;
  let counting: ReturnType<typeof countingDatabase>;
  let dispatcher: Dispatcher;
  // The guard's clock: each step below starts longer after the one before than the guard trusts an
  // answer (a staff member reads the list, then fills in the form), so every step reads afresh.
  let clock = 0;
  const later = () => void (clock += 10 * MAINTENANCE_RECHECK_MS);

  beforeAll(async () => {
    t = await createTestContext(kind);
    api = await startMirroredAtmosphereApi(t.deps.db);
    counting = countingDatabase(t.deps.db);
    const db = counting.db;
    const gateway = createRestGateway({ baseUrl: api.url, token: api.token, statusId: (name) => requireStatusTypeId(db, name), log: t.deps.log });
    const deps: Deps = {
      ...t.deps,
      db,
      gateway: withMaintenanceGuard(gateway, db, t.deps.now, { recheckAfterMs: MAINTENANCE_RECHECK_MS, clock: () => clock }),
      directories: { slack: { emailOf: async (id) => (id === KPATEL.id ? 'kpatel@cyverse.org' : null) } },
    };
    dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
    // A first approval warms what production keeps between events: the account resolution and the status ids.
    const warm = await requestIdOf(t.deps.db, 'alee2');
    await dispatcher.handle(actionEvent('rr:approve', `${warm}:list`, KPATEL, { message: '', quota: '', provider: '' }), recordingIO().io);
    expect((await getResourceRequest(t.deps.db, warm))?.status).toBe('approved');
  }, 600_000);
  afterAll(async () => {
    await api?.close();
    await t?.database.drop();
  });

  it('opens the form with five statements and no call to Atmosphere', async () => {
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    later();
    counting.reset();
    api.calls.splice(0);
    const out = recordingIO();
    const outcome = await dispatcher.handle(actionEvent('rr:approve', `${id}:list`, KPATEL), out.io);
    expect(outcome).toMatchObject({ kind: 'form', action: 'rr:approve' });
    // The request is read once, with any journal row on it, by the precheck, which hands it on for the
    // form's defaults (what its text asks for), with the quotas and allocation sources it shows as they
    // are now, in one statement; the maintenance check refuses before a form is filled in that could only be refused.
    expect(tally(counting.statements)).toEqual({ 'account by id': 1, 'request and decision': 1, 'quotas and allocation sources': 1, 'maintenance check': 1, audit: 1 });
    expect(counting.statements).toHaveLength(5);
    expect(api.calls).toEqual([]);
  });

  it('approves on submission with eight statements, one PATCH and two chat calls', async () => {
    const id = await requestIdOf(t.deps.db, 'tgarcia');
    later();
    counting.reset();
    api.calls.splice(0);
    const out = recordingIO();
    await dispatcher.handle(actionEvent('rr:approve', `${id}:list`, KPATEL, { message: 'Approved for the paper', quota: '', provider: '' }), out.io);
    expect(out.replies.map((reply) => reply.text)).toEqual([`Approved request #${id} from tgarcia; Atmosphere e-mails them your message.`]);
    expect(out.updates).toHaveLength(1);
    expect(out.updates[0]!.sections?.some((section) => section.text.startsWith(`#${id} `))).toBe(false);

    // The request is read with any journal row on it before the claim (is it still pending, is it the
    // clicker's own, is someone deciding it) and again, inside the statement that marks the claim
    // sent, right before the PATCH (decided in Troposphere meanwhile?); the precheck's reads are not
    // repeated, the status ids and the account resolution come from
    // memory, and the decision is completed with its history row in one statement, without a
    // transaction. Maintenance is read once, before the claim, so a refusal takes no claim; the
    // guard right before the PATCH reuses that answer of a moment ago (Atmosphere's own 503 refuses a
    // window begun since), while the form's own check, long before, does not stand in for it.
    expect(tally(counting.statements)).toEqual({
      'account by id': 1,
      'request and decision': 1,
      claim: 1,
      'mark sent if still pending': 1,
      'maintenance check': 1,
      'complete with history': 1,
      // The redrawn list: its page, the count of all pending requests and the requesters' quotas in one statement.
      'pending page': 1,
      audit: 1,
    });
    expect(counting.statements).toHaveLength(8);
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/admin/resource_requests/${id}`]);

    // Fewer statements, the same record: the decision done, one history row, Atmosphere changed.
    expect(await findDecision(t.deps.db, 'resource_request', id)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
    const history = await listRequestEvents(t.deps.db, 'resource_request', [id]);
    expect(history.map((event) => [event.action, event.actor, event.platform, event.note])).toEqual([['approved', 'kpatel', 'slack', 'Approved for the paper']]);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('approved');
  });

  it('refuses at the mark a request decided in Troposphere after its check, sends nothing and gives the claim back', async () => {
    const id = await requestIdOf(t.deps.db, 'jsmith');
    // Troposphere's admin page denies it while the bot is between its check (which ends with the
    // maintenance check) and its claim.
    const racing: Deps = {
      ...t.deps,
      gateway: {
        ...t.deps.gateway,
        checkWritable: async () => {
          await t.deps.db.execute(sql`update resource_request set status_id = (select id from status_type where name = 'denied') where id = ${id}`);
        },
      },
    };
    const racingDispatcher = createDispatcher(racing, commandDefinitions, actionDefinitions);
    api.calls.splice(0);
    const out = recordingIO();
    await racingDispatcher.handle(actionEvent('rr:approve', `${id}:list`, KPATEL, { message: 'Approved', quota: '', provider: '' }), out.io);
    expect(out.replies.map((reply) => reply.text)).toEqual([`Request #${id} was denied outside the bot a moment ago. Nothing more was done.`]);
    expect(api.calls).toEqual([]);
    expect(await findDecision(t.deps.db, 'resource_request', id)).toBeNull();
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('denied');
  });
});
