import type { ChecklistItem } from './build-checklist.js';

/** The compose command of the release process's servers, as its hotfix procedure writes it. */
const COMPOSE = './atmosphere-docker.sh -f docker-compose.prod.yml';

/** A Docker image tag: up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The runbook tag of a hotfix, apart from release tags: `hotfix cyverse/atmosphere:v37-6-1`. */
export const hotfixRunbookTag = (image: string, tag: string): string => `hotfix ${image}:${tag}`;

/**
 * The release process's "Hotfixing" section as a checklist, every step on the day the hotfix begins
 * and owned by the one who runs it: point compose at the new image, scale Atmosphere to two
 * containers without recreating the running one, remove the original once the new one is set up,
 * restart nginx in the Troposphere container, and give crontab entries `--index=2`. Pure.
 */
export function buildHotfixChecklist(input: { image: string; tag: string; day: string }): ChecklistItem[] {
  const { image, tag, day } = input;
  const service = image.split('/')[1] ?? 'atmosphere';
  const step = (draft: Pick<ChecklistItem, 'key' | 'title' | 'short' | 'hint'>): ChecklistItem => ({ ...draft, section: 'day', owner: 'driver', site: null, due: day, command: null });
  return [
    step({
      key: 'compose',
      title: `docker-compose.prod.yml names the new image ${image}:${tag} for the ${service} service`,
      short: 'Compose file updated',
      hint: `in docker-compose.prod.yml, under ${service}: image: ${image}:${tag}`,
    }),
    step({
      key: 'scale-up',
      title: `${service} scaled to two containers, the running one kept (--no-recreate), so requests go round robin to both`,
      short: 'Scaled up to two',
      hint: `${COMPOSE} up -d --scale ${service}=2 --no-recreate --no-deps`,
    }),
    step({
      key: 'old-removed',
      title: `The new container (${service}_2) finished its setup, then the original was stopped and removed (the names may differ slightly)`,
      short: 'Original removed',
      hint: `docker kill atmosphere-docker_${service}_1 && docker rm atmosphere-docker_${service}_1`,
    }),
    step({
      key: 'nginx',
      title: 'Nginx restarted inside the Troposphere container, so it maps the new container',
      short: 'Nginx restarted',
      hint: `${COMPOSE} exec troposphere bash, then inside it: service nginx restart`,
    }),
    step({
      key: 'crontab',
      title: `Crontab entries that run compose against ${service} say --index=2 (the new container keeps index 2; scaling back to 1 would delete it)`,
      short: 'Crontab uses --index=2',
      hint: `crontab -e: ${COMPOSE} exec --index=2 ${service} …`,
    }),
  ];
}
