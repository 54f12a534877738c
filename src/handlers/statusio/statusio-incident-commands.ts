import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { INCIDENT_STATE_CODES, INCIDENT_STATUS_CODES, type IncidentState, type IncidentStatus } from '../../integrations/statusio/statusio-client.js';
import { formatTimestamp } from '../format-time.js';
import { requireStatusPage } from '../maintenance/maintenance-state.js';
import { details, statusioId } from './statusio-maintenance-commands.js';

const STATUSES = Object.keys(INCIDENT_STATUS_CODES) as IncidentStatus[];
const STATES = Object.keys(INCIDENT_STATE_CODES) as IncidentState[];
const status = z.enum(STATUSES as [IncidentStatus, ...IncidentStatus[]], { error: `the status is one of ${STATUSES.join(', ')}` });
const state = z.enum(STATES as [IncidentState, ...IncidentState[]], { error: `the state is one of ${STATES.join(', ')}` });

export const statusioIncidentCommand = defineCommand({
  name: 'statusio incident',
  summary: 'Open an incident on the status.io page',
  usage: '/atmo statusio incident --title "…" --details "…" [--status service-disruption] [--state investigating]',
  options: [
    { name: 'title', description: 'Incident name on the status page', type: 'string', flag: true, required: true },
    { name: 'details', description: 'What subscribers read', type: 'string', flag: true, required: true },
    { name: 'status', description: 'Service status', type: 'string', flag: true, choices: STATUSES },
    { name: 'state', description: 'Incident state', type: 'string', flag: true, choices: STATES },
  ],
  args: z.object({
    title: z.string({ error: '--title is required' }).trim().min(1).max(256),
    details: details('--details'),
    status: status.default('service-disruption'),
    state: state.default('investigating'),
  }),
  permission: 'staff',
  async run(ctx, args) {
    const { id } = await requireStatusPage(ctx.deps).createIncident({ title: args.title, details: args.details, status: args.status, state: args.state });
    ctx.audit({ statusio: id });
    return { text: `Opened status.io incident ${id} "${args.title}" (${args.status}, ${args.state}). Update it with /atmo statusio incident-update ${id} …`, visibility: 'channel' };
  },
});

export const statusioIncidentUpdateCommand = defineCommand({
  name: 'statusio incident-update',
  summary: 'Post an update on a status.io incident',
  usage: '/atmo statusio incident-update <incident id> [--status degraded-performance] [--state monitoring] <details>',
  options: [
    { name: 'id', description: 'status.io incident id', type: 'string', required: true },
    { name: 'details', description: 'What subscribers read', type: 'string', required: true, rest: true },
    { name: 'status', description: 'Service status now', type: 'string', flag: true, choices: STATUSES },
    { name: 'state', description: 'Incident state now', type: 'string', flag: true, choices: STATES },
  ],
  args: z.object({ id: statusioId, details: details('the details'), status: status.default('service-disruption'), state: state.default('identified') }),
  permission: 'staff',
  async run(ctx, args) {
    await requireStatusPage(ctx.deps).updateIncident(args.id, { details: args.details, status: args.status, state: args.state });
    ctx.audit({ statusio: args.id });
    return { text: `status.io incident ${args.id} updated (${args.status}, ${args.state}): "${args.details}"`, visibility: 'channel' };
  },
});

export const statusioResolveCommand = defineCommand({
  name: 'statusio resolve',
  summary: 'Resolve a status.io incident',
  usage: '/atmo statusio resolve <incident id> [details]',
  options: [
    { name: 'id', description: 'status.io incident id', type: 'string', required: true },
    { name: 'details', description: 'What subscribers read', type: 'string', rest: true },
  ],
  args: z.object({ id: statusioId, details: details('the details').default('The incident is resolved and Atmosphere is working normally.') }),
  permission: 'staff',
  async run(ctx, args) {
    await requireStatusPage(ctx.deps).resolveIncident(args.id, args.details);
    ctx.audit({ statusio: args.id });
    return { text: `status.io incident ${args.id} resolved: "${args.details}"`, visibility: 'channel' };
  },
});

export const statusioListCommand = defineCommand({
  name: 'statusio list',
  summary: 'List status.io maintenances and incidents that are active or upcoming',
  usage: '/atmo statusio list',
  options: [],
  args: z.object({}),
  permission: 'staff',
  async run(ctx) {
    const statusPage = requireStatusPage(ctx.deps, 'read');
    const maintenances = await statusPage.listMaintenances();
    const incidents = await statusPage.listIncidents();
    const when = (at: Date | null) => (at ? formatTimestamp(at) : '?');
    const lines: string[] = [];
    const section = (heading: string, items: string[]) => lines.push(items.length > 0 ? `${heading}:\n${items.map((item) => `• ${item}`).join('\n')}` : `${heading}: none`);
    section('Active maintenances', maintenances.active.map((m) => `${m.id} "${m.name}" ${when(m.plannedStart)} → ${when(m.plannedEnd)}`));
    section('Upcoming maintenances', maintenances.upcoming.map((m) => `${m.id} "${m.name}" ${when(m.plannedStart)} → ${when(m.plannedEnd)}`));
    section('Open incidents', incidents.active.map((i) => `${i.id} "${i.name}" opened ${when(i.openedAt)}${i.latestDetails ? `: ${i.latestDetails}` : ''}`));
    return { text: lines.join('\n') };
  },
});
