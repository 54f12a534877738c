import { workingDaysBefore } from './calendar-days.js';

export const RELEASE_SITES = ['cyverse', 'jetstream'] as const;
export type ReleaseSite = (typeof RELEASE_SITES)[number];
export type RunbookRole = 'chief' | 'driver';
export type RunbookSection = 'two-weeks' | 'week' | 'day';

/** A bot command that does an item's work; running it for this release ticks the item. */
export type RunbookCommand = 'release prepare' | 'release tag' | 'release images' | 'maintenance schedule' | 'statusio schedule' | 'maintenance start' | 'maintenance stop';

export interface ChecklistItem {
  /** Stable within a plan: `changelog`, `cyverse:backups`. */
  key: string;
  section: RunbookSection;
  title: string;
  /** At most 30 characters, for a button. */
  short: string;
  owner: RunbookRole;
  site: ReleaseSite | null;
  due: string;
  command: RunbookCommand | null;
  /** What to type, with the tag filled in, where the process names a command. */
  hint: string | null;
}

export const SECTION_TITLES: Record<RunbookSection, string> = {
  'two-weeks': 'Two weeks prior',
  week: 'Week prior',
  day: 'Deployment day',
};

export const SITE_NAMES: Record<ReleaseSite, string> = { cyverse: 'CyVerse', jetstream: 'Jetstream' };

/** The release process's lead times, in working days before the deployment day. */
export const LEAD_WORKING_DAYS = { twoWeeks: 10, week: 5, userNotice: 2 } as const;

type Draft = Omit<ChecklistItem, 'due' | 'site' | 'command' | 'hint'> & Partial<Pick<ChecklistItem, 'command' | 'hint'>>;

/**
 * The release process (the staff's "Atmosphere Release Deployment Process") as a checklist for one
 * release: each step with its owner and due day. The user notice is due two working days before the
 * deployment at the latest; the rest of "two weeks prior" ten working days before, "week prior" five.
 * Deployment-day steps repeat per site, since each site is deployed on its own servers. Pure.
 */
export function buildChecklist(input: { tag: string; deploymentDay: string; sites: readonly ReleaseSite[] }): ChecklistItem[] {
  const { tag, deploymentDay, sites } = input;
  const twoWeeks = workingDaysBefore(deploymentDay, LEAD_WORKING_DAYS.twoWeeks);
  const week = workingDaysBefore(deploymentDay, LEAD_WORKING_DAYS.week);
  const notice = workingDaysBefore(deploymentDay, LEAD_WORKING_DAYS.userNotice);
  const items: ChecklistItem[] = [];
  const add = (draft: Draft, due: string, site: ReleaseSite | null = null) =>
    items.push({ command: null, hint: null, ...draft, due, site, key: site && draft.section === 'day' ? `${site}:${draft.key}` : draft.key });

  add({ key: 'crew', section: 'two-weeks', title: 'Crew chief and driver chosen', short: 'Crew chosen', owner: 'chief' }, twoWeeks);
  if (sites.includes('cyverse')) {
    add(
      { key: 'cyverse-notice', section: 'two-weeks', title: 'CyVerse: maintenance notice sent to atmosphere-users (two working days before at the latest)', short: 'User notice sent', owner: 'chief' },
      notice,
      'cyverse',
    );
    add({ key: 'cyverse-banner', section: 'two-weeks', title: 'CyVerse: maintenance banner on the Atmosphere User Manual', short: 'Manual banner up', owner: 'chief' }, notice, 'cyverse');
    add(
      { key: 'cyverse-calendar', section: 'two-weeks', title: 'CyVerse: window on the "CyVerse Maintenance and Release Schedule" calendar', short: 'On the calendar', owner: 'chief' },
      twoWeeks,
      'cyverse',
    );
    add(
      {
        key: 'cyverse-statusio',
        section: 'two-weeks',
        title: 'CyVerse: scheduled maintenance on status.io',
        short: 'status.io scheduled',
        owner: 'chief',
        command: 'maintenance schedule',
        hint: `/atmo maintenance schedule --start … --end … --title "${tag} deployment" --message "…" --statusio`,
      },
      twoWeeks,
      'cyverse',
    );
  }
  if (sites.includes('jetstream')) {
    add(
      { key: 'jetstream-team', section: 'two-weeks', title: 'Jetstream: tech team aware of the date and time, on their calendar, their users notified', short: 'Jetstream team told', owner: 'chief' },
      twoWeeks,
      'jetstream',
    );
  }
  add({ key: 'changelog', section: 'week', title: `Changelogs: "Unreleased" moved into ${tag}, release pull requests open`, short: 'Changelogs moved', owner: 'driver', command: 'release prepare', hint: `/atmo release prepare ${tag}` }, week);
  add({ key: 'tag', section: 'week', title: `Release pull requests merged, ${tag} tagged and released on GitHub`, short: 'Tagged and released', owner: 'driver', command: 'release tag', hint: `/atmo release tag ${tag}` }, week);
  add({ key: 'images', section: 'week', title: `Tagged images built: cyverse/atmosphere:${tag}, cyverse/troposphere:${tag}`, short: 'Images built', owner: 'driver', command: 'release images', hint: `/atmo release images ${tag}; if the build cannot wait: git clone --depth 1 --branch ${tag} https://github.com/cyverse/atmosphere.git && cd atmosphere && docker build -t cyverse/atmosphere:${tag} .` }, week);
  add({ key: 'merged', section: 'week', title: 'Pull requests slated for the release merged in Atmosphere, Troposphere and Atmosphere-Ansible', short: 'Release PRs merged', owner: 'driver' }, week);
  add({ key: 'atmobeta', section: 'week', title: 'Deployed to atmobeta and tested', short: 'Tested on atmobeta', owner: 'driver' }, week);
  add({ key: 'variables', section: 'week', title: 'Production variables prepared', short: 'Variables prepared', owner: 'driver' }, week);

  for (const site of sites) {
    const on = sites.length > 1 ? `${SITE_NAMES[site]}: ` : '';
    const day = (draft: Draft) => add({ ...draft, title: `${on}${draft.title}` }, deploymentDay, site);
    day({ key: 'backups', section: 'day', title: 'Both databases backed up', short: 'Databases backed up', owner: 'driver', hint: 'pg_dump -U atmo_app atmo_prod > "/root/atmo-$(date +%F).sql"; pg_dump -U atmo_app troposphere > "/root/tropo-$(date +%F).sql"' });
    day({ key: 'maintenance-start', section: 'day', title: 'Maintenance started on Atmosphere and Troposphere', short: 'Maintenance started', owner: 'driver', command: 'maintenance start', hint: `/atmo maintenance start --title "${deploymentDay} ${tag} deployment" --message "…"` });
    day({ key: 'proxy-maintenance', section: 'day', title: "Proxy switched to the maintenance page", short: 'Proxy on maintenance', owner: 'driver', hint: 'cd /etc/nginx/sites-enabled && ln -sf /etc/nginx/sites-available/default proxy.conf && systemctl restart nginx' });
    day({ key: 'secrets', section: 'day', title: 'atmosphere-docker-secrets on the right branch, variables checked', short: 'Secrets checked', owner: 'driver' });
    day({ key: 'containers-saved', section: 'day', title: 'Containers stopped and saved as images', short: 'Containers saved', owner: 'driver', hint: 'atmosphere-docker stop && docker commit atmosphere-docker_atmosphere_1 old_atmosphere-docker_atmosphere' });
    day({ key: 'containers-started', section: 'day', title: `Images for ${tag} pulled and containers started`, short: 'New containers up', owner: 'driver', hint: 'atmosphere-docker pull && atmosphere-docker up -d' });
    day({ key: 'tested', section: 'day', title: 'Tested: services, log rotation, system updates, old images removed', short: 'Tested', owner: 'driver' });
    day({ key: 'proxy-restored', section: 'day', title: 'Maintenance page removed from the proxy', short: 'Proxy restored', owner: 'driver', hint: 'cd /etc/nginx/sites-enabled && ln -sf /etc/nginx/sites-available/proxy.conf proxy.conf && systemctl restart nginx' });
    day({ key: 'maintenance-stop', section: 'day', title: 'Maintenance stopped on Atmosphere and Troposphere', short: 'Maintenance stopped', owner: 'driver', command: 'maintenance stop', hint: '/atmo maintenance stop' });
  }
  add({ key: 'announced', section: 'day', title: `${tag} announced`, short: 'Announced', owner: 'chief' }, deploymentDay);
  return items;
}
