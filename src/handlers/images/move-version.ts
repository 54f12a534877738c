import type { ActingContext } from '../../bot/chat/command.js';
import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { Reply } from '../../bot/chat/reply.js';
import type { Database } from '../../db/client.js';
import {
  findApplicationSummary,
  findMachineRequestVersion,
  findVersionIdsByMachine,
  findVersionPlacement,
  listVersionMachines,
  listVersionNames,
  type ApplicationSummary,
  type VersionMachine,
  type VersionPlacement,
} from '../../db/queries/images.js';
import { IntegrationError, UserError } from '../../errors.js';
import { formatTimestamp } from '../format-time.js';
import { moveVersionSnippet, SHELL_PREAMBLE } from './image-snippets.js';
import { MAX_VERSION_NAME, nextVersionName } from './next-version-name.js';

export const MOVE_VERSION_ACTION = 'img:move';
// Action names stay short: a uuid, an application id and a 40-character name must fit Discord's 100.
export const VERIFY_MOVE_ACTION = 'img:verify';
export const CANCEL_IMAGE_ACTION = 'img:cancel';
/** On a completed imaging request made as a new application: asks which application it should join. */
export const MOVE_FORM_ACTION = 'img:move-form';

/** The button a completed request gets when it was made as a new application (alert thread, detail view). */
export function moveVersionButton(requestId: number): { label: string; action: string; value: string } {
  return { label: 'Make it a version of another application', action: MOVE_FORM_ACTION, value: String(requestId) };
}

/** Refuses the form's button early when the request has no version made as a new application. */
export async function checkMovable(db: Database, requestId: number): Promise<void> {
  const request = await findMachineRequestVersion(db, requestId);
  if (!request) throw new UserError('not_found', `There is no imaging request #${requestId}.`);
  if (!request.versionId) throw new UserError('conflict', `Imaging request #${requestId} has not produced an image version yet; nothing to move.`);
}

/** What a confirmation button carries: the version, the application it joins and the name it takes there. */
export interface MoveTarget {
  versionId: string;
  applicationId: number;
  name: string;
}

export const encodeMoveTarget = (target: MoveTarget) => `${target.versionId}:${target.applicationId}:${target.name}`;

/** An imaging request id, or a provider machine's Glance id / instance source uuid. */
async function resolveVersionId(db: Database, ref: string): Promise<{ versionId: string; requestId?: number; forked?: boolean }> {
  if (/^\d{1,10}$/.test(ref)) {
    const id = Number(ref);
    const request = id > 0 && id <= 2_147_483_647 ? await findMachineRequestVersion(db, id) : null;
    if (!request) throw new UserError('not_found', `There is no imaging request #${ref}. Give an imaging request id or a provider machine uuid (the Glance image id).`);
    if (!request.versionId) {
      throw new UserError(
        'conflict',
        `Imaging request #${id} ("${request.newApplicationName}", ${request.status}) has not produced an image version yet; Atmosphere links it once imaging completes. Nothing was changed.`,
      );
    }
    return { versionId: request.versionId, requestId: id, forked: request.forked };
  }
  const ids = await findVersionIdsByMachine(db, ref);
  if (ids.length === 0) throw new UserError('not_found', `No provider machine has the id or uuid ${ref}. Give an imaging request id or a provider machine uuid (the Glance image id).`);
  if (ids.length > 1) throw new UserError('conflict', `Provider machine ${ref} belongs to ${ids.length} versions (${ids.join(', ')}); give the imaging request id instead. Nothing was changed.`);
  return { versionId: ids[0]! };
}

/** Everything the confirmation shows and the click re-checks. */
interface MoveCheck {
  version: VersionPlacement;
  target: ApplicationSummary;
  machines: VersionMachine[];
  asked: string;
  name: string;
  /** The asked name is free in the target application. */
  free: boolean;
}

async function checkMove(db: Database, versionId: string, applicationId: number, wantedName: string | undefined): Promise<MoveCheck> {
  const version = await findVersionPlacement(db, versionId);
  if (!version) throw new UserError('not_found', `There is no image version ${versionId} (it may have been deleted). Nothing was changed.`);
  const target = await findApplicationSummary(db, applicationId);
  if (!target) throw new UserError('not_found', `There is no application #${applicationId}. The id is in Troposphere's address of the image (application/images/<id>).`);
  if (target.endDate) {
    throw new UserError('conflict', `Application #${target.id} "${target.name}" was end-dated ${formatTimestamp(target.endDate)}; move the version to a current application. Nothing was changed.`);
  }
  const asked = wantedName ?? version.versionName;
  if (version.applicationId === target.id) {
    throw new UserError('already_decided', `Version "${version.versionName}" (${version.versionId}) is already a version of application #${target.id} "${target.name}". Nothing was changed.`);
  }
  const names = (await listVersionNames(db, target.id)).map((row) => row.name);
  const { name, free } = nextVersionName(asked, names);
  return { version, target, machines: await listVersionMachines(db, versionId), asked, name, free };
}

function describeMove(check: MoveCheck): Reply['fields'] {
  const { version, target } = check;
  return [
    { label: 'Version', value: `"${version.versionName}" (${version.versionId})` },
    { label: 'Leaves', value: `application #${version.applicationId} "${version.applicationName}"${version.applicationPrivate ? ' (private)' : ''}` },
    { label: 'Joins', value: `application #${target.id} "${target.name}"${target.private ? ' (private)' : ''}` },
    { label: 'Machines', value: check.machines.map((m) => `${m.provider}: ${m.identifier}`).join('\n') || 'none' },
  ];
}

/**
 * `/atmo image move-version`: shows the move and asks for a confirmation. A name already taken in
 * the target application is refused, with the next free one proposed on the button.
 */
export async function proposeMove(ctx: ActingContext, input: { ref: string; applicationId: number; name: string | undefined }): Promise<Reply> {
  const resolved = await resolveVersionId(ctx.deps.db, input.ref);
  const check = await checkMove(ctx.deps.db, resolved.versionId, input.applicationId, input.name);
  if (check.name.length > MAX_VERSION_NAME) {
    throw new UserError('invalid_value', `The version's name "${check.name.slice(0, 60)}" is longer than ${MAX_VERSION_NAME} characters; give a shorter one with --name <version name>. Nothing was changed.`);
  }
  const target: MoveTarget = { versionId: check.version.versionId, applicationId: check.target.id, name: check.name };
  const fields = describeMove(check)!;
  if (resolved.requestId !== undefined) fields.unshift({ label: 'Imaging request', value: `#${resolved.requestId}${resolved.forked ? ' (made as a new application)' : ''}` });
  const buttons: Reply['buttons'] = [
    { label: `Move as "${check.name}"`, action: MOVE_VERSION_ACTION, value: encodeMoveTarget(target), style: 'primary' },
    { label: 'Cancel', action: CANCEL_IMAGE_ACTION, value: String(check.target.id) },
  ];
  if (!check.free) {
    return {
      title: 'Version name already taken',
      text:
        `Application #${check.target.id} "${check.target.name}" already has a version named "${check.asked}", and Atmosphere needs (name, application) to be unique, ` +
        `so I won't move it under that name. The next free name there is "${check.name}": press the button to move it as "${check.name}", or run the command again with --name <version name>.`,
      fields,
      buttons,
      tone: 'warning',
      visibility: 'ephemeral',
    };
  }
  return {
    title: 'Move this image version?',
    text: `Move version "${check.version.versionName}" from application #${check.version.applicationId} to application #${check.target.id} as "${check.name}"?`,
    fields,
    buttons,
    visibility: 'ephemeral',
  };
}

/** The snippet and a Verify button, when the bot cannot make the change through the API. */
function snippetReply(check: MoveCheck, target: MoveTarget, why: string): Reply {
  return {
    title: 'Move the version from the Django shell',
    text: `${why} Nothing was changed by the bot. ${SHELL_PREAMBLE}\n\n${moveVersionSnippet(target)}\n\nThen press Verify: I check Atmosphere's database.`,
    fields: describeMove(check),
    buttons: [{ label: 'Verify', action: VERIFY_MOVE_ACTION, value: encodeMoveTarget(target) }],
    visibility: 'ephemeral',
  };
}

/**
 * The confirmation's click: checks again (someone may have moved or renamed meanwhile), then sends
 * `PATCH /image_versions/<uuid>`, or hands over the shell snippet when no API can make the change,
 * and reads the database afterwards to say where the version is now.
 */
export async function applyMove(ctx: ActingContext<ChatEvent>, target: MoveTarget): Promise<Reply> {
  const { deps } = ctx;
  const current = await findVersionPlacement(deps.db, target.versionId);
  if (current && current.applicationId === target.applicationId && current.versionName === target.name) {
    throw new UserError('already_decided', `Version "${target.name}" (${target.versionId}) is already in application #${target.applicationId}; this click changed nothing.`);
  }
  const check = await checkMove(deps.db, target.versionId, target.applicationId, target.name);
  if (!check.free) {
    throw new UserError(
      'conflict',
      `Application #${check.target.id} now has a version named "${target.name}", so nothing was changed. Run /atmo image move-version ${target.versionId} --to ${check.target.id} again: it proposes "${check.name}".`,
    );
  }
  const audit = { versionId: target.versionId, fromApplicationId: check.version.applicationId, toApplicationId: target.applicationId, name: target.name };
  if (deps.gateway.kind === 'read-only') {
    ctx.audit({ ...audit, via: 'shell snippet' });
    return snippetReply(check, target, 'The bot has no Atmosphere API access (ATMOSPHERE_API_URL is not set).');
  }
  // Recorded before the call, so a failure's audit row still says what was attempted.
  ctx.audit({ ...audit, via: 'api' });
  try {
    await deps.gateway.moveImageVersion(target);
  } catch (error) {
    // ImageVersionViewSet only finds versions of public applications and the token owner's own
    // (ApplicationVersion.current_machines), so a private version answers 404 even to staff.
    if (error instanceof IntegrationError && error.service === 'atmosphere' && error.status === 404) {
      ctx.audit({ ...audit, via: 'shell snippet', apiStatus: 404 });
      return snippetReply(check, target, "Atmosphere's API does not show this version to the bot's token (its image_versions list holds public versions and the token owner's own).");
    }
    throw error;
  }
  const after = await findVersionPlacement(deps.db, target.versionId);
  const landed = after?.applicationId === target.applicationId && after.versionName === target.name;
  ctx.audit({ ...audit, via: 'api', verified: landed });
  const text =
    `${ctx.actor.username} moved version "${check.version.versionName}" (${target.versionId}) from application #${check.version.applicationId} "${check.version.applicationName}" ` +
    `to application #${check.target.id} "${check.target.name}" as "${target.name}". ` +
    (landed ? "Atmosphere's database shows it there." : "The API accepted it, but Atmosphere's database does not show it there yet; press Verify in a moment.");
  const result: Reply = { text, tone: landed ? 'success' : 'warning', ...(landed ? {} : { buttons: [{ label: 'Verify', action: VERIFY_MOVE_ACTION, value: encodeMoveTarget(target) }] }) };
  await ctx.updateSource({ text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the confirmation'));
  return result;
}

/** Verify: reads the version's application and name from the database after the shell step. */
export async function verifyMove(ctx: ActingContext<ChatEvent>, target: MoveTarget): Promise<Reply> {
  const now = await findVersionPlacement(ctx.deps.db, target.versionId);
  if (!now) throw new UserError('not_found', `There is no image version ${target.versionId} any more.`);
  const done = now.applicationId === target.applicationId && now.versionName === target.name;
  ctx.audit({ versionId: target.versionId, toApplicationId: target.applicationId, name: target.name, verified: done });
  if (done) {
    return { text: `Verified: version ${target.versionId} is "${target.name}" in application #${target.applicationId} "${now.applicationName}".`, tone: 'success' };
  }
  return {
    text: `Not yet: Atmosphere's database still shows version ${target.versionId} as "${now.versionName}" in application #${now.applicationId} "${now.applicationName}". Run the snippet, then press Verify again.`,
    buttons: [{ label: 'Verify', action: VERIFY_MOVE_ACTION, value: encodeMoveTarget(target) }],
    tone: 'warning',
    visibility: 'ephemeral',
  };
}
