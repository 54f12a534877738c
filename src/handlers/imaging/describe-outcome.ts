import type { Reply } from '../../bot/chat/reply.js';
import type { ApproveOutcome } from './approve-machine-request.js';
import type { ImagingItem } from './load-imaging-items.js';
import type { MachineDecisionResult } from './decide-machine-request.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';

function label(item: ImagingItem): string {
  return `#${item.request.id} ("${item.request.newApplicationName}" ${item.request.newVersionName} for ${item.request.owner.username})`;
}

/** What staff read after Approve: started now, or its place in the queue and who holds the slot. */
export function describeApproval(outcome: ApproveOutcome): Reply {
  if (outcome.kind === 'approved') {
    return {
      text: `Approved imaging request ${label(outcome.item)}; Atmosphere starts imaging now. Check it in 15-20 minutes: /atmo imaging show ${outcome.item.request.id}.${afterDecisionNotes(outcome)}`,
      visibility: 'channel',
      tone: 'success',
    };
  }
  // `#4 (started)`, or `#4 (started, stuck)` when the triage says more than that it is running.
  const holders = outcome.occupants
    .map((o) => `#${o.request.id} (${o.request.status}${o.triage.category === 'in-progress' ? '' : `, ${o.triage.category}`})`)
    .join(', ');
  const verb = outcome.occupants.length === 1 ? 'holds' : 'hold';
  return {
    text: `Imaging request ${label(outcome.item)} is queued at place ${outcome.place}: ${holders} ${verb} the imaging slot, and only one request may image at a time. The bot approves it when the slot frees; /atmo imaging queue shows the queue.${afterDecisionNotes(outcome)}`,
    visibility: 'channel',
    tone: 'info',
  };
}

export function describeResubmit({ item, recorded }: MachineDecisionResult): Reply {
  return {
    text: `Re-submitted imaging request ${label(item)}: it is pending again and nothing runs until someone approves it. Approval resumes at the failed step; fix the cause first (/atmo imaging show ${item.request.id} has the triage).${afterDecisionNotes({ recorded })}`,
    visibility: 'channel',
    tone: 'info',
  };
}

export function describeDenial({ item, recorded }: MachineDecisionResult): Reply {
  return {
    text: `Denied imaging request ${label(item)}. Atmosphere does NOT e-mail the user about a denial and drops the message: tell ${item.request.owner.username} (${item.request.owner.email}) yourself. The reason is kept in the bot's history.${afterDecisionNotes({ recorded })}`,
    visibility: 'channel',
    tone: 'warning',
  };
}
