import { formatDuration } from '../format-time.js';

/**
 * The staff guide's "Troubleshooting common errors on Instance Launch/Deployment" as a pure function:
 * an instance's current status and activity (reference §3.3), since when, and the thresholds give a
 * category, its evidence and the guide's next steps in the guide's order.
 */

export type InstanceCategory =
  | 'capacity'
  | 'launch-error'
  | 'networking-stuck'
  | 'networking'
  | 'deploying-stuck'
  | 'deploying'
  | 'deploy-error'
  | 'building'
  | 'rebooting'
  | 'busy'
  | 'active'
  | 'inactive'
  | 'deleted'
  | 'unknown';

/** `error`: staff must act; `stuck`: past its threshold; `progress`: still moving; `ok`: settled. */
export type InstanceSeverity = 'error' | 'stuck' | 'progress' | 'ok';

/** The API actions of the guide's steps, in the guide's order for a deploy error. */
export type InstanceStep = 'redeploy' | 'reboot-soft' | 'reboot-hard';

export interface InstanceTriageInput {
  /** `instance_status.name` of the current `instance_status_history` row. */
  status: string;
  activity: string | null;
  /** `start_date` of the current history row: when the instance entered this status. */
  since: Date;
  /** `instance.end_date`: set once the instance is destroyed. */
  endDate: Date | null;
  /** `extra.display_error` of the current row, when Atmosphere recorded a fault. */
  fault: string | null;
  now: Date;
  networkingStuckMinutes: number;
  deployingStuckMinutes: number;
}

export interface InstanceTriage {
  category: InstanceCategory;
  severity: InstanceSeverity;
  /** A short name for lists and thread titles. */
  label: string;
  /** One sentence: what the evidence says. */
  summary: string;
  /** The evidence, as staff read it: `active / deploy_error since 2026-11-30 14:02 UTC (3 h)`. */
  evidence: { status: string; activity: string | null; since: Date; minutes: number };
  /** The guide's steps for this category, in order, as prose (tools are added by the message builders). */
  nextSteps: string[];
  /** The API actions the guide tries for this category, in its order. */
  steps: InstanceStep[];
  /** Which tools the steps point at, so messages can fill them in. */
  tools: { emulate: boolean; flower: boolean; argo: boolean; deployLog: boolean; nova: boolean };
}

/** Activities that Atmosphere records on an `active` row while it is still being set up (reference §3.3). */
const NETWORKING = new Set(['networking', 'initializing']);
const DEPLOYING = new Set(['deploying', 'running_boot_script', 'redeploying']);
const DEPLOY_ERRORS = new Set(['deploy_error', 'user_deploy_error', 'boot_script_error']);
const INACTIVE = new Set(['suspended', 'shutoff', 'shelved', 'shelved_offloaded', 'paused', 'stopped']);
/** Statuses that are settled while no activity is recorded: only these rows need no watching. */
export const SETTLED_STATUSES: readonly string[] = ['active', 'running', ...INACTIVE];
/** The guide: "No valid host" / "Build Scheduling Failed: No host could be found" means the cloud is full. */
export const CAPACITY_FAULT = /no valid host|build scheduling failed|no host could be found|exceeded max scheduling attempts/i;

const NO_TOOLS = { emulate: false, flower: false, argo: false, deployLog: false, nova: false };

export function classifyInstance(input: InstanceTriageInput): InstanceTriage {
  const minutes = Math.max(0, Math.floor((input.now.getTime() - input.since.getTime()) / 60_000));
  const evidence = { status: input.status, activity: input.activity, since: input.since, minutes };
  const status = input.status.toLowerCase();
  const activity = input.activity?.toLowerCase() ?? null;
  const make = (category: InstanceCategory, severity: InstanceSeverity, label: string, summary: string, extra: Partial<InstanceTriage> = {}): InstanceTriage => ({
    category,
    severity,
    label,
    summary,
    evidence,
    nextSteps: [],
    steps: [],
    tools: NO_TOOLS,
    ...extra,
  });

  if (input.endDate) return make('deleted', 'ok', 'deleted', 'The instance was deleted.');

  if (status === 'error') {
    const fault = input.fault ? ` Fault: ${input.fault}` : '';
    if (input.fault && CAPACITY_FAULT.test(input.fault)) {
      return make('capacity', 'error', 'no valid host (cloud near capacity)', `The cloud could not place the instance: it is near capacity.${fault}`, {
        nextSteps: [
          'Read the fault with `nova show` on the instance.',
          'Launch the same image with a smaller size; if the error persists at the smaller size, it is not capacity.',
          'If the smaller size launches, the cloud is likely full: contact the cloud system administrator to be sure.',
        ],
        tools: { ...NO_TOOLS, nova: true },
      });
    }
    return make('launch-error', 'error', 'error on the cloud', `The instance went to error: in most cases a problem on the cloud provider.${fault}`, {
      nextSteps: [
        'Read the fault message with `nova show` on the instance.',
        'If it says "No valid host" or "Build Scheduling Failed", the cloud is near capacity: try a smaller size.',
        'Otherwise contact the cloud system administrator with the report (/atmo instance report).',
      ],
      tools: { ...NO_TOOLS, nova: true },
    });
  }

  const isDeployError = status === 'deploy_error' || (status === 'active' && activity !== null && DEPLOY_ERRORS.has(activity));
  if (isDeployError) {
    const which = activity === 'user_deploy_error' ? 'a user boot script failed' : 'the deployment failed';
    const fault = input.fault ? ` ${input.fault}` : '';
    return make('deploy-error', 'error', activity === 'user_deploy_error' ? 'user deploy error' : 'deploy error', `The instance is in deploy_error: ${which}.${fault}`, {
      nextSteps: [
        'Emulate the user and redeploy the instance from its detail page.',
        'If it reaches another deploy error, reboot it: soft first, hard if the soft reboot fails.',
        'If it comes back to deploy error, read its deploy logs for the failed tasks, fix what you can and redeploy; otherwise contact the Atmosphere team with the report (/atmo instance report).',
      ],
      steps: ['redeploy', 'reboot-soft', 'reboot-hard'],
      tools: { emulate: true, flower: false, argo: true, deployLog: true, nova: false },
    });
  }

  const isNetworking = status === 'networking' || (status === 'active' && activity !== null && NETWORKING.has(activity));
  if (isNetworking) {
    const stuck = minutes > input.networkingStuckMinutes;
    const detail =
      'Either it has not finished booting (offline), its floating IP has not attached yet (no SSH), or its SSH key did not deploy on first boot.';
    return make(
      stuck ? 'networking-stuck' : 'networking',
      stuck ? 'stuck' : 'progress',
      stuck ? 'stuck in networking' : 'networking',
      stuck ? `In networking for ${formatDuration(minutes * 60_000)} (more than ${formatDuration(input.networkingStuckMinutes * 60_000)}). ${detail}` : `In networking for ${formatDuration(minutes * 60_000)}.`,
      stuck
        ? {
            nextSteps: [
              'Emulate the user and reboot the instance from Troposphere.',
              'If it gets stuck in networking again, find its task in Flower (search for the instance id); an error there says what failed.',
              'After more than 2 hours in these conditions Atmosphere moves it to deploy_error.',
            ],
            steps: ['reboot-soft'],
            tools: { emulate: true, flower: true, argo: false, deployLog: false, nova: false },
          }
        : {},
    );
  }

  const isDeploying = status === 'deploying' || status === 'redeploy' || (status === 'active' && activity !== null && DEPLOYING.has(activity));
  if (isDeploying) {
    const stuck = minutes > input.deployingStuckMinutes;
    return make(
      stuck ? 'deploying-stuck' : 'deploying',
      stuck ? 'stuck' : 'progress',
      stuck ? 'stuck in deploying' : 'deploying',
      stuck
        ? `In deploying for ${formatDuration(minutes * 60_000)} (more than ${formatDuration(input.deployingStuckMinutes * 60_000)}): the Ansible deployment is still running or retrying.`
        : `Deploying for ${formatDuration(minutes * 60_000)}: Ansible is running on the instance.`,
      stuck
        ? {
            nextSteps: [
              'Check its deployment workflow in Argo, and its task in Flower: an error there is retried a few times.',
              'If it cannot succeed, Atmosphere moves it to deploy_error; then follow the deploy_error steps.',
            ],
            tools: { emulate: false, flower: true, argo: true, deployLog: true, nova: false },
          }
        : {},
    );
  }

  if (status === 'build' || status === 'pending') {
    return make('building', 'progress', 'building', `Building on the cloud for ${formatDuration(minutes * 60_000)}.`);
  }
  if (status === 'reboot' || status === 'hard_reboot' || activity === 'rebooting' || activity === 'rebooting_hard') {
    return make('rebooting', 'progress', 'rebooting', `Rebooting for ${formatDuration(minutes * 60_000)}.`);
  }
  if (status === 'active' || status === 'running') {
    if (activity === null || activity === '') return make('active', 'ok', 'active', 'Active: green light.');
    return make('busy', 'progress', `active (${activity})`, `Active with a cloud task under way: ${activity}.`);
  }
  if (INACTIVE.has(status)) return make('inactive', 'ok', status, `The instance is ${status}.`);
  return make('unknown', 'ok', status, `Atmosphere records status "${input.status}"${input.activity ? ` with activity "${input.activity}"` : ''}.`);
}

/** Whether the instance needs watching: anything but settled (green active, suspended, deleted, ...). */
export function isUnsettled(triage: Pick<InstanceTriage, 'severity'>): boolean {
  return triage.severity !== 'ok';
}

/** The `status / activity` pair as staff read it. */
export function describeStatus(status: string, activity: string | null): string {
  return activity ? `${status} / ${activity}` : status;
}
