import { z } from 'zod';
import { defineCommand, type AnyCommandDefinition } from '../../bot/chat/command.js';
import { decideFor } from '../decisions/who.js';
import { recordId } from '../record-id.js';
import { approveMachineRequest } from './approve-machine-request.js';
import { buildImagingDetail, buildImagingList, buildImagingTriage } from './build-imaging-messages.js';
import { denyMachineRequest, resubmitMachineRequest } from './decide-machine-request.js';
import { describeApproval, describeDenial, describeResubmit } from './describe-outcome.js';
import type { ImagingFilter } from './render-imaging.js';

const SUMMARIES: Record<ImagingFilter, string> = {
  pending: 'List imaging requests waiting for approval, with Approve and Deny buttons',
  active: 'List imaging requests in progress (approved, started, processing, validating)',
  errored: 'List imaging requests in error or stuck, with their triage and Re-submit buttons',
  all: 'List all imaging requests, newest first',
};

/**
 * One command per filter (`/atmo imaging pending`, ...): Discord cannot register `imaging` both as a
 * command with an option and as the group holding `imaging show`.
 */
function listCommand(filter: ImagingFilter) {
  return defineCommand({
    name: `imaging ${filter}`,
    summary: SUMMARIES[filter],
    usage: `/atmo imaging ${filter}`,
    options: [],
    args: z.object({}),
    permission: 'staff',
    run: (ctx) => buildImagingList(ctx, filter),
  });
}

export const imagingListCommands: readonly AnyCommandDefinition[] = (['pending', 'errored', 'active', 'all'] as const).map(listCommand);

const idOption = { name: 'id', description: 'Imaging (machine) request id', type: 'integer', required: true } as const;

export const showImagingCommand = defineCommand({
  name: 'imaging show',
  summary: 'Show one imaging request: status message, triage, bot history and buttons',
  usage: '/atmo imaging show <id>',
  options: [idOption],
  args: z.object({ id: recordId('imaging request') }),
  permission: 'staff',
  run: (ctx, args) => buildImagingDetail(ctx, args.id),
});

export const triageImagingCommand = defineCommand({
  name: 'imaging triage',
  summary: 'Level two triage information for an imaging request, ready for the Atmosphere team',
  usage: '/atmo imaging triage <id>',
  options: [idOption],
  args: z.object({ id: recordId('imaging request') }),
  permission: 'staff',
  run: (ctx, args) => buildImagingTriage(ctx, args.id),
});

export const approveImagingCommand = defineCommand({
  name: 'imaging approve',
  summary: 'Approve a pending imaging request, or queue it while another one is imaging',
  usage: '/atmo imaging approve <id>',
  options: [idOption],
  args: z.object({ id: recordId('imaging request') }),
  permission: 'staff',
  run: async (ctx, args) => describeApproval(await decideFor(ctx, { machineRequestId: args.id }, (deps, who) => approveMachineRequest(deps, who, { id: args.id }))),
});

export const denyImagingCommand = defineCommand({
  name: 'imaging deny',
  summary: 'Deny a pending imaging request (Atmosphere does not e-mail the user)',
  usage: '/atmo imaging deny <id> <reason>',
  options: [idOption, { name: 'reason', description: 'Why; kept in the bot history (tell the user yourself)', type: 'string', required: true, rest: true }],
  args: z.object({
    id: recordId('imaging request'),
    reason: z.string({ error: 'a denial needs a reason' }).trim().min(1, 'a denial needs a reason').max(1024, 'the reason is longer than 1024 characters'),
  }),
  permission: 'staff',
  run: async (ctx, args) => describeDenial(await decideFor(ctx, { machineRequestId: args.id }, (deps, who) => denyMachineRequest(deps, who, args))),
});

export const resubmitImagingCommand = defineCommand({
  name: 'imaging resubmit',
  summary: 'Put an errored or stuck imaging request back to pending (Troposphere\'s Re-submit)',
  usage: '/atmo imaging resubmit <id>',
  options: [idOption],
  args: z.object({ id: recordId('imaging request') }),
  permission: 'staff',
  run: async (ctx, args) => describeResubmit(await decideFor(ctx, { machineRequestId: args.id }, (deps, who) => resubmitMachineRequest(deps, who, { id: args.id }))),
});
