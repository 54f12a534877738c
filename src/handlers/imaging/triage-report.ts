import { textFile } from '../../bot/chat/deliver-reply.js';
import type { Reply } from '../../bot/chat/reply.js';
import { formatDuration, formatTimestamp } from '../format-time.js';
import type { Triage } from './triage.js';
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
  /** What other systems said (Flower's tasks, the imaging queue), each block under its heading. */
  evidence?: { heading: string; lines: string[] }[];
  now: Date;
}

/** The status message as staff paste it: the traceback on real lines instead of Python escapes. */
export function tracebackBlock(oldStatus: string | null): string {
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

/** A status message longer than this goes whole into a file with the report, and the message quotes its last line. */
export const TRIAGE_INLINE_LIMIT = 600;

/** Evidence quoted in the message; the file has all of it. */
const EVIDENCE_LIMIT = 500;

/** The file that carries the whole report, traceback and all. */
export function triageFileName(id: number): string {
  return `imaging-request-${id}-triage.txt`;
}

interface ReportParts {
  heading: string;
  /** The bot's classification, its evidence and the guide's reminder: what staff act on, first. */
  findings: (evidence: string) => string[];
  /** The guide's fields up to the traceback, in the guide's order. */
  guide: string[];
  traceback: string;
  evidence: string[];
  notes: string[];
}

function reportParts(input: TriageReportInput): ReportParts {
  const { request, owner, instance, provider, image, triage } = input;
  const inError = triage.hoursInError === undefined ? '' : `, in error ${triage.sinceKnown ? '' : 'at least '}${formatDuration(triage.hoursInError * 3_600_000)}`;
  const history = [...input.history]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((h) => `- ${formatTimestamp(h.at)} ${h.actor}: ${h.action}${h.note ? ` (${h.note})` : ''}`);
  return {
    heading: `Imaging request #${request.id}: level two triage information`,
    findings: (evidence) => [
      `Bot triage: ${triage.category} (${triage.severity})${triage.step ? `, failed step: ${stepLabel(triage.step)}` : ''}`,
      `Summary: ${triage.summary}`,
      `Evidence: ${evidence}`,
      // The guide: tell the user not to delete the instance until the whole process is completed.
      `Reminder: the user should NOT delete instance ${instance?.providerAlias ?? '(unknown)'} until the imaging request is completed.`,
    ],
    guide: [
      `Username: ${owner.username} (${owner.email})`,
      `Instance ID: ${instanceLine(instance)}`,
      `IP Address: ${instance?.ipAddress ?? 'none recorded'}`,
      `Cloud Provider: ${provider?.location ?? 'unknown'}`,
      `Image/Application selected: ${imageLine(image)}`,
      `Requested new image: "${request.newApplicationName}" version ${request.newVersionName}`,
      `Request status: ${request.status} (requested ${formatTimestamp(request.startDate)}${inError})`,
    ],
    traceback: tracebackBlock(request.oldStatus),
    evidence: (input.evidence ?? []).map((block) => [block.heading, ...block.lines].join('\n')),
    notes: ['Other Notes from Triage:', ...(history.length > 0 ? history : ['- nothing tried through the bot yet']), `- report generated ${formatTimestamp(input.now)}`],
  };
}

/**
 * The staff guide's "Level two triage information" for the Atmosphere team, as plain text, with the
 * bot's findings first (classification, evidence, the guide's reminder not to delete the instance),
 * then the guide's fields in its order (username, instance id, IP, provider, image, traceback, notes
 * from triage) with the whole traceback, and what was already tried on this request.
 */
export function buildTriageReport(input: TriageReportInput): string {
  const parts = reportParts(input);
  return [
    parts.heading,
    '',
    ...parts.findings(input.triage.evidence),
    '',
    ...parts.guide,
    `Traceback : ${parts.traceback}`,
    '',
    ...parts.evidence.flatMap((block) => [block, '']),
    ...parts.notes,
  ].join('\n');
}

/**
 * `/atmo imaging triage <id>`: the findings first, then the guide's fields and the notes, each its own
 * block. A long traceback would push everything after it past Slack's 3,000 and Discord's 4,096
 * characters, so the message quotes its last line and the whole report goes with it as a file.
 */
export function buildTriageReply(input: TriageReportInput): Reply {
  const parts = reportParts(input);
  const name = triageFileName(input.request.id);
  const long = parts.traceback.length > TRIAGE_INLINE_LIMIT;
  const evidence = input.triage.evidence.length > EVIDENCE_LIMIT
    ? `${input.triage.evidence.slice(0, EVIDENCE_LIMIT - 1)}… (cut; the file ${name} has all of it)`
    : input.triage.evidence;
  const lines = parts.traceback.split('\n');
  const last = [...lines].reverse().find((line) => line.trim() !== '')?.trim() ?? '';
  const traceback = long
    ? `Traceback : … ${last}\n(the whole traceback, ${lines.length} lines, is in the file ${name} sent with this report; /atmo imaging show ${input.request.id} shows the status message too)`
    : `Traceback : ${parts.traceback}`;
  return {
    title: `Imaging request #${input.request.id}: triage report`,
    text: parts.findings(evidence).join('\n'),
    sections: [{ text: [...parts.guide, traceback].join('\n') }, ...parts.evidence.map((text) => ({ text })), { text: parts.notes.join('\n') }],
    ...(long || evidence !== input.triage.evidence ? { files: [textFile(name, `${buildTriageReport(input)}\n`, `Imaging request #${input.request.id}: level two triage information`)] } : {}),
    visibility: 'ephemeral',
  };
}
