import { formatDuration, formatTimestamp } from '../format-time.js';
import type { Triage } from './classify-machine-request.js';
import { parseOldStatus, unescapePythonString } from './summarize-old-status.js';

export interface TriageReportInput {
  request: {
    id: number;
    status: string;
    oldStatus: string | null;
    startDate: Date;
    newApplicationName: string;
    newVersionName: string;
  };
  owner: { username: string; email: string };
  instance: { id: number; providerAlias: string; name: string; ipAddress: string | null } | null;
  provider: { location: string } | null;
  image: { name: string; version?: string; identifier?: string } | null;
  triage: Triage;
  /** What the bot saw and did on this request: approvals, re-submits, restarts... */
  history: { at: Date; actor: string; action: string; note?: string }[];
  now: Date;
}

/** The status message as staff paste it: the traceback on real lines instead of Python escapes. */
function tracebackBlock(oldStatus: string | null): string {
  const parsed = parseOldStatus(oldStatus);
  if (parsed.text === '') return '(no status message recorded)';
  if (parsed.traceback === null) return unescapePythonString(parsed.text);
  return `${unescapePythonString(parsed.head)}\n${parsed.traceback.trimEnd()}`;
}

// Since the chain starts with the snapshot prep, an imaging failure keeps the "(pending)" prefix.
function stepLabel(step: NonNullable<Triage['step']>): string {
  return step === 'pending' ? 'pending (snapshot and imaging, before processing)' : step;
}

function instanceLine(instance: TriageReportInput['instance']): string {
  if (!instance) return 'unknown (the instance record is missing)';
  return `${instance.providerAlias} (Atmosphere instance ${instance.id}, "${instance.name}")`;
}

function imageLine(image: TriageReportInput['image']): string {
  if (!image) return 'unknown';
  const version = image.version ? ` version ${image.version}` : '';
  const uuid = image.identifier ? ` (ProviderMachine UUID ${image.identifier})` : '';
  return `${image.name}${version}${uuid}`;
}

/**
 * The staff guide's "Level two triage information" for the Atmosphere team, as plain text: the
 * guide's fields (username, instance id, IP, provider, image, traceback, notes from triage), the
 * bot's classification and evidence, and what was already tried on this request.
 */
export function buildTriageReport(input: TriageReportInput): string {
  const { request, owner, instance, provider, image, triage } = input;
  const inError = triage.hoursInError === undefined ? '' : `, in error ${triage.sinceKnown ? '' : 'at least '}${formatDuration(triage.hoursInError * 3_600_000)}`;
  const history = [...input.history]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((h) => `- ${formatTimestamp(h.at)} ${h.actor}: ${h.action}${h.note ? ` (${h.note})` : ''}`);

  const lines = [
    `Imaging request #${request.id}: level two triage information`,
    '',
    `Username: ${owner.username} (${owner.email})`,
    `Instance ID: ${instanceLine(instance)}`,
    `IP Address: ${instance?.ipAddress ?? 'none recorded'}`,
    `Cloud Provider: ${provider?.location ?? 'unknown'}`,
    `Image/Application selected: ${imageLine(image)}`,
    `Requested new image: "${request.newApplicationName}" version ${request.newVersionName}`,
    `Request status: ${request.status} (requested ${formatTimestamp(request.startDate)}${inError})`,
    `Traceback : ${tracebackBlock(request.oldStatus)}`,
    '',
    `Bot triage: ${triage.category} (${triage.severity})${triage.step ? `, failed step: ${stepLabel(triage.step)}` : ''}`,
    `Evidence: ${triage.evidence}`,
    `Summary: ${triage.summary}`,
    '',
    'Other Notes from Triage:',
    ...(history.length > 0 ? history : ['- nothing tried through the bot yet']),
    `- report generated ${formatTimestamp(input.now)}`,
    '',
    // The guide: tell the user not to delete the instance until the whole process is completed.
    `Reminder: the user should NOT delete instance ${instance?.providerAlias ?? '(unknown)'} until the imaging request is completed.`,
  ];
  return lines.join('\n');
}
