import { describeStatus } from '../instances/classify-instance.js';
import { formatTimestamp } from '../format-time.js';
import { classifyNovaFault, describeNovaState, novaMismatch, type AtmosphereView } from './compare-with-nova.js';
import type { NovaEvidence } from './nova-evidence.js';
import type { NovaFault } from '../../integrations/openstack/nova-client.js';

/** The line of a source that has not answered within the view's wait. */
export const PENDING = (source: string) => `Still asking ${source}: its answer is added when it arrives.`;

/** Characters of a fault's stack trace shown in chat; the report carries the same cut. */
const DETAILS_LIMIT = 600;

export interface NovaFindings {
  /** The lines of the view's Nova section, each naming its source. */
  lines: string[];
  /** The report's "Fault message from nova" value, or null when Nova gave none. */
  fault: string | null;
  /** Lines for the report's notes. */
  notes: string[];
}

function when(text: string | null): string {
  if (!text) return 'time not recorded';
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? text : formatTimestamp(at);
}

function faultText(fault: NovaFault): string {
  return `${fault.message} (code ${fault.code ?? 'none'}, recorded ${when(fault.created)})`;
}

function detailsText(details: string): string {
  return details.length > DETAILS_LIMIT ? `${details.slice(0, DETAILS_LIMIT)}… (${details.length - DETAILS_LIMIT} more characters in nova show)` : details;
}

/**
 * What Nova said next to what Atmosphere records, every line naming its source, and what the guide
 * reads into a fault; null when the provider has no OpenStack configuration (the view then keeps the
 * `nova show` command).
 */
export function novaFindings(evidence: NovaEvidence, atmosphere: AtmosphereView & { since: Date; fault: string | null }, novaCommand: string): NovaFindings | null {
  if (evidence.kind === 'unconfigured') return null;
  if (evidence.kind === 'pending') return { lines: [PENDING('Nova')], fault: null, notes: [] };
  const source = `Nova of provider ${evidence.providerId}, read ${formatTimestamp(new Date(evidence.at))}`;
  const ours = `Atmosphere: ${atmosphere.deleted ? 'deleted' : describeStatus(atmosphere.status, atmosphere.activity)} since ${formatTimestamp(atmosphere.since)}`;
  if (evidence.kind === 'failed') {
    return {
      lines: [`Could not ask Nova of provider ${evidence.providerId}: ${evidence.reason}`, `Run by hand: \`${novaCommand}\``],
      fault: null,
      notes: [`Nova could not be asked (${evidence.reason}); run ${novaCommand}.`],
    };
  }
  const server = evidence.kind === 'server' ? evidence.server : null;
  const theirs = server ? `Nova: ${describeNovaState(server)}` : `Nova: no server ${evidence.kind === 'gone' ? evidence.serverId : ''} (404)`;
  const mismatch = novaMismatch(atmosphere, server);
  const lines = [`(${source})`, theirs, ours, mismatch ? `Mismatch: ${mismatch}` : 'Nova and Atmosphere agree.'];
  const notes = [`${theirs} (${source}); ${ours}.`, ...(mismatch ? [`Mismatch between Nova and Atmosphere: ${mismatch}`] : [])];
  const fault = server?.fault ?? null;
  if (!fault) return { lines, fault: null, notes };
  const reading = classifyNovaFault(fault);
  lines.push(`Fault (Nova): ${faultText(fault)}`, `Reading (staff guide): ${reading.meaning}.`);
  if (fault.details) lines.push(`Fault details (Nova): ${detailsText(fault.details)}`);
  if (atmosphere.fault && atmosphere.fault !== fault.message) lines.push(`Fault (Atmosphere): ${atmosphere.fault}`);
  notes.push(`Reading of Nova's fault (staff guide): ${reading.meaning}.`);
  if (fault.details) notes.push(`Fault details from Nova: ${detailsText(fault.details)}`);
  return { lines, fault: `${faultText(fault)} [from Nova, provider ${evidence.providerId}]`, notes };
}
