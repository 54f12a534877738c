import { describe, expect, it } from 'vitest';
import { classifyMachineRequest } from '../../../src/handlers/imaging/classify-machine-request.js';
import {
  buildMachineRequestParent,
  buildMachineRequestUpdate,
  isMachineRequestAlertable,
  machineRequestFingerprint,
} from '../../../src/jobs/alerts/machine-request-alert.js';
import { buildResourceReminderParent, buildResourceReminderUpdate } from '../../../src/jobs/alerts/resource-reminder-alert.js';
import { DEMO_ERRORS } from '../../../src/db/demo-data.js';
import type { MachineRequestScanRow } from '../../../src/db/queries/alert-scan.js';

const now = new Date('2026-11-23T17:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

function request(status: string, oldStatus: string | null, submittedHoursAgo = 20): MachineRequestScanRow {
  return { id: 7, status, oldStatus, startDate: hoursAgo(submittedHoursAgo), endDate: null, owner: 'alee', imageName: 'Canary', instanceId: 31, instanceName: 'canary-vm', newVersionForked: false, newApplicationVersionId: null };
}
const triageOf = (row: MachineRequestScanRow, sinceHours = 20) =>
  classifyMachineRequest({ status: row.status, oldStatus: row.oldStatus, statusSince: hoursAgo(sinceHours), now, stuckAfterMinutes: 120 });

describe('imaging alert parents', () => {
  const cases: [string, MachineRequestScanRow, string][] = [
    ['max-instances', request('validating', DEMO_ERRORS.maxInstances), 'admin tenant instance limit'],
    ['cache', request('processing', DEMO_ERRORS.noneTypeId), 'imaging cache problem'],
    ['imaging-host', request('started', DEMO_ERRORS.nbdMissing), 'imaging host problem'],
    ['unknown-error', request('validating', '(validating) - ERROR - ValueError("bad flavor") Exception:x'), 'unknown error'],
    ['stuck', request('started', 'pending'), 'stuck in started'],
    ['failed', request('failed', null), 'failed'],
  ];
  it.each(cases)('names the %s category, the next steps and offers Triage and Re-submit', (_name, row, label) => {
    const triage = triageOf(row);
    expect(isMachineRequestAlertable(row.status, triage)).toBe(true);
    const parent = buildMachineRequestParent({ row, triage, state: 'open', now });
    expect(parent.title).toBe(`Imaging request #7: ${label}`);
    expect(parent.text).toContain('"Canary" by alee');
    expect(parent.fields?.find((f) => f.label === 'Next steps')?.value.split('\n').length).toBe(triage.nextSteps.length);
    expect(parent.buttons?.map((b) => `${b.action}:${b.value}`)).toEqual(['mr:triage:7', 'mr:resubmit:7']);
    expect(parent.visibility).toBe('channel');
  });

  it('keeps an Approve button on a re-submitted request, and says queued (no Approve) once it waits in the queue', () => {
    const row = request('pending', DEMO_ERRORS.noneTypeId);
    const triage = triageOf(row);
    const waiting = buildMachineRequestParent({ row, triage, state: 'open', now });
    expect(waiting.buttons?.map((b) => `${b.action}:${b.value}`)).toEqual(['mr:triage:7', 'mr:approve:7']);
    expect(waiting.title).toBe('Imaging request #7: waiting for approval');

    const queued = buildMachineRequestParent({ row, triage, state: 'open', now, queuedPlace: 2 });
    expect(queued.title).toBe('Imaging request #7: queued for the imaging slot');
    expect(queued.fields?.find((f) => f.label === 'Status')?.value).toBe('pending, queued: place 2 in the imaging queue; approved when the slot is free');
    expect(queued.buttons?.map((b) => b.action)).toEqual(['mr:triage']);
    // Queuing changes what the thread reports, so its parent is edited.
    expect(machineRequestFingerprint('pending', row.oldStatus, triage.category, true)).not.toBe(machineRequestFingerprint('pending', row.oldStatus, triage.category));
  });

  it('does not alert on healthy, pending or finished requests', () => {
    for (const row of [request('processing', 'processing - abc'), request('pending', 'pending'), request('completed', 'completed'), request('started', 'pending', 1)]) {
      expect(isMachineRequestAlertable(row.status, triageOf(row, 1))).toBe(false);
    }
  });

  it('shows a resolved parent without buttons or next steps', () => {
    const row = request('completed', 'completed');
    const parent = buildMachineRequestParent({ row, triage: triageOf(row), state: 'resolved', now });
    expect(parent.title).toBe('Imaging request #7: completed (resolved)');
    expect(parent.buttons).toBeUndefined();
    expect(parent.fields?.some((f) => f.label === 'Next steps')).toBe(false);
    expect(parent.tone).toBe('success');
  });

  it('fingerprints status, error text and category', () => {
    const a = machineRequestFingerprint('processing', 'x', 'cache');
    expect(machineRequestFingerprint('processing', 'x', 'cache')).toBe(a);
    expect(machineRequestFingerprint('processing', 'y', 'cache')).not.toBe(a);
    expect(machineRequestFingerprint('validating', 'x', 'cache')).not.toBe(a);
  });
});

describe('imaging alert updates', () => {
  const previousError = { status: 'processing', oldStatus: DEMO_ERRORS.noneTypeId, category: 'cache', state: 'open' as const };
  const line = (previous: Parameters<typeof buildMachineRequestUpdate>[0]['previous'], row: MachineRequestScanRow, state: 'open' | 'resolved' = 'open') =>
    buildMachineRequestUpdate({ previous, row, triage: triageOf(row, 0.2), state, events: [] })?.text ?? null;

  it('offers to make a request completed as a new application a version of another, in the thread and on the parent', () => {
    const forked = { ...request('completed', 'completed'), newVersionForked: true, newApplicationVersionId: '6f1c2b8e-0d4a-4c1e-9a57-0b9e2f3c4d5e' };
    const update = buildMachineRequestUpdate({ previous: { ...previousError, status: 'validating', category: 'in-progress' }, row: forked, triage: triageOf(forked, 0.2), state: 'resolved', events: [] })!;
    expect(update.buttons).toEqual([{ label: 'Make it a version of another application', action: 'img:move-form', value: '7' }]);
    const parent = buildMachineRequestParent({ row: forked, triage: triageOf(forked), state: 'resolved', now });
    expect(parent.buttons?.map((b) => b.action)).toEqual(['img:move-form']);
    // Asked as a new version: nothing to move.
    const version = request('completed', 'completed');
    expect(buildMachineRequestParent({ row: version, triage: triageOf(version), state: 'resolved', now }).buttons).toBeUndefined();
    expect(buildMachineRequestUpdate({ previous: { ...previousError, status: 'validating', category: 'in-progress' }, row: version, triage: triageOf(version, 0.2), state: 'resolved', events: [] })!.buttons).toBeUndefined();
  });

  it('tells each step of the pipeline in one line', () => {
    expect(line(previousError, request('pending', DEMO_ERRORS.noneTypeId))).toBe('Re-submitted: waiting for approval.');
    expect(line({ ...previousError, status: 'pending', category: 'pending' }, request('approved', 'pending'))).toBe('Approved: imaging is about to start.');
    expect(line({ ...previousError, status: 'approved', category: 'in-progress' }, request('started', 'pending'))).toBe('Imaging started.');
    expect(line({ ...previousError, status: 'started', category: 'in-progress' }, request('validating', 'validating'))).toBe(
      'Validating: a test instance is being launched from the new image.',
    );
    expect(line(previousError, request('completed', 'completed'), 'resolved')).toBe('Completed: the new image is ready. Resolved.');
    expect(line(previousError, request('denied', 'pending'), 'resolved')).toBe('Denied. Resolved.');
    expect(line(previousError, request('closed', 'pending'), 'resolved')).toBe('Closed. Resolved.');
  });

  it('reports a new error text in the same status as a new failure, with the first next step', () => {
    const text = line(previousError, request('processing', DEMO_ERRORS.serverRef));
    expect(text).toMatch(/^Errored again \(imaging cache problem\): .*\nNext: /s);
  });

  it('says reopened when a resolved request errors again, and nothing when nothing changed', () => {
    expect(line({ ...previousError, status: 'completed', category: 'done', state: 'resolved' }, request('processing', DEMO_ERRORS.noneTypeId))).toMatch(/^Reopened\. Errored again/);
    expect(line(previousError, request('processing', DEMO_ERRORS.noneTypeId))).toBeNull();
  });

  it('puts the bot events first', () => {
    const update = buildMachineRequestUpdate({
      previous: previousError,
      row: request('pending', DEMO_ERRORS.noneTypeId),
      triage: triageOf(request('pending', DEMO_ERRORS.noneTypeId)),
      state: 'open',
      events: [{ id: 3, subject: 'machine_request', recordId: 7, at: now, actor: 'kpatel', platform: 'slack', action: 'resubmitted', note: null }],
    });
    expect(update?.text).toBe('kpatel re-submitted it on slack at 2026-11-23 17:00 UTC.\nRe-submitted: waiting for approval.');
  });
});

describe('resource request reminders', () => {
  const row = { id: 4, status: 'pending', startDate: hoursAgo(9 * 24), requester: 'rnguyen', request: 'storage: 2 TB' };
  it('says how long the request has waited, what it was read as, and offers Approve, Deny and Close', () => {
    const parent = buildResourceReminderParent({ row, now, remindAfterHours: 48 });
    expect(parent.title).toBe('Resource request #4: waiting 9 d');
    expect(parent.text).toBe('Resource request #4 from rnguyen has waited 9 d for a decision (reminder after 48 h).');
    expect(parent.buttons?.map((b) => `${b.action}:${b.value}`)).toEqual(['rr:approve:4', 'rr:deny:4', 'rr:close:4']);
    expect(parent.fields).toContainEqual({ label: 'Read as', value: 'storage 2 TB' });
  });
  it('resolves with the decision', () => {
    const decided = { ...row, status: 'approved' };
    expect(buildResourceReminderParent({ row: decided, now, remindAfterHours: 48 }).buttons).toBeUndefined();
    expect(buildResourceReminderUpdate({ previous: { status: 'pending' }, row: decided, events: [] })?.text).toBe('Approved. Resolved.');
    expect(buildResourceReminderUpdate({ previous: { status: 'approved' }, row: decided, events: [] })).toBeNull();
  });
});
