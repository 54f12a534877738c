/**
 * The Django shell steps of the staff guide with the ids filled in, for a staff member with server
 * access when the bot cannot make the change itself. Strings are written as JSON literals, which
 * Python reads the same way, so a name can never break out of its quotes.
 */

const py = (value: string) => JSON.stringify(value);

/** Where the snippets run: a Django shell in the Atmosphere container (guide, "Troubleshooting images"). */
export const SHELL_PREAMBLE = 'In the Atmosphere server\'s Django shell (./manage.py shell):';

/** "A MachineRequest has been processed as a New Application": move the version and rename it. */
export function moveVersionSnippet(input: { versionId: string; applicationId: number; name: string }): string {
  return [
    'from core.models import Application, ApplicationVersion',
    `version = ApplicationVersion.objects.get(id=${py(input.versionId)})`,
    `version.application = Application.objects.get(id=${input.applicationId})`,
    `version.name = ${py(input.name)}`,
    'version.save()',
  ].join('\n');
}

/** Step 1 of "make it public": the Glance visibility on one provider, through its account driver. */
export function glanceVisibilitySnippet(input: { providerId: number; identifier: string }): string {
  return [
    'from core.models import Identity',
    'from service.driver import get_account_driver',
    `ident = Identity.objects.filter(provider__id=${input.providerId}).first()`,
    'accounts = get_account_driver(ident.provider)',
    `glance_img = accounts.get_image(${py(input.identifier)})`,
    "accounts.image_manager.glance.images.update(glance_img['id'], visibility='public')",
  ].join('\n');
}

/** Step 2 of "make it public": the application's flag. */
export function applicationPublicSnippet(applicationId: number): string {
  return ['from core.models import Application', `app_to_change = Application.objects.get(id=${applicationId})`, 'app_to_change.private = False', 'app_to_change.save()'].join('\n');
}

/**
 * The guide's application_sync_providers.py run, limited to the applications found missing. The
 * script's help: `--limit-app-ids` cannot come last before the positional arguments, so it follows them.
 */
export function syncProvidersCommand(input: { masterId: number; replicaIds: readonly number[]; applicationIds: readonly number[]; dryRun?: boolean }): string {
  const limit = input.applicationIds.length > 0 ? ` --limit-app-ids ${input.applicationIds.join(' ')}` : '';
  return [
    'export PYTHONPATH=/opt/dev/atmosphere:$PYTHONPATH',
    'export DJANGO_SETTINGS_MODULE=atmosphere.settings',
    'source /opt/env/atmo/bin/activate',
    `/opt/dev/atmosphere/scripts/application_sync_providers.py ${input.masterId} ${input.replicaIds.join(' ')}${limit}${input.dryRun ? ' --dry-run' : ''}`,
  ].join('\n');
}

/**
 * "Troubleshooting images that aren't copying to replica providers": delete the broken copy in the
 * replica's cloud, then its ProviderMachine and InstanceSource on that provider, then sync again.
 */
export function replicaCleanupSteps(input: { applicationId: number; versionId: string; replicaId: number; identifier: string; imageExists: boolean }): string {
  const { identifier, replicaId } = input;
  return [
    input.imageExists
      ? `1. In the replica's cloud (provider ${replicaId}): openstack image delete ${identifier}`
      : `1. The image ${identifier} is already gone from the replica's cloud (provider ${replicaId}); nothing to delete there.`,
    `2. ${SHELL_PREAMBLE}`,
    'from core.models import Application, ApplicationVersion, InstanceSource, ProviderMachine',
    `app = Application.objects.get(id=${input.applicationId})`,
    `bad_version = ApplicationVersion.objects.get(id=${py(input.versionId)})`,
    `ProviderMachine.objects.filter(application_version=bad_version.id, instance_source__provider__id=${replicaId}, instance_source__identifier=${py(identifier)}).delete()`,
    `InstanceSource.objects.filter(identifier=${py(identifier)}, provider__id=${replicaId}).delete()`,
    '3. Run application_sync_providers.py again (below) to copy the image afresh.',
  ].join('\n');
}
