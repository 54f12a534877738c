import type { ActingContext } from '../../bot/chat/command.js';
import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { Reply } from '../../bot/chat/reply.js';
import { findApplicationSummary, listCurrentApplicationMachines, type ApplicationSummary, type VersionMachine } from '../../db/queries/images.js';
import type { Deps } from '../../deps.js';
import { IntegrationError, UserError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import { formatTimestamp } from '../format-time.js';
import { applicationPublicSnippet, glanceVisibilitySnippet, SHELL_PREAMBLE } from './image-snippets.js';
import { CANCEL_IMAGE_ACTION } from './move-version.js';

export const PUBLISH_ACTION = 'img:publish';
export const PUBLISH_FLAG_ACTION = 'img:publish-flag';
export const VERIFY_PUBLIC_ACTION = 'img:verify-public';

type Machine = VersionMachine & { versionId: string; versionName: string };

async function loadPrivateApplication(deps: Deps, applicationId: number): Promise<{ app: ApplicationSummary; machines: Machine[] }> {
  const app = await findApplicationSummary(deps.db, applicationId);
  if (!app) throw new UserError('not_found', `There is no application #${applicationId}. The id is in Troposphere's address of the image (application/images/<id>).`);
  if (app.endDate) throw new UserError('conflict', `Application #${app.id} "${app.name}" was end-dated ${formatTimestamp(app.endDate)}; nothing was changed.`);
  if (!app.private) throw new UserError('already_decided', `Application #${app.id} "${app.name}" is already public in Atmosphere; nothing was changed.`);
  const machines = await listCurrentApplicationMachines(deps.db, app.id, deps.now());
  if (machines.length === 0) {
    throw new UserError('conflict', `Application #${app.id} "${app.name}" has no current image on any provider, so there is nothing to make public in Glance. Nothing was changed.`);
  }
  return { app, machines };
}

const machineLine = (m: Machine) => `${m.provider} (provider ${m.providerId}): ${m.identifier}, version "${m.versionName}"`;

/**
 * `/atmo image publish <application id>`: the guide's two steps, Glance visibility on each provider
 * that holds the image, then the application's `private` flag. With OpenStack configured the bot
 * does both after a confirmation; without it, it hands over step 1 for staff and then does (or hands
 * over) step 2.
 */
export async function proposePublish(ctx: ActingContext, applicationId: number): Promise<Reply> {
  const { app, machines } = await loadPrivateApplication(ctx.deps, applicationId);
  const fields = [{ label: 'Images (Glance)', value: machines.map(machineLine).join('\n') }];
  if (ctx.deps.openstack) {
    return {
      title: `Make application #${app.id} public?`,
      text: `Make "${app.name}" public: first the Glance image on each of ${machines.length} provider(s), in this order, then the application in Atmosphere. If a provider fails, I stop there and leave the application private.`,
      fields,
      buttons: [
        { label: 'Make it public', action: PUBLISH_ACTION, value: String(app.id), style: 'primary' },
        { label: 'Cancel', action: CANCEL_IMAGE_ACTION, value: String(app.id) },
      ],
      visibility: 'ephemeral',
    };
  }
  const step1 = machines.map((m) => `# ${m.provider}\n${glanceVisibilitySnippet({ providerId: m.providerId, identifier: m.identifier })}`).join('\n\n');
  const writable = ctx.deps.gateway.kind !== 'read-only';
  const step2 = writable
    ? 'Step 2, the application flag: press the button once step 1 is done on every provider, and I set it through the Atmosphere API.'
    : `Step 2, the application flag (the bot has no Atmosphere API access):\n${applicationPublicSnippet(app.id)}\n\nThen press Verify: I check Atmosphere's database.`;
  return {
    title: `Make application #${app.id} public from the Django shell`,
    text: `The bot has no OpenStack access (OPENSTACK_CLOUDS is not set), so Glance is yours. ${SHELL_PREAMBLE}\n\nStep 1, Glance visibility on each provider:\n${step1}\n\n${step2}`,
    fields,
    buttons: writable
      ? [{ label: 'Glance done: make the application public', action: PUBLISH_FLAG_ACTION, value: String(app.id), style: 'primary' }]
      : [{ label: 'Verify', action: VERIFY_PUBLIC_ACTION, value: String(app.id) }],
    visibility: 'ephemeral',
  };
}

type Step = { machine: Machine; outcome: 'made public' | 'already public' } | { machine: Machine; outcome: 'failed'; why: string };

/** Step 1 through Glance, provider by provider; stops at the first failure. */
async function publishInGlance(deps: Deps, machines: Machine[]): Promise<{ steps: Step[]; untried: Machine[] }> {
  const steps: Step[] = [];
  for (const [index, machine] of machines.entries()) {
    const glance = deps.openstack?.glance(machine.providerId) ?? null;
    let step: Step;
    try {
      if (!glance) throw new UserError('unavailable', `OPENSTACK_CLOUDS has no credential for provider ${machine.providerId}`);
      const image = await glance.getImage(machine.identifier);
      if (!image) step = { machine, outcome: 'failed', why: `Glance has no image ${machine.identifier}` };
      else if (image.visibility === 'public') step = { machine, outcome: 'already public' };
      else {
        const updated = await glance.setVisibility(machine.identifier, 'public');
        step = updated.visibility === 'public' ? { machine, outcome: 'made public' } : { machine, outcome: 'failed', why: `Glance answered visibility "${updated.visibility}"` };
      }
    } catch (error) {
      if (!(error instanceof IntegrationError) && !(error instanceof UserError)) throw error;
      step = { machine, outcome: 'failed', why: error instanceof IntegrationError ? integrationReason(error) : error.message };
    }
    steps.push(step);
    if (step.outcome === 'failed') return { steps, untried: machines.slice(index + 1) };
  }
  return { steps, untried: [] };
}

const stepLine = (step: Step) => `• ${machineLine(step.machine)}: ${step.outcome === 'failed' ? `FAILED: ${step.why}` : step.outcome}`;

/** The confirmation's click: Glance on every provider, then, only if all of them are public, the flag. */
export async function applyPublish(ctx: ActingContext<ChatEvent>, applicationId: number): Promise<Reply> {
  const { deps } = ctx;
  if (!deps.openstack) throw new UserError('unavailable', 'OPENSTACK_CLOUDS is not set any more; run /atmo image publish again for the shell steps.');
  const { app, machines } = await loadPrivateApplication(deps, applicationId);
  const { steps, untried } = await publishInGlance(deps, machines);
  const lines = [`Glance, provider by provider (${ctx.actor.username}):`, ...steps.map(stepLine), ...untried.map((m) => `• ${machineLine(m)}: not tried`)];
  const glanceAudit = steps.map((s) => ({ providerId: s.machine.providerId, image: s.machine.identifier, outcome: s.outcome }));
  const failed = steps.find((s) => s.outcome === 'failed');
  if (failed) {
    ctx.audit({ applicationId: app.id, glance: glanceAudit, applicationFlag: 'not changed' });
    const made = steps.filter((s) => s.outcome === 'made public').length;
    lines.push(
      `Stopped at ${failed.machine.provider}: the application stays private in Atmosphere.` +
        (made > 0 ? ` ${made} image(s) above are public in Glance now; fix the failure and press Retry, which skips what is already public.` : ' Fix the failure and press Retry.'),
    );
    const text = lines.join('\n');
    await ctx.updateSource({ text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the confirmation'));
    return { text, tone: 'danger', buttons: [{ label: 'Retry', action: PUBLISH_ACTION, value: String(app.id) }] };
  }
  // Glance changed: that is recorded whatever the flag's call does next.
  ctx.audit({ applicationId: app.id, glance: glanceAudit });
  let flag: Awaited<ReturnType<typeof setFlag>>;
  try {
    flag = await setFlag(ctx, app);
  } catch (error) {
    if (!(error instanceof IntegrationError) && !(error instanceof UserError)) throw error;
    if (error instanceof IntegrationError) ctx.log.warn({ err: error }, 'application flag not set');
    const why = error instanceof IntegrationError ? integrationReason(error) : error.message;
    flag = {
      ok: false,
      audit: `failed: ${why}`,
      line: `Every Glance image is public, but making the application public failed: ${why}. The application stays private; press Retry once that is fixed.`,
      buttons: [{ label: 'Retry', action: PUBLISH_ACTION, value: String(app.id) }],
    };
  }
  ctx.audit({ applicationFlag: flag.audit });
  const text = [...lines, flag.line].join('\n');
  await ctx.updateSource({ text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the confirmation'));
  return { text, tone: flag.ok ? 'success' : 'warning', ...(flag.buttons ? { buttons: flag.buttons } : {}) };
}

/** Step 2 through the API (or its snippet without one), then read back from the database. */
async function setFlag(ctx: ActingContext<ChatEvent>, app: ApplicationSummary): Promise<{ ok: boolean; line: string; audit: string; buttons?: Reply['buttons'] }> {
  const verify = [{ label: 'Verify', action: VERIFY_PUBLIC_ACTION, value: String(app.id) }];
  if (ctx.deps.gateway.kind === 'read-only') {
    return {
      ok: false,
      audit: 'shell snippet',
      line: `Then the application flag (the bot has no Atmosphere API access). ${SHELL_PREAMBLE}\n${applicationPublicSnippet(app.id)}\nThen press Verify.`,
      buttons: verify,
    };
  }
  await ctx.deps.gateway.setApplicationPublic({ applicationId: app.id });
  const after = await findApplicationSummary(ctx.deps.db, app.id);
  const shown = after !== null && !after.private;
  return {
    ok: shown,
    audit: shown ? 'public (verified)' : 'sent, not yet seen in the database',
    line: shown
      ? `Application #${app.id} "${app.name}" is public in Atmosphere (its database shows private = false).`
      : `The API accepted making application #${app.id} public, but Atmosphere's database does not show it yet; press Verify in a moment.`,
    ...(shown ? {} : { buttons: verify }),
  };
}

/** After staff did step 1 by hand: step 2 through the API. */
export async function applyPublishFlag(ctx: ActingContext<ChatEvent>, applicationId: number): Promise<Reply> {
  const { app } = await loadPrivateApplication(ctx.deps, applicationId);
  const flag = await setFlag(ctx, app);
  ctx.audit({ applicationId: app.id, glance: 'by staff from the shell', applicationFlag: flag.audit });
  const text = `${ctx.actor.username} said Glance is done on every provider. ${flag.line}`;
  await ctx.updateSource({ text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the message'));
  return { text, tone: flag.ok ? 'success' : 'warning', ...(flag.buttons ? { buttons: flag.buttons } : {}) };
}

export async function verifyPublic(ctx: ActingContext<ChatEvent>, applicationId: number): Promise<Reply> {
  const app = await findApplicationSummary(ctx.deps.db, applicationId);
  if (!app) throw new UserError('not_found', `There is no application #${applicationId}.`);
  ctx.audit({ applicationId, verified: !app.private });
  if (!app.private) return { text: `Verified: application #${app.id} "${app.name}" is public in Atmosphere's database.`, tone: 'success' };
  return {
    text: `Not yet: Atmosphere's database still shows application #${app.id} "${app.name}" as private. Run the snippet, then press Verify again.`,
    buttons: [{ label: 'Verify', action: VERIFY_PUBLIC_ACTION, value: String(app.id) }],
    tone: 'warning',
    visibility: 'ephemeral',
  };
}
